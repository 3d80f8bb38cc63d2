package lf

import (
	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// KeyExpr is a contract key expression that only builds records from
// projections of contract fields, such as (this.owner, this.name). The
// catalog keeps it so that a ledger can compute a contract's key without
// evaluating Daml-LF code.
type KeyExpr struct {
	// Path projects fields out of the contract argument, outermost first.
	// An empty Path with no Fields is the contract argument itself.
	Path []string
	// Record, when set, builds a record of that type from Fields.
	Record *TemplateID
	Fields []KeyField
}

// KeyField is one field of a record built by a key expression.
type KeyField struct {
	Name string
	Expr *KeyExpr
}

// Eval computes the key of a contract from its create argument.
func (k *KeyExpr) Eval(contractArg *v2.Record) (*v2.Value, error) {
	return nil, errNotYet
}
