package lf

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DAR is a decoded Daml archive: a zip of DALF packages and a manifest.
type DAR struct {
	File          string // base name of the file the DAR was read from
	MainPackageID string
	SDKVersion    string            // the manifest's Sdk-Version
	Name          string            // the manifest's Name; empty in SDK 0.13 DARs
	Manifest      map[string]string // every manifest attribute, continuation lines joined
	Packages      []*Package        // the main package first, then the others in Dalfs order
}

// Main returns the main package.
func (d *DAR) Main() *Package { return d.Packages[0] }

// maxEntrySize caps the uncompressed size of one DAR entry, so that a
// corrupt or hostile zip cannot exhaust memory. The largest DALF in the
// test DARs, daml-stdlib of SDK 0.13, is under 1 MB, so the cap leaves
// ample room for large models.
const maxEntrySize = 256 << 20

// maxDARSize caps the uncompressed size of all the entries a DAR read
// decodes together. Each decoded DALF is kept in memory, so without it a
// small zip of many large, highly compressible DALFs could exhaust memory.
// The test DARs decode under 3 MB each.
const maxDARSize = 256 << 20

// ReadDAR reads and decodes the DAR file at path.
func ReadDAR(path string) (*DAR, error) {
	// A FIFO would block the open and a device might never end, so only
	// regular files are read. A file over maxDARSize is rejected unread,
	// because its entries may total no more than that.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read dar: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("read dar %s: not a regular file but a directory, pipe, socket or device", path)
	}
	if info.Size() > maxDARSize {
		return nil, fmt.Errorf("read dar %s: file is %d bytes, over the limit of %d", path, info.Size(), maxDARSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read dar: %w", err)
	}
	return ParseDAR(filepath.Base(path), data)
}

// ParseDAR decodes DAR bytes. The name is used in errors and as DAR.File.
// Every error names the file and, where one is at fault, the zip entry.
func ParseDAR(name string, data []byte) (*DAR, error) {
	return parseDAR(name, data, maxDARSize)
}

// parseDAR is ParseDAR with a cap on the total uncompressed size of the
// entries it reads.
func parseDAR(name string, data []byte, maxSize int64) (*DAR, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("dar %s: not a zip archive: %w", name, err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[f.Name] = f
	}

	mf, ok := files["META-INF/MANIFEST.MF"]
	if !ok {
		return nil, fmt.Errorf("dar %s: missing entry META-INF/MANIFEST.MF", name)
	}
	budget := &sizeBudget{max: maxSize, left: maxSize}
	raw, err := budget.read(mf)
	if err != nil {
		return nil, fmt.Errorf("dar %s: entry %s: %w", name, mf.Name, err)
	}
	manifest := parseManifest(raw)
	mainPath := manifest["Main-Dalf"]
	if mainPath == "" {
		return nil, fmt.Errorf("dar %s: entry META-INF/MANIFEST.MF: missing Main-Dalf attribute; rebuild the DAR with daml build", name)
	}

	dar := &DAR{
		File:       name,
		SDKVersion: manifest["Sdk-Version"],
		Name:       manifest["Name"],
		Manifest:   manifest,
	}
	dar.Packages, err = readDALFs(name, files, dalfPaths(mainPath, manifest["Dalfs"]), budget)
	if err != nil {
		return nil, err
	}
	dar.MainPackageID = dar.Packages[0].ID
	return dar, nil
}

// dalfPaths returns the DALF entries of a DAR, the main one first, from the
// manifest's comma-separated Dalfs list. Each entry is listed once, so that
// a manifest that names one entry many times cannot make ParseDAR decode it
// many times.
func dalfPaths(mainPath, dalfs string) []string {
	paths := []string{mainPath}
	seen := map[string]bool{mainPath: true}
	for _, p := range strings.Split(dalfs, ",") {
		p = strings.TrimSpace(p)
		if p != "" && !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	return paths
}

// readDALFs decodes the DALF entries in order. A package that two entries
// contain is kept once.
func readDALFs(name string, files map[string]*zip.File, paths []string, budget *sizeBudget) ([]*Package, error) {
	var pkgs []*Package
	seen := map[string]bool{}
	for _, p := range paths {
		f, ok := files[p]
		if !ok {
			return nil, fmt.Errorf("dar %s: entry %s listed in the manifest is missing", name, p)
		}
		b, err := budget.read(f)
		if err != nil {
			return nil, fmt.Errorf("dar %s: entry %s: %w", name, p, err)
		}
		pkg, err := ReadArchive(b)
		if err != nil {
			return nil, fmt.Errorf("dar %s: entry %s: %w", name, p, err)
		}
		if !seen[pkg.ID] {
			seen[pkg.ID] = true
			pkgs = append(pkgs, pkg)
		}
	}
	return pkgs, nil
}

// sizeBudget is the uncompressed size that the entries of one DAR may
// still take.
type sizeBudget struct {
	max  int64 // the limit for all entries together
	left int64
}

// read reads one entry, at most maxEntrySize bytes, and charges its size
// to the budget.
func (s *sizeBudget) read(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxEntrySize {
		return nil, fmt.Errorf("entry is %d bytes, over the limit of %d", f.UncompressedSize64, maxEntrySize)
	}
	limit := min(int64(maxEntrySize), s.left)
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("entry of %d bytes takes the DAR over its limit of %d bytes for all entries", f.UncompressedSize64, s.max)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("entry is over the limit of %d bytes for one entry, or takes the DAR over its limit of %d bytes for all entries", maxEntrySize, s.max)
	}
	s.left -= int64(len(b))
	return b, nil
}

// parseManifest parses a JAR-style manifest. Lines wrap at 72 bytes, and a
// line that starts with one space continues the previous one, without that
// space.
func parseManifest(raw []byte) map[string]string {
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, " ") && len(lines) > 0 {
			lines[len(lines)-1] += line[1:]
			continue
		}
		lines = append(lines, line)
	}
	out := map[string]string{}
	for _, line := range lines {
		key, value, ok := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			continue
		}
		out[key] = strings.TrimSpace(value)
	}
	return out
}
