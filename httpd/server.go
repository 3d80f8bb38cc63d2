package httpd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ditstar/ditstar/integration"
)

// Integration is the runtime that the server exposes. *integration.Runtime
// implements it. Every method may be called from many goroutines at once.
type Integration interface {
	Status() integration.Status
	// Webhooks returns the current webhook routes. It is called on every
	// request, so it should be cheap.
	Webhooks() []integration.Webhook
	HandleWebhook(ctx context.Context, index int, req *integration.WebhookRequest) (*integration.WebhookResponse, error)
	// Party returns the party the integration runs as, or "" before it is known.
	Party() string
	LogLevel() int
	SetLogLevel(level int) error
}

// UserPartyResolver is implemented by an Integration that can read a ledger
// user's rights. The server uses it to find the parties of a user token
// (one with "sub" and scope daml_ledger_api), because such a token names no
// party. Without it, a user token passes ANY_PARTY routes with no parties and
// fails INTEGRATION_PARTY routes.
type UserPartyResolver interface {
	UserParties(ctx context.Context, userID string) (actAs, readAs []string, err error)
}

// Options configure a Server. Every zero field gets the default named in its
// comment, except InstanceID and Integration, which are required.
type Options struct {
	// InstanceID is the {id} path segment of /integration/{id}.
	InstanceID  string
	Integration Integration
	Auth        AuthOptions

	// MaxBodyBytes caps request bodies, and a larger body gets 413. Default 1 MiB.
	MaxBodyBytes int64
	// MaxHeaderBytes caps the request line and headers, and net/http returns
	// 431 beyond it. Default 64 KiB.
	MaxHeaderBytes int
	// ReadTimeout bounds reading a whole request, headers and body. Default 30s.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of the response. A webhook whose handler has not returned by 90% of it
	// gets 503. Default 60s.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for the next
	// request. Default 120s.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds Shutdown when its context has no deadline.
	// Default 30s.
	ShutdownTimeout time.Duration
	// MaxWaiting is the maximum number of webhook requests in flight or
	// waiting for their turn. Requests beyond it get 503 with Retry-After.
	// Default 100.
	MaxWaiting int

	// Registry receives the HTTP metrics and is served on /metrics. The
	// runtime registers its own metrics there too. Default: a new registry.
	Registry *prometheus.Registry
	// Logger receives the access log and server events. Default slog.Default().
	Logger *slog.Logger
}

// Defaults applied by New to zero fields of Options.
const (
	DefaultMaxBodyBytes    = 1 << 20
	DefaultMaxHeaderBytes  = 64 << 10
	DefaultReadTimeout     = 30 * time.Second
	DefaultWriteTimeout    = 60 * time.Second
	DefaultIdleTimeout     = 120 * time.Second
	DefaultShutdownTimeout = 30 * time.Second
	DefaultMaxWaiting      = 100
)

// Server is the HTTP server of one integration instance.
type Server struct {
	opts     Options
	integ    Integration
	log      *slog.Logger
	auth     *authenticator
	metrics  *httpMetrics
	routes   *routeTable
	waiting  chan struct{} // one token per webhook request in flight or waiting
	handler  http.Handler
	http     *http.Server
	stopOnce sync.Once
	stop     context.CancelFunc // stops key polling
}

// New checks opts, applies the defaults and returns a server that is not yet
// listening. A key file given in opts.Auth is read now, so a bad file is an
// error here. A JWKS URL is fetched in the background.
func New(opts Options) (*Server, error) {
	var problems []string
	if opts.Integration == nil {
		problems = append(problems, "missing Integration")
	}
	if opts.InstanceID == "" {
		problems = append(problems, "missing InstanceID: set the integration instance id used in /integration/{id}")
	} else if strings.ContainsAny(opts.InstanceID, "/?#:*") {
		problems = append(problems, fmt.Sprintf("invalid InstanceID %q: it is one path segment and must not contain '/', '?', '#', ':' or '*'", opts.InstanceID))
	}
	problems = append(problems, checkDurations("",
		namedDuration{"ReadTimeout", opts.ReadTimeout}, namedDuration{"WriteTimeout", opts.WriteTimeout},
		namedDuration{"IdleTimeout", opts.IdleTimeout}, namedDuration{"ShutdownTimeout", opts.ShutdownTimeout})...)
	if opts.MaxBodyBytes < 0 || opts.MaxHeaderBytes < 0 || opts.MaxWaiting < 0 {
		problems = append(problems, "invalid limit: MaxBodyBytes, MaxHeaderBytes and MaxWaiting must be positive, or 0 for the default")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("httpd: invalid options: %s", strings.Join(problems, "; "))
	}
	applyDefaults(&opts)

	ctx, stop := context.WithCancel(context.Background())
	auth, err := newAuthenticator(ctx, opts.Auth, opts.Logger)
	if err != nil {
		stop()
		return nil, fmt.Errorf("httpd: %w", err)
	}
	metrics, err := newHTTPMetrics(opts.Registry)
	if err != nil {
		stop()
		return nil, fmt.Errorf("httpd: %w", err)
	}
	s := &Server{
		opts:    opts,
		integ:   opts.Integration,
		log:     opts.Logger,
		auth:    auth,
		metrics: metrics,
		waiting: make(chan struct{}, opts.MaxWaiting),
		stop:    stop,
	}
	s.routes = newRouteTable(s)
	s.handler = s.observe(s.routes)
	s.http = &http.Server{
		Handler:           s.handler,
		ReadTimeout:       opts.ReadTimeout,
		ReadHeaderTimeout: opts.ReadTimeout,
		WriteTimeout:      opts.WriteTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    opts.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// namedDuration is a duration option and its field name.
type namedDuration struct {
	name  string
	value time.Duration
}

// checkDurations returns a problem for each negative duration.
func checkDurations(prefix string, options ...namedDuration) []string {
	var problems []string
	for _, o := range options {
		if o.value < 0 {
			problems = append(problems, fmt.Sprintf("invalid %s%s %v: want a positive duration, or 0 for the default", prefix, o.name, o.value))
		}
	}
	return problems
}

func applyDefaults(o *Options) {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxHeaderBytes == 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.MaxWaiting == 0 {
		o.MaxWaiting = DefaultMaxWaiting
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Handler returns the server's routes with metrics and the access log, for
// use under another http.Server or httptest. The body cap and the webhook
// deadline apply here too, but the read, write and idle timeouts and the
// header cap apply only through Serve.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve accepts connections on lis until Shutdown. It returns nil after
// Shutdown and the listener's error otherwise.
func (s *Server) Serve(lis net.Listener) error {
	s.log.Info("http server started", "integration", s.opts.InstanceID, "address", lis.Addr().String())
	err := s.http.Serve(lis)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	s.log.Error("http server failed", "integration", s.opts.InstanceID, "error", err)
	return fmt.Errorf("httpd: serve on %s: %w", lis.Addr(), err)
}

// Shutdown stops accepting connections, waits for requests in flight to
// finish, and stops key polling. When ctx has no deadline it waits at most
// ShutdownTimeout. It returns ctx's error if requests were still running.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(s.stop)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.ShutdownTimeout)
		defer cancel()
	}
	err := s.http.Shutdown(ctx)
	if err != nil {
		s.log.Warn("http server shutdown did not finish", "integration", s.opts.InstanceID, "error", err)
		return fmt.Errorf("httpd: shutdown: %w", err)
	}
	s.log.Info("http server stopped", "integration", s.opts.InstanceID)
	return nil
}
