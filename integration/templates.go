package integration

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/ledger/lf"
)

// packageFetchTimeout bounds the fetch of a package the catalog lacks while
// a template reference is resolved.
const packageFetchTimeout = 10 * time.Second

// mainPackageID returns the package id of the integration's own model: the
// metadata's daml_model.main_package_id, or else the newest package of the
// catalog named daml_model.name. It is "" when neither is known.
func (r *Runtime) mainPackageID() string {
	if r.model == nil {
		return ""
	}
	if r.model.MainPackageID != "" {
		return r.model.MainPackageID
	}
	if r.model.Name == "" {
		return ""
	}
	pkgs := r.client.Catalog().PackageByName(r.model.Name)
	if len(pkgs) == 0 {
		return ""
	}
	newest := pkgs[0]
	for _, p := range pkgs[1:] {
		if p.Version > newest.Version {
			newest = p
		}
	}
	return newest.ID
}

// resolveTemplates implements builtins.TemplateResolver for contract_created
// and contract_archived. A "#package-name" reference is widened to every
// version of the package that the catalog holds, because the ledger reports
// events with package ids.
func (r *Runtime) resolveTemplates(ref string, packageDefaulting bool) (builtins.TemplateSet, error) {
	ref = strings.TrimSpace(ref)
	if ref == "*" {
		return builtins.TemplateSet{Any: true}, nil
	}
	if err := checkTemplateRef(ref); err != nil {
		return builtins.TemplateSet{}, err
	}
	if pkg, ok := strings.CutSuffix(ref, ":*"); ok && !strings.HasPrefix(pkg, "#") && !strings.Contains(pkg, ":") {
		if err := r.ensurePackage(pkg); err != nil {
			r.log.Warn("template package unknown to the participant; matching its package id as written", "template", ref, "error", err)
		}
		return builtins.TemplateSet{PackageID: pkg}, nil
	}
	ids, err := r.resolveRef(ref, packageDefaulting)
	if err != nil {
		// A fully qualified id in a package the participant does not know
		// (a schemaless ledger, or a model not uploaded yet) is matched as
		// written, so that its contracts reach the handler once they exist.
		id, parseErr := lf.ParseTemplateID(ref)
		if parseErr == nil && id.PackageID != "" && !strings.HasPrefix(id.PackageID, "#") {
			if _, known := r.client.Catalog().Package(id.PackageID); !known {
				r.log.Warn("template package unknown to the participant; matching the template id as written", "template", ref, "error", err)
				return builtins.TemplateSet{IDs: []lf.TemplateID{id}}, nil
			}
		}
		if parseErr == nil && (id.PackageID == "" || strings.HasPrefix(id.PackageID, "#")) {
			return r.resolveUnqualified(ref, id, packageDefaulting, err)
		}
		return builtins.TemplateSet{}, err
	}
	return builtins.TemplateSet{IDs: r.expandPackageNames(ids)}, nil
}

// maxParticipantPackages bounds how many packages resolveUnqualified fetches
// from the participant to find a template.
const maxParticipantPackages = 1000

// resolveUnqualified retries a "Module:Entity" or "#package-name:Module:Entity"
// reference that the catalog could not resolve after fetching the
// participant's packages, since the model may have been uploaded to the
// participant rather than shipped in the integration package. When the
// participant holds no package at all, as a schemaless embedded ledger does,
// the reference matches that module and entity in any package, so that the
// integration runs before a model exists.
func (r *Runtime) resolveUnqualified(ref string, id lf.TemplateID, packageDefaulting bool, cause error) (builtins.TemplateSet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), packageFetchTimeout)
	defer cancel()
	ids, err := r.participantPackages(ctx)
	if err != nil {
		return builtins.TemplateSet{}, fmt.Errorf("%w (listing the participant's packages also failed: %v)", cause, err)
	}
	if len(ids) == 0 {
		r.warnNameOnly(ref)
		return builtins.TemplateSet{Module: id.Module, Entity: id.Entity}, nil
	}
	if len(ids) > maxParticipantPackages {
		ids = ids[:maxParticipantPackages]
	}
	fetched := false
	for _, pkg := range ids {
		if _, ok := r.client.Catalog().Package(pkg); ok {
			continue
		}
		if _, err := r.client.Package(ctx, pkg); err != nil {
			r.log.Warn("fetch participant package failed", "package", pkg, "error", err)
			continue
		}
		fetched = true
	}
	if !fetched {
		return builtins.TemplateSet{}, cause
	}
	resolved, err := r.resolveRef(ref, packageDefaulting)
	if err != nil {
		return builtins.TemplateSet{}, err
	}
	return builtins.TemplateSet{IDs: r.expandPackageNames(resolved)}, nil
}

