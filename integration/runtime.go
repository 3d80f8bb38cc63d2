// Package integration is the ditstar runtime. It loads one integration type
// of a package, runs its entrypoint once so that every handler is
// registered, and then delivers ledger events, webhook requests, timer ticks
// and queue messages to those handlers, submitting the commands they return.
//
// The model:
//
//   - One handler call at a time. Starlark values are not safe to share
//     between threads and handlers share state through the entrypoint's
//     variables, so every call (and the submission of its result) holds the
//     runtime's single turn. Ledger events are delivered in ledger order.
//   - Start-up order. The entrypoint runs first; then the active contract set
//     is read at one offset, ledger_init handlers run, each contract_created
//     registration with sweep=True receives the matching active contracts in
//     registration order (initial=True), ledger_ready handlers run, and the
//     update stream continues from exactly that offset. Nothing is delivered
//     twice or missed, and only then is the runtime running.
//   - One bounded FIFO (Options.QueueSize) carries timer ticks and queue
//     messages. A put into a full queue fails and a tick that finds it full
//     is skipped; both are counted.
//   - Timers are never re-entrant: the next interval starts when the previous
//     tick's handler has finished.
//   - Each handler call's commands go to the ledger as one atomic submission
//     with a fresh command id. A handler that fails is counted and logged
//     with its script backtrace, and the runtime keeps running.
//
// Runtime implements what httpd serves; the shared types are in api.go.
package integration

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/internal/clock"
	"github.com/ditstar/ditstar/interp"
	"github.com/ditstar/ditstar/ledger/client"
)

// Defaults for zero Options fields.
const (
	// DefaultQueueSize is the capacity of the timer and queue FIFO, the
	// default of DABL_QUEUE_SIZE in the Python framework.
	DefaultQueueSize = 512
	// DefaultCommandTimeout bounds one submission, retries included, when a
	// handler does not set command_timeout; the Python framework's default.
	DefaultCommandTimeout = 30 * time.Second
	// DefaultWebhookWait is how long a webhook request waits for its turn
	// before HandleWebhook returns ErrBusy.
	DefaultWebhookWait = 30 * time.Second
	// DefaultMaxWebhookWaiting is the maximum number of webhook requests
	// waiting for their turn. HandleWebhook rejects more with ErrBusy at once.
	DefaultMaxWebhookWaiting = 256
	// DefaultWatchInterval is how often --watch looks for changed scripts.
	DefaultWatchInterval = time.Second
)

// Options configures a Runtime. Package, Client and TypeID (when the package
// has several types) are required; every other zero field takes a default.
type Options struct {
	Package *dit.Package
	TypeID  string
	// Config holds the field values from int_args.yaml, by field id.
	Config     map[string]string
	InstanceID string
	// Client is connected; its Party() is the integration's party.
	Client *client.Client
	// Clock drives timers and the scripts' time; a Virtual clock in tests.
	Clock clock.Clock
	// Limits bound each handler call; zero means interp.DefaultLimits().
	Limits interp.Limits
	// QueueSize is the FIFO capacity (DABL_QUEUE_SIZE).
	QueueSize int
	// HTTPClient is the client of the scripts' http module.
	HTTPClient *http.Client
	// Rand is the scripts' source of randomness (uuid).
	Rand     io.Reader
	Logger   *slog.Logger
	LogLevel *slog.LevelVar
	// Registry receives the runtime's metrics; nil registers none.
	Registry *prometheus.Registry
	// Watch reloads the scripts when a file of the package changes.
	Watch bool
	// WatchInterval is how often Watch compares the files.
	WatchInterval time.Duration
	// WebhookWait and MaxWebhookWaiting bound webhook requests waiting for
	// their turn; beyond either HandleWebhook returns ErrBusy.
	WebhookWait       time.Duration
	MaxWebhookWaiting int
	// WorkflowID is set on every submission; empty means the instance id.
	WorkflowID string
}

