package sandbox

import (
	"context"
	"slices"
	"sort"
	"strings"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	archive "github.com/digital-asset/dazl-client/v8/go/api/com/digitalasset/daml/lf/archive"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ditstar/ditstar/ledger/lf"
)

// apiVersion is the Ledger API version reported: the Canton release whose
// API the generated stubs (dazl-client v8.9.0) follow.
const apiVersion = "3.4.0"

type versionService struct {
	v2.UnimplementedVersionServiceServer
	l *Ledger
}

func (s versionService) GetLedgerApiVersion(context.Context, *v2.GetLedgerApiVersionRequest) (*v2.GetLedgerApiVersionResponse, error) {
	return &v2.GetLedgerApiVersionResponse{
		Version: apiVersion,
		Features: &v2.FeaturesDescriptor{
			UserManagement:   &v2.UserManagementFeature{Supported: true, MaxRightsPerUser: 1000, MaxUsersPageSize: 1000},
			PartyManagement:  &v2.PartyManagementFeature{MaxPartiesPageSize: 10000},
			OffsetCheckpoint: &v2.OffsetCheckpointFeature{MaxOffsetCheckpointEmissionDelay: durationpb.New(0)},
		},
	}, nil
}

type packageService struct {
	v2.UnimplementedPackageServiceServer
	l *Ledger
}

func (s packageService) ListPackages(context.Context, *v2.ListPackagesRequest) (*v2.ListPackagesResponse, error) {
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	out := &v2.ListPackagesResponse{}
	for _, p := range s.l.packages.catalog.Packages() {
		out.PackageIds = append(out.PackageIds, p.ID)
	}
	return out, nil
}

// GetPackage returns the archive payload of a package, the bytes whose
// SHA-256 is the package id.
func (s packageService) GetPackage(_ context.Context, req *v2.GetPackageRequest) (*v2.GetPackageResponse, error) {
	s.l.mu.RLock()
	p, ok := s.l.packages.catalog.Package(req.GetPackageId())
	s.l.mu.RUnlock()
	if !ok || req.GetPackageId() == "" || req.GetPackageId()[0] == '#' {
		return nil, newf(errPackageNotFound, "package %q is not loaded", req.GetPackageId())
	}
	payload, err := archivePayload(p.Archive)
	if err != nil {
		return nil, newf(errInternal, "read the archive of package %s: %v", p.ID, err)
	}
	return &v2.GetPackageResponse{HashFunction: v2.HashFunction_HASH_FUNCTION_SHA256, ArchivePayload: payload, Hash: p.ID}, nil
}

func (s packageService) GetPackageStatus(_ context.Context, req *v2.GetPackageStatusRequest) (*v2.GetPackageStatusResponse, error) {
	s.l.mu.RLock()
	_, ok := s.l.packages.catalog.Package(req.GetPackageId())
	s.l.mu.RUnlock()
	status := v2.PackageStatus_PACKAGE_STATUS_UNSPECIFIED
	if ok && req.GetPackageId() != "" && req.GetPackageId()[0] != '#' {
		status = v2.PackageStatus_PACKAGE_STATUS_REGISTERED
	}
	return &v2.GetPackageStatusResponse{PackageStatus: status}, nil
}

// archivePayload returns the payload of a DALF, the Archive message's
// payload bytes.
func archivePayload(dalf []byte) ([]byte, error) {
	var a archive.Archive
	if err := proto.Unmarshal(dalf, &a); err != nil {
		return nil, err
	}
	return a.GetPayload(), nil
}

type packageManagementService struct {
	admin.UnimplementedPackageManagementServiceServer
	l *Ledger
}

func (s packageManagementService) ListKnownPackages(ctx context.Context, _ *admin.ListKnownPackagesRequest) (*admin.ListKnownPackagesResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	out := &admin.ListKnownPackagesResponse{}
	for _, p := range s.l.packages.catalog.Packages() {
		out.PackageDetails = append(out.PackageDetails, &admin.PackageDetails{
			PackageId:   p.ID,
			PackageSize: uint64(len(p.Archive)),
			KnownSince:  timestamppb.New(s.l.packages.knownSince[p.ID]),
			Name:        p.Name,
			Version:     p.Version,
		})
	}
	return out, nil
}

