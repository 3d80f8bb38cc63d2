// Package ditest runs integration tests written as txtar archives, the
// engine behind `ditstar test`.
//
// An archive's comment is the script and its files are the integration:
// dit-meta.yaml (or dabl-meta.yaml), the Starlark sources and an optional
// int_args.yaml, or a `package PATH` line naming a package directory. The
// remaining files are expected-output sections that `cmp` compares against.
//
// Each test runs on a fresh embedded ledger (ledger/sandbox) whose record
// time and the runtime's timers follow a virtual clock. The integration runs
// in the real runtime (integration) through the real ledger client, and its
// HTTP routes are served by httpd on a loopback listener. The only thing
// replaced is the outside world: outbound http calls of the scripts get the
// canned responses the script declares, and are recorded.
//
// A script is a sequence of commands, one a line. Actions (start, create,
// exercise, archive, webhook, http, advance) wait until the integration is
// idle before the next line runs, so that checks (code, body, acs,
// submitted, sent, status, count, log, cmp) see every effect of the action.
// A leading "!" negates a check, or, for an action, expects it to fail.
// docs/testing.md describes every command with an example.
package ditest
