package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

func init() {
	commands["sandbox"] = command{
		summary: "serve an in-memory ledger on the Ledger API v2",
		run: func(args []string, stdout, stderr io.Writer) int {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runSandbox(ctx, args, stdout, stderr)
		},
	}
}

// runSandbox serves the embedded ledger until ctx ends.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sandbox", "sandbox [--listen ADDR] [--dar FILE]... [--party HINT]... [flags]", stderr)
	listen := fs.String("listen", "127.0.0.1:6865", "address to serve the Ledger API on")
	var dars, parties stringList
	fs.Var(&dars, "dar", "DAR `FILE` to load at start; repeat for more")
	fs.Var(&parties, "party", "party id `HINT` to allocate at start; repeat for more")
	schemaless := fs.Bool("schemaless", false, "accept templates of packages that are not loaded, without type checks (on by default when no --dar is given)")
	participantID := fs.String("participant-id", sandbox.DefaultParticipantID, "participant name; party ids end in a namespace derived from it")
	maxMessage := fs.Int("max-message-size", sandbox.DefaultMaxRecvMsgSize, "largest gRPC message the ledger accepts, in bytes")
	streamBuffer := fs.Int("stream-buffer", sandbox.DefaultStreamBuffer, "transactions a stream subscriber may fall behind before it is cut off")
	secretFile := fs.String("auth-hs256-secret-file", "", "verify HS256 user tokens with the secret in `FILE`")
	publicKey := fs.String("auth-public-key", "", "verify RS256 or ES256 user tokens with the PEM public key or certificate in `FILE`")
	jwks := fs.String("auth-jwks", "", "verify RS256 or ES256 user tokens with the keys of the JWKS `FILE`, chosen by kid")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ditstar sandbox: unexpected argument %q; pass DARs with --dar\n", fs.Arg(0))
		return exitUsage
	}
	var log *slog.Logger
	switch *logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		fmt.Fprintf(stderr, "ditstar sandbox: invalid --log-format %q: use text or json\n", *logFormat)
		return exitUsage
	}

	opts := sandbox.Options{
		Schemaless:     *schemaless,
		Logger:         log,
		MaxRecvMsgSize: *maxMessage,
		ParticipantID:  *participantID,
		StreamBuffer:   *streamBuffer,
	}
	for _, file := range dars {
		d, err := lf.ReadDAR(file)
		if err != nil {
			fmt.Fprintf(stderr, "ditstar sandbox: %v\n", err)
			return exitConfig
		}
		opts.DARs = append(opts.DARs, d)
	}
	auth, err := sandboxAuth(*secretFile, *publicKey, *jwks)
	if err != nil {
		fmt.Fprintf(stderr, "ditstar sandbox: %v\n", err)
		return exitConfig
	}
	opts.Auth = auth

	ledger, err := sandbox.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "ditstar sandbox: %v\n", err)
		return exitConfig
	}
	addr, err := ledger.Listen(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "ditstar sandbox: %v\n", err)
		return exitFail
	}
	defer ledger.Stop()
	fmt.Fprintf(stdout, "ledger listening on %s\n", addr)
	fmt.Fprintf(stdout, "participant %s\n", ledger.ParticipantID())
	for _, hint := range parties {
		id, err := ledger.AllocateParty(hint)
		if err != nil {
			fmt.Fprintf(stderr, "ditstar sandbox: --party %q: %v\n", hint, err)
			return exitConfig
		}
		fmt.Fprintf(stdout, "party %s\n", id)
	}
	<-ctx.Done()
	log.Info("stopping the sandbox on signal")
	return exitOK
}

// sandboxAuth returns the token settings of the auth flags, nil when none
// is set.
func sandboxAuth(secretFile, publicKeyFile, jwksFile string) (*sandbox.AuthConfig, error) {
	if secretFile == "" && publicKeyFile == "" && jwksFile == "" {
		return nil, nil
	}
	auth := &sandbox.AuthConfig{JWKSFile: jwksFile}
	if secretFile != "" {
		secret, err := fsutil.ReadFile(secretFile, maxKeyFileSize)
		if err != nil {
			return nil, fmt.Errorf("read --auth-hs256-secret-file: %w", err)
		}
		auth.HS256Secret = trimNewline(secret)
	}
	if publicKeyFile != "" {
		key, err := fsutil.ReadFile(publicKeyFile, maxKeyFileSize)
		if err != nil {
			return nil, fmt.Errorf("read --auth-public-key: %w", err)
		}
		auth.PublicKeyPEM = key
	}
	return auth, nil
}

// maxKeyFileSize caps an HS256 secret or PEM public key file. A PEM RSA
// key of 8192 bits is under 2 KiB.
const maxKeyFileSize = 64 << 10

// trimNewline drops the line end that editors add to a secret file.
func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
