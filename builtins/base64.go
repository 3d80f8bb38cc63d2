package builtins

import (
	"encoding/base64"
	"fmt"
	"strings"

	"go.starlark.net/starlark"
)

// base64Members mirrors Python's base64 module: encoders return bytes and
// decoders accept bytes or string, as in Python. Use str(b) to get a string.
func base64Members() starlark.StringDict {
	return starlark.StringDict{
		"b64encode":          base64Encoder("b64encode", base64.StdEncoding),
		"b64decode":          base64Decoder("b64decode", base64.StdEncoding),
		"standard_b64encode": base64Encoder("standard_b64encode", base64.StdEncoding),
		"standard_b64decode": base64Decoder("standard_b64decode", base64.StdEncoding),
		"urlsafe_b64encode":  base64Encoder("urlsafe_b64encode", base64.URLEncoding),
		"urlsafe_b64decode":  base64Decoder("urlsafe_b64decode", base64.URLEncoding),
	}
}

func base64Encoder(name string, enc *base64.Encoding) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var s starlark.Value
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "s", &s); err != nil {
			return nil, err
		}
		data, err := bytesOrString(s)
		if err != nil {
			return nil, fmt.Errorf("%s: s: %w", b.Name(), err)
		}
		return starlark.Bytes(enc.EncodeToString(data)), nil
	})
}

// base64Decoder accepts input with or without padding and ignores
// whitespace; other characters outside the alphabet are an error, as with
// Python's validate=True.
func base64Decoder(name string, enc *base64.Encoding) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var s starlark.Value
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "s", &s); err != nil {
			return nil, err
		}
		data, err := bytesOrString(s)
		if err != nil {
			return nil, fmt.Errorf("%s: s: %w", b.Name(), err)
		}
		text := strings.Join(strings.Fields(string(data)), "")
		out, err := enc.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(text, "="))
		if err != nil {
			return nil, fmt.Errorf("%s: invalid base64 input: %w", b.Name(), err)
		}
		return starlark.Bytes(out), nil
	})
}
