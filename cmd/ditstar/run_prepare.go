package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/ledger/lf"
)

// prepared is the package, type, configuration and DARs that run reads
// before it starts anything.
type prepared struct {
	pkg    *dit.Package
	itype  *dit.IntegrationType
	values map[string]string
	party  string
	dars   []*lf.DAR
	// configFile is the instance configuration that was read; "" when
	// there was none.
	configFile string
}

// prepare reads the package, the instance configuration and the DARs, and
// returns every configuration problem found, not only the first.
func prepare(cfg *runConfig, problems []string) (*prepared, []string, error) {
	p := &prepared{values: map[string]string{}}
	var ce *dit.ConfigError

	inst, err := readInstanceConfig(cfg)
	noConfigFile := inst == nil && err == nil
	problems, inst = addInstanceProblems(problems, inst, err)
	if inst != nil {
		p.configFile = cfg.configPath
	}

	p.pkg, err = dit.OpenWithMeta(cfg.pkgPath, cfg.metaPath)
	switch {
	case errors.As(err, &ce):
		return nil, append(problems, ce.Problems...), nil
	case err != nil:
		return nil, append(problems, err.Error()), nil
	}
	// Without --config, DABL_INTEGRATION_METADATA_PATH or ./int_args.yaml,
	// the package's own int_args.yaml configures the instance, so that
	// `ditstar run examples/NAME` works from any folder.
	if noConfigFile {
		var file string
		inst, file, err = p.pkg.InstanceConfig()
		problems, inst = addInstanceProblems(problems, inst, err)
		if inst != nil {
			p.configFile = file
		}
	}

	var invalid []string
	if inst != nil {
		p.values = inst.Metadata
		invalid = inst.Invalid
	}
	typeID, party := cfg.typeID, cfg.party
	if inst != nil {
		if typeID == "" {
			typeID = inst.TypeID
		}
		if party == "" {
			party = inst.RunAs()
		}
	}
	p.party = party

	p.itype, err = p.pkg.Type(typeID)
	if errors.As(err, &ce) {
		return nil, append(problems, ce.Problems...), nil
	} else if err != nil {
		return nil, append(problems, err.Error()), nil
	}
	if _, err := p.itype.ResolveFields(p.values); errors.As(err, &ce) {
		for _, problem := range ce.Problems {
			if !aboutField(problem, invalid) {
				problems = append(problems, problem)
			}
		}
	}
	if _, _, err := p.itype.Entrypoint(p.pkg.FS); err != nil {
		problems = append(problems, err.Error())
	}
	if cfg.ledger != "" && party == "" && cfg.token == "" && cfg.tokenFile == "" {
		problems = append(problems, "no party to act as: set --party, DAML_LEDGER_PARTY or metadata.runAs, or give a token whose user has a primary party")
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}

	// A DAR that does not load is a packaging mistake, so it is reported
	// as configuration like the rest.
	p.dars, err = p.pkg.LoadDARs()
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, path := range cfg.extraDARs {
		dar, err := lf.ReadDAR(path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--dar: %v", err))
			continue
		}
		p.dars = append(p.dars, dar)
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	return p, nil, nil
}

// addInstanceProblems appends the problems of reading an instance
// configuration. A *dit.ConfigError keeps the valid values, so that every
// problem is listed; any other error drops the configuration.
func addInstanceProblems(problems []string, inst *dit.InstanceConfig, err error) ([]string, *dit.InstanceConfig) {
	var ce *dit.ConfigError
	switch {
	case errors.As(err, &ce):
		return append(problems, ce.Problems...), inst
	case err != nil:
		return append(problems, err.Error()), nil
	}
	return problems, inst
}

// aboutField reports whether a ResolveFields problem concerns one of the
// fields whose value the instance configuration already rejected.
func aboutField(problem string, ids []string) bool {
	for _, id := range ids {
		if strings.HasPrefix(problem, "field "+id+":") {
			return true
		}
	}
	return false
}

// readInstanceConfig reads int_args.yaml. A missing file is an error only
// when its path was given explicitly; otherwise it returns nil and no error.
func readInstanceConfig(cfg *runConfig) (*dit.InstanceConfig, error) {
	inst, err := dit.ReadInstanceConfig(cfg.configPath)
	if errors.Is(err, os.ErrNotExist) && !cfg.configSet {
		return nil, nil
	}
	if err != nil && errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("instance configuration %s not found; fix --config or DABL_INTEGRATION_METADATA_PATH", cfg.configPath)
	}
	return inst, err
}
