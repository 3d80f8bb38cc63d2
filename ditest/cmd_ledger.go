package ditest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
)

// submitTimeout bounds one create, exercise or archive line, retries
// included.
const submitTimeout = 10 * time.Second

// actingParty returns the party of an -as flag, or the integration's party
// when the flag is empty.
func (tc *testCase) actingParty(as, name string) (string, error) {
	if as != "" {
		return tc.partyID(as)
	}
	if tc.party != "" {
		return tc.party, nil
	}
	return "", usagef("%s needs a party: add -as PARTY, or start the integration first to act as its party", name)
}

// template resolves a template argument against the loaded DARs, with the
// integration's model as the default package. A package-id:Module:Entity
// reference to a package that no loaded DAR contains is returned as it is,
// because the embedded ledger runs schemaless without DARs.
func (tc *testCase) template(ref string) (lf.TemplateID, error) {
	if tc.pkgPath != "" || tc.hasSection("dit-meta.yaml") || tc.hasSection("dabl-meta.yaml") {
		if err := tc.openPackage(); err != nil {
			return lf.TemplateID{}, err
		}
	}
	ids, err := tc.catalog.Resolve(ref, tc.defaultPkg)
	if err != nil {
		parsed, perr := lf.ParseTemplateID(ref)
		if perr == nil && parsed.PackageID != "" {
			if _, known := tc.catalog.Package(parsed.PackageID); !known {
				return parsed, nil
			}
		}
		return lf.TemplateID{}, usagef("%v", err)
	}
	if len(ids) != 1 {
		return lf.TemplateID{}, usagef("template %q names %d templates; name one", ref, len(ids))
	}
	return ids[0], nil
}

// submit sends one command as party and returns the committed
// transaction. With negate it expects the ledger to reject the command.
func (tc *testCase) submit(party string, cmd *v2.Command, negate bool) (*v2.Transaction, error) {
	c, err := tc.dial(party)
	if err != nil {
		return nil, err
	}
	tx, err := c.Submit(tc.ctx, client.Submission{
		WorkflowID: testWorkflowID,
		Commands:   []*v2.Command{cmd},
		Timeout:    submitTimeout,
	})
	switch {
	case negate && err == nil:
		return nil, failf("expected the ledger to reject the command, got transaction at offset %d", tx.GetOffset())
	case negate:
		tc.logger.Info("command rejected as expected", "error", err)
		return nil, nil
	case err != nil:
		return nil, failf("the ledger rejected the command: %v", err)
	}
	tc.noteContracts(tx)
	return tx, nil
}

// noteContracts records the templates of the contracts a transaction
// created, so that exercise can name them.
func (tc *testCase) noteContracts(tx *v2.Transaction) {
	for _, ev := range tx.GetEvents() {
		if c := ev.GetCreated(); c != nil {
			tc.contract[c.GetContractId()] = lf.TemplateIDFromIdentifier(c.GetTemplateId())
		}
	}
}

// cmdCreate implements `create [-as PARTY] NAME TEMPLATE JSON`.
func cmdCreate(tc *testCase, negate bool, args []string) error {
	var as string
	rest, err := flags("create", args, func(fs *flag.FlagSet) { fs.StringVar(&as, "as", "", "acting party") })
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 3, 3, "create [-as PARTY] NAME TEMPLATE JSON"); err != nil {
		return err
	}
	name, ref, argText := rest[0], rest[1], rest[2]
	if err := tc.checkContractName(name); err != nil {
		return err
	}

	party, err := tc.actingParty(as, "create")
	if err != nil {
		return err
	}
	tid, err := tc.template(ref)
	if err != nil {
		return err
	}
	arg, err := lf.ParseJSONValue(argText)
	if err != nil {
		return usagef("%v", err)
	}
	record, err := tc.encodeCreate(tid, arg)
	if err != nil {
		return usagef("%v", err)
	}

	tx, err := tc.submit(party, &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId: tid.Identifier(), CreateArguments: record,
	}}}, negate)
	if err != nil || tx == nil {
		return err
	}
	cid := firstCreated(tx)
	if cid == "" {
		return failf("the transaction at offset %d created no contract visible to %s", tx.GetOffset(), party)
	}
	return tc.bind(name, cid)
}

