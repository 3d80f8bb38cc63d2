package client

import (
	"context"
	"fmt"
	"sort"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/ditstar/ditstar/ledger/lf"
)

// packageFetch is one GetPackage call that concurrent callers share.
type packageFetch struct {
	done chan struct{}
	pkg  *lf.Package
	err  error
}

// Catalog returns the package catalog: the configured packages plus every
// package fetched from the participant so far. Stream and Package add to it
// while others read it, which lf.Catalog allows.
func (c *Client) Catalog() *lf.Catalog { return c.catalog }

// Package returns the package with the given id from the catalog or, when it
// is missing, from the participant's PackageService, together with the
// packages its types refer to. Each id is requested once: a fetched package
// is added to the catalog, and a permanent failure (unknown id, unreadable
// archive) is remembered and returned again.
func (c *Client) Package(ctx context.Context, id string) (*lf.Package, error) {
	c.pkgMu.Lock()
	if p, ok := c.catalog.Package(id); ok {
		c.pkgMu.Unlock()
		return p, nil
	}
	if err, ok := c.missing[id]; ok {
		c.pkgMu.Unlock()
		return nil, err
	}
	f, running := c.fetching[id]
	if !running {
		f = &packageFetch{done: make(chan struct{})}
		c.fetching[id] = f
	}
	c.pkgMu.Unlock()

	if !running {
		f.pkg, f.err = c.fetchPackage(ctx, id)
		c.pkgMu.Lock()
		delete(c.fetching, id)
		if f.err == nil {
			f.err = c.catalog.Add(f.pkg)
		}
		if f.err != nil && permanentPackageError(f.err) {
			c.missing[id] = f.err
		}
		c.pkgMu.Unlock()
		close(f.done)
		if f.err == nil {
			c.log.Info("fetched package from the ledger", "package_id", id, "name", f.pkg.Name, "version", f.pkg.Version)
			c.fetchDependencies(ctx, f.pkg)
		}
	}
	select {
	case <-f.done:
		return f.pkg, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Client) fetchPackage(ctx context.Context, id string) (*lf.Package, error) {
	resp, err := c.packages.GetPackage(ctx, &v2.GetPackageRequest{PackageId: id})
	if err != nil {
		return nil, fmt.Errorf("fetch package %s: %w", id, err)
	}
	if resp.GetHashFunction() != v2.HashFunction_HASH_FUNCTION_SHA256 {
		return nil, fmt.Errorf("fetch package %s: unsupported hash function %v", id, resp.GetHashFunction())
	}
	// The response carries the fields of a DALF archive, which lf reads and
	// verifies from its encoded form.
	dalf, err := proto.Marshal(&archive.Archive{
		HashFunction: archive.HashFunction_SHA256,
		Payload:      resp.GetArchivePayload(),
		Hash:         resp.GetHash(),
	})
	if err != nil {
		return nil, fmt.Errorf("fetch package %s: encode archive: %w", id, err)
	}
	pkg, err := lf.ReadArchive(dalf)
	if err != nil {
		return nil, fmt.Errorf("fetch package %s: %w", id, err)
	}
	if pkg.ID != id {
		return nil, fmt.Errorf("fetch package %s: the participant returned package %s", id, pkg.ID)
	}
	return pkg, nil
}

// permanentPackageError reports whether asking again cannot help: a
// NOT_FOUND, INVALID_ARGUMENT or PERMISSION_DENIED status, or an error with
// no status (an unreadable archive) other than a cancelled context.
func permanentPackageError(err error) bool {
	s, ok := status.FromError(err)
	if !ok {
		return ctxError(err) == nil
	}
	switch s.Code() {
	case codes.NotFound, codes.InvalidArgument, codes.PermissionDenied:
		return true
	}
	return false
}

// ensurePackages fetches the package of a template seen on the stream, so
// that its types are in the catalog before the consumer decodes the event.
// A failure is logged and the event is still delivered, because the consumer
// can decode a verbose value by its own shape. A permanent failure is
// remembered, so it is logged once per package.
func (c *Client) ensurePackages(ctx context.Context, ids ...*v2.Identifier) {
	for _, id := range ids {
		pkgID := id.GetPackageId()
		if pkgID == "" || pkgID[0] == '#' {
			continue
		}
		c.pkgMu.Lock()
		_, known := c.catalog.Package(pkgID)
		_, failed := c.missing[pkgID]
		c.pkgMu.Unlock()
		if known || failed {
			continue
		}
		_, err := c.Package(ctx, pkgID)
		switch {
		case err == nil || ctx.Err() != nil:
		case status.Code(err) == codes.NotFound:
			// A participant holds the package of every contract it reports,
			// except a schemaless embedded ledger, where this is expected.
			c.log.Info("template package not on the participant; its values are decoded without types",
				"package_id", pkgID, "template", id.GetModuleName()+":"+id.GetEntityName())
		default:
			c.log.Warn("cannot fetch the package of a template; its values are decoded without types",
				"package_id", pkgID, "template", id.GetModuleName()+":"+id.GetEntityName(), "error", err)
		}
	}
}

// fetchDependencies fetches the packages whose data types pkg refers to, so
// that values of its templates can be decoded down to their leaves. A
// dependency that cannot be fetched is logged and skipped.
func (c *Client) fetchDependencies(ctx context.Context, pkg *lf.Package) {
	for _, dep := range dependencies(pkg) {
		if _, err := c.Package(ctx, dep); err != nil && ctx.Err() == nil {
			c.log.Warn("cannot fetch a package dependency", "package_id", dep, "dependent", pkg.ID, "error", err)
		}
	}
}

// dependencies returns the ids of the other packages whose data types or
// synonyms the types of pkg name, sorted.
func dependencies(pkg *lf.Package) []string {
	seen := map[string]bool{pkg.ID: true}
	var out []string
	var walk func(t *lf.Type)
	walk = func(t *lf.Type) {
		if t == nil {
			return
		}
		if (t.Kind == lf.TypeCon || t.Kind == lf.TypeSyn) && !seen[t.Con.PackageID] && t.Con.PackageID != "" {
			seen[t.Con.PackageID] = true
			out = append(out, t.Con.PackageID)
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walkFields := func(fields []lf.Field) {
		for _, f := range fields {
			walk(f.Type)
		}
	}
	walkChoices := func(choices map[string]*lf.Choice) {
		for _, ch := range choices {
			walk(ch.ArgType)
			walk(ch.ReturnType)
		}
	}
	for _, m := range pkg.Modules {
		for _, dt := range m.DataTypes {
			walkFields(dt.Fields)
		}
		for _, syn := range m.Synonyms {
			walk(syn.Type)
		}
		for _, t := range m.Templates {
			walkFields(t.Fields)
			walk(t.Key)
			walkChoices(t.Choices)
		}
		for _, i := range m.Interfaces {
			walk(i.View)
			walkChoices(i.Choices)
		}
	}
	sort.Strings(out)
	return out
}
