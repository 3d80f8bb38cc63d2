package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errorCode is a Canton-style error code: an upper-snake id, the gRPC code
// it is reported with and its error category number. The categories follow
// Canton's com.daml.error.ErrorCategory (1 transient, 2 contention,
// 6 unauthenticated, 7 permission denied, 8 invalid, 9 failed precondition,
// 10 resource exists, 11 resource missing, 12 out of range, 14 unsupported).
type errorCode struct {
	id       string
	code     codes.Code
	category int
}

var (
	errInvalidArgument      = errorCode{"INVALID_ARGUMENT", codes.InvalidArgument, 8}
	errMissingField         = errorCode{"MISSING_FIELD", codes.InvalidArgument, 8}
	errInvalidField         = errorCode{"INVALID_FIELD", codes.InvalidArgument, 8}
	errPreprocessing        = errorCode{"COMMAND_PREPROCESSING_FAILED", codes.InvalidArgument, 8}
	errWronglyTyped         = errorCode{"WRONGLY_TYPED_CONTRACT", codes.InvalidArgument, 8}
	errInvalidDAR           = errorCode{"DAR_PARSE_ERROR", codes.InvalidArgument, 8}
	errKeyNotComputable     = errorCode{"CONTRACT_KEY_NOT_COMPUTABLE", codes.InvalidArgument, 8}
	errPartyNotKnown        = errorCode{"PARTY_NOT_KNOWN_ON_LEDGER", codes.NotFound, 11}
	errContractNotFound     = errorCode{"CONTRACT_NOT_FOUND", codes.NotFound, 11}
	errKeyNotFound          = errorCode{"CONTRACT_KEY_NOT_FOUND", codes.NotFound, 11}
	errTemplateNotFound     = errorCode{"TEMPLATES_OR_INTERFACES_NOT_FOUND", codes.NotFound, 11}
	errPackageNotFound      = errorCode{"PACKAGE_NOT_FOUND", codes.NotFound, 11}
	errUpdateNotFound       = errorCode{"UPDATE_NOT_FOUND", codes.NotFound, 11}
	errUserNotFound         = errorCode{"USER_NOT_FOUND", codes.NotFound, 11}
	errDuplicateCommand     = errorCode{"DUPLICATE_COMMAND", codes.AlreadyExists, 10}
	errDuplicateKey         = errorCode{"DUPLICATE_CONTRACT_KEY", codes.AlreadyExists, 10}
	errUserExists           = errorCode{"USER_ALREADY_EXISTS", codes.AlreadyExists, 10}
	errOffsetAfterEnd       = errorCode{"OFFSET_AFTER_LEDGER_END", codes.OutOfRange, 12}
	errSubscriberTooSlow    = errorCode{"STREAM_BUFFER_OVERFLOW", codes.Aborted, 2}
	errShuttingDown         = errorCode{"SERVER_IS_SHUTTING_DOWN", codes.Unavailable, 1}
	errUnauthenticated      = errorCode{"UNAUTHENTICATED", codes.Unauthenticated, 6}
	errPermissionDenied     = errorCode{"PERMISSION_DENIED", codes.PermissionDenied, 7}
	errUnsupportedOperation = errorCode{"UNSUPPORTED_OPERATION", codes.Unimplemented, 14}
	errInternal             = errorCode{"INTERNAL_ERROR", codes.Internal, 4}
)

// ledgerError returns a gRPC status error whose message has Canton's form,
// "ID(category,correlation): text", and whose details carry a
// google.rpc.ErrorInfo with the id as reason and metadata as key-value
// pairs, so that clients can match either.
func ledgerError(ec errorCode, correlation string, metadata map[string]string, format string, args ...any) error {
	if correlation == "" {
		correlation = newCorrelationID()
	}
	if len(correlation) > 8 {
		correlation = correlation[:8]
	}
	text := truncateText(fmt.Sprintf(format, args...))
	msg := fmt.Sprintf("%s(%d,%s): %s", ec.id, ec.category, correlation, text)
	st := status.New(ec.code, msg)
	info := &errdetails.ErrorInfo{Reason: ec.id, Metadata: map[string]string{"category": strconv.Itoa(ec.category)}}
	for k, v := range metadata {
		info.Metadata[k] = truncateText(v)
	}
	if withDetails, err := st.WithDetails(info); err == nil {
		st = withDetails
	}
	return st.Err()
}

// maxErrorText caps the text of an error and each metadata value. Messages
// quote request fields, and a request may carry megabyte-long ids, which
// would otherwise come back in the status and go into the log.
const maxErrorText = 4096

// truncateText cuts s to maxErrorText bytes at a character boundary and
// says how long it was.
func truncateText(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	end := maxErrorText
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return fmt.Sprintf("%s... (%d bytes in all)", s[:end], len(s))
}

// newf is ledgerError with a fresh correlation id and no metadata.
func newf(ec errorCode, format string, args ...any) error {
	return ledgerError(ec, "", nil, format, args...)
}

func newCorrelationID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
