package lf

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"
	lf2 "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive/daml_lf_2"
	"google.golang.org/protobuf/proto"
)

// hostileTimeout bounds each call on hostile input. A call that takes longer
// is treated as a hang: real packages decode in milliseconds.
const hostileTimeout = 10 * time.Second

// withinTimeout runs f and fails the test when it does not return in time.
func withinTimeout(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(hostileTimeout):
		t.Fatalf("%s did not return within %v", what, hostileTimeout)
	}
}

// archiveOf wraps a Daml-LF 2 package into DALF bytes with a correct hash.
func archiveOf(t *testing.T, p *lf2.Package) []byte {
	t.Helper()
	pkgBytes, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := proto.Marshal(&archive.ArchivePayload{Minor: "1", Sum: &archive.ArchivePayload_DamlLf_2{DamlLf_2: pkgBytes}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(payload)
	data, err := proto.Marshal(&archive.Archive{HashFunction: archive.HashFunction_SHA256, Payload: payload, Hash: hex.EncodeToString(sum[:])})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sharedTypePackage returns a package whose interned type k is
// Main:Pair applied to interned type k-1 twice, for k up to levels. The
// table has levels+1 entries, but the type of Main:Holder's field as a tree
// has 2^levels leaves.
func sharedTypePackage(levels int) *lf2.Package {
	// Interned strings and dotted names: 0 "Main", 1 "Pair", 2 "Holder",
	// 3 "left", 4 "right", 5 "a", 6 "b", 7 "x".
	strs := []string{"Main", "Pair", "Holder", "left", "right", "a", "b", "x"}
	dotted := []*lf2.InternedDottedName{
		{SegmentsInternedStr: []int32{0}},
		{SegmentsInternedStr: []int32{1}},
		{SegmentsInternedStr: []int32{2}},
	}
	self := &lf2.ModuleId{PackageId: &lf2.SelfOrImportedPackageId{Sum: &lf2.SelfOrImportedPackageId_SelfPackageId{SelfPackageId: &lf2.Unit{}}}, ModuleNameInternedDname: 0}
	star := &lf2.Kind{Sum: &lf2.Kind_Star{Star: &lf2.Unit{}}}
	interned := func(i int) *lf2.Type { return &lf2.Type{Sum: &lf2.Type_InternedType{InternedType: int32(i)}} }
	typeVar := func(name int32) *lf2.Type {
		return &lf2.Type{Sum: &lf2.Type_Var_{Var: &lf2.Type_Var{VarInternedStr: name}}}
	}

	types := []*lf2.Type{{Sum: &lf2.Type_Builtin_{Builtin: &lf2.Type_Builtin{Builtin: lf2.BuiltinType_INT64}}}}
	for k := 1; k <= levels; k++ {
		types = append(types, &lf2.Type{Sum: &lf2.Type_Con_{Con: &lf2.Type_Con{
			Tycon: &lf2.TypeConId{Module: self, NameInternedDname: 1},
			Args:  []*lf2.Type{interned(k - 1), interned(k - 1)},
		}}})
	}
	pair := &lf2.DefDataType{
		NameInternedDname: 1,
		Params:            []*lf2.TypeVarWithKind{{VarInternedStr: 5, Kind: star}, {VarInternedStr: 6, Kind: star}},
		Serializable:      true,
		DataCons: &lf2.DefDataType_Record{Record: &lf2.DefDataType_Fields{Fields: []*lf2.FieldWithType{
			{FieldInternedStr: 3, Type: typeVar(5)},
			{FieldInternedStr: 4, Type: typeVar(6)},
		}}},
	}
	// Holder has a type parameter, so decoding its field substitutes into
	// the field's type.
	holder := &lf2.DefDataType{
		NameInternedDname: 2,
		Params:            []*lf2.TypeVarWithKind{{VarInternedStr: 5, Kind: star}},
		Serializable:      true,
		DataCons: &lf2.DefDataType_Record{Record: &lf2.DefDataType_Fields{Fields: []*lf2.FieldWithType{
			{FieldInternedStr: 7, Type: interned(levels)},
		}}},
	}
	return &lf2.Package{
		Modules:             []*lf2.Module{{NameInternedDname: 0, DataTypes: []*lf2.DefDataType{pair, holder}}},
		InternedStrings:     strs,
		InternedDottedNames: dotted,
		InternedTypes:       types,
	}
}

func TestSharedTypesSmallPackageDecodes(t *testing.T) {
	pkg, err := ReadArchive(archiveOf(t, sharedTypePackage(4)))
	if err != nil {
		t.Fatalf("ReadArchive of a package with a 16-leaf type: %v", err)
	}
	c := NewCatalog()
	if err := c.Add(pkg); err != nil {
		t.Fatal(err)
	}
	holder := TemplateID{PackageID: pkg.ID, Module: "Main", Entity: "Holder"}
	_, err = c.Decode(ConType(holder, Prim(TypeInt64)), &v2.Value{Sum: &v2.Value_Int64{Int64: 1}})
	if err == nil || !strings.Contains(err.Error(), "Main:Holder") {
		t.Errorf("decode of a mismatched value: error %v, want one naming Main:Holder", err)
	}
}

// TestSharedTypesExponentialRejected checks that interned types that share
// subtrees cannot describe a type too large to walk.
func TestSharedTypesExponentialRejected(t *testing.T) {
	data := archiveOf(t, sharedTypePackage(80))
	var pkg *Package
	var err error
	withinTimeout(t, "ReadArchive", func() { pkg, err = ReadArchive(data) })
	if err == nil {
		// A package that loads must still be safe to use.
		c := NewCatalog()
		if addErr := c.Add(pkg); addErr != nil {
			t.Fatal(addErr)
		}
		holder := TemplateID{PackageID: pkg.ID, Module: "Main", Entity: "Holder"}
		record := &v2.Value{Sum: &v2.Value_Record{Record: &v2.Record{Fields: []*v2.RecordField{
			{Label: "x", Value: &v2.Value{Sum: &v2.Value_Int64{Int64: 1}}},
		}}}}
		withinTimeout(t, "Decode", func() { _, _ = c.Decode(ConType(holder, Prim(TypeInt64)), record) })
		t.Fatalf("ReadArchive accepted a type with 2^80 leaves")
	}
	if !strings.Contains(err.Error(), "type") {
		t.Errorf("error %q does not say a type is at fault", err)
	}
}

// TestRepeatedDalfListedOnce checks that a manifest that names one DALF
// many times yields that entry once, so ParseDAR decodes it once.
func TestRepeatedDalfListedOnce(t *testing.T) {
	got := dalfPaths("main.dalf", "dep.dalf, main.dalf,dep.dalf,other.dalf,  dep.dalf ,,main.dalf")
	want := []string{"main.dalf", "dep.dalf", "other.dalf"}
	if !slices.Equal(got, want) {
		t.Errorf("dalfPaths = %q, want %q", got, want)
	}

	dalf := archiveOf(t, sharedTypePackage(4))
	mentions := strings.TrimSuffix(strings.Repeat("pkg/dep.dalf,", 100000), ",")
	manifest := fmt.Sprintf("Main-Dalf: pkg/main.dalf\nDalfs: %s\n", mentions)
	data := buildDAR(t, map[string][]byte{
		"META-INF/MANIFEST.MF": []byte(manifest),
		"pkg/main.dalf":        dalf,
		"pkg/dep.dalf":         dalf,
	})
	var dar *DAR
	var err error
	withinTimeout(t, "ParseDAR", func() { dar, err = ParseDAR("repeat.dar", data) })
	if err != nil {
		t.Fatalf("ParseDAR: %v", err)
	}
	if n := len(dar.Packages); n != 1 {
		t.Errorf("got %d packages, want 1 (both entries contain the same package)", n)
	}
}

// rawZip returns a zip of entries. An entry with a header is written raw:
// its bytes are stored as given, and the header's sizes are not checked.
func rawZip(t *testing.T, entries map[string][]byte, headers map[string]*zip.FileHeader) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		var w io.Writer
		var err error
		if h, ok := headers[name]; ok {
			w, err = zw.CreateRaw(h)
		} else {
			w, err = zw.Create(name)
		}
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

func deflated(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseDARZipBombs(t *testing.T) {
	manifest := []byte("Main-Dalf: main.dalf\n")
	zeros := deflated(t, make([]byte, 8<<20))
	cases := map[string]*zip.FileHeader{
		// The header declares more than the entry limit.
		"declared huge": {Name: "main.dalf", Method: zip.Deflate, CompressedSize64: uint64(len(zeros)), UncompressedSize64: 1 << 40},
		// The header understates what the data inflates to.
		"understated": {Name: "main.dalf", Method: zip.Deflate, CompressedSize64: uint64(len(zeros)), UncompressedSize64: 100},
	}
	for name, header := range cases {
		t.Run(name, func(t *testing.T) {
			data := rawZip(t, map[string][]byte{"META-INF/MANIFEST.MF": manifest, "main.dalf": zeros},
				map[string]*zip.FileHeader{"main.dalf": header})
			var err error
			withinTimeout(t, "ParseDAR", func() { _, err = ParseDAR("bomb.dar", data) })
			if err == nil {
				t.Fatal("ParseDAR accepted a zip bomb")
			}
			if !strings.Contains(err.Error(), "main.dalf") {
				t.Errorf("error %q does not name the entry main.dalf", err)
			}
		})
	}
}

func TestParseDARManyEntries(t *testing.T) {
	// Stored entries, because a deflate writer per entry makes building
	// the zip slow under the race detector.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range 50000 {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("junk/%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("META-INF/MANIFEST.MF")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("Main-Dalf: main.dalf\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	withinTimeout(t, "ParseDAR", func() { _, err = ParseDAR("many.dar", data) })
	if err == nil || !strings.Contains(err.Error(), "main.dalf") {
		t.Errorf("error %v, want one naming the missing main.dalf", err)
	}
}

// TestReadArchiveTruncated cuts a DALF at every length, each of which
// must fail with an error, never a panic.
func TestReadArchiveTruncated(t *testing.T) {
	dalf := archiveOf(t, sharedTypePackage(4))
	for n := 0; n < len(dalf); n++ {
		if _, err := ReadArchive(dalf[:n]); err == nil {
			t.Errorf("ReadArchive accepted the first %d of %d bytes", n, len(dalf))
		}
	}
}

// TestReadArchiveInternedTypeCycle checks an interned type that contains
// itself.
func TestReadArchiveInternedTypeCycle(t *testing.T) {
	p := sharedTypePackage(2)
	p.InternedTypes[1].GetCon().Args[0] = &lf2.Type{Sum: &lf2.Type_InternedType{InternedType: 1}}
	var err error
	withinTimeout(t, "ReadArchive", func() { _, err = ReadArchive(archiveOf(t, p)) })
	if err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("error %v, want one about type nesting", err)
	}
}

func TestDecodeHostileValues(t *testing.T) {
	pkg, err := ReadArchive(archiveOf(t, sharedTypePackage(1)))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog()
	if err := c.Add(pkg); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		typ  *Type
		v    *v2.Value
	}{
		{"numeric too long", NumericType(10), &v2.Value{Sum: &v2.Value_Numeric{Numeric: strings.Repeat("9", 100000)}}},
		{"numeric exponent", NumericType(10), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "1e999999999"}}},
		{"numeric scale", NumericType(2), &v2.Value{Sum: &v2.Value_Numeric{Numeric: "0.001"}}},
		{"date max int32", Prim(TypeDate), &v2.Value{Sum: &v2.Value_Date{Date: math.MaxInt32}}},
		{"date min int32", Prim(TypeDate), &v2.Value{Sum: &v2.Value_Date{Date: math.MinInt32}}},
		{"timestamp max", Prim(TypeTimestamp), &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: math.MaxInt64}}},
		{"timestamp min", Prim(TypeTimestamp), &v2.Value{Sum: &v2.Value_Timestamp{Timestamp: math.MinInt64}}},
		{"party empty", Prim(TypeParty), &v2.Value{Sum: &v2.Value_Party{Party: ""}}},
		{"party control chars", Prim(TypeParty), &v2.Value{Sum: &v2.Value_Party{Party: "a\x00b"}}},
		{"empty value", Prim(TypeInt64), &v2.Value{}},
		{"variant of record", ConType(TemplateID{PackageID: pkg.ID, Module: "Main", Entity: "Pair"}, Prim(TypeInt64), Prim(TypeInt64)),
			&v2.Value{Sum: &v2.Value_Variant{Variant: &v2.Variant{Constructor: "left"}}}},
		{"unknown data type", ConType(TemplateID{PackageID: pkg.ID, Module: "Main", Entity: "Nope"}), &v2.Value{Sum: &v2.Value_Unit{}}},
		{"wrong arity", ConType(TemplateID{PackageID: pkg.ID, Module: "Main", Entity: "Pair"}), &v2.Value{Sum: &v2.Value_Unit{}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			withinTimeout(t, "Decode", func() { _, err = c.Decode(tc.typ, tc.v) })
			if err == nil {
				t.Errorf("Decode accepted %v as %s", tc.v, tc.typ)
			}
		})
	}

	deep := &v2.Value{Sum: &v2.Value_Int64{Int64: 1}}
	for range 5000 {
		deep = &v2.Value{Sum: &v2.Value_List{List: &v2.List{Elements: []*v2.Value{deep}}}}
	}
	withinTimeout(t, "DecodeUntyped", func() { _, err = DecodeUntyped(deep) })
	if err != nil {
		t.Errorf("DecodeUntyped of a 5000-deep list: %v", err)
	}
}

