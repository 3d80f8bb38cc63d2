package ditest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/lf"
)

// submittedQuery is the result of reading the commands the integration
// submitted, for submitted and cmp submitted.
type submittedQuery struct {
	lines []string
	count int
	rest  []string
}

// querySubmitted reads `[-all] [-count N] ...` and renders the commands of
// the integration's committed transactions: those since the last action,
// or since the start with -all.
func (tc *testCase) querySubmitted(name string, args []string) (*submittedQuery, error) {
	var all bool
	q := &submittedQuery{}
	rest, err := flags(name, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "since the start instead of since the last action")
		fs.IntVar(&q.count, "count", -1, "expected number of matching commands")
	})
	if err != nil {
		return nil, err
	}
	if err := tc.requireRuntime(name); err != nil {
		return nil, err
	}
	from := tc.mark.offset
	if all {
		from = 0
	}
	q.lines, err = tc.submittedCommands(from)
	q.rest = rest
	return q, err
}

// submittedCommands returns one line per command of the transactions that
// the integration committed after offset from, in ledger order:
//
//	create Module:Entity {"field":value,...}
//	exercise Module:Entity Choice CONTRACT {"argument":value,...}
//
// Commands that failed never reach the ledger; the status counters and
// the log show them.
func (tc *testCase) submittedCommands(from int64) ([]string, error) {
	end, err := tc.ledgerEnd()
	if err != nil {
		return nil, err
	}
	if end <= from {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(tc.ctx, 10*time.Second)
	defer cancel()
	wildcard := &v2.Filters{Cumulative: []*v2.CumulativeFilter{{
		IdentifierFilter: &v2.CumulativeFilter_WildcardFilter{WildcardFilter: &v2.WildcardFilter{}},
	}}}
	stream, err := v2.NewUpdateServiceClient(tc.conn).GetUpdates(ctx, &v2.GetUpdatesRequest{
		BeginExclusive: from,
		EndInclusive:   &end,
		UpdateFormat: &v2.UpdateFormat{IncludeTransactions: &v2.TransactionFormat{
			EventFormat:      &v2.EventFormat{FiltersByParty: map[string]*v2.Filters{tc.party: wildcard}, Verbose: true},
			TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_LEDGER_EFFECTS,
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("read the ledger updates: %w", err)
	}
	var lines []string
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the ledger updates: %w", err)
		}
		tx := resp.GetTransaction()
		if tx == nil || tx.GetWorkflowId() != tc.instanceID {
			continue
		}
		lines = append(lines, tc.commandLines(tx)...)
	}
}

// commandLines renders the root events of a transaction, one per command.
// Events inside an exercise's node range are its consequences, not
// commands.
func (tc *testCase) commandLines(tx *v2.Transaction) []string {
	var lines []string
	var insideUntil int32 = -1
	for _, ev := range tx.GetEvents() {
		switch {
		case ev.GetCreated() != nil:
			c := ev.GetCreated()
			tid := lf.TemplateIDFromIdentifier(c.GetTemplateId())
			tc.contract[c.GetContractId()] = tid
			if c.GetNodeId() <= insideUntil {
				continue
			}
			lines = append(lines, fmt.Sprintf("create %s %s", tid.Name(), renderRecord(c.GetCreateArguments())))
		case ev.GetExercised() != nil:
			e := ev.GetExercised()
			if e.GetNodeId() <= insideUntil {
				continue
			}
			insideUntil = e.GetLastDescendantNodeId()
			tid := lf.TemplateIDFromIdentifier(e.GetTemplateId())
			tc.contract[e.GetContractId()] = tid
			lines = append(lines, fmt.Sprintf("exercise %s %s %s %s",
				tid.Name(), e.GetChoice(), e.GetContractId(), renderValue(e.GetChoiceArgument())))
		}
	}
	return lines
}

// cmdSubmitted implements `submitted [-all] [-count N] [REGEXP]`.
func cmdSubmitted(tc *testCase, negate bool, args []string) error {
	q, err := tc.querySubmitted("submitted", args)
	if err != nil {
		return err
	}
	check, err := tc.parseItemArgs("submitted command", q.count, q.rest)
	if err != nil {
		return err
	}
	return check.run(q.lines, negate)
}
