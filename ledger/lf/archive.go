package lf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"
	"google.golang.org/protobuf/proto"
)

// ReadArchive decodes one DALF: an Archive message whose payload is a
// Daml-LF package. It verifies that the package id, the lowercase hex
// SHA-256 of the payload, matches the archive's hash.
func ReadArchive(data []byte) (*Package, error) {
	var a archive.Archive
	if err := proto.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("invalid dalf: %w", err)
	}
	if a.GetHashFunction() != archive.HashFunction_SHA256 {
		return nil, fmt.Errorf("invalid dalf: unsupported hash function %v, want SHA256", a.GetHashFunction())
	}
	sum := sha256.Sum256(a.GetPayload())
	id := hex.EncodeToString(sum[:])
	if a.GetHash() != id {
		return nil, fmt.Errorf("invalid dalf: hash %q does not match the payload's SHA-256 %s", a.GetHash(), id)
	}
	var payload archive.ArchivePayload
	if err := proto.Unmarshal(a.GetPayload(), &payload); err != nil {
		return nil, fmt.Errorf("invalid dalf %s: payload: %w", id, err)
	}
	pkg, err := decodePayload(id, &payload)
	if err != nil {
		return nil, fmt.Errorf("invalid dalf %s: %w", id, err)
	}
	pkg.Archive = data
	return pkg, nil
}

// decodeArchiveUnchecked decodes a DALF like ReadArchive but takes the
// package id from the archive without checking it. The fuzz tests use it to
// reach the Daml-LF decoder with mutated payloads.
func decodeArchiveUnchecked(data []byte) (*Package, error) {
	var a archive.Archive
	if err := proto.Unmarshal(data, &a); err != nil {
		return nil, err
	}
	var payload archive.ArchivePayload
	if err := proto.Unmarshal(a.GetPayload(), &payload); err != nil {
		return nil, err
	}
	return decodePayload(a.GetHash(), &payload)
}
