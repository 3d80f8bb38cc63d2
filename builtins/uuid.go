package builtins

import (
	"encoding/hex"
	"fmt"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

func uuidMembers(h *Host) starlark.StringDict {
	return starlark.StringDict{
		"uuid4": starlark.NewBuiltin("uuid4", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			u := &UUID{}
			if err := h.readRandom(u.b[:]); err != nil {
				return nil, fmt.Errorf("uuid4: reading the host's random source failed: %w", err)
			}
			u.b[6] = u.b[6]&0x0f | 0x40 // version 4
			u.b[8] = u.b[8]&0x3f | 0x80 // RFC 4122 variant
			return u, nil
		}),
		"UUID": starlark.NewBuiltin("UUID", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var s string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "hex", &s); err != nil {
				return nil, err
			}
			return parseUUID(s)
		}),
	}
}

// UUID is the value of uuid.uuid4() and uuid.UUID(hex): str() gives the
// canonical 36-character form, .hex the 32 hex digits.
type UUID struct {
	b [16]byte
}

var _ starlark.HasAttrs = (*UUID)(nil)

func parseUUID(s string) (*UUID, error) {
	text := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(s), "urn:uuid:"), "{"), "}")
	text = strings.ReplaceAll(text, "-", "")
	u := &UUID{}
	if len(text) != 32 {
		return nil, fmt.Errorf("UUID: hex: invalid UUID %s, want 32 hex digits", quoteInput(s))
	}
	if _, err := hex.Decode(u.b[:], []byte(text)); err != nil {
		return nil, fmt.Errorf("UUID: hex: invalid UUID %s, want 32 hex digits", quoteInput(s))
	}
	return u, nil
}

// String returns the canonical form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func (u *UUID) String() string {
	h := hex.EncodeToString(u.b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Type returns "UUID".
func (u *UUID) Type() string { return "UUID" }

// Freeze does nothing: a UUID is immutable.
func (u *UUID) Freeze() {}

// Truth returns True.
func (u *UUID) Truth() starlark.Bool { return true }

// Hash hashes the canonical string.
func (u *UUID) Hash() (uint32, error) { return starlark.String(u.String()).Hash() }

// CompareSameType compares UUIDs by value.
func (u *UUID) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return starlark.Compare(op, starlark.String(u.String()), starlark.String(y.(*UUID).String()))
}

// Attr returns hex, bytes, urn and version.
func (u *UUID) Attr(name string) (starlark.Value, error) {
	switch name {
	case "hex":
		return starlark.String(hex.EncodeToString(u.b[:])), nil
	case "bytes":
		return starlark.Bytes(u.b[:]), nil
	case "urn":
		return starlark.String("urn:uuid:" + u.String()), nil
	case "version":
		return starlark.MakeInt(int(u.b[6] >> 4)), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (u *UUID) AttrNames() []string { return []string{"bytes", "hex", "urn", "version"} }