func (s packageManagementService) UploadDarFile(ctx context.Context, req *admin.UploadDarFileRequest) (*admin.UploadDarFileResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	d, err := s.parse(req.GetDarFile(), req.GetSubmissionId())
	if err != nil {
		return nil, err
	}
	if err := s.l.UploadDAR(d); err != nil {
		return nil, newf(errInvalidDAR, "%v", err)
	}
	return &admin.UploadDarFileResponse{}, nil
}

func (s packageManagementService) ValidateDarFile(ctx context.Context, req *admin.ValidateDarFileRequest) (*admin.ValidateDarFileResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.parse(req.GetDarFile(), req.GetSubmissionId()); err != nil {
		return nil, err
	}
	return &admin.ValidateDarFileResponse{}, nil
}

func (s packageManagementService) parse(data []byte, submissionID string) (*lf.DAR, error) {
	if len(data) == 0 {
		return nil, newf(errMissingField, "the dar_file field is empty")
	}
	d, err := lf.ParseDAR("upload", data)
	if err != nil {
		s.l.log.Info("dar upload rejected", "submission_id", submissionID, "error", err)
		return nil, ledgerError(errInvalidDAR, submissionID, nil, "the uploaded file is not a valid DAR: %v", err)
	}
	return d, nil
}

type partyManagementService struct {
	admin.UnimplementedPartyManagementServiceServer
	l *Ledger
}

func (s partyManagementService) GetParticipantId(ctx context.Context, _ *admin.GetParticipantIdRequest) (*admin.GetParticipantIdResponse, error) {
	return &admin.GetParticipantIdResponse{ParticipantId: s.l.ParticipantID()}, nil
}

func (s partyManagementService) AllocateParty(ctx context.Context, req *admin.AllocatePartyRequest) (*admin.AllocatePartyResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	id, _, err := s.l.allocateParty(req.GetPartyIdHint(), req.GetLocalMetadata().GetAnnotations(), req.GetUserId())
	if err != nil {
		// An unknown user_id is already a ledger error, and anything else
		// is an invalid hint.
		if _, isStatus := status.FromError(err); isStatus {
			return nil, err
		}
		return nil, newf(errInvalidField, "party_id_hint: %v", err)
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	return &admin.AllocatePartyResponse{PartyDetails: s.l.partyDetails(s.l.parties[id])}, nil
}

func (l *Ledger) partyDetails(p *party) *admin.PartyDetails {
	return &admin.PartyDetails{Party: p.id, IsLocal: true, LocalMetadata: &admin.ObjectMeta{Annotations: p.metadata}}
}

func (s partyManagementService) ListKnownParties(ctx context.Context, req *admin.ListKnownPartiesRequest) (*admin.ListKnownPartiesResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	ids := slices.Clone(s.l.order)
	sort.Strings(ids)
	start := 0
	if tok := req.GetPageToken(); tok != "" {
		start = sort.SearchStrings(ids, tok)
		if start < len(ids) && ids[start] == tok {
			start++
		}
	}
	size := int(req.GetPageSize())
	if size <= 0 || size > 10000 {
		size = 10000
	}
	out := &admin.ListKnownPartiesResponse{}
	for i := start; i < len(ids) && len(out.PartyDetails) < size; i++ {
		if f := req.GetFilterParty(); f != "" && !containsFold(ids[i], f) {
			continue
		}
		out.PartyDetails = append(out.PartyDetails, s.l.partyDetails(s.l.parties[ids[i]]))
		if len(out.PartyDetails) == size && i+1 < len(ids) {
			out.NextPageToken = ids[i]
		}
	}
	return out, nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func (s partyManagementService) GetParties(ctx context.Context, req *admin.GetPartiesRequest) (*admin.GetPartiesResponse, error) {
	if err := s.l.requireAdmin(ctx); err != nil {
		return nil, err
	}
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	out := &admin.GetPartiesResponse{}
	for _, id := range req.GetParties() {
		if p := s.l.parties[id]; p != nil {
			out.PartyDetails = append(out.PartyDetails, s.l.partyDetails(p))
		}
	}
	return out, nil
}
