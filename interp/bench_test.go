package interp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/interp"
)

// benchScript is a handler file of typical shape.
const benchScript = `
from dazl import create, exercise
import json

def main(events):
    state = {"count": 0}

    @events.ledger.contract_created("Main:Asset")
    async def on_created(event: dict) -> list:
        state["count"] += 1
        owner = event.cid
        if owner == None:
            raise ValueError(f"missing owner in {event.cid!r}")
        return [create("Main:Receipt", {"owner": owner, "n": state["count"]})]
`

// BenchmarkLoadFileCached measures loading an unchanged file: reading,
// hashing and running its top level.
func BenchmarkLoadFileCached(b *testing.B) {
	in := interp.New(testOptions())
	fsys := testFS(map[string]string{"test.star": benchScript})
	ctx := context.Background()
	for b.Loop() {
		if _, err := in.LoadFile(ctx, fsys, "test.star"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile measures the front end, the resolver and the compiler
// on a file that is new each time.
func BenchmarkCompile(b *testing.B) {
	in := interp.New(testOptions())
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		fsys := testFS(map[string]string{"test.star": fmt.Sprintf("%s\nversion = %d\n", benchScript, i)})
		if _, err := in.LoadFile(ctx, fsys, "test.star"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSteps reports how fast a loop spends the step budget, which
// is how long the default budget lets a runaway handler spin.
func BenchmarkSteps(b *testing.B) {
	opts := testOptions()
	opts.Limits = interp.Limits{MaxSteps: 1 << 62, Timeout: time.Hour}
	in := interp.New(opts)
	globals, err := in.LoadFile(context.Background(), testFS(map[string]string{
		"test.star": "def work(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n",
	}), "test.star")
	if err != nil {
		b.Fatal(err)
	}
	const iterations = 100_000 // about 10 steps each
	start := time.Now()
	for b.Loop() {
		if _, err := in.Call(context.Background(), globals["work"], starlark.Tuple{starlark.MakeInt(iterations)}, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*iterations*10/time.Since(start).Seconds(), "steps/s")
}
