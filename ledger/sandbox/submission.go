package sandbox

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
)

// submission is a validated Commands message.
type submission struct {
	cmds   *v2.Commands
	userID string
	actAs  []string // sorted, without duplicates
	readAs []string
	// changeID is (user_id, act_as, command_id), the deduplication key.
	changeID      string
	dedupDuration time.Duration
	dedupOffset   int64 // deduplicate against entries after this offset; -1 when a duration is used
}

// newSubmission checks the fields of cmds that need no ledger state.
// authUser is the user of the request's token, nil on an open ledger, and
// rights are its current rights.
func newSubmission(cmds *v2.Commands, authUser *user, rights rightSet) (*submission, error) {
	if cmds == nil {
		return nil, newf(errMissingField, "the commands field is missing")
	}
	s := &submission{cmds: cmds, userID: cmds.GetUserId(), dedupOffset: -1, dedupDuration: MaxDeduplicationDuration}
	if authUser != nil {
		if s.userID == "" {
			s.userID = authUser.id
		} else if s.userID != authUser.id && !rights.admin {
			return nil, newf(errPermissionDenied, "user_id %q differs from the user %q of the token", s.userID, authUser.id)
		}
	}
	switch {
	case s.userID == "":
		return nil, newf(errMissingField, "the user_id field is missing: set the id of the submitting user")
	case cmds.GetCommandId() == "":
		return nil, newf(errMissingField, "the command_id field is missing: set a unique id per command")
	case len(cmds.GetActAs()) == 0:
		return nil, newf(errMissingField, "the act_as field is empty: name at least one submitting party")
	case len(cmds.GetCommands()) == 0:
		return nil, newf(errMissingField, "the commands list is empty")
	}
	s.actAs = sortedUnique(cmds.GetActAs())
	s.readAs = sortedUnique(cmds.GetReadAs())
	switch p := cmds.GetDeduplicationPeriod().(type) {
	case *v2.Commands_DeduplicationDuration:
		d := p.DeduplicationDuration.AsDuration()
		if d < 0 || d > MaxDeduplicationDuration || !p.DeduplicationDuration.IsValid() {
			return nil, newf(errInvalidField, "invalid deduplication_duration %s: use a duration from 0 to %s", d, MaxDeduplicationDuration)
		}
		s.dedupDuration = d
	case *v2.Commands_DeduplicationOffset:
		if p.DeduplicationOffset < 0 {
			return nil, newf(errInvalidField, "invalid deduplication_offset %d: offsets are not negative", p.DeduplicationOffset)
		}
		s.dedupOffset = p.DeduplicationOffset
	}
	s.changeID = s.userID + "\x00" + strings.Join(s.actAs, "\x00") + "\x00" + cmds.GetCommandId()
	if authUser != nil {
		for _, p := range s.actAs {
			if !rights.canActAs(p) {
				return nil, newf(errPermissionDenied, "user %q may not act as %s: grant it CanActAs first", authUser.id, p)
			}
		}
		for _, p := range s.readAs {
			if !rights.canReadAs(p) {
				return nil, newf(errPermissionDenied, "user %q may not read as %s: grant it CanReadAs first", authUser.id, p)
			}
		}
	}
	return s, nil
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.Compact(out)
}

// checkDuplicate rejects a change id that succeeded within the submission's
// deduplication period. The caller holds l.mu.
func (l *Ledger) checkDuplicate(sub *submission) error {
	prev, ok := l.dedup[sub.changeID]
	if !ok {
		return nil
	}
	duplicate := false
	if sub.dedupOffset >= 0 {
		duplicate = prev.offset > sub.dedupOffset
	} else {
		duplicate = !prev.recordTime.Before(l.clock.Now().Add(-sub.dedupDuration))
	}
	if !duplicate {
		return nil
	}
	meta := map[string]string{
		"completion_offset":      fmt.Sprint(prev.offset),
		"existing_submission_id": prev.submissionID,
		"update_id":              prev.updateID,
	}
	return ledgerError(errDuplicateCommand, sub.cmds.GetSubmissionId(), meta,
		"a command with the given command id has already been successfully processed at offset %d (command_id %q); use a new command id for a new command",
		prev.offset, sub.cmds.GetCommandId())
}
