package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/httpd"
	"github.com/ditstar/ditstar/integration"
	"github.com/ditstar/ditstar/interp"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

func init() {
	commands["run"] = command{
		summary: "run an integration package",
		run:     runRun,
	}
}

// shutdownTimeout bounds the graceful stop after SIGINT or SIGTERM.
const shutdownTimeout = 30 * time.Second

func runRun(args []string, stdout, stderr io.Writer) int {
	cfg, problems, err := parseRunConfig(args, os.Getenv, stderr)
	if err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			// The flag package prints its own errors; this one is ours.
			fmt.Fprintf(stderr, "ditstar run: %v\n", err)
		}
		return parseStatus(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal the default handling returns, so that a
		// second SIGINT ends a stop that hangs.
		<-ctx.Done()
		stop()
	}()
	return runIntegration(ctx, cfg, problems, stdout, stderr)
}

func runIntegration(ctx context.Context, cfg *runConfig, problems []string, stdout, stderr io.Writer) int {
	level := new(slog.LevelVar)
	if cfg.logLevel >= debugLogLevel {
		level.Set(slog.LevelDebug)
	}
	log := newLogger(stderr, cfg.logFormat, level)

	p, problems, err := prepare(cfg, problems)
	if len(problems) > 0 {
		return reportError(stderr, "run", &dit.ConfigError{Problems: problems})
	}
	if err != nil {
		return reportError(stderr, "run", err)
	}
	if p.configFile != "" {
		log.Info("read the instance configuration", "file", p.configFile)
	} else {
		log.Info("no instance configuration file; using the defaults of the fields")
	}
	for _, w := range p.pkg.Warnings() {
		log.Warn("package metadata: " + w)
	}
	if info, err := os.Stat(cfg.pkgPath); cfg.watch && err == nil && !info.IsDir() {
		log.Warn("--watch has no effect on a .dit file, which is read once; run the package folder to reload on change", "package", cfg.pkgPath)
	}

	ledgerAddr, party, stopLedger, err := connectTarget(cfg, p, log)
	if err != nil {
		return reportError(stderr, "run", err)
	}
	defer stopLedger()

	catalog := lf.NewCatalog()
	for _, dar := range p.dars {
		for _, pkg := range dar.Packages {
			if err := catalog.Add(pkg); err != nil {
				return reportError(stderr, "run", fmt.Errorf("load package %s of %s: %w", pkg.ID, dar.File, err))
			}
		}
	}
	cl, err := client.Dial(ctx, client.Config{
		Address:   ledgerAddr,
		CAFile:    cfg.caFile,
		Token:     cfg.token,
		TokenFile: cfg.tokenFile,
		Party:     party,
		UserID:    cfg.applicationID,
		Catalog:   catalog,
		Logger:    log.With("component", "ledger-client"),
	})
	if err != nil {
		return reportError(stderr, "run", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := cl.Close(closeCtx); err != nil {
			log.Warn("closing the ledger connection failed", "error", err)
		}
	}()

	instanceID := cfg.instanceID
	if instanceID == "" {
		instanceID = p.itype.ID
	}
	registry := prometheus.NewRegistry()
	rt, err := newRuntime(cfg, p, cl, instanceID, registry, log, level)
	if err != nil {
		return reportError(stderr, "run", err)
	}
	srv, err := httpd.New(httpd.Options{
		InstanceID:  instanceID,
		Integration: rt,
		Auth: httpd.AuthOptions{
			JWKSURL:       cfg.jwksURL,
			JWKSFile:      cfg.jwksFile,
			PublicKeyFile: cfg.publicKey,
			LedgerID:      cfg.ledgerID,
		},
		MaxBodyBytes: cfg.maxBodyBytes,
		Registry:     registry,
		Logger:       log.With("component", "http"),
	})
	if err != nil {
		return reportError(stderr, "run", err)
	}
	lis, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return reportError(stderr, "run", fmt.Errorf("listen on %s: %w; choose another address with --listen", cfg.listen, err))
	}

	summary := summaryInfo{
		itype: p.itype, ledger: describeLedger(cfg, ledgerAddr, len(p.dars)),
		serverURL: "http://" + lis.Addr().String(), instanceID: instanceID,
	}
	return serveUntilStopped(ctx, cfg, rt, srv, lis, summary, log, stdout, stderr)
}

// newRuntime creates the integration runtime with the run settings.
func newRuntime(cfg *runConfig, p *prepared, cl *client.Client, instanceID string, registry *prometheus.Registry, log *slog.Logger, level *slog.LevelVar) (*integration.Runtime, error) {
	limits := interp.DefaultLimits()
	if cfg.handlerTime > 0 {
		limits.Timeout = cfg.handlerTime
	}
	if cfg.maxSteps > 0 {
		limits.MaxSteps = cfg.maxSteps
	}
	rt, err := integration.New(integration.Options{
		Package:    p.pkg,
		TypeID:     p.itype.ID,
		Config:     p.values,
		InstanceID: instanceID,
		Client:     cl,
		Limits:     limits,
		QueueSize:  cfg.queueSize,
		Logger:     log,
		LogLevel:   level,
		Registry:   registry,
		Watch:      cfg.watch,
	})
	if err != nil {
		return nil, err
	}
	if cfg.logLevel != 0 {
		if err := rt.SetLogLevel(cfg.logLevel); err != nil {
			return nil, err
		}
	}
	return rt, nil
}