func firstCreated(tx *v2.Transaction) string {
	for _, ev := range tx.GetEvents() {
		if c := ev.GetCreated(); c != nil {
			return c.GetContractId()
		}
	}
	return ""
}

// contractID returns the id of a contract argument: a bound name or an id.
func (tc *testCase) contractID(arg string) (string, error) {
	if id, ok := tc.vars[arg]; ok && !strings.Contains(id, "::") {
		return id, nil
	}
	if _, ok := tc.contract[arg]; ok {
		return arg, nil
	}
	if len(arg) > 2 && strings.HasPrefix(arg, "00") {
		return arg, nil
	}
	return "", usagef("unknown contract %q: bind a name with create or bind first", arg)
}

// templateOf returns the template of a contract, reading the active
// contracts of party when the test has not seen the contract.
func (tc *testCase) templateOf(cid, party string) (lf.TemplateID, error) {
	if tid, ok := tc.contract[cid]; ok {
		return tid, nil
	}
	created, err := tc.activeContracts(party, nil)
	if err != nil {
		return lf.TemplateID{}, err
	}
	for _, c := range created {
		if c.GetContractId() == cid {
			return lf.TemplateIDFromIdentifier(c.GetTemplateId()), nil
		}
	}
	return lf.TemplateID{}, failf("contract %s is not active for %s", tc.render(cid), tc.render(party))
}

// cmdExercise implements `exercise [-as PARTY] CONTRACT CHOICE [JSON]`.
// The embedded ledger does not evaluate choice bodies, so an exercise
// creates no contract that a name could be bound to.
func cmdExercise(tc *testCase, negate bool, args []string) error {
	var as string
	rest, err := flags("exercise", args, func(fs *flag.FlagSet) { fs.StringVar(&as, "as", "", "acting party") })
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 2, 3, "exercise [-as PARTY] CONTRACT CHOICE [JSON]"); err != nil {
		return err
	}
	argText := "{}"
	if len(rest) == 3 {
		argText = rest[2]
	}
	_, err = tc.exercise(as, rest[0], rest[1], argText, negate)
	return err
}

// cmdArchive implements `archive [-as PARTY] CONTRACT`.
func cmdArchive(tc *testCase, negate bool, args []string) error {
	var as string
	rest, err := flags("archive", args, func(fs *flag.FlagSet) { fs.StringVar(&as, "as", "", "acting party") })
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 1, 1, "archive [-as PARTY] CONTRACT"); err != nil {
		return err
	}
	_, err = tc.exercise(as, rest[0], "Archive", "{}", negate)
	return err
}

func (tc *testCase) exercise(as, contract, choice, argText string, negate bool) (*v2.Transaction, error) {
	party, err := tc.actingParty(as, "exercise")
	if err != nil {
		return nil, err
	}
	cid, err := tc.contractID(contract)
	if err != nil {
		return nil, err
	}
	tid, err := tc.templateOf(cid, party)
	if err != nil {
		return nil, err
	}
	arg, err := lf.ParseJSONValue(argText)
	if err != nil {
		return nil, usagef("%v", err)
	}
	value, err := tc.encodeChoiceArg(tid, choice, arg)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return tc.submit(party, &v2.Command{Command: &v2.Command_Exercise{Exercise: &v2.ExerciseCommand{
		TemplateId: tid.Identifier(), ContractId: cid, Choice: choice, ChoiceArgument: value,
	}}}, negate)
}

