package builtins

import (
	"crypto/hmac"
	"crypto/subtle"
	"fmt"
	"hash"
	"strings"

	"go.starlark.net/starlark"
)

func hmacMembers() starlark.StringDict {
	return starlark.StringDict{
		"new":            starlark.NewBuiltin("new", hmacNew),
		"digest":         starlark.NewBuiltin("digest", hmacDigest),
		"compare_digest": starlark.NewBuiltin("compare_digest", hmacCompareDigest),
	}
}

// hashAlgorithm reads Python's digestmod: a hashlib constructor such as
// hashlib.sha256, or its name.
func hashAlgorithm(fn string, v starlark.Value) (string, func() hash.Hash, error) {
	var name string
	switch v := v.(type) {
	case *starlark.Builtin:
		name = v.Name()
	case starlark.String:
		name = strings.ToLower(string(v))
	case starlark.NoneType:
		return "", nil, fmt.Errorf("%s: digestmod: missing, want a hashlib function such as hashlib.sha256", fn)
	default:
		return "", nil, fmt.Errorf("%s: digestmod: got %s, want a hashlib function such as hashlib.sha256 or its name", fn, v.Type())
	}
	newHash, ok := hashAlgorithms[name]
	if !ok {
		return "", nil, fmt.Errorf("%s: digestmod: unsupported hash %q, want one of %s", fn, name, hashNames())
	}
	return name, newHash, nil
}

// hmacNew implements hmac.new(key, msg=None, digestmod=None); digestmod is
// required, as in Python 3.8 and later.
func hmacNew(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key, msg, digestmod starlark.Value = nil, starlark.None, starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "key", &key, "msg?", &msg, "digestmod?", &digestmod); err != nil {
		return nil, err
	}
	keyBytes, err := bytesOrString(key)
	if err != nil {
		return nil, fmt.Errorf("%s: key: %w", b.Name(), err)
	}
	name, newHash, err := hashAlgorithm(b.Name(), digestmod)
	if err != nil {
		return nil, err
	}
	o := &HashObject{name: "hmac-" + name, h: hmac.New(newHash, keyBytes)}
	if msg != starlark.None {
		data, err := bytesOrString(msg)
		if err != nil {
			return nil, fmt.Errorf("%s: msg: %w", b.Name(), err)
		}
		o.h.Write(data)
	}
	return &HMACObject{HashObject: o}, nil
}

// hmacDigest implements hmac.digest(key, msg, digest).
func hmacDigest(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key, msg, digest starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "key", &key, "msg", &msg, "digest", &digest); err != nil {
		return nil, err
	}
	keyBytes, err := bytesOrString(key)
	if err != nil {
		return nil, fmt.Errorf("%s: key: %w", b.Name(), err)
	}
	data, err := bytesOrString(msg)
	if err != nil {
		return nil, fmt.Errorf("%s: msg: %w", b.Name(), err)
	}
	_, newHash, err := hashAlgorithm(b.Name(), digest)
	if err != nil {
		return nil, err
	}
	m := hmac.New(newHash, keyBytes)
	m.Write(data)
	return starlark.Bytes(m.Sum(nil)), nil
}

// hmacCompareDigest compares two strings or two bytes values in constant
// time, as Python's hmac.compare_digest does.
func hmacCompareDigest(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, y starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "a", &x, "b", &y); err != nil {
		return nil, err
	}
	if x.Type() != y.Type() {
		return nil, fmt.Errorf("%s: got %s and %s, want two strings or two bytes", b.Name(), x.Type(), y.Type())
	}
	xb, err := bytesOrString(x)
	if err != nil {
		return nil, fmt.Errorf("%s: a: %w", b.Name(), err)
	}
	yb, err := bytesOrString(y)
	if err != nil {
		return nil, fmt.Errorf("%s: b: %w", b.Name(), err)
	}
	return starlark.Bool(subtle.ConstantTimeCompare(xb, yb) == 1), nil
}

// HMACObject is the value of hmac.new(): update(msg), digest(), hexdigest(),
// copy(), name, digest_size and block_size.
type HMACObject struct {
	*HashObject
}

// Type returns "hmac".
func (o *HMACObject) Type() string { return "hmac" }

// String returns a description such as <hmac-sha256 HMAC object>.
func (o *HMACObject) String() string { return fmt.Sprintf("<%s HMAC object>", o.name) }

// Attr returns the methods and fields. copy() is not available because
// crypto/hmac does not expose its state.
func (o *HMACObject) Attr(name string) (starlark.Value, error) {
	if name == "copy" {
		return nil, nil
	}
	return o.HashObject.Attr(name)
}

// AttrNames lists the attributes of Attr.
func (o *HMACObject) AttrNames() []string {
	return []string{"block_size", "digest", "digest_size", "hexdigest", "name", "update"}
}
