// Package sandbox is the embedded ledger: an in-memory Daml participant that
// serves the gRPC Ledger API v2 on a real listener. It implements the
// services of Canton 3.4 as generated in dazl-client v8.9.0, so the runtime,
// any Ledger API client and the tests talk to it exactly as to a participant.
//
// The ledger keeps every committed transaction in an append-only log.
// Offsets are 1, 2, 3, ... one per transaction; 0 is before the first.
// The active contract set at offset N is computed from that log, so
// GetActiveContracts at N followed by GetUpdates from N shows every
// transaction exactly once, also while submissions run. Streams read the
// log directly; one that falls more than Options.StreamBuffer transactions
// behind is cut off with ABORTED (error id STREAM_BUFFER_OVERFLOW) and can
// resubscribe from its last offset.
//
// Packages come from DARs given to New or uploaded. Create arguments, choice
// arguments and contract keys of their templates are checked against the
// Daml-LF types by the codec of ledger/lf. In schemaless mode (Options.
// Schemaless, and the default when New loads no DAR) templates of packages
// the ledger does not have are accepted without type checks, with Archive
// as their only choice.
//
// Daml-LF expressions are not evaluated. In particular the ledger:
//   - runs no choice body: a consuming choice archives its contract, and the
//     exercise result is Unit when the choice returns Unit and empty otherwise;
//   - checks no ensure clause;
//   - takes the submitting parties as signatories and every other party in
//     the create arguments as an observer, and makes a contract visible to
//     exactly those parties. In schemaless mode a Text equal to an allocated
//     party id counts as that party;
//   - computes a contract key only when its expression projects fields of
//     the contract, and otherwise rejects exercise by key.
//
// Errors are gRPC statuses whose message starts with a Canton-style error
// id, "CONTRACT_NOT_FOUND(11,corr1234): ...", with a google.rpc.ErrorInfo
// detail carrying the same id.
//
// Authorization is off unless Options.Auth is set. Then every call except
// VersionService needs a user token ("sub" is the user id, scope
// daml_ledger_api or the participant's audience), and the user's rights
// decide what it may do.
package sandbox
