package integration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/interp"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
)

// callHandler runs one handler call and submits the commands it returns.
// The caller holds the turn. The call and its submission run to the end
// even when ctx is cancelled, so that a graceful stop finishes them, and
// the interpreter's limits still bound the call. It returns the normalised
// result, or the handler's error after counting and logging it. When the
// commands fail to submit, it returns the result with a *SubmissionError.
func (r *Runtime) callHandler(ctx context.Context, gen *generation, hs *handlerState, args starlark.Tuple, webhook bool) (*builtins.Result, error) {
	r.inflight.Add(1)
	defer r.inflight.Done()
	ctx = context.WithoutCancel(ctx)

	r.recordUse(hs)
	start := time.Now()
	value, err := gen.interp.Call(ctx, hs.h.Func, args, nil, r.threadSetup(hs.name()))
	r.metrics.observeCall(hs, time.Since(start))
	if err != nil {
		r.handlerFailed(hs, err)
		return nil, err
	}
	res, err := builtins.NormalizeResult(value, webhook)
	if err != nil {
		r.handlerFailed(hs, err)
		return nil, err
	}
	if err := r.submitResult(ctx, gen, hs, res, true); err != nil {
		return res, &SubmissionError{Handler: hs.label, Err: err}
	}
	return res, nil
}

// handlerFailed counts and logs a failed handler call with the script's
// backtrace. The runtime keeps running.
func (r *Runtime) handlerFailed(hs *handlerState, err error) {
	r.recordHandlerError(hs, err)
	r.metrics.handlerErrors.WithLabelValues(hs.h.Kind.String(), hs.label).Inc()
	attrs := []any{"handler", hs.name(), "label", hs.label, "error", interp.FormatError(err)}
	var limit *interp.LimitError
	if errors.As(err, &limit) {
		attrs = append(attrs, "limit", limit.Limit)
	}
	r.log.Error("handler failed", attrs...)
}

// submitResult converts the result's commands and submits them as one
// atomic submission. A failure is logged with the command id and counted on
// the handler. When handleErrors is set and the result has an
// error_handler, the handler gets the error message, and its own result is
// submitted without a further error handler. It returns the submission's
// error, also when the error handler ran.
func (r *Runtime) submitResult(ctx context.Context, gen *generation, hs *handlerState, res *builtins.Result, handleErrors bool) error {
	if len(res.Commands) == 0 {
		return nil
	}
	r.recordCommands(hs, len(res.Commands))
	commandID := client.NewCommandID()
	err := r.submit(ctx, hs, commandID, res)
	if err == nil {
		return nil
	}
	r.recordHandlerError(hs, err)
	r.metrics.handlerErrors.WithLabelValues(hs.h.Kind.String(), hs.label).Inc()
	r.log.Error("submission failed", "handler", hs.name(), "command_id", commandID,
		"commands", len(res.Commands), "error", err)
	if !handleErrors || res.ErrorHandler == nil {
		return err
	}
	value, callErr := gen.interp.Call(ctx, res.ErrorHandler, starlark.Tuple{starlark.String(err.Error())}, nil,
		r.threadSetup(hs.name()+".error_handler"))
	if callErr != nil {
		r.handlerFailed(hs, fmt.Errorf("error_handler: %w", callErr))
		return err
	}
	follow, normErr := builtins.NormalizeResult(value, false)
	if normErr != nil {
		r.handlerFailed(hs, fmt.Errorf("error_handler: %w", normErr))
		return err
	}
	// A failure of the error handler's own commands is counted and logged
	// by that call, and the original error is the one to report.
	_ = r.submitResult(ctx, gen, hs, follow, false)
	return err
}

func (r *Runtime) submit(ctx context.Context, hs *handlerState, commandID string, res *builtins.Result) error {
	commands, err := r.ledgerCommands(ctx, res.Commands)
	if err != nil {
		r.metrics.submissions.WithLabelValues("invalid").Inc()
		return err
	}

	timeout := res.CommandTimeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	start := time.Now()
	tx, err := r.client.Submit(ctx, client.Submission{
		CommandID:  commandID,
		WorkflowID: r.opts.WorkflowID,
		Commands:   commands,
		Timeout:    timeout,
	})
	r.metrics.submissionLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		r.metrics.submissions.WithLabelValues("failed").Inc()
		var submitErr *client.SubmitError
		if errors.As(err, &submitErr) {
			// Its message already names the command id.
			return err
		}
		return fmt.Errorf("submit command %s: %w", commandID, err)
	}
	r.metrics.submissions.WithLabelValues("committed").Inc()

	// The stream delivers these contracts later, but a handler that runs
	// before then may already exercise them.
	for _, ev := range tx.GetEvents() {
		if c := ev.GetCreated(); c != nil {
			r.contracts[c.GetContractId()] = contractInfo{template: lf.TemplateIDFromIdentifier(c.GetTemplateId()), args: c.GetCreateArguments()}
		}
	}
	r.log.Debug("submission committed", "handler", hs.name(), "command_id", commandID, "commands", len(commands))
	return nil
}
