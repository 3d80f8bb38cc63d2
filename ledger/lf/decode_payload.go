package lf

import archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"

func decodePayload(id string, payload *archive.ArchivePayload) (*Package, error) {
	return nil, errNotYet
}
