// Package builtins holds the Starlark modules that integration scripts use
// and the conversion between Starlark values and the Go value model of
// ledger/lf.
//
// Each module is one file: json, datetime, time, math, base64, hashlib,
// hmac, uuid, http, decimal, logging, the ledger commands, the webhook
// responses, and (written by the runtime) events, env and request values.
// Modules returns them keyed by the Python module path a script imports
// ("json", "daml_dit_if.api", "dazl", ...), and Predeclared returns the
// names a script can use without an import. Names and behaviour follow Python's
// standard library and the daml-dit-if framework wherever Starlark allows,
// so that ported scripts need few edits.
//
// Every module reads the outside world only through a Host: its clock, its
// source of randomness, its HTTP client and its logger. A test that gives
// the Host a virtual clock and a seeded reader gets deterministic scripts.
//
// The runtime sets these thread-local values before each handler call:
//
//	ThreadLogger ("ditstar.logger"): a *slog.Logger that already carries the
//	integration and handler attributes. getIntegrationLogger() and the http
//	module's debug log write to it, and fall back to Host.Logger without it.
//
// Blocking builtins (http) read the call's deadline from interp.Context.
package builtins

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ditstar/ditstar/internal/clock"
)

// ThreadLogger is the thread-local key of the *slog.Logger for the handler
// call that runs on the thread.
const ThreadLogger = "ditstar.logger"

// Defaults that apply when a Host field is zero.
const (
	DefaultHTTPTimeout          = 30 * time.Second
	DefaultHTTPMaxResponseBytes = 10 << 20
)

// Host is the script modules' access to the outside world: clock,
// randomness, HTTP client and logger. Zero fields take defaults: the real clock, crypto/rand, a fresh
// http.Client, DefaultHTTPTimeout, DefaultHTTPMaxResponseBytes and
// slog.Default().
type Host struct {
	Clock clock.Clock
	// Rand is the source of uuid.uuid4. Reads are serialised by the Host.
	Rand io.Reader

	HTTPClient *http.Client
	// HTTPTimeout bounds one request unless the script passes timeout=.
	HTTPTimeout time.Duration
	// HTTPMaxResponseBytes is the largest response body a script may read.
	HTTPMaxResponseBytes int64

	// Logger is the root logger for getIntegrationLogger and the http debug
	// log when the thread carries no ThreadLogger.
	Logger *slog.Logger

	randMu sync.Mutex
}

func (h *Host) now() time.Time {
	if h.Clock == nil {
		return time.Now().UTC()
	}
	return h.Clock.Now().UTC()
}

func (h *Host) readRandom(b []byte) error {
	h.randMu.Lock()
	defer h.randMu.Unlock()
	r := h.Rand
	if r == nil {
		r = rand.Reader
	}
	_, err := io.ReadFull(r, b)
	return err
}

func (h *Host) httpClient() *http.Client {
	if h.HTTPClient == nil {
		return &http.Client{}
	}
	return h.HTTPClient
}

func (h *Host) httpTimeout() time.Duration {
	if h.HTTPTimeout <= 0 {
		return DefaultHTTPTimeout
	}
	return h.HTTPTimeout
}

func (h *Host) httpMaxResponseBytes() int64 {
	if h.HTTPMaxResponseBytes <= 0 {
		return DefaultHTTPMaxResponseBytes
	}
	return h.HTTPMaxResponseBytes
}