// TestEncodeHugeNumericString checks that a numeric string far longer than
// any Numeric is rejected before the parse, which is quadratic in its
// length.
func TestEncodeHugeNumericString(t *testing.T) {
	c := NewCatalog()
	for _, text := range []string{strings.Repeat("1", 1<<20), "0." + strings.Repeat("0", 1<<20) + "1", "1" + strings.Repeat("0", 1<<20) + "e-1048576"} {
		var err error
		withinTimeout(t, "Encode", func() { _, err = c.Encode(NumericType(10), text) })
		if err == nil || !strings.Contains(err.Error(), "over the limit of 1000") {
			t.Errorf("Encode of a %d-byte numeric string: error %.200v, want the length limit", len(text), err)
		}
		if err != nil && len(err.Error()) > 500 {
			t.Errorf("error message is %d bytes, want it short", len(err.Error()))
		}
	}
	v, err := c.Encode(NumericType(10), "  -0001234.5000000000  ")
	if err != nil {
		t.Fatalf("Encode of a padded numeric string: %v", err)
	}
	if got := v.GetNumeric(); got != "-1234.5000000000" {
		t.Errorf("Encode = %q, want -1234.5000000000", got)
	}
}

func TestEncodeHostileGoValues(t *testing.T) {
	c := NewCatalog()
	cases := []struct {
		name string
		typ  *Type
		v    any
	}{
		{"date string year 10000", Prim(TypeDate), "10000-01-01"},
		{"date string year 0", Prim(TypeDate), "0000-12-31"},
		{"date string garbage", Prim(TypeDate), strings.Repeat("9", 100000)},
		{"timestamp nanoseconds", Prim(TypeTimestamp), "2024-01-01T00:00:00.000000001Z"},
		{"timestamp without zone", Prim(TypeTimestamp), "2024-01-01T00:00:00"},
		{"timestamp year 10000", Prim(TypeTimestamp), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"int64 string overflow", Prim(TypeInt64), "9223372036854775808"},
		{"int64 uint64 overflow", Prim(TypeInt64), uint64(math.MaxUint64)},
		{"int64 float", Prim(TypeInt64), 1.5},
		{"numeric nan", NumericType(10), math.NaN()},
		{"numeric inf", NumericType(10), math.Inf(1)},
		{"numeric too precise", NumericType(2), "0.001"},
		{"numeric too large", NumericType(0), strings.Repeat("9", 39)},
		{"numeric scale 38", NumericType(38), "1"},
		{"party empty", Prim(TypeParty), ""},
		{"party too long", Prim(TypeParty), strings.Repeat("p", 256)},
		{"party bad char", Prim(TypeParty), "alice\x00"},
		{"contract id empty", Prim(TypeContractID), ""},
		{"text of int", Prim(TypeText), 5},
		{"list of non-list", Prim(TypeList, Prim(TypeInt64)), "abc"},
		{"nil big int", Prim(TypeInt64), (*big.Int)(nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			withinTimeout(t, "Encode", func() { _, err = c.Encode(tc.typ, tc.v) })
			if err == nil {
				t.Errorf("Encode accepted %.40v as %s", tc.v, tc.typ)
			}
			if err != nil && len(err.Error()) > 500 {
				t.Errorf("error message is %d bytes, want it short", len(err.Error()))
			}
		})
	}
}

