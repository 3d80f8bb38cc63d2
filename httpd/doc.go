// Package httpd serves an integration over HTTP: its webhook routes, the
// health, status and log-level control routes, Prometheus metrics, and JWT
// authentication of callers.
//
// Routes, for an instance id ID:
//
//	GET, HEAD  /healthz, /status                    internal, no token
//	POST       /log-level                           internal, no token
//	GET, HEAD  /integration/ID/healthz, .../status  any party of the ledger
//	POST       /integration/ID/log-level            any party of the ledger
//	GET, HEAD  /metrics                             Prometheus text format
//	GET, POST  /integration/ID + url_suffix         as the webhook declares
//
// Webhook routes come from [Integration.Webhooks] on every request, so a
// script reload that changes them takes effect without a restart. A control
// route wins over a webhook route with the same path.
//
// Every error response is a JSON object {"code": ..., "description": ...}.
// Authentication failures return 401 with the code no_authorization_support,
// invalid_auth_scheme, missing_token, missing_ledger_claims or unauthorized,
// or 403 invalid_token for a token that is malformed, badly signed, expired
// or signed by an unknown key.
package httpd