// logger returns the handler's logger from the thread, or the root logger.
func (h *Host) logger(thread *starlark.Thread) *slog.Logger {
	if thread != nil {
		if l, ok := thread.Local(ThreadLogger).(*slog.Logger); ok && l != nil {
			return l
		}
	}
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

var (
	apiMu    sync.Mutex
	apiNames = map[string]starlark.Value{}
)

// RegisterAPI adds a name to the "daml_dit_if.api" module and to the
// predeclared names, for the parts of the script API that live with the
// runtime (events, env, request helpers). Call it from an init function.
// A registered name replaces a built-in placeholder of the same name, and
// registering one name twice panics because it is a programming error.
func RegisterAPI(name string, v starlark.Value) {
	apiMu.Lock()
	defer apiMu.Unlock()
	if _, dup := apiNames[name]; dup {
		panic(fmt.Sprintf("builtins: RegisterAPI: %q registered twice", name))
	}
	apiNames[name] = v
}

func registeredAPI() starlark.StringDict {
	apiMu.Lock()
	defer apiMu.Unlock()
	d := make(starlark.StringDict, len(apiNames))
	for k, v := range apiNames {
		d[k] = v
	}
	return d
}

// Module paths that Modules returns.
const (
	ModuleAPI  = "daml_dit_if.api"
	ModuleWeb  = "daml_dit_if.main.web"
	ModuleDazl = "dazl"
)

// Modules returns the importable modules, keyed by Python module path, each
// as the names that `from PATH import NAME` binds. Every call builds fresh,
// frozen values.
func Modules(h *Host) map[string]starlark.StringDict {
	web := responseMembers()
	dazl := commandMembers()
	api := starlark.StringDict{
		"getIntegrationLogger": loggerBuiltin(h),
		"AuthorizationLevel":   authorizationLevelModule(),
		// Python scripts import these two classes for type annotations only.
		"IntegrationEnvironment": annotationOnly("IntegrationEnvironment"),
		"IntegrationEvents":      annotationOnly("IntegrationEvents"),
	}
	for k, v := range web {
		api[k] = v
	}
	for k, v := range dazl {
		api[k] = v
	}
	for k, v := range registeredAPI() {
		api[k] = v
	}
	mods := map[string]starlark.StringDict{
		"json":     jsonMembers(),
		"datetime": datetimeMembers(h),
		"time":     timeMembers(h),
		"math":     mathMembers(),
		"base64":   base64Members(),
		"hashlib":  hashlibMembers(),
		"hmac":     hmacMembers(),
		"uuid":     uuidMembers(h),
		"http":     httpMembers(h),
		"decimal":  decimalMembers(),
		ModuleAPI:  api,
		ModuleWeb:  web,
		ModuleDazl: dazl,
	}
	for _, m := range mods {
		m.Freeze()
	}
	return mods
}

// predeclaredModules are the modules a script may use without an import.
var predeclaredModules = []string{"json", "datetime", "time", "math", "base64", "hashlib", "hmac", "uuid", "http", "decimal"}

// Predeclared returns the names every script can use without an import: the
// modules json, datetime, time, math, base64, hashlib, hmac, uuid, http and
// decimal, every name of daml_dit_if.api (commands, responses,
// AuthorizationLevel, getIntegrationLogger and the runtime's names),
// float, int and abs extended to accept a Decimal, and Python's round and
// sum.
func Predeclared(h *Host) starlark.StringDict {
	mods := Modules(h)
	d := starlark.StringDict{}
	for _, name := range predeclaredModules {
		d[name] = &starlarkstruct.Module{Name: name, Members: mods[name]}
	}
	for k, v := range mods[ModuleAPI] {
		d[k] = v
	}
	for k, v := range pythonBuiltins() {
		d[k] = v
	}
	d.Freeze()
	return d
}

// ImportHints returns, for Python modules that scripts cannot import, what
// to use instead, for interp.Options.ImportHints.
func ImportHints() map[string]string {
	return map[string]string{
		"aiohttp":  "the http module",
		"requests": "the http module",
		"urllib":   "the http module",
		"httpx":    "the http module",
		"logging":  "getIntegrationLogger() from daml_dit_if.api",
		"asyncio":  "plain functions, because handlers run one at a time",
		"pytz":     "datetime.timezone with a fixed offset",
		"dateutil": "datetime.fromisoformat or datetime.strptime",
		"os":       "fields of env, which the integration's configuration sets",
		"random":   "uuid.uuid4 for unique ids",
		"re":       "string methods such as split, startswith and replace",
	}
}

// annotationOnly is a placeholder for a Python class that scripts name only
// in type annotations, so that its import line ports unchanged.
type annotationOnly string

func (a annotationOnly) String() string        { return string(a) }
func (a annotationOnly) Type() string          { return "annotation" }
func (a annotationOnly) Freeze()               {}
func (a annotationOnly) Truth() starlark.Bool  { return true }
func (a annotationOnly) Hash() (uint32, error) { return starlark.String(a).Hash() }

// Name returns the class name.
func (a annotationOnly) Name() string { return string(a) }

// CallInternal fails with a message that says what to use instead.
func (a annotationOnly) CallInternal(*starlark.Thread, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return nil, fmt.Errorf("%s is a type name for annotations only, so it cannot be called "+
		"(the entrypoint receives env and events as arguments)", string(a))
}
