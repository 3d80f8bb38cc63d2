package client_test

import (
	"context"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ditstar/ditstar/internal/testdata"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

func TestPackageFetchedOnce(t *testing.T) {
	dar, err := lf.ReadDAR(testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		t.Fatal(err)
	}
	_, addr, party := startLedger(t, sandbox.Options{DARs: []*lf.DAR{dar}})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})

	if _, ok := c.Catalog().Package(dar.MainPackageID); ok {
		t.Fatal("catalog has the package before any fetch")
	}
	var wg sync.WaitGroup
	pkgs := make([]*lf.Package, 8)
	errs := make([]error, 8)
	for i := range pkgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pkgs[i], errs[i] = c.Package(context.Background(), dar.MainPackageID)
		}()
	}
	wg.Wait()
	for i := range pkgs {
		if errs[i] != nil {
			t.Fatalf("Package call %d: %v", i, errs[i])
		}
		if pkgs[i].ID != dar.MainPackageID {
			t.Errorf("Package call %d returned %s, want %s", i, pkgs[i].ID, dar.MainPackageID)
		}
	}
	if len(pkgs[0].Templates()) == 0 {
		t.Error("fetched package has no templates")
	}
	if _, err := c.Package(context.Background(), dar.MainPackageID); err != nil {
		t.Fatal(err)
	}
	if n := proxy.callCount(methodGetPackage); n != 1 {
		t.Errorf("GetPackage calls = %d, want 1", n)
	}
	if _, ok := c.Catalog().Package(dar.MainPackageID); !ok {
		t.Error("catalog lacks the fetched package")
	}
}

func TestPackageUnknown(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	const id = "00000000000000000000000000000000000000000000000000000000000000ff"
	for range 2 {
		_, err := c.Package(context.Background(), id)
		if status.Code(err) != codes.NotFound {
			t.Errorf("Package(unknown) error = %v, want NotFound", err)
		}
	}
	if n := proxy.callCount(methodGetPackage); n != 1 {
		t.Errorf("GetPackage calls = %d, want 1: a missing package is remembered", n)
	}
}

func TestPackageFromConfiguredCatalog(t *testing.T) {
	dar, err := lf.ReadDAR(testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		t.Fatal(err)
	}
	_, addr, party := startLedger(t, sandbox.Options{})
	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party, Catalog: lf.NewCatalog(dar.Packages...)})
	if _, err := c.Package(context.Background(), dar.MainPackageID); err != nil {
		t.Fatal(err)
	}
	if n := proxy.callCount(methodGetPackage); n != 0 {
		t.Errorf("GetPackage calls = %d, want 0 for a package of the configured catalog", n)
	}
}
