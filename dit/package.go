// Package dit reads integration packages: a directory or a .dit zip file
// holding the metadata (dit-meta.yaml or dabl-meta.yaml), the Starlark
// sources, the DARs of the Daml model and other files such as icons.
//
// Open reads a package and its metadata. Metadata lists integration types;
// each names an entrypoint (module:function) and the configuration fields it
// takes. An instance configuration (int_args.yaml, see InstanceConfig)
// selects a type and gives the field values as strings, which
// IntegrationType.ResolveFields converts to typed values, applying defaults
// and reporting every invalid field at once in a *ConfigError.
//
// Pack writes a package directory as a deterministic .dit zip with the
// metadata normalised as the Python tool ddit wrote it.
package dit

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ditstar/ditstar/internal/fsutil"
)

// Metadata file names, in order of preference.
const (
	MetaFile       = "dit-meta.yaml"
	LegacyMetaFile = "dabl-meta.yaml"
)

// Package is an opened integration package.
type Package struct {
	// Path is the directory or .dit file the package was opened from.
	Path string
	// FS holds the package's files, rooted at the package.
	FS fs.FS
	// MetaFile is the metadata file that was read: a path inside FS, or a
	// file system path when the metadata came from outside the package.
	MetaFile string
	Meta     *Metadata

	metaOutside bool // MetaFile is a file system path, not a package file
}

// Open reads the package at path, a directory or a .dit zip file, and its
// metadata, preferring dit-meta.yaml over dabl-meta.yaml when both exist.
// Metadata errors are a *ConfigError listing every problem. When the
// metadata is valid YAML, the package is returned with that error too, and
// its Meta holds every value that could be read.
func Open(path string) (*Package, error) {
	return OpenWithMeta(path, "")
}

// OpenWithMeta is Open with the metadata read from metaPath, a file system
// path, instead of from the package (DAML_DIT_META_PATH sets it). A relative
// metaPath that does not exist on disk is looked up inside the package. An
// empty metaPath reads the package's own metadata.
func OpenWithMeta(pkgPath, metaPath string) (*Package, error) {
	fsys, err := openFS(pkgPath)
	if err != nil {
		return nil, err
	}
	p := &Package{Path: pkgPath, FS: fsys}
	var data []byte
	if metaPath != "" {
		data, err = fsutil.ReadFile(metaPath, maxConfigSize)
		switch {
		case err == nil:
			p.MetaFile, p.metaOutside = metaPath, true
		case errors.Is(err, fs.ErrNotExist) && !filepath.IsAbs(metaPath) && fs.ValidPath(filepath.ToSlash(metaPath)):
			// The Python runtime ran in the package folder, so deployments
			// set paths such as "dabl-meta.yaml" relative to the package.
			data, err = fsutil.ReadFileFS(fsys, filepath.ToSlash(metaPath), maxConfigSize)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("read package metadata %s: not found in the current folder or the package", metaPath)
			}
			if err != nil {
				return nil, fmt.Errorf("read package metadata in %s: %w", pkgPath, err)
			}
			p.MetaFile = filepath.ToSlash(metaPath)
		default:
			return nil, fmt.Errorf("read package metadata: %w", err)
		}
	} else {
		for _, name := range []string{MetaFile, LegacyMetaFile} {
			data, err = fsutil.ReadFileFS(fsys, name, maxConfigSize)
			if err == nil {
				p.MetaFile = name
				break
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("read %s in %s: %w", name, pkgPath, err)
			}
		}
		if p.MetaFile == "" {
			return nil, &ConfigError{Problems: []string{fmt.Sprintf("%s: no %s or %s found; is this an integration package?", pkgPath, MetaFile, LegacyMetaFile)}}
		}
	}
	meta, err := ParseMetadata(p.displayName(p.MetaFile), data)
	var ce *ConfigError
	if errors.As(err, &ce) && meta != nil {
		// The metadata parsed as YAML, so its readable parts are kept for
		// callers that go on checking the scripts.
		p.Meta = meta
		return p, err
	}
	if err != nil {
		return nil, err
	}
	p.Meta = meta
	return p, nil
}

// displayName is the name of a package file in messages: a path on disk for
// a directory package, "pkg.dit!file" for a zip.
func (p *Package) displayName(name string) string {
	if p.metaOutside && name == p.MetaFile {
		return name
	}
	if info, err := os.Stat(p.Path); err == nil && info.IsDir() {
		return path.Join(filepathToSlash(p.Path), name)
	}
	return p.Path + "!" + name
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, string(os.PathSeparator), "/") }

// openFS opens a package directory or .dit zip file as a file system.
func openFS(pkgPath string) (fs.FS, error) {
	info, err := os.Stat(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("open integration package: %w", err)
	}
	if info.IsDir() {
		return os.DirFS(pkgPath), nil
	}
	data, err := fsutil.ReadFile(pkgPath, maxPackageSize)
	if err != nil {
		return nil, fmt.Errorf("open integration package: %w", err)
	}
	// A .dit built by ddit is a PEX file: a zip with a shebang line in
	// front. archive/zip finds the directory from the end, so it reads both.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("open integration package %s: not a directory or a valid .dit zip file: %w", pkgPath, err)
	}
	return zr, nil
}

// Type returns the integration type with the given id. An empty id picks the
// package's only type. The error lists the ids there are.
func (p *Package) Type(id string) (*IntegrationType, error) {
	types := p.Meta.IntegrationTypes
	ids := make([]string, len(types))
	for i := range types {
		ids[i] = types[i].ID
	}
	if len(types) == 0 {
		return nil, &ConfigError{Problems: []string{p.displayName(p.MetaFile) + ": no integration types defined; add integration_types to the metadata"}}
	}
	if id == "" {
		if len(types) == 1 {
			return &types[0], nil
		}
		return nil, &ConfigError{Problems: []string{fmt.Sprintf("package has %d integration types; choose one with --type or DABL_INTEGRATION_TYPE_ID: %s", len(types), strings.Join(ids, ", "))}}
	}
	for i := range types {
		if types[i].ID == id {
			return &types[i], nil
		}
	}
	return nil, &ConfigError{Problems: []string{fmt.Sprintf("integration type %q not found in the package; its types are: %s", id, strings.Join(ids, ", "))}}
}

// DARFiles returns the paths of the package's DARs inside FS: the
// subdeployments that are DARs, in their listed order (the integration's own
// model first), then every other .dar file in lexical order.
func (p *Package) DARFiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, sd := range p.Meta.Subdeployments {
		name := path.Clean(sd)
		if strings.HasSuffix(strings.ToLower(name), ".dar") && !seen[name] {
			if _, err := fs.Stat(p.FS, name); err == nil {
				out = append(out, name)
				seen[name] = true
			}
		}
	}
	var rest []string
	_ = fs.WalkDir(p.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // skip an unreadable folder: its DARs cannot be loaded anyway
		}
		if d.IsDir() && name != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(name), ".dar") && !seen[name] {
			rest = append(rest, name)
		}
		return nil
	})
	sort.Strings(rest)
	return append(out, rest...)
}

// Warnings returns the metadata warnings.
func (p *Package) Warnings() []string { return p.Meta.Warnings }
