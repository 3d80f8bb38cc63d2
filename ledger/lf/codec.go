package lf

import (
	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// EncodeCreate encodes the create argument of a template.
func (c *Catalog) EncodeCreate(tid TemplateID, arg any) (*v2.Record, error) { return nil, errNotYet }

// EncodeChoiceArg encodes the argument of a choice of a template or interface.
func (c *Catalog) EncodeChoiceArg(tid TemplateID, choice string, arg any) (*v2.Value, error) {
	return nil, errNotYet
}

// EncodeKey encodes a contract key of a template.
func (c *Catalog) EncodeKey(tid TemplateID, key any) (*v2.Value, error) { return nil, errNotYet }

// Encode encodes v as a value of type t.
func (c *Catalog) Encode(t *Type, v any) (*v2.Value, error) { return nil, errNotYet }

// Decode decodes a Ledger API value of type t. A nil t decodes by the value's own shape.
func (c *Catalog) Decode(t *Type, v *v2.Value) (any, error) { return nil, errNotYet }

// DecodeRecord decodes the create argument of a template.
func (c *Catalog) DecodeRecord(tid TemplateID, r *v2.Record) (*Map, error) { return nil, errNotYet }

// CheckValue checks that v is a valid value of type t, as a participant checks submitted values.
func (c *Catalog) CheckValue(t *Type, v *v2.Value) error { return errNotYet }

// EncodeUntyped encodes v without a type, for packages the catalog lacks.
func EncodeUntyped(v any, isParty func(string) bool) (*v2.Value, error) { return nil, errNotYet }

// DecodeUntyped decodes v by its own shape.
func DecodeUntyped(v *v2.Value) (any, error) { return nil, errNotYet }
