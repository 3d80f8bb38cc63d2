// Package lf reads Daml-LF packages and converts values between plain Go and
// the Ledger API v2 Value messages by their Daml-LF types.
//
// A DAR is a zip of DALF archives (see ReadDAR). Each DALF holds one package,
// which ReadArchive decodes from Daml-LF 1.6 to 1.17 or 2.x into the model of
// this package: modules, data types, type synonyms, templates and interfaces.
// A Catalog indexes packages by id and by name, resolves template references
// such as "Main:Asset" or "#my-package:Main:Asset", and drives the codec.
//
// The codec maps Daml-LF types to Go values as follows:
//
//	Unit                      *Map with no entries
//	Bool                      bool
//	Int64                     int64
//	Numeric                   Decimal (exact)
//	Text, Party, ContractId   string
//	Date                      Date
//	Timestamp                 time.Time in UTC, microsecond precision
//	Optional                  nil for None, the value for Some
//	List                      []any
//	TextMap, GenMap, Record   *Map, entries in order (record fields in declaration order)
//	Variant                   *Map with one entry, constructor to value
//	Enum                      string, the constructor name
//
// A nested Optional cannot use nil for both levels, so it follows dazl. When
// the element type of an Optional is itself an Optional, Some x is written
// as a list: [] when x is None, and [y] when x is Some y. For example, a value
// of type Optional (Optional Int64) is nil (None), []any{} (Some None) or
// []any{int64(5)} (Some (Some 5)).
//
// Encoding errors are *EncodeError values that name the operation, the path
// in the value and both types:
//
//	create Utility.Sequence:Sequence: count: got string "x", want Int64
//
// Decoding checks each value against its type as a participant does and
// reports a mismatch as a *ValueError. ValueToV1 and ValueFromV1 convert
// between the v2 values of the codec and Ledger API v1 values.
package lf