// Runtime runs one integration instance. Create it with New and start it
// with Run; its other methods are safe for concurrent use.
type Runtime struct {
	opts    Options
	log     *slog.Logger
	clock   clock.Clock
	client  *client.Client
	itype   *dit.IntegrationType
	file    string
	fn      string
	fields  map[string]any
	model   *builtins.DamlModelInfo
	host    *builtins.Host
	metrics *metrics

	// turn is held by the one handler call that may run.
	turn chan struct{}
	fifo *fifo

	// gen is the handler set of the current script; swapped under the turn.
	gen atomic.Pointer[generation]
	// genCount numbers generations for logs and stale timer ticks.
	genCount atomic.Int64
	// reloaded signals the timer loops that the generation changed.
	reloaded chan struct{}
	// loading is set while an entrypoint runs.
	loading atomic.Bool

	// contracts maps the contract ids seen on the ledger to their
	// templates, so that exercise(cid, ...) can name the template as the
	// Ledger API requires. Accessed only while holding the turn.
	contracts map[string]contractInfo

	// templateWarnings holds the template references whose name-only
	// match has been logged, so that each is logged once.
	templateWarnings sync.Map

	statusMu  sync.Mutex
	running   bool
	startTime time.Time
	errMsg    *string
	errTime   *time.Time
	logLevel  int

	ready     chan struct{}
	readyOnce sync.Once
	started   atomic.Bool
	// done is closed when Run has returned, after a stop or a failed start.
	done chan struct{}

	webhookWaiting atomic.Int64
	// pendingWork counts the received transactions and the timer ticks that
	// have not yet been handled, for Idle.
	pendingWork atomic.Int64
	inflight    sync.WaitGroup
}

