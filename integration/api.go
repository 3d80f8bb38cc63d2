package integration

import (
	"errors"
	"net/http"
	"net/url"
	"time"
)

// AuthLevel is who may call a webhook route.
type AuthLevel int

const (
	// AuthPublic routes need no token.
	AuthPublic AuthLevel = iota
	// AuthAnyParty routes need a valid token for this ledger.
	AuthAnyParty
	// AuthIntegrationParty routes need a valid token whose actAs and readAs
	// both contain the party the integration runs as.
	AuthIntegrationParty
)

// String returns the name scripts use for the level (PUBLIC, ANY_PARTY,
// INTEGRATION_PARTY).
func (a AuthLevel) String() string {
	switch a {
	case AuthPublic:
		return "PUBLIC"
	case AuthAnyParty:
		return "ANY_PARTY"
	case AuthIntegrationParty:
		return "INTEGRATION_PARTY"
	}
	return "UNKNOWN"
}

// Webhook is one registered webhook route.
type Webhook struct {
	// Index identifies the handler in HandleWebhook and in the status document.
	Index  int
	Method string // GET or POST
	// Suffix is the handler's url_suffix as an httprouter pattern relative to
	// /integration/{id}, for example "" or "/orders/:id".
	Suffix string
	// Params checks the parameter values of a matched route. It is nil
	// when no parameter has a regular expression.
	Params *RouteParams
	Auth   AuthLevel
	Label  string
}

// WebhookRequest is an inbound HTTP request after authentication.
type WebhookRequest struct {
	Method string
	Path   string
	Header http.Header
	Query  url.Values
	// Params holds the route parameters matched by the Suffix pattern.
	Params map[string]string
	Body   []byte
	// Parties are the parties of the authenticated token: nil on public routes.
	Parties []string
}

// WebhookResponse is the HTTP response sent back to the caller.
type WebhookResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// ErrBusy is returned by HandleWebhook when too many requests already wait
// for their turn. The HTTP server responds with 503 and Retry-After.
var ErrBusy = errors.New("integration busy: too many requests waiting")

// Status is the status document served on healthz and status.
type Status struct {
	Running         bool            `json:"running"`
	StartTime       time.Time       `json:"start_time"`
	ErrorMessage    *string         `json:"error_message"`
	ErrorTime       *time.Time      `json:"error_time"`
	PendingEvents   int             `json:"pending_events"`
	EventQueue      QueueStatus     `json:"event_queue"`
	Webhooks        []HandlerStatus `json:"webhooks"`
	LedgerEvents    []HandlerStatus `json:"ledger_events"`
	Timers          []HandlerStatus `json:"timers"`
	Queues          []HandlerStatus `json:"queues"`
	LogLevel        int             `json:"log_level"`
	LogLevelOptions []LogLevelLabel `json:"log_level_options"`
	// Self is the URL of this document; the HTTP server fills it in.
	Self string `json:"_self"`
}

// QueueStatus describes the bounded FIFO that timer ticks and queue
// messages pass through.
type QueueStatus struct {
	QueueSize     int   `json:"queue_size"`
	TotalEvents   int64 `json:"total_events"`
	PendingEvents int   `json:"pending_events"`
	SkippedEvents int64 `json:"skipped_events"`
}

// HandlerStatus holds one handler's counters. Fields that apply only to one
// kind of handler are omitted for the others.
type HandlerStatus struct {
	Index        int        `json:"index"`
	Label        string     `json:"label"`
	CommandCount int64      `json:"command_count"`
	UseCount     int64      `json:"use_count"`
	ErrorCount   int64      `json:"error_count"`
	ErrorMessage *string    `json:"error_message"`
	ErrorTime    *time.Time `json:"error_time"`
	// Webhooks only.
	URLPath string `json:"url_path,omitempty"`
	Method  string `json:"method,omitempty"`
	// Ledger event handlers only.
	TemplateID   string `json:"template_id,omitempty"`
	SweepEnabled *bool  `json:"sweep_enabled,omitempty"`
	FlowEnabled  *bool  `json:"flow_enabled,omitempty"`
}

// LogLevelLabel is one choice offered for the log level.
type LogLevelLabel struct {
	Label string `json:"label"`
	Value int    `json:"value"`
}
