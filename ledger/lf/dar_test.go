package lf

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"
	"github.com/ditstar/ditstar/internal/testdata"
	"google.golang.org/protobuf/proto"
)

// darExpectation is what one test DAR holds, checked by hand against its
// manifest and, where the DAR includes them, its .daml sources.
type darExpectation struct {
	name, lfVersion, sdkVersion string
	templates                   []string
}

var darExpectations = map[string]darExpectation{
	"all-kinds-of-sdk-3.3.0.dar": {"all-kinds-of", "2.1", "3.3.0-snapshot.20250417.0",
		[]string{"AllKindsOf:MappyContract", "AllKindsOf:OneOfEverything"}},
	"dabl-integration-coindesk-1.1.2.dar": {"dabl-integration-coindesk", "1.14", "1.18.3",
		[]string{"CoinDesk.PriceOracle:PriceOraclePrice", "CoinDesk.PriceOracle:PriceOracleRequest",
			"CoinDesk.PriceRequest:PriceRequest", "CoinDesk.PriceRequest:PriceResponseFailure",
			"CoinDesk.PriceRequest:PriceResponseSuccess"}},
	"dabl-integration-core-1.2.3.dar": {"dabl-integration-core", "1.14", "1.18.3",
		[]string{"Utility.Sequence:Sequence", "Utility.Sequence:SequenceGenerator"}},
	"ping-pong-sdk-0.13.15.dar": {"", "1.6", "0.13.15", []string{"PingPong:Ping", "PingPong:Pong"}},
	"test-sdk-0.13.39.dar": {"", "1.7", "0.13.39", []string{"Address:American", "Address:Briton",
		"Address:Person", "Primitives:OptionalFields", "Primitives:SimpleFields"}},
	"test-sdk-1.8.0.dar":  {"Test", "1.8", "1.8.0", nil},
	"test-sdk-1.11.0.dar": {"Test", "1.11", "1.11.0", nil},
	"splice-dummy-holding-sdk-3.3.0.dar": {"splice-token-test-dummy-holding", "2.1", "3.3.0-snapshot.20250502.13767.0.v2fc6c7e2",
		[]string{"Splice.Api.Token.Test.DummyHolding:DummyHolding"}},
}

var (
	hexID    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	idInName = regexp.MustCompile(`-[0-9a-f]{64}\.dalf$`)
)

func TestReadDAREveryFile(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata.DARDir(t), "*.dar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no DARs in the test folder")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dar, err := ReadDAR(file)
			if err != nil {
				t.Fatalf("ReadDAR: %v", err)
			}
			if dar.File != filepath.Base(file) {
				t.Errorf("File = %q, want %q", dar.File, filepath.Base(file))
			}
			if dar.MainPackageID != dar.Packages[0].ID {
				t.Errorf("MainPackageID %s is not the first package %s", dar.MainPackageID, dar.Packages[0].ID)
			}
			// From SDK 1.x the main DALF's entry name ends with its package id.
			mainDalf := dar.Manifest["Main-Dalf"]
			if idInName.MatchString(mainDalf) && !strings.HasSuffix(mainDalf, dar.MainPackageID+".dalf") {
				t.Errorf("Main-Dalf %q does not end with the package id %s", dar.Manifest["Main-Dalf"], dar.MainPackageID)
			}
			if dar.SDKVersion == "" {
				t.Error("SDKVersion is empty")
			}
			for _, p := range dar.Packages {
				checkPackageID(t, p)
				if !strings.HasPrefix(p.LFVersion, "1.") && !strings.HasPrefix(p.LFVersion, "2.") {
					t.Errorf("package %s: LFVersion %q", p.ID, p.LFVersion)
				}
			}
			want, ok := darExpectations[dar.File]
			if !ok {
				return
			}
			main := dar.Main()
			if main.Name != want.name {
				t.Errorf("Name = %q, want %q", main.Name, want.name)
			}
			if main.LFVersion != want.lfVersion {
				t.Errorf("LFVersion = %q, want %q", main.LFVersion, want.lfVersion)
			}
			if dar.SDKVersion != want.sdkVersion {
				t.Errorf("SDKVersion = %q, want %q", dar.SDKVersion, want.sdkVersion)
			}
			if want.templates != nil {
				var got []string
				for _, tmpl := range main.Templates() {
					got = append(got, tmpl.ID.Name())
				}
				if strings.Join(got, " ") != strings.Join(want.templates, " ") {
					t.Errorf("templates = %v, want %v", got, want.templates)
				}
			}
		})
	}
}

