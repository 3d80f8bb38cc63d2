package lf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ditstar/ditstar/internal/testdata"
)

// seedDARs cover Daml-LF 1.6, 1.7, 1.8, 1.11, 1.14 and 2.1.
var seedDARs = []string{
	"ping-pong-sdk-0.13.15.dar", "test-sdk-0.13.39.dar", "test-sdk-1.8.0.dar",
	"test-sdk-1.11.0.dar", "dabl-integration-core-1.2.3.dar", "all-kinds-of-sdk-3.3.0.dar",
}

// addDALFSeeds adds the main DALFs of real DARs, so that the fuzzer mutates
// valid archives of each LF version.
func addDALFSeeds(f *testing.F) {
	for _, name := range seedDARs {
		dar, err := ReadDAR(testdata.DAR(f, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(dar.Main().Archive)
	}
}

func FuzzReadArchive(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x1a, 0x02, 0x12, 0x00})
	addDALFSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pkg, err := ReadArchive(data)
		if err == nil && pkg.ID == "" {
			t.Fatal("package decoded without an id")
		}
	})
}

// FuzzDecodeLF decodes payloads without the hash check, which random input
// would otherwise almost never pass.
func FuzzDecodeLF(f *testing.F) {
	addDALFSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pkg, err := decodeArchiveUnchecked(data)
		if err == nil && pkg == nil {
			t.Fatal("nil package without an error")
		}
	})
}

func FuzzParseDAR(f *testing.F) {
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	manifest := []byte("Main-Dalf: m.dalf\nDalfs: m.dalf\n")
	f.Add(buildDAR(f, map[string][]byte{"META-INF/MANIFEST.MF": manifest, "m.dalf": {0x0a, 0x00}}))
	if data, err := os.ReadFile(filepath.Join(testdata.DARDir(f), "ping-pong-sdk-0.13.15.dar")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dar, err := ParseDAR("fuzz.dar", data)
		if err == nil && len(dar.Packages) == 0 {
			t.Fatal("DAR decoded without packages")
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	for _, seed := range []string{"0", "-12.50", ".5", "1e3", "1.5e-3", "99999999999999999999999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		again, err := ParseDecimal(d.String())
		if err != nil {
			t.Fatalf("ParseDecimal(%q).String() = %q, which does not parse: %v", s, d, err)
		}
		if again.Cmp(d) != 0 || again.Scale() != d.Scale() {
			t.Fatalf("%q parsed to %s, whose string parses to %s", s, d, again)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("Main-Dalf: a\r\n b.dalf\r\nDalfs: a b.dalf\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for key := range parseManifest(raw) {
			if key == "" {
				t.Fatal("empty attribute name")
			}
		}
	})
}
