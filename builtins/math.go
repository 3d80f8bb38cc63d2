package builtins

import (
	"fmt"
	"math"

	starlarkmath "go.starlark.net/lib/math"
	"go.starlark.net/starlark"
)

// mathMembers returns go.starlark.net's math module plus the Python names
// it lacks: inf, nan, tau, isnan, isinf, isfinite, log10, log2 and fsum.
func mathMembers() starlark.StringDict {
	d := starlark.StringDict{}
	for k, v := range starlarkmath.Module.Members {
		d[k] = v
	}
	d["inf"] = starlark.Float(math.Inf(1))
	d["nan"] = starlark.Float(math.NaN())
	d["tau"] = starlark.Float(2 * math.Pi)
	d["isnan"] = floatPredicate("isnan", math.IsNaN)
	d["isinf"] = floatPredicate("isinf", func(f float64) bool { return math.IsInf(f, 0) })
	d["isfinite"] = floatPredicate("isfinite", func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) })
	d["log10"] = floatFunction("log10", math.Log10)
	d["log2"] = floatFunction("log2", math.Log2)
	d["fsum"] = starlark.NewBuiltin("fsum", mathFsum)
	return d
}

func unpackFloat(fn string, v starlark.Value) (float64, error) {
	switch v := v.(type) {
	case starlark.Int, starlark.Float:
		f, _ := starlark.AsFloat(v)
		return f, nil
	case Decimal:
		return v.D.Float64(), nil
	}
	return 0, fmt.Errorf("%s: x: got %s, want float or int", fn, v.Type())
}

func floatPredicate(name string, pred func(float64) bool) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
			return nil, err
		}
		f, err := unpackFloat(b.Name(), x)
		if err != nil {
			return nil, err
		}
		return starlark.Bool(pred(f)), nil
	})
}

func floatFunction(name string, fn func(float64) float64) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
			return nil, err
		}
		f, err := unpackFloat(b.Name(), x)
		if err != nil {
			return nil, err
		}
		if f <= 0 {
			return nil, fmt.Errorf("%s: x: got %v, want a positive number", b.Name(), f)
		}
		return starlark.Float(fn(f)), nil
	})
}

// mathFsum sums with Neumaier compensation, close to Python's exact fsum.
func mathFsum(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var iterable starlark.Iterable
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &iterable); err != nil {
		return nil, err
	}
	iter := iterable.Iterate()
	defer iter.Done()
	var sum, compensation float64
	var x starlark.Value
	for iter.Next(&x) {
		f, err := unpackFloat(b.Name(), x)
		if err != nil {
			return nil, err
		}
		t := sum + f
		if math.Abs(sum) >= math.Abs(f) {
			compensation += (sum - t) + f
		} else {
			compensation += (f - t) + sum
		}
		sum = t
	}
	return starlark.Float(sum + compensation), nil
}
