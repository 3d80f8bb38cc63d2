package client_test

import (
	"context"
	"sync"
	"testing"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

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
	checkFetchedOnce(t, proxy)
	if _, ok := c.Catalog().Package(dar.MainPackageID); !ok {
		t.Error("catalog lacks the fetched package")
	}

	// The key of PriceOraclePrice is a DA.Types:Tuple2 of the standard
	// library, which the package's dependencies bring.
	oracle := lf.TemplateID{PackageID: dar.MainPackageID, Module: "CoinDesk.PriceOracle", Entity: "PriceOraclePrice"}
	tmpl, ok := c.Catalog().Template(oracle)
	if !ok {
		t.Fatalf("catalog lacks %s", oracle)
	}
	if tmpl.Key == nil || tmpl.Key.Kind != lf.TypeCon {
		t.Fatalf("key of %s = %v, want a data type", oracle, tmpl.Key)
	}
	if _, ok := c.Catalog().DataType(tmpl.Key.Con); !ok {
		t.Errorf("catalog lacks the key type %s of package %s", tmpl.Key.Con.Name(), tmpl.Key.Con.PackageID)
	}
}

// checkFetchedOnce checks that no package id was requested twice.
func checkFetchedOnce(t *testing.T, proxy *faultProxy) {
	t.Helper()
	requested := map[string]int{}
	for _, b := range proxy.requestsOf(methodGetPackage) {
		req := &v2.GetPackageRequest{}
		if err := proto.Unmarshal(b, req); err != nil {
			t.Fatal(err)
		}
		requested[req.GetPackageId()]++
	}
	if len(requested) == 0 {
		t.Error("no GetPackage call reached the ledger")
	}
	for id, n := range requested {
		if n != 1 {
			t.Errorf("package %s requested %d times, want once", id, n)
		}
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

func TestStreamFetchesEventPackages(t *testing.T) {
	dar, err := lf.ReadDAR(testdata.DAR(t, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		t.Fatal(err)
	}
	_, addr, party := startLedger(t, sandbox.Options{DARs: []*lf.DAR{dar}})
	direct := dial(t, client.Config{Address: addr, Party: party})
	request := lf.TemplateID{PackageID: "#dabl-integration-coindesk", Module: "CoinDesk.PriceRequest", Entity: "PriceRequest"}
	_, err = direct.Submit(context.Background(), client.Submission{Commands: []*v2.Command{{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId: request.Identifier(),
		CreateArguments: &v2.Record{Fields: []*v2.RecordField{
			{Label: "integrationParty", Value: partyValue(party)},
			{Label: "currencyCode", Value: textValue("USD")},
			{Label: "continuationId", Value: int64Value(1)},
		}},
	}}}}})
	if err != nil {
		t.Fatal(err)
	}

	proxy := startFaultProxy(t, addr)
	c := dial(t, client.Config{Address: proxy.addr, Party: party})
	items, _, _ := startStream(t, c, client.Filter{Wildcard: true})
	it := next(t, items)
	if it.Kind != client.ItemActive {
		t.Fatalf("first item = %v, want the request contract", it.Kind)
	}
	pkgID := it.Created.GetTemplateId().GetPackageId()
	if pkgID != dar.MainPackageID {
		t.Errorf("event package id = %s, want %s", pkgID, dar.MainPackageID)
	}
	if _, ok := c.Catalog().Package(pkgID); !ok {
		t.Error("catalog lacks the event's package when the event is delivered")
	}
	if _, ok := c.Catalog().Template(lf.TemplateIDFromIdentifier(it.Created.GetTemplateId())); !ok {
		t.Error("catalog lacks the event's template when the event is delivered")
	}
	checkFetchedOnce(t, proxy)
}
