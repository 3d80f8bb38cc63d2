package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ditstar/ditstar/internal/testdata"
)

func TestInspectJSON(t *testing.T) {
	core := testdata.DAR(t, "dabl-integration-core-1.2.3.dar")
	coindesk := testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar")
	var stdout, stderr bytes.Buffer
	if status := runInspect([]string{core, "--json", coindesk}, &stdout, &stderr); status != exitOK {
		t.Fatalf("status %d, stderr %s", status, stderr.String())
	}
	var got []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, stdout.String())
	}
	if len(got) != 2 {
		t.Fatalf("got %d objects, want 2", len(got))
	}

	first := got[0]
	wantScalars := map[string]any{
		"file":            "dabl-integration-core-1.2.3.dar",
		"main_package_id": "9cdb8936e89c8bee4cc1a883ac62ca0b7327a48610c4fb3da3324bbc0dd8c85d",
		"name":            "dabl-integration-core",
		"version":         "1.2.3",
		"lf_version":      "1.14",
		"packages":        float64(25),
	}
	for key, want := range wantScalars {
		if first[key] != want {
			t.Errorf("%s = %v, want %v", key, first[key], want)
		}
	}

	templates := first["templates"].([]any)
	if len(templates) != 2 {
		t.Fatalf("got %d templates, want 2", len(templates))
	}
	seq := templates[0].(map[string]any)
	if seq["id"] != "Utility.Sequence:Sequence" {
		t.Errorf("first template id = %v", seq["id"])
	}
	if seq["has_key"] != true {
		t.Error("Sequence has_key = false")
	}
	if got := joinAny(seq["choices"]); got != "Archive,Sequence_Next" {
		t.Errorf("Sequence choices = %s", got)
	}
	if got := joinAny(seq["fields"]); got != "owner,name,count" {
		t.Errorf("Sequence fields = %s", got)
	}

	if got[1]["file"] != "dabl-integration-coindesk-1.1.2.dar" {
		t.Errorf("second file = %v", got[1]["file"])
	}
}

func joinAny(v any) string {
	var parts []string
	for _, item := range v.([]any) {
		parts = append(parts, item.(string))
	}
	return strings.Join(parts, ",")
}

func TestInspectText(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := runInspect([]string{testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar")}, &stdout, &stderr); status != exitOK {
		t.Fatalf("status %d, stderr %s", status, stderr.String())
	}
	for _, want := range []string{
		"dabl-integration-coindesk 1.1.2",
		"CoinDesk.PriceOracle:PriceOraclePrice",
		"integrationParty: Party, price: CoinDesk.PriceData:MarketPrice",
		"key      DA.Types:Tuple2 Party Text",
		"choices  Archive, CurrentPriceOracle_Update",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestInspectCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.dar")
	if err := os.WriteFile(path, []byte("not a zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	status := runInspect([]string{"--json", path}, &stdout, &stderr)
	if status != exitFail {
		t.Errorf("status %d, want %d", status, exitFail)
	}
	if !strings.Contains(stderr.String(), "broken.dar") {
		t.Errorf("stderr %q does not name the file", stderr.String())
	}
	if strings.TrimSpace(stdout.String()) != "[]" {
		t.Errorf("stdout = %q, want an empty array", stdout.String())
	}
}

func TestInspectNoFiles(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := runInspect(nil, &stdout, &stderr); status != exitUsage {
		t.Errorf("status %d, want %d", status, exitUsage)
	}
	if !strings.Contains(stderr.String(), "usage: ditstar inspect") {
		t.Errorf("stderr %q lacks the usage line", stderr.String())
	}
}
