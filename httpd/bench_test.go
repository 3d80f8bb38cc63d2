package httpd

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/ditstar/ditstar/integration"
)

// BenchmarkWebhookDispatch measures routing, the waiting bound, metrics
// and the access log for one public webhook request, without the network.
func BenchmarkWebhookDispatch(b *testing.B) {
	fake := &fakeIntegration{hooks: []integration.Webhook{
		{Index: 0, Method: "POST", Suffix: "/orders/:id"},
		{Index: 1, Method: "GET", Suffix: "/other"},
	}}
	fake.handle = func(context.Context, int, *integration.WebhookRequest) (*integration.WebhookResponse, error) {
		return nil, nil
	}
	s, err := New(Options{InstanceID: testInstance, Integration: fake, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	handler := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		fake.mu.Lock()
		fake.calls = fake.calls[:0]
		fake.mu.Unlock()
		req := httptest.NewRequest(http.MethodPost, "/integration/"+testInstance+"/orders/17", nil)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkVerifyToken measures the verification of one ES256 token with
// Daml custom claims against a loaded key set.
func BenchmarkVerifyToken(b *testing.B) {
	key := newKey(b, jose.ES256, "k")
	token := key.sign(b, damlToken(testLedger, []string{testParty}, []string{testParty}))
	auth := &authenticator{
		ledgerID: testLedger,
		leeway:   time.Second,
		now:      time.Now,
		keys: &keyStore{
			byKid: true, refreshInterval: time.Hour, fetchTimeout: time.Second,
			keys: []verificationKey{{kid: "k", alg: "ES256", key: key.pub}},
			log:  slog.New(slog.DiscardHandler),
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, aerr := auth.verify(context.Background(), token); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
