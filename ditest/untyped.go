package ditest

import (
	"context"
	"fmt"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"

	"github.com/ditstar/ditstar/ledger/lf"
)

// encodeCreate encodes create arguments with the template's type when a
// loaded DAR contains it, and without types otherwise, as `ditstar ledger
// create` does on a schemaless ledger.
func (tc *testCase) encodeCreate(tid lf.TemplateID, arg any) (*v2.Record, error) {
	if _, typed := tc.catalog.Template(tid); typed {
		return tc.catalog.EncodeCreate(tid, arg)
	}
	return tc.encodeUntypedRecord(arg)
}

// encodeChoiceArg encodes a choice argument with the choice's type when a
// loaded DAR contains the template, and without types otherwise.
func (tc *testCase) encodeChoiceArg(tid lf.TemplateID, choice string, arg any) (*v2.Value, error) {
	if _, typed := tc.catalog.Template(tid); typed {
		return tc.catalog.EncodeChoiceArg(tid, choice, arg)
	}
	record, err := tc.encodeUntypedRecord(arg)
	if err != nil {
		return nil, err
	}
	return &v2.Value{Sum: &v2.Value_Record{Record: record}}, nil
}

// encodeUntypedRecord encodes a JSON object as a record without types.
// Strings that are ids of parties on the ledger become Party values, and
// all other strings Text.
func (tc *testCase) encodeUntypedRecord(arg any) (*v2.Record, error) {
	known, err := tc.knownParties()
	if err != nil {
		return nil, err
	}
	v, err := lf.EncodeUntyped(arg, func(s string) bool { return known[s] })
	if err != nil {
		return nil, err
	}
	record := v.GetRecord()
	if record == nil {
		return nil, fmt.Errorf("argument: got JSON %s, want a JSON object", lf.JSONKind(arg))
	}
	return record, nil
}

// knownParties lists the ids of every party on the embedded ledger.
func (tc *testCase) knownParties() (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(tc.ctx, 10*time.Second)
	defer cancel()
	pm := admin.NewPartyManagementServiceClient(tc.conn)
	known := map[string]bool{}
	page := ""
	for {
		resp, err := pm.ListKnownParties(ctx, &admin.ListKnownPartiesRequest{PageToken: page})
		if err != nil {
			return nil, fmt.Errorf("list the known parties: %w", err)
		}
		for _, p := range resp.GetPartyDetails() {
			known[p.GetParty()] = true
		}
		page = resp.GetNextPageToken()
		if page == "" {
			return known, nil
		}
	}
}
