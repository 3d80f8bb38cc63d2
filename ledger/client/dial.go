package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/ditstar/ditstar/ledger/lf"
)

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("ledger client is closed")

// Client is a connection to one participant, acting as one party. Its
// methods are safe for concurrent use.
type Client struct {
	conn    *grpc.ClientConn
	log     *slog.Logger
	backoff Backoff
	target  string

	party  string
	actAs  []string
	readAs []string
	userID string

	state    v2.StateServiceClient
	updates  v2.UpdateServiceClient
	commands v2.CommandServiceClient
	packages v2.PackageServiceClient

	pkgMu    sync.Mutex
	catalog  *lf.Catalog
	fetching map[string]*packageFetch
	missing  map[string]error

	// closing is cancelled by Close and stops every stream. inflight counts
	// the running submissions that Close waits for.
	mu       sync.Mutex
	closed   bool
	closing  context.Context
	shutdown context.CancelFunc
	inflight sync.WaitGroup
}

// Dial connects to the participant at cfg.Address and resolves the acting
// party. It fails when the party is unknown to the participant.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	conn, err := Connect(cfg)
	if err != nil {
		return nil, err
	}
	hasToken := cfg.Token != "" || cfg.TokenFile != ""

	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	catalog := cfg.Catalog
	if catalog == nil {
		catalog = lf.NewCatalog()
	}
	closing, shutdown := context.WithCancel(context.Background())
	c := &Client{
		conn:     conn,
		log:      log,
		backoff:  cfg.Backoff.withDefaults(),
		target:   cfg.Address,
		state:    v2.NewStateServiceClient(conn),
		updates:  v2.NewUpdateServiceClient(conn),
		commands: v2.NewCommandServiceClient(conn),
		packages: v2.NewPackageServiceClient(conn),
		catalog:  catalog,
		fetching: map[string]*packageFetch{},
		missing:  map[string]error{},
		closing:  closing,
		shutdown: shutdown,
	}
	if err := c.resolveIdentity(ctx, cfg, hasToken); err != nil {
		shutdown()
		conn.Close()
		return nil, err
	}
	log.Info("connected to ledger", "ledger", cfg.Address, "party", c.party,
		"user_id", c.userID, "read_as", c.readAs)
	return c, nil
}

// Connect opens a connection to cfg.Address with the TLS and token settings
// of cfg, without resolving an identity. Admin tools use it for calls that
// need no party, such as allocating one.
func Connect(cfg Config) (*grpc.ClientConn, error) {
	target, useTLS, err := parseAddress(cfg.Address)
	if err != nil {
		return nil, err
	}
	useTLS = useTLS || cfg.TLS || cfg.CAFile != ""
	opts := []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64 << 20)),
		// Pings find a silently dropped connection. A grpc-go server rejects
		// pings more frequent than every 5 minutes unless configured
		// otherwise (keepalive.EnforcementPolicy), so pings are that rare.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 5 * time.Minute, Timeout: 20 * time.Second}),
	}
	if useTLS {
		tc, err := tlsConfig(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(tc)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	tokens, err := newTokenSource(cfg.Token, cfg.TokenFile)
	if err != nil {
		return nil, err
	}
	if cfg.Token != "" || cfg.TokenFile != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(tokens))
	}
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to ledger %s: %w", cfg.Address, err)
	}
	return conn, nil
}

// maxCAFileBytes caps a CA file. A bundle of every public root is about
// 200 KiB.
const maxCAFileBytes = 4 << 20