// participantPackages lists the ids of the packages the participant holds.
func (r *Runtime) participantPackages(ctx context.Context) ([]string, error) {
	list, err := v2.NewPackageServiceClient(r.client.Conn()).ListPackages(ctx, &v2.ListPackagesRequest{})
	if err != nil {
		return nil, err
	}
	return list.GetPackageIds(), nil
}

// warnNameOnly logs, once per template reference, that the reference is
// matched by module and entity alone.
func (r *Runtime) warnNameOnly(ref string) {
	if _, logged := r.templateWarnings.LoadOrStore(ref, true); logged {
		return
	}
	r.log.Warn("template not found and the participant holds no packages; resolving it by module and entity alone",
		"template", ref)
}

// checkTemplateRef rejects the reference forms that name no template.
func checkTemplateRef(ref string) error {
	switch {
	case ref == "":
		return fmt.Errorf("empty template reference: want \"*\", \"Module:Entity\" or \"<package-id>:Module:Entity\"")
	case strings.HasPrefix(ref, "*:"):
		return fmt.Errorf("%q is not a template reference: \"*\" is allowed only alone (every template); name the package id or drop the package", ref)
	case !strings.Contains(ref, ":"):
		return fmt.Errorf("%q has no module: want \"Module:Entity\", for example \"Main:%s\"", ref, ref)
	}
	return nil
}

// resolveRef resolves a reference through the catalog, fetching an unknown
// package named by id from the participant first.
func (r *Runtime) resolveRef(ref string, packageDefaulting bool) ([]lf.TemplateID, error) {
	defaultPackage := ""
	if packageDefaulting {
		defaultPackage = r.mainPackageID()
	}
	parts := strings.Split(ref, ":")
	if len(parts) == 3 && !strings.HasPrefix(parts[0], "#") {
		if err := r.ensurePackage(parts[0]); err != nil {
			return nil, err
		}
	}
	ids, err := r.client.Catalog().Resolve(ref, defaultPackage)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%q names no template", ref)
	}
	return ids, nil
}

func (r *Runtime) ensurePackage(id string) error {
	if _, ok := r.client.Catalog().Package(id); ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), packageFetchTimeout)
	defer cancel()
	if _, err := r.client.Package(ctx, id); err != nil {
		return fmt.Errorf("package %s: %w", id, err)
	}
	return nil
}

func (r *Runtime) expandPackageNames(ids []lf.TemplateID) []lf.TemplateID {
	cat := r.client.Catalog()
	var out []lf.TemplateID
	for _, id := range ids {
		name, ok := strings.CutPrefix(id.PackageID, "#")
		if !ok {
			out = append(out, id)
			continue
		}
		for _, p := range cat.PackageByName(name) {
			candidate := lf.TemplateID{PackageID: p.ID, Module: id.Module, Entity: id.Entity}
			if _, ok := cat.Template(candidate); ok {
				out = append(out, candidate)
			}
		}
	}
	return out
}

