package client

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// maxTokenBytes caps a token and the size of a token file. A JWT with many
// claims is a few KiB.
const maxTokenBytes = 64 << 10

func newTokenSource(token, file string) (*tokenSource, error) {
	if token != "" && file != "" {
		return nil, errors.New("both a token and a token file are set: set only one")
	}
	s := &tokenSource{static: normalizeToken(token), file: file}
	if token != "" && s.static == "" {
		return nil, errors.New("invalid token: it is blank")
	}
	if err := checkToken(s.static); err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
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

	// Opening a FIFO blocks until a writer appears, and a device such as
	// /dev/zero never ends, so only regular files are read.
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("invalid token file %s: it is a %s, not a regular file; write the bearer token into a file", s.file, fileKind(info.Mode()))
	}
	if info.Size() > maxTokenBytes {
		return "", fmt.Errorf("invalid token file %s: it is %d bytes, over the limit of %d for a token", s.file, info.Size(), maxTokenBytes)
	}

	data, err := readCapped(s.file, maxTokenBytes)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := normalizeToken(string(data))
	if tok == "" {
		return "", fmt.Errorf("invalid token file %s: it is empty; write the bearer token into it", s.file)
	}
	if err := checkToken(tok); err != nil {
		return "", fmt.Errorf("invalid token file %s: %w", s.file, err)
	}
	s.cached, s.size, s.modTime = tok, info.Size(), info.ModTime()
	return tok, nil
}

// normalizeToken trims white space and an optional "Bearer " prefix. The
// word Bearer alone is a blank token.
func normalizeToken(t string) string {
	t = strings.TrimSpace(t)
	if strings.EqualFold(t, "bearer") {
		return ""
	}
	if len(t) > 7 && strings.EqualFold(t[:7], "bearer ") {
		t = strings.TrimSpace(t[7:])
	}
	return t
}

// checkToken rejects a token that cannot be sent in a gRPC header: one over
// maxTokenBytes, or with a byte outside printable ASCII or a space. The
// error names the offset but never the token, which is a secret.
func checkToken(tok string) error {
	if len(tok) > maxTokenBytes {
		return fmt.Errorf("it is %d bytes, over the limit of %d", len(tok), maxTokenBytes)
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("byte 0x%02x at offset %d is not printable ASCII; a bearer token has no spaces or control characters", c, i)
		}
	}
	return nil
}

// readCapped reads at most limit bytes of a file.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s grew over the limit of %d bytes while being read", path, limit)
	}
	return data, nil
}

// fileKind names the kind of a file that is not a regular file.
func fileKind(mode os.FileMode) string {
	switch {
	case mode.IsDir():
		return "directory"
	case mode&os.ModeNamedPipe != 0:
		return "named pipe"
	case mode&os.ModeSocket != 0:
		return "socket"
	case mode&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
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
