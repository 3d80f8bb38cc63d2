package client

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestTokenFileReread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("first\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := newTokenSource("", path)
	if err != nil {
		t.Fatal(err)
	}
	md, err := s.GetRequestMetadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if md["authorization"] != "Bearer first" {
		t.Errorf("authorization = %q, want %q", md["authorization"], "Bearer first")
	}

	// Same size, later modification time: only the time tells the change.
	if err := os.WriteFile(path, []byte("other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	md, err = s.GetRequestMetadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if md["authorization"] != "Bearer other" {
		t.Errorf("authorization after rewrite = %q, want %q", md["authorization"], "Bearer other")
	}

	if err := os.WriteFile(path, []byte("  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetRequestMetadata(context.Background())
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("empty token file: code = %v, want Unauthenticated", status.Code(err))
	}
	if err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty token file: error = %v, want one saying it is empty", err)
	}
}

func TestTokenSourceErrors(t *testing.T) {
	if _, err := newTokenSource("a", "b"); err == nil || !strings.Contains(err.Error(), "set only one") {
		t.Errorf("token and file: error = %v", err)
	}
	if _, err := newTokenSource("", filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "read token file") {
		t.Errorf("missing file: error = %v", err)
	}
	if _, err := newTokenSource("   ", ""); err == nil || !strings.Contains(err.Error(), "blank") {
		t.Errorf("blank token: error = %v", err)
	}
}

func TestTokenBearerPrefix(t *testing.T) {
	s, err := newTokenSource("Bearer abc.def.ghi", "")
	if err != nil {
		t.Fatal(err)
	}
	md, err := s.GetRequestMetadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if md["authorization"] != "Bearer abc.def.ghi" {
		t.Errorf("authorization = %q", md["authorization"])
	}
}
