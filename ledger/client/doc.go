// Package client is the Ledger API v2 client that the runtime uses to act on
// a Daml participant as one party.
//
// Dial connects (plaintext or TLS, with a bearer token from a string or from
// a file that is re-read when it changes) and resolves the acting party from
// the configuration or from the token's user and its rights. Stream reads the
// active contract set at the ledger end, then the transactions that follow,
// and resumes after the last delivered offset when the connection fails, so
// that the consumer sees each transaction exactly once and in order. Submit
// sends one command batch and retries transient failures with the same
// command id, so that the participant's deduplication makes a retry safe.
//
// The client calls only public Ledger API v2 services and relies on nothing
// specific to the embedded ledger, so only the address differs between the
// embedded ledger and a Canton 3.x participant.
package client
