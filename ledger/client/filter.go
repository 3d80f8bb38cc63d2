package client

import (
	"errors"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"

	"github.com/ditstar/ditstar/ledger/lf"
)

// Filter selects the contracts and transactions a Stream delivers.
type Filter struct {
	// Templates are the templates whose contracts are read. A package id of
	// the form "#package-name" selects the template in every version of the
	// package.
	Templates []lf.TemplateID
	// Wildcard reads contracts of every template, ignoring Templates.
	Wildcard bool
}

// eventFormat returns the event format of f for every party the client
// reads as, with verbose values so that record fields carry their labels.
func (c *Client) eventFormat(f Filter) (*v2.EventFormat, error) {
	filters := &v2.Filters{}
	if f.Wildcard {
		filters.Cumulative = []*v2.CumulativeFilter{{
			IdentifierFilter: &v2.CumulativeFilter_WildcardFilter{WildcardFilter: &v2.WildcardFilter{}},
		}}
	} else {
		if len(f.Templates) == 0 {
			return nil, errors.New("invalid filter: it names no template; list templates or set Wildcard")
		}
		seen := map[lf.TemplateID]bool{}
		for _, t := range f.Templates {
			if t.Module == "" || t.Entity == "" || t.PackageID == "" {
				return nil, errors.New("invalid filter: template " + t.String() + " lacks a package id, module or entity")
			}
			if seen[t] {
				continue
			}
			seen[t] = true
			filters.Cumulative = append(filters.Cumulative, &v2.CumulativeFilter{
				IdentifierFilter: &v2.CumulativeFilter_TemplateFilter{TemplateFilter: &v2.TemplateFilter{TemplateId: t.Identifier()}},
			})
		}
	}
	byParty := map[string]*v2.Filters{}
	for _, p := range append(c.ActAs(), c.readAs...) {
		byParty[p] = filters
	}
	return &v2.EventFormat{FiltersByParty: byParty, Verbose: true}, nil
}

// wildcardFormat returns the transaction format that submissions request:
// every contract of the acting and reading parties, as created and archived
// events.
func (c *Client) wildcardFormat() *v2.TransactionFormat {
	ef, _ := c.eventFormat(Filter{Wildcard: true})
	return &v2.TransactionFormat{EventFormat: ef, TransactionShape: v2.TransactionShape_TRANSACTION_SHAPE_ACS_DELTA}
}
