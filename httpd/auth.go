package httpd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/julienschmidt/httprouter"

	"github.com/ditstar/ditstar/integration"
)

// AuthOptions configure token verification. At most one key source may be
// set: JWKSURL, JWKSFile or PublicKeyFile. With none, every route that needs
// a token returns 401 no_authorization_support.
type AuthOptions struct {
	// JWKSURL is an http or https URL serving a JWKS (DABL_JWKS_URL).
	JWKSURL string
	// JWKSFile is a local JWKS file, for self-hosting.
	JWKSFile string
	// PublicKeyFile is a local PEM file of public keys or certificates, for
	// self-hosting. Tokens signed with it need no kid.
	PublicKeyFile string
	// LedgerID must equal the ledgerId of Daml custom claims (DABL_LEDGER_ID).
	// Default "cloudbox".
	LedgerID string
	// RefreshInterval is the minimum time between two reloads of the keys
	// caused by a token with an unknown kid. Default 30s.
	RefreshInterval time.Duration
	// PollInterval is the time between scheduled reloads of the keys.
	// Default 5m.
	PollInterval time.Duration
	// FetchTimeout bounds one fetch of the JWKS URL. Default 10s.
	FetchTimeout time.Duration
	// Leeway is the clock skew allowed when checking exp, nbf and iat.
	// Default 30s.
	Leeway time.Duration
	// HTTPClient fetches the JWKS URL. Its redirect policy is replaced so
	// that redirects are never followed. Default: a client with no timeout
	// of its own, bounded by FetchTimeout.
	HTTPClient *http.Client
}

// Defaults applied to zero fields of AuthOptions.
const (
	DefaultLedgerID        = "cloudbox"
	DefaultRefreshInterval = 30 * time.Second
	DefaultPollInterval    = 5 * time.Minute
	DefaultFetchTimeout    = 10 * time.Second
	DefaultLeeway          = 30 * time.Second
)

// damlClaimsKey is the claim that contains Daml custom ledger claims.
const damlClaimsKey = "https://daml.com/ledger-api"

// Values that mark a user token: the scope, or the prefix of an audience.
const (
	userTokenScope       = "daml_ledger_api"
	participantAudPrefix = "https://daml.com/jwt/aud/participant/"
)

// acceptedAlgorithms are the only JWS algorithms accepted. "none" and the
// HMAC algorithms are absent, so a public key can never serve as an HMAC
// secret.
var acceptedAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// authenticator verifies tokens against one key source.
type authenticator struct {
	keys     *keyStore // nil when no key source is configured
	ledgerID string
	leeway   time.Duration
	now      func() time.Time
}

// principal is the caller that a valid token identifies.
type principal struct {
	user    string // sub of a user token, "" for Daml custom claims
	actAs   []string
	readAs  []string
	parties []string // actAs then readAs, without repeats
}

// authError is an authentication failure and its JSON error response.
type authError struct {
	status      int
	code        string
	description string
}

func (e *authError) Error() string { return e.code + ": " + e.description }

func unauthorized(code, description string) *authError {
	return &authError{status: http.StatusUnauthorized, code: code, description: description}
}

func invalidToken(format string, args ...any) *authError {
	return &authError{status: http.StatusForbidden, code: "invalid_token", description: "invalid token: " + fmt.Sprintf(format, args...)}
}

// newAuthenticator checks opts and starts polling the key source until ctx
// is done. Key files are read before it returns, but a JWKS URL is fetched
// in the background.
func newAuthenticator(ctx context.Context, opts AuthOptions, log *slog.Logger) (*authenticator, error) {
	var problems []string
	set := 0
	for _, v := range []string{opts.JWKSURL, opts.JWKSFile, opts.PublicKeyFile} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		problems = append(problems, "more than one key source: set only one of JWKSURL, JWKSFile and PublicKeyFile")
	}
	problems = append(problems, checkDurations("auth ",
		namedDuration{"RefreshInterval", opts.RefreshInterval}, namedDuration{"PollInterval", opts.PollInterval},
		namedDuration{"FetchTimeout", opts.FetchTimeout}, namedDuration{"Leeway", opts.Leeway})...)
	if opts.JWKSURL != "" {
		u, err := url.Parse(opts.JWKSURL)
		if err != nil {
			problems = append(problems, fmt.Sprintf("invalid JWKS URL: %v", err))
		} else if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("invalid JWKS URL %q: want an absolute http or https URL", u.Redacted()))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid auth options: %s", strings.Join(problems, "; "))
	}
	applyAuthDefaults(&opts)

	a := &authenticator{ledgerID: opts.LedgerID, leeway: opts.Leeway, now: time.Now}
	if set == 0 {
		log.Warn("no token key source configured: routes that need a token return 401")
		return a, nil
	}
	store := &keyStore{
		byKid:           true,
		refreshInterval: opts.RefreshInterval,
		fetchTimeout:    opts.FetchTimeout,
		log:             log,
	}
	switch {
	case opts.JWKSURL != "":
		u, _ := url.Parse(opts.JWKSURL)
		store.source = "JWKS URL " + u.Redacted()
		store.load = jwksFetcher(opts.HTTPClient, opts.JWKSURL)
		go store.refresh(ctx, true)
	case opts.JWKSFile != "":
		store.source = "JWKS file " + opts.JWKSFile
		store.load = jwksFileLoader(opts.JWKSFile)
	default:
		store.source = "public key file " + opts.PublicKeyFile
		store.load = pemFileLoader(opts.PublicKeyFile)
		store.byKid = false
	}
	if opts.JWKSURL == "" {
		keys, err := store.load(ctx)
		if err != nil {
			return nil, err
		}
		store.keys = keys
		store.lastAttempt = time.Now()
	}
	go store.poll(ctx, opts.PollInterval)
	a.keys = store
	log.Info("token verification enabled", "source", store.source)
	return a, nil
}

