package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// tokenSource supplies the bearer token of every call. It implements
// credentials.PerRPCCredentials.
type tokenSource struct {
	static string
	file   string

	mu      sync.Mutex
	size    int64
	modTime time.Time
	cached  string
}

func newTokenSource(token, file string) (*tokenSource, error) {
	if token != "" && file != "" {
		return nil, errors.New("both a token and a token file are set: set only one")
	}
	s := &tokenSource{static: normalizeToken(token), file: file}
	if token != "" && s.static == "" {
		return nil, errors.New("invalid token: it is blank")
	}
	if file != "" {
		if _, err := s.token(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// token returns the current token, re-reading the token file when its size
// or modification time changed since the last read.
func (s *tokenSource) token() (string, error) {
	if s.file == "" {
		return s.static, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := os.Stat(s.file)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	if s.cached != "" && info.Size() == s.size && info.ModTime().Equal(s.modTime) {
		return s.cached, nil
	}
	data, err := os.ReadFile(s.file)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := normalizeToken(string(data))
	if tok == "" {
		return "", fmt.Errorf("invalid token file %s: it is empty; write the bearer token into it", s.file)
	}
	s.cached, s.size, s.modTime = tok, info.Size(), info.ModTime()
	return tok, nil
}

// normalizeToken trims white space and an optional "Bearer " prefix.
func normalizeToken(t string) string {
	t = strings.TrimSpace(t)
	if len(t) > 7 && strings.EqualFold(t[:7], "bearer ") {
		t = strings.TrimSpace(t[7:])
	}
	return t
}

func (s *tokenSource) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	tok, err := s.token()
	if err != nil {
		// UNAUTHENTICATED rather than gRPC's default UNAVAILABLE, so the
		// caller sees a credentials problem.
		return nil, status.Error(codes.Unauthenticated, err.Error())
	}
	if tok == "" {
		return nil, nil
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity returns false because a participant on loopback
// or behind a TLS-terminating proxy is commonly reached in plaintext.
func (s *tokenSource) RequireTransportSecurity() bool { return false }
