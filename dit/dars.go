package dit

import (
	"fmt"
	"io/fs"

	"github.com/ditstar/ditstar/ledger/lf"
)

// LoadDARs reads every DAR of the package in DARFiles order, so the
// integration's own model comes first.
func (p *Package) LoadDARs() ([]*lf.DAR, error) {
	var dars []*lf.DAR
	for _, name := range p.DARFiles() {
		data, err := fs.ReadFile(p.FS, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p.displayName(name), err)
		}
		dar, err := lf.ParseDAR(name, data)
		if err != nil {
			return nil, fmt.Errorf("load the DARs of %s: %w", p.Path, err)
		}
		dars = append(dars, dar)
	}
	return dars, nil
}
