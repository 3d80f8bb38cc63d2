package lf

import (
	"strings"
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/ditstar/ditstar/internal/testdata"
)

func twoVersionCatalog(t *testing.T) (*Catalog, *DAR, *DAR) {
	t.Helper()
	old, err := ReadDAR(testdata.DAR(t, "test-sdk-1.8.0.dar"))
	if err != nil {
		t.Fatal(err)
	}
	newer, err := ReadDAR(testdata.DAR(t, "test-sdk-1.11.0.dar"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(old.Packages...)
	for _, p := range newer.Packages {
		if err := c.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	return c, old, newer
}

func TestResolveForms(t *testing.T) {
	c, old, newer := twoVersionCatalog(t)
	ids, err := c.Resolve(old.MainPackageID+":Primitives:SimpleFields", "")
	if err != nil || len(ids) != 1 || ids[0].PackageID != old.MainPackageID {
		t.Errorf("package-id form = %v, %v", ids, err)
	}
	ids, err = c.Resolve("Primitives:SimpleFields", newer.MainPackageID)
	if err != nil || len(ids) != 1 || ids[0].PackageID != newer.MainPackageID {
		t.Errorf("default package = %v, %v", ids, err)
	}
	ids, err = c.Resolve("#Test:Primitives:SimpleFields", "")
	if err != nil || len(ids) != 1 || ids[0].PackageID != "#Test" {
		t.Errorf("package-name form = %v, %v", ids, err)
	}
	ids, err = c.Resolve(old.MainPackageID+":*", "")
	if err != nil || len(ids) != 5 {
		t.Errorf("package wildcard = %v, %v; want 5 templates", ids, err)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1].String() > ids[i].String() {
			t.Errorf("package wildcard is not sorted: %v", ids)
		}
	}
	all, err := c.Resolve("*", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 10 {
		t.Errorf("* gave %d templates, want 10 (5 per version)", len(all))
	}
}

func TestResolveAmbiguous(t *testing.T) {
	c, old, newer := twoVersionCatalog(t)
	_, err := c.Resolve("Primitives:SimpleFields", "")
	if err == nil {
		t.Fatal("an ambiguous name resolved")
	}
	for _, want := range []string{"ambiguous", old.MainPackageID, newer.MainPackageID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %s", err, want)
		}
	}
}

func TestResolveUnknown(t *testing.T) {
	c, pkg := loadCatalog(t, "dabl-integration-core-1.2.3.dar")
	cases := map[string]string{
		"Utility.Sequence:Sequense":  "candidates: Utility.Sequence:Sequence, Utility.Sequence:SequenceGenerator",
		"Other:Sequence":             "candidates: Utility.Sequence:Sequence",
		"#nope:Utility.Sequence:X":   "package #nope not found",
		"abc:*":                      "package abc not found",
		pkg + ":Utility.Sequence:No": "template not found",
		"a:b:c:d":                    "invalid template reference",
		"NoColon":                    "invalid template reference",
	}
	for ref, want := range cases {
		if _, err := c.Resolve(ref, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%q) error = %v, want it to contain %q", ref, err, want)
		}
	}
}

func TestCatalogPackageByName(t *testing.T) {
	c, old, newer := twoVersionCatalog(t)
	// Both DARs hold Test 1.0.0, so the newer build does not outrank the
	// older one by version; both are listed.
	if got := c.PackageByName("Test"); len(got) != 2 {
		t.Fatalf("PackageByName(Test) = %d packages, want 2", len(got))
	}
	if _, ok := c.Package(old.MainPackageID); !ok {
		t.Error("old package not found by id")
	}
	tmpl, ok := c.Template(TemplateID{PackageID: "#Test", Module: "Address", Entity: "Person"})
	if !ok || tmpl.ID.Entity != "Person" {
		t.Errorf("Template(#Test...) = %v, %v", tmpl, ok)
	}
	_ = newer
	if err := c.Add(&Package{}); err == nil {
		t.Error("Add accepted a package without an id")
	}
}

func TestTemplateIDForms(t *testing.T) {
	id := TemplateID{PackageID: "abc", Module: "Main.Sub", Entity: "Asset"}
	if id.String() != "abc:Main.Sub:Asset" {
		t.Errorf("String = %s", id)
	}
	back := TemplateIDFromIdentifier(id.Identifier())
	if back != id {
		t.Errorf("identifier round trip = %v", back)
	}
	if TemplateIDFromIdentifier((*v2.Identifier)(nil)) != (TemplateID{}) {
		t.Error("nil identifier is not the zero id")
	}
	parsed, err := ParseTemplateID("Main:Asset")
	if err != nil || parsed != (TemplateID{Module: "Main", Entity: "Asset"}) {
		t.Errorf("ParseTemplateID = %v, %v", parsed, err)
	}
	if _, err := ParseTemplateID("Main"); err == nil {
		t.Error("ParseTemplateID accepted a name without entity")
	}
}

func TestCompareVersions(t *testing.T) {
	if compareVersions("1.10.0", "1.9.2") <= 0 || compareVersions("1.0", "1.0.0") != 0 || compareVersions("2", "10") >= 0 {
		t.Error("compareVersions orders wrongly")
	}
}

func TestCatalogConcurrentAdd(t *testing.T) {
	core, err := ReadDAR(testdata.DAR(t, "dabl-integration-core-1.2.3.dar"))
	if err != nil {
		t.Fatal(err)
	}
	coindesk, err := ReadDAR(testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(core.Packages...)
	seq := TemplateID{PackageID: core.MainPackageID, Module: "Utility.Sequence", Entity: "Sequence"}
	done := make(chan error)
	go func() {
		for _, p := range coindesk.Packages {
			if err := c.Add(p); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 200 {
		if _, err := c.EncodeCreate(seq, map[string]any{"owner": "A", "name": "n", "count": 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Resolve("Utility.Sequence:Sequence", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve("CoinDesk.PriceOracle:PriceOraclePrice", ""); err != nil {
		t.Errorf("package added concurrently not found: %v", err)
	}
}