// TestParseDARTotalSizeCapped checks that the entries of one DAR together
// stay under the total limit, whatever each entry's size. The test lowers
// the limit, because DALFs near the real one take hundreds of megabytes.
func TestParseDARTotalSizeCapped(t *testing.T) {
	entries := map[string][]byte{}
	var names []string
	for i := range 5 {
		// Distinct packages, so that each DALF is kept.
		p := sharedTypePackage(4)
		p.InternedStrings = append(p.InternedStrings, fmt.Sprintf("padding-%d-%s", i, strings.Repeat("x", 1000)))
		name := fmt.Sprintf("pkg/dep%d.dalf", i)
		entries[name] = archiveOf(t, p)
		names = append(names, name)
	}
	entries["META-INF/MANIFEST.MF"] = []byte("Main-Dalf: " + names[0] + "\nDalfs: " + strings.Join(names, ", ") + "\n")
	data := buildDAR(t, entries)

	dar, err := parseDAR("fits.dar", data, 1<<20)
	if err != nil {
		t.Fatalf("parseDAR within the limit: %v", err)
	}
	if n := len(dar.Packages); n != 5 {
		t.Errorf("got %d packages, want 5", n)
	}
	_, err = parseDAR("big.dar", data, 3000)
	if err == nil || !strings.Contains(err.Error(), "limit of 3000 bytes for all entries") {
		t.Errorf("error %v, want the total size limit", err)
	}
}

func TestReadDARNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "model.dar")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir, os.DevNull} {
		var err error
		withinTimeout(t, "ReadDAR", func() { _, err = ReadDAR(path) })
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadDAR(%s): error %v, want one saying it is not a regular file", path, err)
		}
	}
}

// TestGenMapManyKeysLinear decodes and encodes a GenMap of 100000 keys.
// Checking for repeated keys compared every pair of keys with proto.Equal,
// which for this many took minutes.
func TestGenMapManyKeysLinear(t *testing.T) {
	c := NewCatalog()
	typ := Prim(TypeGenMap, Prim(TypeInt64), Prim(TypeText))
	entries := make([]*v2.GenMap_Entry, 100000)
	goMap := &Map{}
	for i := range entries {
		entries[i] = &v2.GenMap_Entry{
			Key:   &v2.Value{Sum: &v2.Value_Int64{Int64: int64(i)}},
			Value: &v2.Value{Sum: &v2.Value_Text{Text: "v"}},
		}
		goMap.Keys = append(goMap.Keys, int64(i))
		goMap.Values = append(goMap.Values, "v")
	}
	value := &v2.Value{Sum: &v2.Value_GenMap{GenMap: &v2.GenMap{Entries: entries}}}

	var decoded any
	var err error
	withinTimeout(t, "Decode", func() { decoded, err = c.Decode(typ, value) })
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if n := decoded.(*Map).Len(); n != len(entries) {
		t.Errorf("decoded %d entries, want %d", n, len(entries))
	}
	withinTimeout(t, "Encode", func() { _, err = c.Encode(typ, goMap) })
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}

	// A repeat is still found, at the end of the map.
	entries = append(entries, &v2.GenMap_Entry{Key: &v2.Value{Sum: &v2.Value_Int64{Int64: 7}}, Value: &v2.Value{Sum: &v2.Value_Text{Text: "w"}}})
	value.GetGenMap().Entries = entries
	withinTimeout(t, "Decode", func() { _, err = c.Decode(typ, value) })
	if err == nil || !strings.Contains(err.Error(), "duplicate key at entry 100000") {
		t.Errorf("Decode of a repeated key: error %v, want a duplicate key at entry 100000", err)
	}
	goMap.Keys = append(goMap.Keys, int64(7))
	goMap.Values = append(goMap.Values, "w")
	withinTimeout(t, "Encode", func() { _, err = c.Encode(typ, goMap) })
	if err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("Encode of a repeated key: error %v, want one saying the key appears twice", err)
	}
}