// serveUntilStopped runs the integration and the HTTP server until ctx ends
// or either fails, and prints the summary once the integration is running.
// On a signal it stops the HTTP server first, so that webhook requests in
// flight get their answer from a runtime that is still running, and then
// stops the runtime.
func serveUntilStopped(ctx context.Context, cfg *runConfig, rt *integration.Runtime, srv *httpd.Server, lis net.Listener,
	summary summaryInfo, log *slog.Logger, stdout, stderr io.Writer) int {
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(lis) }()
	httpStopped := false
	stopHTTP := func() {
		if httpStopped {
			return
		}
		httpStopped = true
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Warn("HTTP server shutdown failed", "error", err)
		}
	}
	defer stopHTTP()

	runCtx, stopRuntime := context.WithCancel(context.Background())
	defer stopRuntime()
	runErr := make(chan error, 1)
	go func() { runErr <- rt.Run(runCtx) }()

	select {
	case <-rt.Ready():
		summary.party, summary.status, summary.webhooks = rt.Party(), rt.Status(), rt.Webhooks()
		printSummary(stdout, summary)
		if cfg.addrFile != "" {
			if err := writeFileAtomic(cfg.addrFile, []byte(summary.serverURL+"\n")); err != nil {
				log.Error("writing the address file failed", "file", cfg.addrFile, "error", err)
			}
			// A stale file would point a waiting script at a stopped server.
			defer os.Remove(cfg.addrFile)
		}
	case <-ctx.Done():
		log.Info("stopping before the integration was running")
		stopRuntime()
		<-runErr
		return exitOK
	case err := <-runErr:
		return runFailed(stderr, err)
	case err := <-serveErr:
		stopRuntime()
		<-runErr
		return reportError(stderr, "run", fmt.Errorf("HTTP server: %w", err))
	}

	select {
	case <-ctx.Done():
		log.Info("stopping: finishing HTTP requests, then the integration")
		stopHTTP()
		stopRuntime()
		if err := <-runErr; err != nil {
			return runFailed(stderr, err)
		}
	case err := <-runErr:
		if err == nil {
			err = errors.New("integration stopped unexpectedly")
		}
		return runFailed(stderr, err)
	case err := <-serveErr:
		stopErr := fmt.Errorf("HTTP server stopped: %w", err)
		log.Error("stopping the integration", "error", stopErr)
		stopRuntime()
		<-runErr
		return runFailed(stderr, stopErr)
	}
	log.Info("ditstar run stopped")
	return exitOK
}

func runFailed(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var ce *dit.ConfigError
	if errors.As(err, &ce) {
		return reportError(stderr, "run", err)
	}
	fmt.Fprintf(stderr, "ditstar run: %v\n", err)
	return exitFail
}

// connectTarget returns the ledger address and party to dial. Without
// --ledger it starts the embedded ledger on a loopback port, loads the
// package's DARs and allocates the party. stop releases what it started.
func connectTarget(cfg *runConfig, p *prepared, log *slog.Logger) (addr, party string, stop func(), err error) {
	if cfg.ledger != "" {
		return cfg.ledger, p.party, func() {}, nil
	}
	ledger, err := sandbox.New(sandbox.Options{DARs: p.dars, Logger: log.With("component", "embedded-ledger")})
	if err != nil {
		return "", "", nil, fmt.Errorf("start the embedded ledger: %w", err)
	}
	listenAddr, err := ledger.Listen(cfg.ledgerListen)
	if err != nil && !cfg.ledgerListenSet && errors.Is(err, syscall.EADDRINUSE) {
		// Another ledger or run already serves the default port; a free
		// port keeps this run going, and the summary prints it.
		log.Warn("embedded ledger port busy; serving on a free port instead", "address", cfg.ledgerListen)
		listenAddr, err = ledger.Listen("127.0.0.1:0")
	}
	if err != nil {
		ledger.Stop()
		return "", "", nil, fmt.Errorf("start the embedded ledger on %s: %w (choose another address with --ledger-listen)", cfg.ledgerListen, err)
	}
	// A full party id names a party on another participant, so only its
	// hint is meaningful to the embedded ledger.
	hint, _, _ := strings.Cut(p.party, "::")
	if hint == "" {
		hint = "integration"
	}
	party, err = ledger.AllocateParty(hint)
	if err != nil {
		ledger.Stop()
		// The embedded ledger rejects only a malformed hint, which the
		// configuration gave.
		return "", "", nil, &dit.ConfigError{Problems: []string{
			fmt.Sprintf("party %q: %v; set --party, DAML_LEDGER_PARTY or metadata.runAs to a valid name", hint, err),
		}}
	}
	return listenAddr.String(), party, ledger.Stop, nil
}

func describeLedger(cfg *runConfig, addr string, dars int) string {
	if cfg.ledger != "" {
		return addr
	}
	return fmt.Sprintf("embedded at %s (%d DARs loaded)", addr, dars)
}

func newLogger(w io.Writer, format string, level *slog.LevelVar) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// writeFileAtomic writes data to a temporary file and renames it, so that a
// reader polling for path never reads it half written.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