// checkPackageID recomputes the package id from the archive bytes.
func checkPackageID(t *testing.T, p *Package) {
	t.Helper()
	var a archive.Archive
	if err := proto.Unmarshal(p.Archive, &a); err != nil {
		t.Fatalf("package %s: archive bytes: %v", p.ID, err)
	}
	sum := sha256.Sum256(a.GetPayload())
	if got := hex.EncodeToString(sum[:]); got != p.ID || a.GetHash() != p.ID {
		t.Errorf("package id %s, payload SHA-256 %s, archive hash %s", p.ID, got, a.GetHash())
	}
	if !hexID.MatchString(p.ID) {
		t.Errorf("package id %q is not 64 lowercase hex digits", p.ID)
	}
}

func TestReadDARCoinDeskTemplates(t *testing.T) {
	dar, err := ReadDAR(testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(dar.Packages...)
	// From CoinDesk/PriceOracle.daml in the DAR.
	price, ok := c.Template(TemplateID{PackageID: dar.MainPackageID, Module: "CoinDesk.PriceOracle", Entity: "PriceOraclePrice"})
	if !ok {
		t.Fatal("PriceOraclePrice not found")
	}
	if got := fieldSummary(price.Fields); got != "integrationParty:Party price:CoinDesk.PriceData:MarketPrice" {
		t.Errorf("PriceOraclePrice fields = %s", got)
	}
	if got := price.Key.String(); got != "DA.Types:Tuple2 Party Text" {
		t.Errorf("PriceOraclePrice key = %s, want DA.Types:Tuple2 Party Text", got)
	}
	if got := strings.Join(price.ChoiceNames(), " "); got != "Archive CurrentPriceOracle_Update" {
		t.Errorf("PriceOraclePrice choices = %s", got)
	}
	update := price.Choices["CurrentPriceOracle_Update"]
	if !update.Consuming {
		t.Error("CurrentPriceOracle_Update is not consuming")
	}
	if got := update.ReturnType.String(); got != "ContractId CoinDesk.PriceOracle:PriceOraclePrice" {
		t.Errorf("CurrentPriceOracle_Update returns %s", got)
	}
	argDef, ok := c.DataType(update.ArgType.Con)
	if !ok {
		t.Fatalf("choice argument type %s not found", update.ArgType)
	}
	if got := fieldSummary(argDef.Fields); got != "newUpdatedAt:Timestamp newRate:Numeric 10" {
		t.Errorf("CurrentPriceOracle_Update argument fields = %s", got)
	}

	request, _ := c.Template(TemplateID{PackageID: dar.MainPackageID, Module: "CoinDesk.PriceOracle", Entity: "PriceOracleRequest"})
	if request.Key != nil {
		t.Errorf("PriceOracleRequest has key %s, want none", request.Key)
	}
	if request.Choices["CurrentPriceOracleUpdater_Update"].Consuming {
		t.Error("CurrentPriceOracleUpdater_Update is consuming, want nonconsuming")
	}

	// From CoinDesk/PriceData.daml.
	md, ok := c.DataType(TemplateID{PackageID: dar.MainPackageID, Module: "CoinDesk.PriceData", Entity: "MarketPrice"})
	if !ok {
		t.Fatal("MarketPrice not found")
	}
	if got := fieldSummary(md.Fields); got != "currencyCode:Text updatedAt:Timestamp rate:Numeric 10" {
		t.Errorf("MarketPrice fields = %s", got)
	}
}

func TestReadDARAllKindsOfTypes(t *testing.T) {
	dar, err := ReadDAR(testdata.DAR(t, "all-kinds-of-sdk-3.3.0.dar"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(dar.Packages...)
	id := TemplateID{PackageID: dar.MainPackageID, Module: "AllKindsOf"}
	vpair, ok := c.DataType(TemplateID{PackageID: id.PackageID, Module: id.Module, Entity: "VPair"})
	if !ok {
		t.Fatal("VPair not found")
	}
	if vpair.Kind != VariantType || strings.Join(vpair.Params, ",") != "a" {
		t.Errorf("VPair is %s with params %v, want a variant with params [a]", vpair.Kind, vpair.Params)
	}
	if got := fieldSummary(vpair.Fields); got != "Left:a Right:a Both:AllKindsOf:VPair a" {
		t.Errorf("VPair constructors = %s", got)
	}
	color, _ := c.DataType(TemplateID{PackageID: id.PackageID, Module: id.Module, Entity: "Color"})
	if color.Kind != EnumType || strings.Join(color.Constructors, " ") != "Red Green Blue" {
		t.Errorf("Color is %s %v, want enum Red Green Blue", color.Kind, color.Constructors)
	}
	everything, _ := c.Template(TemplateID{PackageID: id.PackageID, Module: id.Module, Entity: "OneOfEverything"})
	// someMeasurement has the synonym Measurement = Decimal in the source,
	// which the compiler expands.
	if got := everything.Fields[13]; got.Name != "someMeasurement" || got.Type.String() != "Numeric 10" {
		t.Errorf("field 14 = %s %s, want someMeasurement Numeric 10", got.Name, got.Type)
	}
	if ch := everything.Choices["Accept"]; ch == nil || ch.ReturnType.Kind != TypeUnit {
		t.Errorf("Accept choice = %+v, want one returning Unit", ch)
	}
}

func TestReadDARKeysAndInterfaces(t *testing.T) {
	core, err := ReadDAR(testdata.DAR(t, "dabl-integration-core-1.2.3.dar"))
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := NewCatalog(core.Packages...).Template(TemplateID{PackageID: core.MainPackageID, Module: "Utility.Sequence", Entity: "Sequence"})
	if seq.KeyExpr == nil || seq.KeyExpr.Record == nil || len(seq.KeyExpr.Fields) != 2 {
		t.Fatalf("Sequence key expression = %+v, want a pair", seq.KeyExpr)
	}
	if got := seq.KeyExpr.Fields[0].Expr.Path; strings.Join(got, ".") != "owner" {
		t.Errorf("key _1 projects %v, want owner", got)
	}

	holding, err := ReadDAR(testdata.DAR(t, "splice-dummy-holding-sdk-3.3.0.dar"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(holding.Packages...)
	dummy, _ := c.Template(TemplateID{PackageID: holding.MainPackageID, Module: "Splice.Api.Token.Test.DummyHolding", Entity: "DummyHolding"})
	if len(dummy.Implements) != 1 || dummy.Implements[0].Name() != "Splice.Api.Token.HoldingV1:Holding" {
		t.Fatalf("DummyHolding implements %v, want Splice.Api.Token.HoldingV1:Holding", dummy.Implements)
	}
	iface, ok := c.Interface(dummy.Implements[0])
	if !ok {
		t.Fatalf("interface %s not found", dummy.Implements[0])
	}
	if iface.View == nil || iface.View.Kind != TypeCon {
		t.Errorf("Holding view type = %s, want a record", iface.View)
	}
}

func fieldSummary(fields []Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Name + ":" + f.Type.String()
	}
	return strings.Join(parts, " ")
}

func TestParseManifestContinuation(t *testing.T) {
	raw := "Manifest-Version: 1.0\r\nMain-Dalf: abc/def-0123\r\n 4567.dalf\r\nDalfs: a.dalf, b\r\n .dalf\r\nName: x\r\n"
	m := parseManifest([]byte(raw))
	if m["Main-Dalf"] != "abc/def-01234567.dalf" {
		t.Errorf("Main-Dalf = %q", m["Main-Dalf"])
	}
	if m["Dalfs"] != "a.dalf, b.dalf" {
		t.Errorf("Dalfs = %q", m["Dalfs"])
	}
	if m["Name"] != "x" {
		t.Errorf("Name = %q", m["Name"])
	}
}

// buildDAR returns a zip with the given entries.
func buildDAR(t testing.TB, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseDARCorruptEntry(t *testing.T) {
	manifest := []byte("Main-Dalf: pkg/main.dalf\nDalfs: pkg/main.dalf\n")
	data := buildDAR(t, map[string][]byte{
		"META-INF/MANIFEST.MF": manifest,
		"pkg/main.dalf":        []byte("\x0a\xff\xff not a protobuf"),
	})
	_, err := ParseDAR("broken.dar", data)
	if err == nil {
		t.Fatal("ParseDAR accepted a corrupt DALF")
	}
	for _, want := range []string{"broken.dar", "pkg/main.dalf"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestParseDARMissingEntry(t *testing.T) {
	data := buildDAR(t, map[string][]byte{
		"META-INF/MANIFEST.MF": []byte("Main-Dalf: pkg/main.dalf\n"),
	})
	_, err := ParseDAR("short.dar", data)
	if err == nil || !strings.Contains(err.Error(), "short.dar") || !strings.Contains(err.Error(), "pkg/main.dalf") {
		t.Errorf("error = %v, want one naming short.dar and pkg/main.dalf", err)
	}
}

func TestParseDARNotZip(t *testing.T) {
	_, err := ParseDAR("text.dar", []byte("hello"))
	if err == nil || !strings.Contains(err.Error(), "text.dar") {
		t.Errorf("error = %v, want one naming text.dar", err)
	}
}

func TestParseDARMissingManifest(t *testing.T) {
	_, err := ParseDAR("empty.dar", buildDAR(t, map[string][]byte{"a.dalf": nil}))
	if err == nil || !strings.Contains(err.Error(), "META-INF/MANIFEST.MF") {
		t.Errorf("error = %v, want one naming the manifest", err)
	}
}

func TestReadArchiveHashMismatch(t *testing.T) {
	data, err := os.ReadFile(testdata.DAR(t, "dabl-integration-core-1.2.3.dar"))
	if err != nil {
		t.Fatal(err)
	}
	dar, err := ParseDAR("core.dar", data)
	if err != nil {
		t.Fatal(err)
	}
	var a archive.Archive
	if err := proto.Unmarshal(dar.Main().Archive, &a); err != nil {
		t.Fatal(err)
	}
	a.Hash = strings.Repeat("0", 64)
	tampered, err := proto.Marshal(&a)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadArchive(tampered)
	if err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("error = %v, want a hash mismatch", err)
	}
}

func TestReadArchiveNoPackage(t *testing.T) {
	payload, _ := proto.Marshal(&archive.ArchivePayload{Minor: "14"})
	sum := sha256.Sum256(payload)
	data, _ := proto.Marshal(&archive.Archive{Payload: payload, Hash: hex.EncodeToString(sum[:])})
	_, err := ReadArchive(data)
	if err == nil || !strings.Contains(err.Error(), "no daml-lf package") {
		t.Errorf("error = %v, want one about the missing package", err)
	}
}

func TestUnmangle(t *testing.T) {
	cases := map[string]string{
		"plain":        "plain",
		"a$$b":         "a$b",
		"caf$u00e9":    "café",
		"$U0001F600x":  "😀x",
		"bad$uZZZZ":    "bad$uZZZZ",
		"trailing$":    "trailing$",
		"$u0041$u0042": "AB",
	}
	for in, want := range cases {
		if got := unmangle(in); got != want {
			t.Errorf("unmangle(%q) = %q, want %q", in, got, want)
		}
	}
}
