package client

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/ditstar/ditstar/ledger/lf"
)

// Environment variables that ApplyEnv reads.
const (
	EnvLedgerURL       = "DABL_LEDGER_URL"
	EnvLedgerToken     = "DAML_LEDGER_TOKEN"
	EnvApplicationName = "DAML_LEDGER_APPLICATION_NAME"
	EnvLedgerParty     = "DAML_LEDGER_PARTY"
)

// DefaultUserID is the user_id sent on commands when neither the
// configuration nor the token names a user.
const DefaultUserID = "ditstar"

// DefaultSubmitTimeout bounds a submission, retries included, when the
// Submission sets no Timeout.
const DefaultSubmitTimeout = 30 * time.Second

// Config is the connection and identity configuration of a Client.
type Config struct {
	// Address is the participant's Ledger API address as host:port. The
	// "http://" and "https://" prefixes of DABL_LEDGER_URL are accepted,
	// and "https://" turns on TLS.
	Address string
	TLS     bool   // connect with TLS; also implied by "https://" and by CAFile
	CAFile  string // PEM roots for TLS; empty: the system roots

	// Token is a bearer token. TokenFile names a file holding one, which is
	// re-read whenever its size or modification time changes. Set at most one.
	Token     string
	TokenFile string

	Party   string // acting party; empty: the primary party of the token's user
	UserID  string // user_id on commands; empty: the token's user or DefaultUserID
	Catalog *lf.Catalog
	Logger  *slog.Logger
	Backoff Backoff
}

// ApplyEnv fills the empty fields of c from the environment variables
// DABL_LEDGER_URL, DAML_LEDGER_TOKEN, DAML_LEDGER_APPLICATION_NAME and
// DAML_LEDGER_PARTY, read through getenv (os.Getenv in production).
func (c *Config) ApplyEnv(getenv func(string) string) {
	fill := func(field *string, name string) {
		if *field == "" {
			*field = strings.TrimSpace(getenv(name))
		}
	}
	fill(&c.Address, EnvLedgerURL)
	if c.TokenFile == "" {
		fill(&c.Token, EnvLedgerToken)
	}
	fill(&c.UserID, EnvApplicationName)
	fill(&c.Party, EnvLedgerParty)
}

// Backoff is the capped exponential delay between reconnection and
// submission attempts. Zero fields take the defaults, 100ms and 10s.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = 100 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 10 * time.Second
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	return b
}

// Delay returns the wait before retry number attempt (0 for the first
// retry): Initial doubled attempt times, capped at Max.
func (b Backoff) Delay(attempt int) time.Duration {
	b = b.withDefaults()
	d := b.Initial
	for i := 0; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// jittered returns a random duration between d/2 and d, so that clients
// cut off together do not reconnect in lockstep.
func jittered(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// parseAddress returns the gRPC target for an address and whether its
// scheme asks for TLS.
func parseAddress(addr string) (target string, tls bool, err error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", false, errors.New("missing ledger address: set host:port")
	}
	switch {
	case strings.HasPrefix(addr, "https://"):
		addr, tls = strings.TrimPrefix(addr, "https://"), true
	case strings.HasPrefix(addr, "http://"):
		addr = strings.TrimPrefix(addr, "http://")
	case strings.Contains(addr, "://"):
		return "", false, fmt.Errorf("invalid ledger address %q: want host:port, http://host:port or https://host:port", addr)
	}
	addr = strings.TrimSuffix(addr, "/")
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fmt.Errorf("invalid ledger address %q: want host:port: %w", addr, err)
	}
	if host == "" || port == "" {
		return "", false, fmt.Errorf("invalid ledger address %q: want host:port with both parts", addr)
	}
	return "passthrough:///" + net.JoinHostPort(host, port), tls, nil
}
