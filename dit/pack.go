package dit

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/ledger/lf"
)

// PackOptions adjusts Pack.
type PackOptions struct {
	// ReleaseDate is written as catalog.release_date. When zero, the
	// metadata's own release_date is kept, or today's date (UTC) is used.
	ReleaseDate time.Time
}

// zipTime is the modification time of every entry: the value DAR files
// from the Daml SDK carry, so that the bytes do not depend on file times.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// InstanceConfigFile is the instance configuration that pack leaves out:
// it belongs to one deployment and may hold credentials.
const InstanceConfigFile = "int_args.yaml"

// Pack writes the package directory dir to w as a .dit zip. See PackWith.
func Pack(dir string, w io.Writer) error {
	return PackWith(dir, w, PackOptions{})
}

// PackWith writes the package directory dir to w as a .dit zip: every file
// except hidden ones, .dit files and int_args.yaml, with the metadata
// normalised (see MarshalMetadata) and written as both dit-meta.yaml and
// dabl-meta.yaml. daml_model is computed from the package's own DAR,
// subdeployments lists every DAR, and release_date comes from
// PackOptions.ReleaseDate. Entries are sorted and carry a fixed time,
// so the same files and release date give the same bytes.
//
// Pack fails with a *ConfigError listing every problem when the metadata is
// invalid, a catalog name or version is missing, an entrypoint, a
// subdeployment or the icon file is not in the package.
func PackWith(dir string, w io.Writer, opts PackOptions) error {
	p, err := Open(dir)
	if err != nil {
		return err
	}
	files, fileProblems, err := packFiles(dir)
	if err != nil {
		return err
	}
	meta := *p.Meta
	err = completeMetadata(p, &meta, files, opts)
	if len(fileProblems) > 0 {
		var ce *ConfigError
		if errors.As(err, &ce) {
			fileProblems = append(ce.Problems, fileProblems...)
		} else if err != nil {
			return err
		}
		return &ConfigError{Problems: fileProblems}
	}
	if err != nil {
		return err
	}
	metaBytes, err := MarshalMetadata(&meta)
	if err != nil {
		return err
	}

	zw := zip.NewWriter(w)
	entries := append([]string{}, files...)
	entries = append(entries, MetaFile, LegacyMetaFile)
	sort.Strings(entries)
	for _, name := range entries {
		var data []byte
		if name == MetaFile || name == LegacyMetaFile {
			data = metaBytes
		} else if data, err = fsutil.ReadFile(filepath.Join(dir, filepath.FromSlash(name)), maxPackageSize); err != nil {
			return fmt.Errorf("pack %s: %w", dir, err)
		}
		header := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
		header.SetMode(0o644)
		fw, err := zw.CreateHeader(header)
		if err != nil {
			return fmt.Errorf("pack %s: %w", dir, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("pack %s: %w", dir, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("pack %s: %w", dir, err)
	}
	return nil
}

// packFiles lists the regular files to pack, slash-separated and sorted,
// without the metadata files, which are written normalised. A symbolic
// link to a file is packed as that file, even when the file is outside dir,
// so that a package can share a script with others. The problems it
// returns name each file that takes the total size over maxPackageSize.
func packFiles(dir string) (files, problems []string, err error) {
	var total int64
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if name == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := os.Stat(p) // follows a symbolic link to a file
		if err != nil {
			return err
		}
		switch {
		case !info.Mode().IsRegular():
		case name == MetaFile, name == LegacyMetaFile, name == InstanceConfigFile:
		case strings.HasSuffix(name, ".dit"):
		default:
			files = append(files, name)
			total += info.Size()
			if total > maxPackageSize {
				problems = append(problems, fmt.Sprintf("%s: %d bytes takes the package over its cap of 1 GiB of files; remove large files that the integration does not need", name, info.Size()))
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("pack %s: %w", dir, err)
	}
	sort.Strings(files)
	return files, problems, nil
}

// completeMetadata fills in what ddit computed at build time and checks
// that everything the metadata names is packed.
func completeMetadata(p *Package, meta *Metadata, files []string, opts PackOptions) error {
	var problems []string
	packed := map[string]bool{}
	for _, f := range files {
		packed[f] = true
	}
	if meta.Catalog.Name == "" {
		problems = append(problems, "catalog.name: missing; pack needs it to name the package")
	}
	if meta.Catalog.Version == "" {
		problems = append(problems, "catalog.version: missing; pack needs a version such as 1.0.0")
	}
	for i := range meta.IntegrationTypes {
		if _, _, err := meta.IntegrationTypes[i].Entrypoint(p.FS); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if icon := meta.Catalog.IconFile; icon != "" && !packed[path.Clean(icon)] {
		problems = append(problems, fmt.Sprintf("catalog.icon_file: %q is not in the package", icon))
	}

	subdeployments := append([]string{}, meta.Subdeployments...)
	listed := map[string]bool{}
	for _, sd := range subdeployments {
		listed[path.Clean(sd)] = true
		if !packed[path.Clean(sd)] {
			problems = append(problems, fmt.Sprintf("subdeployments: %q is not in the package", sd))
		}
	}
	dars := p.DARFiles()
	for _, dar := range dars {
		if !listed[dar] {
			subdeployments = append(subdeployments, dar)
		}
	}
	meta.Subdeployments = subdeployments
	if len(problems) > 0 {
		return &ConfigError{Problems: problems}
	}

	if len(dars) > 0 {
		model, err := damlModel(p, dars[0], meta)
		if err != nil {
			return err
		}
		meta.DamlModel = model
	}
	switch {
	case !opts.ReleaseDate.IsZero():
		meta.Catalog.ReleaseDate = opts.ReleaseDate.UTC().Format(time.DateOnly)
	case meta.Catalog.ReleaseDate == "":
		meta.Catalog.ReleaseDate = time.Now().UTC().Format(time.DateOnly)
	}
	meta.Warnings = nil
	return nil
}

// damlModel reads the package's own DAR and describes it.
func damlModel(p *Package, file string, meta *Metadata) (*DamlModel, error) {
	data, err := fsutil.ReadFileFS(p.FS, file, maxDARFileSize)
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	dar, err := lf.ParseDAR(file, data)
	if err != nil {
		return nil, fmt.Errorf("pack: compute daml_model: %w", err)
	}
	return modelOf(dar, &meta.Catalog), nil
}
