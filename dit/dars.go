package dit

import (
	"fmt"

	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/ledger/lf"
)

// LoadDARs reads every DAR of the package in DARFiles order, so the
// integration's own model comes first. When the metadata has no
// daml_model, or one without main_package_id, LoadDARs fills it in from the
// first DAR as pack does, so that an unpacked package behaves like its .dit.
func (p *Package) LoadDARs() ([]*lf.DAR, error) {
	var dars []*lf.DAR
	for _, name := range p.DARFiles() {
		data, err := fsutil.ReadFileFS(p.FS, name, maxDARFileSize)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p.displayName(name), err)
		}
		dar, err := lf.ParseDAR(name, data)
		if err != nil {
			return nil, fmt.Errorf("load the DARs of %s: %w", p.Path, err)
		}
		dars = append(dars, dar)
	}
	if len(dars) > 0 && (p.Meta.DamlModel == nil || p.Meta.DamlModel.MainPackageID == "") {
		p.Meta.DamlModel = modelOf(dars[0], &p.Meta.Catalog)
	}
	return dars, nil
}

// modelOf describes a package's own DAR: the main package id from the DAR,
// and the name and version from the package metadata (LF 1.8 and later),
// else from the catalog, as ddit named it.
func modelOf(dar *lf.DAR, catalog *CatalogInfo) *DamlModel {
	model := &DamlModel{Name: catalog.Name, Version: catalog.Version, MainPackageID: dar.MainPackageID}
	if len(dar.Packages) > 0 {
		if main := dar.Main(); main.Name != "" {
			model.Name, model.Version = main.Name, main.Version
		}
	}
	return model
}