func applyAuthDefaults(o *AuthOptions) {
	if o.LedgerID == "" {
		o.LedgerID = DefaultLedgerID
	}
	if o.RefreshInterval == 0 {
		o.RefreshInterval = DefaultRefreshInterval
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.FetchTimeout == 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	if o.Leeway == 0 {
		o.Leeway = DefaultLeeway
	}
}

// tokenFromRequest returns the bearer token of the Authorization header, or
// else of the access_token query parameter.
func tokenFromRequest(r *http.Request) (string, *authError) {
	if header := r.Header.Get("Authorization"); header != "" {
		scheme, token, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", unauthorized("invalid_auth_scheme", "the Authorization header must use the Bearer scheme: Authorization: Bearer <token>")
		}
		token = strings.TrimSpace(token)
		if token == "" {
			return "", unauthorized("missing_token", "the Authorization header has the Bearer scheme but no token")
		}
		return token, nil
	}
	if token := r.URL.Query().Get("access_token"); token != "" {
		return token, nil
	}
	return "", unauthorized("missing_token", "missing access token: send Authorization: Bearer <token> or the access_token query parameter")
}

// extraClaims are the claims that jwt.Claims does not cover.
type extraClaims struct {
	Scope json.RawMessage `json:"scope"`
	Daml  *damlClaims     `json:"https://daml.com/ledger-api"`
}

// damlClaims are the Daml custom ledger claims.
type damlClaims struct {
	LedgerID      string   `json:"ledgerId"`
	ParticipantID string   `json:"participantId"`
	ApplicationID string   `json:"applicationId"`
	Admin         bool     `json:"admin"`
	ActAs         []string `json:"actAs"`
	ReadAs        []string `json:"readAs"`
}

// verify checks the token's signature, times and ledger claims. exp, nbf
// and iat are checked only when present, so a token without exp does not
// expire. Daml custom claims must name this ledger in ledgerId, and a
// missing ledgerId is rejected too.
func (a *authenticator) verify(ctx context.Context, token string) (*principal, *authError) {
	tok, err := jwt.ParseSigned(token, acceptedAlgorithms)
	if err != nil {
		return nil, invalidToken("malformed token or unsupported algorithm (want RS256, ES256 or EdDSA): %v", err)
	}
	if len(tok.Headers) != 1 {
		return nil, invalidToken("want exactly one signature, got %d", len(tok.Headers))
	}
	header := tok.Headers[0]
	alg := jose.SignatureAlgorithm(header.Algorithm)
	if a.keys.byKid && header.KeyID == "" {
		return nil, invalidToken("missing kid in the token header")
	}
	keys := a.keys.find(ctx, header.KeyID, alg)
	if len(keys) == 0 {
		if a.keys.byKid {
			return nil, invalidToken("no %s key with kid %q in the %s", alg, header.KeyID, a.keys.source)
		}
		return nil, invalidToken("no %s key in the %s", alg, a.keys.source)
	}

	var std jwt.Claims
	var extra extraClaims
	err = errors.New("no key tried")
	for _, k := range keys {
		std, extra = jwt.Claims{}, extraClaims{}
		if err = tok.Claims(k.key, &std, &extra); err == nil {
			break
		}
	}
	if err != nil {
		return nil, invalidToken("signature or claims rejected: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Time: a.now()}, a.leeway); err != nil {
		return nil, invalidToken("%v", timeError(err))
	}

	if d := extra.Daml; d != nil {
		if d.LedgerID != a.ledgerID {
			return nil, unauthorized("unauthorized", fmt.Sprintf("token ledgerId %q does not match this ledger %q", d.LedgerID, a.ledgerID))
		}
		return newPrincipal("", d.ActAs, d.ReadAs), nil
	}
	scopes, err := parseScope(extra.Scope)
	if err != nil {
		return nil, invalidToken("%v", err)
	}
	isUser := slices.Contains(scopes, userTokenScope) ||
		slices.ContainsFunc(std.Audience, func(aud string) bool { return strings.HasPrefix(aud, participantAudPrefix) })
	if std.Subject == "" || !isUser {
		return nil, unauthorized("missing_ledger_claims",
			"token has neither Daml ledger claims ("+damlClaimsKey+") nor a user id (sub) with scope "+userTokenScope)
	}
	return &principal{user: std.Subject}, nil
}

// timeError rewords go-jose's time validation errors.
func timeError(err error) string {
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return "token has expired (exp)"
	case errors.Is(err, jwt.ErrNotValidYet):
		return "token is not valid yet (nbf)"
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return "token is issued in the future (iat)"
	}
	return err.Error()
}

