package client

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in      string
		target  string
		tls     bool
		wantErr string
	}{
		{in: "127.0.0.1:6865", target: "passthrough:///127.0.0.1:6865"},
		{in: "http://localhost:6865", target: "passthrough:///localhost:6865"},
		{in: "https://ledger.example:443/", target: "passthrough:///ledger.example:443", tls: true},
		{in: "[::1]:6865", target: "passthrough:///[::1]:6865"},
		{in: " 127.0.0.1:1 ", target: "passthrough:///127.0.0.1:1"},
		{in: "", wantErr: "missing ledger address"},
		{in: "localhost", wantErr: `invalid ledger address "localhost"`},
		{in: "grpc://h:1", wantErr: "want host:port, http://host:port or https://host:port"},
		{in: ":6865", wantErr: "both parts"},
	}
	for _, tt := range tests {
		target, tls, err := parseAddress(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseAddress(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseAddress(%q): %v", tt.in, err)
			continue
		}
		if target != tt.target {
			t.Errorf("parseAddress(%q) target = %q, want %q", tt.in, target, tt.target)
		}
		if tls != tt.tls {
			t.Errorf("parseAddress(%q) tls = %v, want %v", tt.in, tls, tt.tls)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	want := []time.Duration{10, 20, 40, 50, 50}
	for i, w := range want {
		if got := b.Delay(i); got != w*time.Millisecond {
			t.Errorf("Delay(%d) = %v, want %v", i, got, w*time.Millisecond)
		}
	}
	if got := (Backoff{}).Delay(0); got != 100*time.Millisecond {
		t.Errorf("default Delay(0) = %v, want 100ms", got)
	}
	if got := (Backoff{}).Delay(1000); got != 10*time.Second {
		t.Errorf("default Delay(1000) = %v, want 10s", got)
	}
}

func TestConfigApplyEnv(t *testing.T) {
	env := map[string]string{
		EnvLedgerURL:       "http://127.0.0.1:7000",
		EnvLedgerToken:     "tok",
		EnvApplicationName: "app",
		EnvLedgerParty:     "alice::1",
	}
	var c Config
	c.ApplyEnv(func(k string) string { return env[k] })
	if c.Address != "http://127.0.0.1:7000" {
		t.Errorf("Address = %q", c.Address)
	}
	if c.Token != "tok" {
		t.Errorf("Token = %q", c.Token)
	}
	if c.UserID != "app" {
		t.Errorf("UserID = %q", c.UserID)
	}
	if c.Party != "alice::1" {
		t.Errorf("Party = %q", c.Party)
	}

	set := Config{Address: "127.0.0.1:1", TokenFile: "/tmp/t", Party: "bob::2"}
	set.ApplyEnv(func(k string) string { return env[k] })
	if set.Address != "127.0.0.1:1" {
		t.Errorf("configured Address overwritten: %q", set.Address)
	}
	if set.Token != "" {
		t.Errorf("Token = %q with a token file set, want empty", set.Token)
	}
	if set.Party != "bob::2" {
		t.Errorf("configured Party overwritten: %q", set.Party)
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1:6865", "http://localhost:1", "https://[::1]:443/", "", "a:b:c", "https://", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		target, _, err := parseAddress(addr)
		if err != nil {
			return
		}
		hostPort, ok := strings.CutPrefix(target, "passthrough:///")
		if !ok {
			t.Fatalf("parseAddress(%q) target = %q, want the passthrough scheme", addr, target)
		}
		host, port, err := net.SplitHostPort(hostPort)
		if err != nil {
			t.Fatalf("parseAddress(%q) target %q is not host:port: %v", addr, target, err)
		}
		if host == "" || port == "" {
			t.Fatalf("parseAddress(%q) target %q lacks a host or port", addr, target)
		}
	})
}
