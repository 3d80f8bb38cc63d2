package lf

import (
	"fmt"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// KeyExpr is a contract key expression that only builds records from
// projections of contract fields, such as (this.owner, this.name). The
// catalog keeps it so that a ledger can compute a contract's key without
// evaluating Daml-LF code.
type KeyExpr struct {
	// Path projects fields out of the contract argument, outermost first.
	// An empty Path with no Record is the contract argument itself.
	Path []string
	// Record, when set, names the record type that Fields build.
	Record *TemplateID
	Fields []KeyField
}

// KeyField is one field of a record built by a key expression.
type KeyField struct {
	Name string
	Expr *KeyExpr
}

// Eval computes the key of a contract from its create argument. The record
// and any record it projects from must have labelled fields, as the codec's
// encoders and verbose Ledger API streams produce them.
func (k *KeyExpr) Eval(contractArg *v2.Record) (*v2.Value, error) {
	return k.eval(&v2.Value{Sum: &v2.Value_Record{Record: contractArg}})
}

func (k *KeyExpr) eval(arg *v2.Value) (*v2.Value, error) {
	if k.Record != nil {
		rec := &v2.Record{RecordId: k.Record.Identifier()}
		for _, f := range k.Fields {
			v, err := f.Expr.eval(arg)
			if err != nil {
				return nil, err
			}
			rec.Fields = append(rec.Fields, &v2.RecordField{Label: f.Name, Value: v})
		}
		return &v2.Value{Sum: &v2.Value_Record{Record: rec}}, nil
	}
	v := arg
	for i, name := range k.Path {
		rec := v.GetRecord()
		if rec == nil {
			return nil, fmt.Errorf("compute contract key: %s is not a record", pathPrefix(k.Path[:i]))
		}
		var found *v2.Value
		for _, f := range rec.GetFields() {
			if f.GetLabel() == name {
				found = f.GetValue()
				break
			}
		}
		if found == nil {
			return nil, fmt.Errorf("compute contract key: field %s not found in %s; the record needs labelled fields", name, pathPrefix(k.Path[:i]))
		}
		v = found
	}
	return v, nil
}

func pathPrefix(path []string) string {
	if len(path) == 0 {
		return "the contract argument"
	}
	out := path[0]
	for _, p := range path[1:] {
		out += "." + p
	}
	return out
}