// activeContracts reads the active contracts visible to party, of the
// template tid, or of every template when tid is nil, in ledger order.
func (tc *testCase) activeContracts(party string, tid *lf.TemplateID) ([]*v2.CreatedEvent, error) {
	end, err := tc.ledgerEnd()
	if err != nil {
		return nil, err
	}
	filters := &v2.Filters{Cumulative: []*v2.CumulativeFilter{{
		IdentifierFilter: &v2.CumulativeFilter_WildcardFilter{WildcardFilter: &v2.WildcardFilter{}},
	}}}
	if tid != nil {
		filters = &v2.Filters{Cumulative: []*v2.CumulativeFilter{{
			IdentifierFilter: &v2.CumulativeFilter_TemplateFilter{TemplateFilter: &v2.TemplateFilter{TemplateId: tid.Identifier()}},
		}}}
	}
	ctx, cancel := context.WithTimeout(tc.ctx, 10*time.Second)
	defer cancel()
	stream, err := v2.NewStateServiceClient(tc.conn).GetActiveContracts(ctx, &v2.GetActiveContractsRequest{
		ActiveAtOffset: end,
		EventFormat: &v2.EventFormat{
			FiltersByParty: map[string]*v2.Filters{party: filters},
			Verbose:        true,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("read the active contracts: %w", err)
	}
	var out []*v2.CreatedEvent
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the active contracts: %w", err)
		}
		if ac := resp.GetActiveContract(); ac != nil {
			c := ac.GetCreatedEvent()
			tc.contract[c.GetContractId()] = lf.TemplateIDFromIdentifier(c.GetTemplateId())
			out = append(out, c)
		}
	}
}

// contractLine renders an active contract as acs shows it: the contract
// id, then the arguments as JSON.
func (tc *testCase) contractLine(c *v2.CreatedEvent) string {
	return c.GetContractId() + " " + renderRecord(c.GetCreateArguments())
}

// acsQuery is the result of reading the active contracts of one template
// for acs and cmp acs.
type acsQuery struct {
	lines []string // one per contract, as contractLine renders it
	count int      // the -count flag, -1 when absent
	rest  []string // the arguments after TEMPLATE
}

// queryACS reads `[-as PARTY] [-count N] TEMPLATE ...` and the active
// contracts of TEMPLATE visible to PARTY.
func (tc *testCase) queryACS(name string, args []string) (*acsQuery, error) {
	var as string
	q := &acsQuery{}
	rest, err := flags(name, args, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "reading party")
		fs.IntVar(&q.count, "count", -1, "expected number of matching contracts")
	})
	if err != nil {
		return nil, err
	}
	if len(rest) == 0 {
		return nil, usagef("missing template: usage: %s [-as PARTY] [-count N] TEMPLATE", name)
	}
	party, err := tc.actingParty(as, name)
	if err != nil {
		return nil, err
	}
	tid, err := tc.template(rest[0])
	if err != nil {
		return nil, err
	}
	created, err := tc.activeContracts(party, &tid)
	if err != nil {
		return nil, err
	}
	for _, c := range created {
		q.lines = append(q.lines, tc.contractLine(c))
	}
	q.rest = rest[1:]
	return q, nil
}

// cmdACS implements `acs [-as PARTY] [-count N] TEMPLATE [REGEXP]`.
func cmdACS(tc *testCase, negate bool, args []string) error {
	q, err := tc.queryACS("acs", args)
	if err != nil {
		return err
	}
	check, err := tc.parseItemArgs("active contract", q.count, q.rest)
	if err != nil {
		return err
	}
	return check.run(q.lines, negate)
}

// cmdBind implements `bind [-as PARTY] NAME TEMPLATE [REGEXP]`. It names
// the newest active contract of TEMPLATE whose acs line matches REGEXP.
func cmdBind(tc *testCase, _ bool, args []string) error {
	var as string
	rest, err := flags("bind", args, func(fs *flag.FlagSet) { fs.StringVar(&as, "as", "", "reading party") })
	if err != nil {
		return err
	}
	if err := wantArgs(rest, 2, 3, "bind [-as PARTY] NAME TEMPLATE [REGEXP]"); err != nil {
		return err
	}
	party, err := tc.actingParty(as, "bind")
	if err != nil {
		return err
	}
	tid, err := tc.template(rest[1])
	if err != nil {
		return err
	}
	check, err := tc.parseItemArgs("active contract", -1, rest[2:])
	if err != nil {
		return err
	}

	created, err := tc.activeContracts(party, &tid)
	if err != nil {
		return err
	}
	lines := make([]string, len(created))
	for i, c := range created {
		lines[i] = tc.contractLine(c)
	}
	for i := len(created) - 1; i >= 0; i-- {
		if check.re == nil || check.re.MatchString(lines[i]) {
			return tc.bind(rest[0], created[i].GetContractId())
		}
	}
	return check.run(lines, false)
}
