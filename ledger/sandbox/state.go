package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// contract is a contract the ledger created. Every field except archivedAt
// is fixed once the creating transaction is committed, and archivedAt is
// written only under Ledger.mu.
type contract struct {
	id          string
	templateID  *v2.Identifier // the package id the contract was created with
	packageName string
	arguments   *v2.Record // labelled, with record ids where the type is known
	key         *v2.Value  // nil when the template has no computable key
	keyIndex    string     // canonical key for the key index; "" without a key
	signatories []string
	observers   []string
	// stakeholders are the signatories and observers, sorted.
	stakeholders []string
	interfaces   []*v2.Identifier // the interfaces the template implements
	createdAt    int64            // offset of the creating transaction
	createdTime  time.Time
	workflowID   string // of the creating transaction
	nodeID       int32
	archivedAt   int64 // offset of the archiving transaction; 0 while active
}

func (c *contract) activeAt(offset int64) bool {
	return c.createdAt <= offset && (c.archivedAt == 0 || c.archivedAt > offset)
}

func (c *contract) isStakeholder(party string) bool {
	_, ok := slices.BinarySearch(c.stakeholders, party)
	return ok
}

// node is one action of a committed transaction: a create or an exercise.
type node struct {
	id       int32
	contract *contract
	// The fields below are set for an exercise only.
	exercise       bool
	choice         string
	choiceArgument *v2.Value
	interfaceID    *v2.Identifier // set when the choice was exercised through an interface
	consuming      bool
	actingParties  []string
	result         *v2.Value
	// witnesses are the parties that see an exercise: the contract's
	// stakeholders and the acting parties for a consuming choice, its
	// signatories and the acting parties otherwise. Sorted.
	witnesses []string
	// transient is set on a create whose contract the same transaction
	// archives; such a contract never enters the active contract set.
	transient bool
	// createdInTransaction is set on a consuming exercise of a contract
	// that the same transaction created.
	createdInTransaction bool
}

// transaction is a committed transaction with the command that caused it.
type transaction struct {
	updateID     string
	offset       int64
	effectiveAt  time.Time
	recordTime   time.Time
	commandID    string
	workflowID   string
	userID       string
	submissionID string
	actAs        []string
	nodes        []*node
	// deduplication is the period the submission was deduplicated over,
	// reported in its completion.
	deduplication time.Duration
}

// party is an allocated party.
type party struct {
	id       string
	metadata map[string]string
}

// user is a Ledger API user with its rights.
type user struct {
	id           string
	primaryParty string
	deactivated  bool
	metadata     map[string]string
	rights       rightSet
}

// rightSet is the set of rights of one user.
type rightSet struct {
	admin             bool
	identityAdmin     bool
	readAsAnyParty    bool
	executeAsAnyParty bool
	actAs             map[string]bool
	readAs            map[string]bool
	executeAs         map[string]bool
}

func (r rightSet) canActAs(p string) bool  { return r.actAs[p] }
func (r rightSet) canReadAs(p string) bool { return r.readAsAnyParty || r.actAs[p] || r.readAs[p] }

// dedupEntry records a successful submission of one change id.
type dedupEntry struct {
	offset       int64
	recordTime   time.Time
	updateID     string
	submissionID string
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUpdateID returns an update id in the form Canton uses: a multihash of
// a SHA-256 digest, "1220" followed by 64 hex digits.
func newUpdateID() string { return "1220" + randomHex(32) }

// newContractID returns a contract id in the form of Canton's V1 contract
// ids: "00", a 32-byte discriminator and a 2-byte suffix, in hex.
func newContractID() string { return "00" + randomHex(34) }