// New reads the integration type, its entrypoint and field values from the
// package and prepares the runtime. Invalid configuration is a
// *dit.ConfigError listing every problem. The script is loaded by Run.
func New(opts Options) (*Runtime, error) {
	if opts.Package == nil || opts.Package.Meta == nil {
		return nil, errors.New("integration: Options.Package is required")
	}
	if opts.Client == nil {
		return nil, errors.New("integration: Options.Client is required")
	}
	itype, err := opts.Package.Type(opts.TypeID)
	if err != nil {
		return nil, err
	}
	fields, err := itype.ResolveFields(opts.Config)
	if err != nil {
		return nil, err
	}
	file, fn, err := itype.Entrypoint(opts.Package.FS)
	if err != nil {
		return nil, &dit.ConfigError{Problems: []string{err.Error()}}
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Limits == (interp.Limits{}) {
		opts.Limits = interp.DefaultLimits()
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.LogLevel == nil {
		opts.LogLevel = new(slog.LevelVar)
	}
	if opts.WatchInterval <= 0 {
		opts.WatchInterval = DefaultWatchInterval
	}
	if opts.WebhookWait <= 0 {
		opts.WebhookWait = DefaultWebhookWait
	}
	if opts.MaxWebhookWaiting <= 0 {
		opts.MaxWebhookWaiting = DefaultMaxWebhookWaiting
	}
	if opts.WorkflowID == "" {
		opts.WorkflowID = opts.InstanceID
	}
	log := opts.Logger.With("integration", opts.InstanceID, "type", itype.ID)
	r := &Runtime{
		opts:      opts,
		log:       log,
		clock:     opts.Clock,
		client:    opts.Client,
		itype:     itype,
		file:      file,
		fn:        fn,
		fields:    fields,
		model:     damlModelInfo(opts.Package),
		turn:      make(chan struct{}, 1),
		fifo:      newFIFO(opts.QueueSize),
		contracts: map[string]contractInfo{},
		ready:     make(chan struct{}),
		reloaded:  make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	r.host = &builtins.Host{
		Clock:      opts.Clock,
		Rand:       opts.Rand,
		HTTPClient: opts.HTTPClient,
		Logger:     log,
	}
	r.logLevel = levelNumber(opts.LogLevel.Level())
	r.metrics = newMetrics(opts.Registry, r)
	return r, nil
}

func damlModelInfo(p *dit.Package) *builtins.DamlModelInfo {
	m := p.Meta.DamlModel
	if m == nil {
		return nil
	}
	return &builtins.DamlModelInfo{Name: m.Name, Version: m.Version, MainPackageID: m.MainPackageID}
}

// Party returns the party the integration acts as.
func (r *Runtime) Party() string { return r.client.Party() }

// Ready returns a channel that is closed once the start-up sequence has
// finished and the runtime is running.
func (r *Runtime) Ready() <-chan struct{} { return r.ready }

// StartupError is the error Run returns when the integration could not
// start because its entrypoint failed or the ledger could not be read. The
// status then keeps running false and the message.
type StartupError struct {
	Err error
}

func (e *StartupError) Error() string { return "integration failed to start: " + e.Err.Error() }
func (e *StartupError) Unwrap() error { return e.Err }

// Run loads the script, runs its entrypoint, reads the ledger in the
// start-up order of the package documentation, and then delivers events
// until ctx ends. It then stops gracefully: it accepts no new events,
// finishes the handler call in flight and waits for its submission, and
// returns nil. A start-up failure returns a *StartupError and leaves the
// status at running false with the error; the HTTP server may keep serving
// it. Run may be called once.
func (r *Runtime) Run(ctx context.Context) error {
	if !r.started.CompareAndSwap(false, true) {
		return errors.New("integration: Run called twice")
	}
	defer close(r.done)
	r.statusMu.Lock()
	r.startTime = r.clock.Now()
	r.statusMu.Unlock()
	r.log.Info("integration starting", "entrypoint", r.file+":"+r.fn, "party", r.Party())

	// The digest is taken before the load so that a change made while the
	// script loads still triggers a reload.
	var digest [sha256.Size]byte
	if r.opts.Watch {
		digest = r.scriptDigest()
	}
	gen, err := r.loadGeneration(ctx)
	if err != nil {
		return r.startupFailed(err)
	}
	r.gen.Store(gen)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var workers sync.WaitGroup

	streamErr := make(chan error, 1)
	workers.Add(1)
	go func() {
		defer workers.Done()
		streamErr <- r.streamLedger(runCtx)
	}()

	select {
	case <-r.ready:
	case err := <-streamErr:
		cancel()
		workers.Wait()
		if ctx.Err() != nil {
			return nil
		}
		return r.startupFailed(err)
	}

	workers.Add(1)
	go func() {
		defer workers.Done()
		r.runQueue(runCtx)
	}()
	workers.Add(1)
	go func() {
		defer workers.Done()
		r.runTimers(runCtx)
	}()
	if r.opts.Watch {
		workers.Add(1)
		go func() {
			defer workers.Done()
			r.watch(runCtx, digest)
		}()
	}

	var result error
	select {
	case <-ctx.Done():
	case err := <-streamErr:
		if ctx.Err() == nil && err != nil {
			r.log.Error("ledger stream stopped; stopping the integration", "error", err)
			r.recordRuntimeError(err)
			result = fmt.Errorf("integration stopped: %w", err)
		}
	}
	r.log.Info("integration stopping")
	cancel()
	workers.Wait()
	r.inflight.Wait()
	r.setRunning(false)
	r.log.Info("integration stopped")
	return result
}

func (r *Runtime) startupFailed(err error) error {
	r.log.Error("integration failed to start", "error", err)
	r.recordRuntimeError(err)
	r.setRunning(false)
	return &StartupError{Err: err}
}

func (r *Runtime) markReady() {
	r.readyOnce.Do(func() {
		r.setRunning(true)
		r.log.Info("integration running")
		close(r.ready)
	})
}

// acquire takes the turn, or returns false when ctx ends first.
func (r *Runtime) acquire(ctx context.Context) bool {
	select {
	case r.turn <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *Runtime) release() { <-r.turn }
