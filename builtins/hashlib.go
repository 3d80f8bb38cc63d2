package builtins

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// hashAlgorithms are the hashlib constructors, by Python's names.
var hashAlgorithms = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha224": sha256.New224,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,

	"sha3_224": func() hash.Hash { return sha3.New224() },
	"sha3_256": func() hash.Hash { return sha3.New256() },
	"sha3_384": func() hash.Hash { return sha3.New384() },
	"sha3_512": func() hash.Hash { return sha3.New512() },
}

func hashlibMembers() starlark.StringDict {
	d := starlark.StringDict{"new": starlark.NewBuiltin("new", hashlibNew)}
	names := make([]starlark.Value, 0, len(hashAlgorithms))
	for name := range hashAlgorithms {
		d[name] = hashConstructor(name)
		names = append(names, starlark.String(name))
	}
	sort.Slice(names, func(i, j int) bool { return names[i].(starlark.String) < names[j].(starlark.String) })
	d["algorithms_available"] = starlark.Tuple(names)
	d["algorithms_guaranteed"] = starlark.Tuple(names)
	return d
}

// hashNames returns the algorithm names, sorted and comma-separated.
func hashNames() string {
	names := make([]string, 0, len(hashAlgorithms))
	for name := range hashAlgorithms {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// hashConstructor is a hashlib function such as sha256(data=b"").
func hashConstructor(name string) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var data starlark.Value
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "data?", &data); err != nil {
			return nil, err
		}
		return newHashObject(b.Name(), name, data)
	})
}

func hashlibNew(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var data starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "data?", &data); err != nil {
		return nil, err
	}
	name = strings.ToLower(name)
	if _, ok := hashAlgorithms[name]; !ok {
		return nil, fmt.Errorf("new: name: unsupported hash type %q, want one of %s", name, hashNames())
	}
	return newHashObject(b.Name(), name, data)
}

func newHashObject(fn, name string, data starlark.Value) (*HashObject, error) {
	h := &HashObject{name: name, h: hashAlgorithms[name]()}
	if data != nil && data != starlark.None {
		buf, err := bytesOrString(data)
		if err != nil {
			return nil, fmt.Errorf("%s: data: %w", fn, err)
		}
		h.h.Write(buf)
	}
	return h, nil
}

// HashObject is the value of hashlib.sha256() and friends: update(data),
// digest(), hexdigest(), copy(), name, digest_size and block_size, as in
// Python. Strings are hashed as their UTF-8 bytes.
type HashObject struct {
	name string
	h    hash.Hash
}

var _ starlark.HasAttrs = (*HashObject)(nil)

// String returns a description such as <sha256 HASH object>.
func (o *HashObject) String() string { return fmt.Sprintf("<%s HASH object>", o.name) }

// Type returns "hash".
func (o *HashObject) Type() string { return "hash" }

// Freeze does nothing; like Python's, a hash object stays updatable.
func (o *HashObject) Freeze() {}

// Truth returns True.
func (o *HashObject) Truth() starlark.Bool { return true }

// Hash fails: hash objects are mutable.
func (o *HashObject) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: hash") }

// Attr returns the methods and fields.
func (o *HashObject) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(o.name), nil
	case "digest_size":
		return starlark.MakeInt(o.h.Size()), nil
	case "block_size":
		return starlark.MakeInt(o.h.BlockSize()), nil
	case "update":
		return method(o, name, func(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var data starlark.Value
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "data", &data); err != nil {
				return nil, err
			}
			buf, err := bytesOrString(data)
			if err != nil {
				return nil, fmt.Errorf("update: data: %w", err)
			}
			o.h.Write(buf)
			return starlark.None, nil
		}), nil
	case "digest":
		return noArgMethod(o, name, func() (starlark.Value, error) {
			return starlark.Bytes(o.h.Sum(nil)), nil
		}), nil
	case "hexdigest":
		return noArgMethod(o, name, func() (starlark.Value, error) {
			return starlark.String(hex.EncodeToString(o.h.Sum(nil))), nil
		}), nil
	case "copy":
		return noArgMethod(o, name, func() (starlark.Value, error) {
			return o.clone()
		}), nil
	}
	return nil, nil
}

// AttrNames lists the attributes of Attr.
func (o *HashObject) AttrNames() []string {
	return []string{"block_size", "copy", "digest", "digest_size", "hexdigest", "name", "update"}
}

// clone copies the running state through the hashes' binary marshaling,
// which every algorithm of hashAlgorithms implements.
func (o *HashObject) clone() (*HashObject, error) {
	state, err := o.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	h := hashAlgorithms[o.name]()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	return &HashObject{name: o.name, h: h}, nil
}
