package sandbox

import (
	"fmt"
	"slices"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"google.golang.org/grpc/status"

	"github.com/ditstar/ditstar/ledger/lf"
)

// interpretation is the transaction a submission builds before commit.
type interpretation struct {
	l        *Ledger
	sub      *submission
	nodes    []*node
	created  map[string]*contract // created by this transaction
	archived map[string]bool      // archived by this transaction
	// createNodes and keyed index the nodes, so that a submission of many
	// commands takes time linear in their number.
	createNodes map[string]*node     // the create node of each contract created here
	keyed       map[string]*contract // the latest contract created here with each key index
}

// submit runs a submission as one atomic transaction and commits it. On
// error the ledger is unchanged.
func (l *Ledger) submit(cmds *v2.Commands, authUser *user) (*transaction, error) {
	var rights rightSet
	if authUser != nil {
		rights = l.rightsOf(authUser)
	}
	sub, err := newSubmission(cmds, authUser, rights)
	if err != nil {
		return nil, err
	}

	select {
	case <-l.stopped:
		return nil, newf(errShuttingDown, "the ledger is stopping")
	default:
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range append(slices.Clone(sub.actAs), sub.readAs...) {
		if _, ok := l.parties[p]; !ok {
			return nil, newf(errPartyNotKnown, "party %s is not allocated on this participant; allocate it before submitting", p)
		}
	}
	if err := l.checkDuplicate(sub); err != nil {
		return nil, err
	}

	in := &interpretation{l: l, sub: sub, created: map[string]*contract{}, archived: map[string]bool{},
		createNodes: map[string]*node{}, keyed: map[string]*contract{}}
	for i, c := range cmds.GetCommands() {
		if err := in.run(fmt.Sprintf("commands[%d]", i), c); err != nil {
			return nil, err
		}
	}
	return l.commit(in), nil
}

func (in *interpretation) run(path string, c *v2.Command) error {
	switch cmd := c.GetCommand().(type) {
	case *v2.Command_Create:
		_, err := in.create(path+".create", cmd.Create.GetTemplateId(), cmd.Create.GetCreateArguments())
		return err
	case *v2.Command_Exercise:
		e := cmd.Exercise
		k, err := in.fetch(path+".exercise", e.GetContractId())
		if err != nil {
			return err
		}
		return in.exercise(path+".exercise", e.GetTemplateId(), k, e.GetChoice(), e.GetChoiceArgument())
	case *v2.Command_ExerciseByKey:
		e := cmd.ExerciseByKey
		k, err := in.lookupKey(path+".exercise_by_key", e.GetTemplateId(), e.GetContractKey())
		if err != nil {
			return err
		}
		return in.exercise(path+".exercise_by_key", e.GetTemplateId(), k, e.GetChoice(), e.GetChoiceArgument())
	case *v2.Command_CreateAndExercise:
		e := cmd.CreateAndExercise
		k, err := in.create(path+".create_and_exercise", e.GetTemplateId(), e.GetCreateArguments())
		if err != nil {
			return err
		}
		return in.exercise(path+".create_and_exercise", e.GetTemplateId(), k, e.GetChoice(), e.GetChoiceArgument())
	}
	return newf(errMissingField, "%s: the command is empty: set create, exercise, exercise_by_key or create_and_exercise", path)
}

func (in *interpretation) create(path string, tid *v2.Identifier, args *v2.Record) (*contract, error) {
	l := in.l
	ref, err := l.resolveTemplate(path+".template_id", tid)
	if err != nil {
		return nil, err
	}
	if args == nil {
		return nil, newf(errMissingField, "%s.create_arguments is missing", path)
	}
	stored := args
	if ref.template != nil {
		t := ref.template
		value := &v2.Value{Sum: &v2.Value_Record{Record: args}}
		if err := l.packages.catalog.CheckValue(lf.ConType(t.ID), value); err != nil {
			return nil, newf(errPreprocessing, "%s.create_arguments: %v", path, err)
		}
		stored = l.normalizeRecord(t.ID, args)
	}
	// Typed or not, parties must be allocated and values well formed.
	if err := l.checkUntypedRecord(path+".create_arguments", args, 1); err != nil {
		return nil, asInvalid(err)
	}

	k := &contract{
		id:          newContractID(),
		templateID:  ref.id,
		packageName: ref.packageName,
		arguments:   stored,
		interfaces:  ref.interfaces,
		signatories: in.sub.actAs,
	}
	// TODO: evaluate signatories, observers and the ensure clause, which
	// are Daml-LF expressions. Until then the submitting parties are the
	// signatories, every other party in the arguments is an observer, and
	// no ensure clause is checked.
	for _, p := range l.partiesIn(args, ref.template == nil) {
		if _, isSignatory := slices.BinarySearch(k.signatories, p); !isSignatory {
			k.observers = append(k.observers, p)
		}
	}
	k.stakeholders = sortedUnique(append(slices.Clone(k.signatories), k.observers...))

	if ref.template != nil && ref.template.Key != nil {
		if err := in.assignKey(path, ref.template, k); err != nil {
			return nil, err
		}
	}
	n := &node{id: int32(len(in.nodes)), contract: k}
	in.created[k.id] = k
	in.createNodes[k.id] = n
	if k.keyIndex != "" {
		in.keyed[k.keyIndex] = k
	}
	in.nodes = append(in.nodes, n)
	return k, nil
}

// assignKey computes the contract key of k and checks that no active
// contract has it.
func (in *interpretation) assignKey(path string, t *lf.Template, k *contract) error {
	l := in.l
	if t.KeyExpr == nil {
		// TODO: evaluate key expressions that do more than project
		// contract fields; until then such contracts have no key.
		l.logOnceFor("key:"+t.ID.String(), "contract key not computed: its expression is Daml-LF code this ledger does not evaluate", "template", t.ID.String())
		return nil
	}
	key, err := t.KeyExpr.Eval(k.arguments)
	if err != nil {
		return newf(errKeyNotComputable, "%s: compute the key of %s: %v", path, t.ID, err)
	}
	idx, err := keyIndex(k.packageNameOrID(), k.templateID, key)
	if err != nil {
		return newf(errInvalidArgument, "%s: %v", path, err)
	}
	if other := in.activeByKey(idx); other != nil {
		return ledgerError(errDuplicateKey, in.sub.cmds.GetSubmissionId(), map[string]string{"contract_id": other.id},
			"%s: contract %s of %s already has this key; archive it first or use another key", path, other.id, t.ID)
	}
	k.key, k.keyIndex = key, idx
	return nil
}

func (k *contract) packageNameOrID() string {
	if k.packageName != "" {
		return k.packageName
	}
	return k.templateID.GetPackageId()
}

// activeByKey returns the contract that is active with the key, counting
// the creates and archives of this transaction. Only the latest contract
// created here with the key can be active, because creating it required
// every earlier one with that key to be archived.
func (in *interpretation) activeByKey(idx string) *contract {
	if k := in.keyed[idx]; k != nil && !in.archived[k.id] {
		return k
	}
	if k := in.l.keys[idx]; k != nil && !in.archived[k.id] {
		return k
	}
	return nil
}

func (in *interpretation) lookupKey(path string, tid *v2.Identifier, key *v2.Value) (*contract, error) {
	l := in.l
	ref, err := l.resolveTemplate(path+".template_id", tid)
	if err != nil {
		return nil, err
	}
	t := ref.template
	switch {
	case t == nil:
		return nil, newf(errKeyNotComputable, "%s: template %s has no loaded package, so its key is unknown; upload its DAR to exercise by key", path, lf.TemplateIDFromIdentifier(tid))
	case t.Key == nil:
		return nil, newf(errPreprocessing, "%s: template %s has no contract key", path, t.ID)
	case t.KeyExpr == nil:
		return nil, newf(errKeyNotComputable, "%s: the key expression of %s is Daml-LF code this ledger does not evaluate; exercise by contract id instead", path, t.ID)
	case key == nil:
		return nil, newf(errMissingField, "%s.contract_key is missing", path)
	}
	if err := l.packages.catalog.CheckValue(t.Key, key); err != nil {
		return nil, newf(errPreprocessing, "%s.contract_key: %v", path, err)
	}
	idx, err := keyIndex(packageNameOr(ref.packageName, ref.id.GetPackageId()), ref.id, key)
	if err != nil {
		return nil, newf(errInvalidArgument, "%s: %v", path, err)
	}
	k := in.activeByKey(idx)
	if k == nil || !in.visible(k) {
		return nil, newf(errKeyNotFound, "%s: no active contract of %s with this key is visible to the submitting parties", path, t.ID)
	}
	return k, nil
}

func packageNameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// fetch returns the active contract with the id, counting the creates and
// archives of this transaction.
func (in *interpretation) fetch(path, cid string) (*contract, error) {
	if cid == "" {
		return nil, newf(errMissingField, "%s.contract_id is missing", path)
	}
	k := in.created[cid]
	if k == nil {
		k = in.l.byID[cid]
	}
	if k == nil || k.archivedAt != 0 || in.archived[cid] || !in.visible(k) {
		return nil, ledgerError(errContractNotFound, in.sub.cmds.GetSubmissionId(), map[string]string{"contract_id": cid},
			"%s: contract could not be found with id %s: it does not exist, is archived or is not visible to the submitting parties", path, cid)
	}
	return k, nil
}

// visible reports whether a submitting or reading party is a stakeholder.
func (in *interpretation) visible(k *contract) bool {
	for _, p := range in.sub.actAs {
		if k.isStakeholder(p) {
			return true
		}
	}
	for _, p := range in.sub.readAs {
		if k.isStakeholder(p) {
			return true
		}
	}
	return false
}

func (in *interpretation) exercise(path string, tid *v2.Identifier, k *contract, choice string, arg *v2.Value) error {
	l := in.l
	if tid == nil {
		return newf(errMissingField, "%s.template_id is missing", path)
	}
	// A choice is exercised through the contract's template or through an
	// interface the template implements.
	var iface *lf.Interface
	if !sameTemplate(tid, k) {
		iface = l.implementedInterface(tid, k)
		if iface == nil {
			return ledgerError(errWronglyTyped, in.sub.cmds.GetSubmissionId(), map[string]string{"contract_id": k.id},
				"%s: contract %s is of template %s, not %s, and does not implement it", path, k.id, lf.TemplateIDFromIdentifier(k.templateID), lf.TemplateIDFromIdentifier(tid))
		}
	}
	if choice == "" {
		return newf(errMissingField, "%s.choice is missing", path)
	}
	if arg == nil {
		return newf(errMissingField, "%s.choice_argument is missing", path)
	}

	n := &node{exercise: true, contract: k, choice: choice, actingParties: in.sub.actAs, choiceArgument: arg}
	tmplID := lf.TemplateIDFromIdentifier(k.templateID)
	if t, ok := l.packages.catalog.Template(tmplID); ok {
		ch, err := l.packages.catalog.Choice(t.ID, choice)
		if iface != nil {
			n.interfaceID = iface.ID.Identifier()
			ch, err = l.packages.catalog.Choice(iface.ID, choice)
		}
		if err != nil {
			return newf(errPreprocessing, "%s: %v", path, err)
		}
		if err := l.packages.catalog.CheckValue(ch.ArgType, arg); err != nil {
			return newf(errPreprocessing, "%s.choice_argument: %v", path, err)
		}
		n.choiceArgument = l.normalizeValue(ch.ArgType, arg)
		n.consuming = ch.Consuming
		if ch.ReturnType != nil && ch.ReturnType.Kind == lf.TypeUnit {
			n.result = &v2.Value{Sum: &v2.Value_Unit{}}
		}
		// TODO: evaluate choice bodies, which are Daml-LF code. Until then a
		// consuming choice only archives the contract, and a result other
		// than Unit is left empty.
		l.logOnceFor("choice:"+t.ID.String()+":"+choice, "choice body not evaluated: the exercise only archives a consuming choice's contract", "template", t.ID.String(), "choice", choice)
	} else {
		if choice != "Archive" {
			return newf(errPreprocessing, "%s: template %s has no loaded package, so Archive is its only choice, not %q", path, tmplID, choice)
		}
		if !isEmptyArgument(arg) {
			return newf(errPreprocessing, "%s.choice_argument: Archive takes an empty record", path)
		}
		n.consuming = true
		n.result = &v2.Value{Sum: &v2.Value_Unit{}}
	}
	if err := l.checkUntyped(path+".choice_argument", arg, 1); err != nil {
		return asInvalid(err)
	}

	witnesses := slices.Clone(k.signatories)
	if n.consuming {
		witnesses = slices.Clone(k.stakeholders)
		in.archived[k.id] = true
		n.createdInTransaction = in.created[k.id] != nil
		if c := in.createNodes[k.id]; c != nil {
			c.transient = true
		}
	}
	n.witnesses = sortedUnique(append(witnesses, in.sub.actAs...))
	n.id = int32(len(in.nodes))
	in.nodes = append(in.nodes, n)
	return nil
}

// implementedInterface returns the interface id names when k's template
// implements it, and nil otherwise.
func (l *Ledger) implementedInterface(id *v2.Identifier, k *contract) *lf.Interface {
	iface, ok := l.packages.catalog.Interface(lf.TemplateIDFromIdentifier(id))
	if !ok {
		return nil
	}
	for _, impl := range k.interfaces {
		if sameIdentifier(impl, iface.ID.Identifier()) {
			return iface
		}
	}
	return nil
}

func isEmptyArgument(v *v2.Value) bool {
	switch s := v.GetSum().(type) {
	case *v2.Value_Unit:
		return true
	case *v2.Value_Record:
		return len(s.Record.GetFields()) == 0
	}
	return false
}

// asInvalid turns a plain validation error into INVALID_ARGUMENT and keeps
// a gRPC status error as it is.
func asInvalid(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	return newf(errPreprocessing, "%v", err)
}

// commit appends the interpreted transaction to the ledger and wakes the
// streams. The caller holds l.mu.
func (l *Ledger) commit(in *interpretation) *transaction {
	now := l.clock.Now().UTC().Truncate(time.Microsecond)
	offset := int64(len(l.txs)) + 1
	cmds := in.sub.cmds
	tx := &transaction{
		updateID:      newUpdateID(),
		offset:        offset,
		effectiveAt:   now,
		recordTime:    now,
		commandID:     cmds.GetCommandId(),
		workflowID:    cmds.GetWorkflowId(),
		userID:        in.sub.userID,
		submissionID:  cmds.GetSubmissionId(),
		actAs:         in.sub.actAs,
		nodes:         in.nodes,
		deduplication: in.sub.dedupDuration,
	}

	for _, n := range in.nodes {
		k := n.contract
		if !n.exercise {
			k.createdAt, k.createdTime, k.nodeID, k.workflowID = offset, now, n.id, tx.workflowID
			l.contracts = append(l.contracts, k)
			l.byID[k.id] = k
			if k.keyIndex != "" {
				l.keys[k.keyIndex] = k
			}
		}
	}
	for cid := range in.archived {
		k := l.byID[cid]
		k.archivedAt = offset
		if k.keyIndex != "" && l.keys[k.keyIndex] == k {
			delete(l.keys, k.keyIndex)
		}
	}

	l.txs = append(l.txs, tx)
	l.txByID[tx.updateID] = tx
	l.dedup[in.sub.changeID] = dedupEntry{offset: offset, recordTime: now, updateID: tx.updateID, submissionID: tx.submissionID}
	l.end.Store(offset)
	close(l.wake)
	l.wake = make(chan struct{})
	return tx
}