func tlsConfig(caFile string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return tc, nil
	}
	info, err := os.Stat(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	// As with token files, a FIFO or device would block or never end.
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("invalid CA file %s: it is a %s, not a regular file", caFile, fileKind(info.Mode()))
	}
	if info.Size() > maxCAFileBytes {
		return nil, fmt.Errorf("invalid CA file %s: it is %d bytes, over the limit of %d", caFile, info.Size(), maxCAFileBytes)
	}
	pem, err := readCapped(caFile, maxCAFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("invalid CA file %s: no PEM certificate found", caFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

// resolveIdentity sets the acting party, the read-as parties and the user id.
// With a token, the token's user (GetUser with an empty id) supplies the
// primary party and the CanActAs and CanReadAs rights. Without one, a
// configured UserID is looked up the same way when no party is configured.
func (c *Client) resolveIdentity(ctx context.Context, cfg Config, hasToken bool) error {
	users := admin.NewUserManagementServiceClient(c.conn)
	c.party, c.userID = cfg.Party, cfg.UserID

	var user *admin.User
	if hasToken || (cfg.Party == "" && cfg.UserID != "") {
		lookup := cfg.UserID
		if hasToken {
			// With a token the participant identifies the user; an explicit
			// id would need admin rights to read another user.
			lookup = ""
		}
		resp, err := users.GetUser(ctx, &admin.GetUserRequest{UserId: lookup})
		switch {
		case err == nil:
			user = resp.GetUser()
		case status.Code(err) == codes.Unauthenticated:
			return fmt.Errorf("resolve the ledger user: the participant rejected the token: %w", err)
		case cfg.Party != "":
			c.log.Warn("ledger user lookup failed; acting as the configured party", "party", cfg.Party, "error", err)
		default:
			return fmt.Errorf("resolve the ledger user: %w; set the party to act as explicitly", err)
		}
	}

	var rightsActAs, rightsReadAs []string
	if user != nil {
		if hasToken && c.userID != "" && c.userID != user.GetId() {
			// Participants reject commands whose user_id is not the token's user.
			c.log.Warn("the configured user id differs from the token's user; sending the token's",
				"configured", c.userID, "token_user", user.GetId())
		}
		if c.userID == "" || hasToken {
			c.userID = user.GetId()
		}
		if c.party == "" {
			c.party = user.GetPrimaryParty()
		}
		resp, err := users.ListUserRights(ctx, &admin.ListUserRightsRequest{UserId: user.GetId()})
		if err != nil {
			return fmt.Errorf("list the rights of ledger user %q: %w", user.GetId(), err)
		}
		for _, r := range resp.GetRights() {
			switch k := r.GetKind().(type) {
			case *admin.Right_CanActAs_:
				rightsActAs = append(rightsActAs, k.CanActAs.GetParty())
			case *admin.Right_CanReadAs_:
				rightsReadAs = append(rightsReadAs, k.CanReadAs.GetParty())
			}
		}
		if c.party == "" && len(rightsActAs) == 1 {
			c.party = rightsActAs[0]
		}
		if c.party == "" {
			return fmt.Errorf("ledger user %q has no primary party and %d CanActAs rights: set the party to act as", user.GetId(), len(rightsActAs))
		}
	}
	if c.party == "" {
		return errors.New("no party to act as: set the party or use a user token whose user has a primary party")
	}
	if c.userID == "" {
		c.userID = DefaultUserID
	}
	c.actAs = []string{c.party}
	// A set, because a participant may list many rights and a linear
	// search per right would be quadratic in their number.
	added := map[string]bool{c.party: true}
	for _, p := range append(rightsReadAs, rightsActAs...) {
		if !added[p] {
			added[p] = true
			c.readAs = append(c.readAs, p)
		}
	}
	if user != nil && !slices.Contains(rightsActAs, c.party) {
		c.log.Warn("ledger user has no CanActAs right for the acting party; submissions may be rejected",
			"user_id", user.GetId(), "party", c.party)
	}
	if slices.Contains(rightsActAs, c.party) {
		// A CanActAs right is taken as proof that the party exists on the
		// participant, because GetParties needs admin rights that users
		// rarely have.
		return nil
	}
	return c.checkPartyKnown(ctx)
}

// checkPartyKnown returns an error unless GetParties reports the acting
// party. GetParties needs admin rights on a participant with authentication,
// so a PERMISSION_DENIED response leaves the check to the first submission.
func (c *Client) checkPartyKnown(ctx context.Context) error {
	parties := admin.NewPartyManagementServiceClient(c.conn)
	resp, err := parties.GetParties(ctx, &admin.GetPartiesRequest{Parties: []string{c.party}})
	if status.Code(err) == codes.PermissionDenied {
		c.log.Warn("cannot check that the party exists on the participant", "party", c.party, "error", err)
		return nil
	}
	if err != nil && status.Code(err) != codes.NotFound {
		return fmt.Errorf("look up party %q: %w", c.party, err)
	}
	for _, d := range resp.GetPartyDetails() {
		if d.GetParty() == c.party {
			return nil
		}
	}
	return fmt.Errorf("party %q is not known to the participant at %s: allocate it or check the party id (hint::fingerprint)", c.party, c.target)
}

// Party returns the acting party.
func (c *Client) Party() string { return c.party }

// ActAs returns the parties that submissions act as: the acting party.
func (c *Client) ActAs() []string { return slices.Clone(c.actAs) }

// ReadAs returns the other parties whose contracts the client reads: the
// CanReadAs and CanActAs rights of the token's user, minus the acting party.
func (c *Client) ReadAs() []string { return slices.Clone(c.readAs) }

// UserID returns the user_id sent on commands.
func (c *Client) UserID() string { return c.userID }

// Conn returns the underlying connection, for services the client does not
// wrap (party and package management).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close cancels every stream, waits for running submissions until ctx ends,
// and closes the connection. Submissions still running when ctx ends fail
// with a cancelled call.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.shutdown()

	done := make(chan struct{})
	go func() {
		c.inflight.Wait()
		close(done)
	}()
	var waitErr error
	select {
	case <-done:
	case <-ctx.Done():
		waitErr = fmt.Errorf("close ledger client: submissions still running: %w", ctx.Err())
	}
	closeErr := c.conn.Close()
	c.log.Info("ledger client closed", "ledger", c.target)
	return errors.Join(waitErr, closeErr)
}

// begin registers a submission with Close. It fails after Close.
func (c *Client) begin() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.inflight.Add(1)
	return nil
}