// qualifyTemplate implements env.tid: a name without a package gets the
// integration's own package, as package_defaulting does. When the
// participant holds no package and the metadata names no package id, the
// name is returned unchanged, and a command resolves it when it is
// submitted.
func (r *Runtime) qualifyTemplate(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := checkTemplateRef(name); err != nil {
		return "", err
	}
	if strings.Count(name, ":") >= 2 {
		return name, nil
	}
	id, err := r.resolveCommandTemplate(name, false)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// commandTemplate resolves the template of a command to exactly one id. The
// caller holds the turn, because on a participant without packages a
// "Module:Entity" name may take its package from the contracts seen.
func (r *Runtime) commandTemplate(ref string) (lf.TemplateID, error) {
	id, err := r.resolveCommandTemplate(ref, true)
	if err != nil {
		return lf.TemplateID{}, err
	}
	if id.PackageID == "" {
		return lf.TemplateID{}, fmt.Errorf("template %q has no package: the participant holds no packages, the integration metadata names no daml_model and no contract of the template has been seen; write the package id, as in \"<package-id>:%s\"", ref, ref)
	}
	return id, nil
}

// resolveCommandTemplate resolves a command's template reference. When the
// catalog does not know the name (a ledger without the model's DAR), a name
// without a package gets the integration's own package id. When the
// participant holds no package at all, a name without a package gets the
// metadata's daml_model name as "#name", or with useSeen the package of the
// contracts seen with that module and entity, or else stays without a
// package.
func (r *Runtime) resolveCommandTemplate(ref string, useSeen bool) (lf.TemplateID, error) {
	ref = strings.TrimSpace(ref)
	if err := checkTemplateRef(ref); err != nil {
		return lf.TemplateID{}, err
	}
	if strings.HasSuffix(ref, ":*") {
		return lf.TemplateID{}, fmt.Errorf("%q names several templates; a command needs exactly one", ref)
	}
	ids, err := r.resolveRef(ref, true)
	if err == nil {
		if len(ids) > 1 {
			names := make([]string, len(ids))
			for i, id := range ids {
				names[i] = id.String()
			}
			return lf.TemplateID{}, fmt.Errorf("%q is ambiguous: it names %s; give the package id", ref, strings.Join(names, ", "))
		}
		return ids[0], nil
	}
	id, parseErr := lf.ParseTemplateID(ref)
	if parseErr != nil {
		return lf.TemplateID{}, err
	}
	if id.PackageID == "" {
		id.PackageID = r.mainPackageID()
	}
	if id.PackageID == "" || strings.HasPrefix(id.PackageID, "#") {
		return r.schemalessTemplate(ref, id, useSeen, err)
	}
	if len(r.client.Catalog().Packages()) > 0 {
		if _, known := r.client.Catalog().Package(id.PackageID); known {
			// The package is known and lacks the template: a real error.
			return lf.TemplateID{}, err
		}
	}
	return id, nil
}

// schemalessTemplate picks the package of a command template that names
// none, or names a package that the catalog lacks by name. This is allowed
// only when the participant holds no package, so that a typo against a
// loaded model stays the error cause.
func (r *Runtime) schemalessTemplate(ref string, id lf.TemplateID, useSeen bool, cause error) (lf.TemplateID, error) {
	ctx, cancel := context.WithTimeout(context.Background(), packageFetchTimeout)
	defer cancel()
	pkgs, err := r.participantPackages(ctx)
	if err != nil {
		return lf.TemplateID{}, fmt.Errorf("%w (listing the participant's packages also failed: %v)", cause, err)
	}
	if len(pkgs) > 0 {
		return lf.TemplateID{}, cause
	}
	r.warnNameOnly(ref)
	if id.PackageID != "" {
		return id, nil
	}
	if r.model != nil && r.model.Name != "" {
		id.PackageID = "#" + r.model.Name
		return id, nil
	}
	if !useSeen {
		return id, nil
	}
	seen := map[string]bool{}
	for _, info := range r.contracts {
		if info.template.Module == id.Module && info.template.Entity == id.Entity {
			seen[info.template.PackageID] = true
		}
	}
	if len(seen) > 1 {
		names := make([]string, 0, len(seen))
		for pkg := range seen {
			names = append(names, pkg+":"+ref)
		}
		slices.Sort(names)
		return lf.TemplateID{}, fmt.Errorf("%q is ambiguous: the contracts seen name %s; give the package id", ref, strings.Join(names, ", "))
	}
	for pkg := range seen {
		id.PackageID = pkg
	}
	return id, nil
}
