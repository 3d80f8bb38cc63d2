package sandbox

import (
	"context"
	"runtime/debug"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"
)

// register adds every service the ledger serves to s.
func (l *Ledger) register(s *grpc.Server) {
	v2.RegisterVersionServiceServer(s, versionService{l: l})
	v2.RegisterPackageServiceServer(s, packageService{l: l})
	admin.RegisterPackageManagementServiceServer(s, packageManagementService{l: l})
	admin.RegisterPartyManagementServiceServer(s, partyManagementService{l: l})
	admin.RegisterUserManagementServiceServer(s, userManagementService{l: l})
	v2.RegisterStateServiceServer(s, stateService{l: l})
	v2.RegisterUpdateServiceServer(s, updateService{l: l})
	v2.RegisterCommandServiceServer(s, commandService{l: l})
	v2.RegisterCommandSubmissionServiceServer(s, commandSubmissionService{l: l})
	v2.RegisterCommandCompletionServiceServer(s, commandCompletionService{l: l})
}

// unaryInterceptor authenticates a call and turns a panic into INTERNAL, so
// that one bad request cannot stop the ledger.
func (l *Ledger) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			l.log.Error("request handler panicked", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
			err = newf(errInternal, "the ledger failed to handle %s; see its log", info.FullMethod)
		}
	}()
	ctx, err = l.authenticate(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (l *Ledger) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			l.log.Error("stream handler panicked", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
			err = newf(errInternal, "the ledger failed to handle %s; see its log", info.FullMethod)
		}
	}()
	ctx, err := l.authenticate(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return handler(srv, &authenticatedStream{ServerStream: ss, ctx: ctx})
}

// authenticatedStream is a server stream whose context carries the user.
type authenticatedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *authenticatedStream) Context() context.Context { return s.ctx }
