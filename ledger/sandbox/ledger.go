package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"

	"github.com/ditstar/ditstar/internal/clock"
	"github.com/ditstar/ditstar/ledger/lf"
)

// Defaults of Options.
const (
	// DefaultMaxRecvMsgSize is large enough for a DAR upload, which carries
	// a whole archive in one message.
	DefaultMaxRecvMsgSize = 64 << 20
	// DefaultStreamBuffer is how many transactions a stream subscriber may
	// fall behind the ledger end before it is cut off.
	DefaultStreamBuffer = 1024
	// DefaultParticipantID names the participant when Options leaves it empty.
	DefaultParticipantID = "sandbox"
	// MaxDeduplicationDuration is the longest deduplication period a
	// submission may request, and the period used when it requests none.
	MaxDeduplicationDuration = 7 * 24 * time.Hour
)

// Options configure a Ledger. The zero value is a schemaless, open ledger.
type Options struct {
	DARs []*lf.DAR // loaded at start
	// Schemaless accepts templates of packages the ledger does not have,
	// without type checks. It is also on when no DAR is loaded at start.
	Schemaless     bool
	Clock          clock.Clock // record time; default clock.Real{}
	Auth           *AuthConfig // nil: every request is allowed
	Logger         *slog.Logger
	MaxRecvMsgSize int // bytes; default DefaultMaxRecvMsgSize
	// ParticipantID is the participant's name, default DefaultParticipantID.
	// GetParticipantId reports it as "name::namespace", and party ids end
	// in the same namespace.
	ParticipantID string
	// StreamBuffer is how many transactions a GetUpdates or
	// CompletionStream subscriber may fall behind the ledger end. A
	// subscriber further behind is cut off with ABORTED and can resume from
	// its last offset. Default DefaultStreamBuffer.
	StreamBuffer int
}

// Ledger is an in-memory Daml participant serving the Ledger API v2.
type Ledger struct {
	log           *slog.Logger
	clock         clock.Clock
	schemaless    bool
	participantID string
	namespace     string // party namespace: "1220" and the hex SHA-256 of the participant id
	streamBuffer  int
	auth          *authenticator
	server        *grpc.Server

	stopOnce sync.Once
	stopped  chan struct{}

	// mu guards everything below. Submissions, reads and stream catch-up
	// take it; no gRPC send happens while it is held.
	mu        sync.RWMutex
	txs       []*transaction // index i holds offset i+1
	txByID    map[string]*transaction
	contracts []*contract // in creation order
	byID      map[string]*contract
	keys      map[string]*contract // active contracts by canonical key
	parties   map[string]*party
	order     []string // party ids in allocation order
	users     map[string]*user
	dedup     map[string]dedupEntry
	packages  *packageStore
	// wake is closed and replaced at every commit so that streams waiting
	// for new transactions run again.
	wake chan struct{}

	// end is the ledger end, also readable without mu so that streams can
	// measure their lag while sending.
	end atomic.Int64

	logOnce sync.Map // messages logged once, by key
}

