// Package benchmarks measures ditstar end to end on this repository alone:
// the embedded ledger serves the Ledger API over loopback gRPC, the runtime
// runs real Starlark integrations against it, and HTTP load goes through
// loopback listeners. The package holds benchmarks only; BENCHMARKS.md at
// the module root records their figures and how they were taken.
//
// The workloads:
//
//   - BenchmarkEvents: contracts created in batches while an integration
//     consumes them, beside the same stream read by the ledger client alone.
//   - BenchmarkSweep: the time from start to running over an active
//     contract set.
//   - BenchmarkRoundTrip: a handler that returns one exercise for each
//     created contract, with latency percentiles from create to exercise.
//   - BenchmarkWebhooks: GET and POST webhooks at 1, 10 and 50 concurrent
//     connections (http.sh runs the same integration under wrk).
//   - BenchmarkStartup: `ditstar run` of an example to running, and its
//     resident memory idle and with an active contract set.
//
// Under -short every workload runs at a small size, so that CI can run
// `go test -short -run '^$' -bench . -benchtime 1x` to keep them working.
// No benchmark asserts a timing.
package benchmarks
