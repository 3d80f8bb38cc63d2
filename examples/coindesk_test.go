package examples_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

const coindeskPriceRequest = "CoinDesk.PriceRequest:PriceRequest"

// coindeskServer replaces the CoinDesk price API. It returns a price for
// USD, 503 for EUR and 404 for other currencies.
func coindeskServer(t *testing.T) (*httptest.Server, *recorder) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r := rec.record(req)
		switch r.path {
		case "/v1/bpi/currentprice/USD.json":
			w.Header().Set("Content-Type", "application/javascript")
			w.Write([]byte(`{"time": {"updatedISO": "2024-05-06T07:08:09+00:00"}, "bpi": {"USD": {"code": "USD", "rate": "63,000.1235", "rate_float": 63000.123456789}}}`))
		case "/v1/bpi/currentprice/EUR.json":
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func TestCoinDeskPriceRequests(t *testing.T) {
	srv, rec := coindeskServer(t)
	r := startExample(t, "coindesk", "dabl-integration-coindesk-1.1.2.dar", map[string]string{"coindeskBaseUrl": srv.URL})

	request := func(code string, id int64) (string, exercised) {
		t.Helper()
		cid, offset := r.create(coindeskPriceRequest, map[string]any{
			"integrationParty": r.party, "currencyCode": code, "continuationId": id,
		})
		got := r.waitExercises(offset, 1)
		if got[0].cid != cid {
			t.Fatalf("%s: exercise on %s, want on %s", code, got[0].cid, cid)
		}
		return cid, got[0]
	}

	_, usd := request("USD", 1)
	if usd.choice != "PriceRequest_RespondSuccess" {
		t.Fatalf("USD: got %s, want PriceRequest_RespondSuccess", usd.choice)
	}
	if rate := field(usd.arg, "rate").GetNumeric(); rate != "63000.1234567890" {
		t.Errorf("USD rate: got %s, want 63000.1234567890", rate)
	}
	updated := time.UnixMicro(field(usd.arg, "updatedAt").GetTimestamp()).UTC()
	if want := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC); !updated.Equal(want) {
		t.Errorf("USD updatedAt: got %v, want %v", updated, want)
	}

	_, eur := request("EUR", 2)
	if eur.choice != "PriceRequest_RespondFailure" {
		t.Fatalf("EUR: got %s, want PriceRequest_RespondFailure", eur.choice)
	}
	if code := field(eur.arg, "httpStatusCode").GetInt64(); code != http.StatusServiceUnavailable {
		t.Errorf("EUR httpStatusCode: got %d, want 503", code)
	}
	if body := field(eur.arg, "httpResponseBody").GetText(); body != "maintenance\n" {
		t.Errorf("EUR httpResponseBody: got %q, want %q", body, "maintenance\n")
	}

	_, invalid := request("12", 3)
	if invalid.choice != "PriceRequest_RespondFailure" || field(invalid.arg, "httpStatusCode").GetInt64() != http.StatusBadRequest {
		t.Errorf("invalid code: got %s with status %d, want PriceRequest_RespondFailure with 400",
			invalid.choice, field(invalid.arg, "httpStatusCode").GetInt64())
	}

	var paths []string
	for _, req := range rec.all() {
		paths = append(paths, req.method+" "+req.path)
	}
	want := []string{"GET /v1/bpi/currentprice/USD.json", "GET /v1/bpi/currentprice/EUR.json"}
	if !slices.Equal(paths, want) {
		t.Errorf("requests: got %v, want %v (none for the invalid code)", paths, want)
	}
	if left := r.active(coindeskPriceRequest); len(left) != 0 {
		t.Errorf("active price requests: got %v, want none", left)
	}
}

func TestCoinDeskUnreachableAPI(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	r := startExample(t, "coindesk", "dabl-integration-coindesk-1.1.2.dar", map[string]string{"coindeskBaseUrl": closed.URL})

	cid, offset := r.create(coindeskPriceRequest, map[string]any{
		"integrationParty": r.party, "currencyCode": "USD", "continuationId": int64(7),
	})
	h := r.waitHandler("Price request", failures(1))
	if h.CommandCount != 0 {
		t.Errorf("command count: got %d, want 0", h.CommandCount)
	}
	if got := r.exercisesAfter(offset); len(got) != 0 {
		t.Errorf("exercises: got %v, want none", got)
	}
	// The request stays on the ledger, so that a restart can respond to it.
	if left := r.active(coindeskPriceRequest); !slices.Equal(left, []string{cid}) {
		t.Errorf("active price requests: got %v, want [%s]", left, cid)
	}
}
