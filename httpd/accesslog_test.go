package httpd

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/ditstar/ditstar/integration"
)

func TestAccessLogSkipsProbesBelowDebug(t *testing.T) {
	logs := &syncBuffer{}
	fake := &fakeIntegration{hooks: []integration.Webhook{{Index: 0, Method: "GET", Suffix: "/hook"}}}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	_, base := startServer(t, Options{Integration: fake, Logger: logger})

	do(t, http.MethodGet, base+"/healthz", "", nil)
	do(t, http.MethodGet, base+"/metrics", "", nil)
	do(t, http.MethodGet, base+"/integration/"+testInstance+"/hook?access_token=secret-token-value", "", nil)
	do(t, http.MethodGet, base+"/status", "", nil)

	out := logs.String()
	if containsLine(out, "http request", "route=/healthz") {
		t.Errorf("healthz logged at info:\n%s", out)
	}
	if containsLine(out, "http request", "route=/metrics") {
		t.Errorf("metrics logged at info:\n%s", out)
	}
	if !containsLine(out, "http request", "route=/integration/"+testInstance+"/hook", "status=200") {
		t.Errorf("webhook request not logged:\n%s", out)
	}
	if !containsLine(out, "http request", "route=/status") {
		t.Errorf("status request not logged:\n%s", out)
	}
	if strings.Contains(out, "secret-token-value") {
		t.Errorf("access token in the log:\n%s", out)
	}
}

func TestAccessLogProbesAtDebug(t *testing.T) {
	logs := &syncBuffer{}
	_, base := startServer(t, Options{Integration: &fakeIntegration{}, Logger: newTextLogger(logs)})
	do(t, http.MethodGet, base+"/healthz", "", nil)
	if !containsLine(logs.String(), "level=DEBUG", "http request", "route=/healthz") {
		t.Errorf("healthz not logged at debug:\n%s", logs)
	}
}
