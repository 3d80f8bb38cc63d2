package lf

import (
	"os"
	"testing"

	"github.com/ditstar/ditstar/internal/testdata"
)

func BenchmarkParseDAR(b *testing.B) {
	data, err := os.ReadFile(testdata.DAR(b, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseDAR("coindesk.dar", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDecodePrice(b *testing.B) {
	dar, err := ReadDAR(testdata.DAR(b, "dabl-integration-coindesk-1.1.2.dar"))
	if err != nil {
		b.Fatal(err)
	}
	c := NewCatalog(dar.Packages...)
	tid := TemplateID{PackageID: dar.MainPackageID, Module: "CoinDesk.PriceOracle", Entity: "PriceOraclePrice"}
	arg := map[string]any{
		"integrationParty": "Alice::1220abcd",
		"price":            map[string]any{"currencyCode": "USD", "updatedAt": "2021-03-04T05:06:07Z", "rate": "49234.1234"},
	}
	for b.Loop() {
		rec, err := c.EncodeCreate(tid, arg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.DecodeRecord(tid, rec); err != nil {
			b.Fatal(err)
		}
	}
}