// parseScope reads a scope claim given as a space-separated string or as a
// list of strings.
func parseScope(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.Fields(s), nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("scope claim is neither a string nor a list of strings")
	}
	return list, nil
}

func newPrincipal(user string, actAs, readAs []string) *principal {
	p := &principal{user: user, actAs: actAs, readAs: readAs, parties: []string{}}
	for _, party := range slices.Concat(actAs, readAs) {
		if !slices.Contains(p.parties, party) {
			p.parties = append(p.parties, party)
		}
	}
	return p
}

// authenticate checks the request against level. On failure it sends the
// error response and returns false. It returns a nil principal for public
// routes.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, level integration.AuthLevel) (*principal, bool) {
	if level == integration.AuthPublic {
		return nil, true
	}
	p, aerr := s.authorize(r, level)
	if aerr != nil {
		s.metrics.authFailures.WithLabelValues(aerr.code).Inc()
		s.log.Debug("request not authorized", "integration", s.opts.InstanceID, "path", r.URL.Path,
			"status", aerr.status, "code", aerr.code, "reason", aerr.description)
		if aerr.status == http.StatusServiceUnavailable {
			writeBusy(w, aerr.code, aerr.description)
		} else {
			writeError(w, aerr.status, aerr.code, aerr.description)
		}
		return nil, false
	}
	return p, true
}

func (s *Server) authorize(r *http.Request, level integration.AuthLevel) (*principal, *authError) {
	if s.auth.keys == nil {
		return nil, unauthorized("no_authorization_support",
			"this server has no token key source configured, so only public routes are served: set a JWKS URL, JWKS file or public key file")
	}
	token, aerr := tokenFromRequest(r)
	if aerr != nil {
		return nil, aerr
	}
	p, aerr := s.auth.verify(r.Context(), token)
	if aerr != nil {
		return nil, aerr
	}
	if p.user != "" {
		if aerr := s.resolveUser(r.Context(), p); aerr != nil {
			return nil, aerr
		}
	}
	if level == integration.AuthIntegrationParty {
		party := s.integ.Party()
		if party == "" {
			return nil, &authError{status: http.StatusServiceUnavailable, code: "not_ready",
				description: "the integration's party is not known yet: retry after start-up"}
		}
		if !slices.Contains(p.actAs, party) || !slices.Contains(p.readAs, party) {
			return nil, unauthorized("unauthorized",
				fmt.Sprintf("token actAs and readAs must both contain the integration party %q", party))
		}
	}
	return p, nil
}

// resolveUser fills in the parties of a user token from the ledger's user
// rights, when the integration can read them.
func (s *Server) resolveUser(ctx context.Context, p *principal) *authError {
	resolver, ok := s.integ.(UserPartyResolver)
	if !ok {
		p.parties = []string{}
		return nil
	}
	actAs, readAs, err := resolver.UserParties(ctx, p.user)
	if err != nil {
		s.log.Warn("reading user rights failed", "integration", s.opts.InstanceID, "user", p.user, "error", err)
		return &authError{status: http.StatusServiceUnavailable, code: "user_rights_unavailable",
			description: fmt.Sprintf("cannot read the rights of user %q: %v", p.user, err)}
	}
	*p = *newPrincipal(p.user, actAs, readAs)
	return nil
}

// authenticated wraps handle so that it runs only for requests that pass
// level.
func (s *Server) authenticated(level integration.AuthLevel, handle func(http.ResponseWriter, *http.Request, httprouter.Params, *principal)) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		p, ok := s.authenticate(w, r, level)
		if !ok {
			return
		}
		handle(w, r, ps, p)
	}
}