// New returns a ledger with the DARs of opts loaded. It serves nothing
// until Serve or Listen.
func New(opts Options) (*Ledger, error) {
	l := &Ledger{
		log:           opts.Logger,
		clock:         opts.Clock,
		schemaless:    opts.Schemaless || len(opts.DARs) == 0,
		participantID: opts.ParticipantID,
		streamBuffer:  opts.StreamBuffer,
		stopped:       make(chan struct{}),
		txByID:        map[string]*transaction{},
		byID:          map[string]*contract{},
		keys:          map[string]*contract{},
		parties:       map[string]*party{},
		users:         map[string]*user{},
		dedup:         map[string]dedupEntry{},
		packages:      newPackageStore(),
		wake:          make(chan struct{}),
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.clock == nil {
		l.clock = clock.Real{}
	}
	if l.participantID == "" {
		l.participantID = DefaultParticipantID
	}
	if l.streamBuffer <= 0 {
		l.streamBuffer = DefaultStreamBuffer
	}
	maxRecv := opts.MaxRecvMsgSize
	if maxRecv <= 0 {
		maxRecv = DefaultMaxRecvMsgSize
	}
	sum := sha256.Sum256([]byte(l.participantID))
	l.namespace = "1220" + hex.EncodeToString(sum[:])
	l.users[adminUserID] = &user{id: adminUserID, rights: rightSet{admin: true}}

	if opts.Auth != nil {
		a, err := newAuthenticator(opts.Auth, l.clock)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		l.auth = a
	}
	for _, d := range opts.DARs {
		if err := l.UploadDAR(d); err != nil {
			return nil, fmt.Errorf("sandbox: load dar %s: %w", d.File, err)
		}
	}
	if l.schemaless {
		l.log.Warn("sandbox runs schemaless: templates without a loaded package are accepted without type checks")
	}

	l.server = grpc.NewServer(
		grpc.MaxRecvMsgSize(maxRecv),
		grpc.ChainUnaryInterceptor(l.unaryInterceptor),
		grpc.ChainStreamInterceptor(l.streamInterceptor),
	)
	l.register(l.server)
	return l, nil
}

// adminUserID is the user that exists on every participant, with the
// ParticipantAdmin right, as on Canton.
const adminUserID = "participant_admin"

// Serve serves the Ledger API on lis until Stop and then returns nil.
func (l *Ledger) Serve(lis net.Listener) error {
	l.log.Info("sandbox serving", "address", lis.Addr().String(), "participant_id", l.ParticipantID())
	err := l.server.Serve(lis)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// Listen listens on addr ("127.0.0.1:0" picks a free port) and serves in
// the background. It returns the address it listens on.
func (l *Ledger) Listen(addr string) (net.Addr, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	go func() {
		if err := l.Serve(lis); err != nil {
			l.log.Error("sandbox stopped serving", "address", lis.Addr().String(), "error", err)
		}
	}()
	return lis.Addr(), nil
}

// Stop ends every open stream with UNAVAILABLE, lets unary calls in
// progress finish and stops serving. It waits at most 5 seconds for them.
func (l *Ledger) Stop() {
	l.stopOnce.Do(func() {
		close(l.stopped)
		done := make(chan struct{})
		go func() {
			l.server.GracefulStop()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			l.server.Stop()
		}
		l.log.Info("sandbox stopped", "ledger_end", l.end.Load())
	})
}

// ParticipantID returns the participant id that GetParticipantId reports.
func (l *Ledger) ParticipantID() string { return l.participantID + "::" + l.namespace }

// partyHint matches the party id hints Canton accepts: letters, digits and
// "-", "_", " " and ":", at most 185 characters.
var partyHint = regexp.MustCompile(`^[A-Za-z0-9_\- :]{1,185}$`)

// AllocateParty allocates the party "hint::<namespace>" and returns its id.
// Allocating a hint again returns the same id. An empty hint gets a
// generated one.
func (l *Ledger) AllocateParty(hint string) (string, error) {
	id, _, err := l.allocateParty(hint, nil, "")
	return id, err
}

// allocateParty allocates the party of hint and, when userID is set, grants
// that user CanActAs on it. It checks the user before allocating, so a
// request naming an unknown user allocates nothing.
func (l *Ledger) allocateParty(hint string, metadata map[string]string, userID string) (string, bool, error) {
	if hint == "" {
		hint = "party-" + randomHex(8)
	}
	if !partyHint.MatchString(hint) || containsDoubleColon(hint) {
		return "", false, fmt.Errorf("invalid party id hint %q: use 1 to 185 letters, digits, '-', '_', ' ' or ':', without '::'", hint)
	}
	id := hint + "::" + l.namespace
	l.mu.Lock()
	defer l.mu.Unlock()
	if userID != "" {
		if err := checkUserID(userID); err != nil {
			return "", false, err
		}
		if l.users[userID] == nil {
			return "", false, newf(errUserNotFound, "user %q does not exist: create it before allocating a party for it, or leave user_id empty", userID)
		}
		right := &admin.Right{Kind: &admin.Right_CanActAs_{CanActAs: &admin.Right_CanActAs{Party: id}}}
		if err := l.grantLocked(userID, []*admin.Right{right}); err != nil {
			return "", false, err
		}
	}
	if _, ok := l.parties[id]; ok {
		return id, false, nil
	}
	l.parties[id] = &party{id: id, metadata: metadata}
	l.order = append(l.order, id)
	l.log.Info("party allocated", "party", id)
	return id, true, nil
}

func containsDoubleColon(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ':' {
			return true
		}
	}
	return false
}

// UploadDAR loads every package of d; the templates of those packages are
// type checked from then on. Loading a package twice is a no-op.
func (l *Ledger) UploadDAR(d *lf.DAR) error {
	if d == nil || len(d.Packages) == 0 {
		return errors.New("upload dar: the dar has no packages")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	added := l.packages.add(d, l.clock.Now())
	l.log.Info("dar loaded", "dar", d.File, "main_package_id", d.MainPackageID, "packages_added", added)
	return nil
}

// logOnceFor logs msg at Info once for each key.
func (l *Ledger) logOnceFor(key, msg string, args ...any) {
	if _, loaded := l.logOnce.LoadOrStore(key, true); !loaded {
		l.log.Info(msg, args...)
	}
}
