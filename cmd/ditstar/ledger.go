package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	v2 "github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2"
	"github.com/digital-asset/dazl-client/v8/go/api/com/daml/ledger/api/v2/admin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
)

// defaultLedgerAddress is the Ledger API address when neither --ledger nor
// DABL_LEDGER_URL is set: the port of a local participant or `ditstar sandbox`.
const defaultLedgerAddress = "127.0.0.1:6865"

const ledgerUsage = `ledger [flags] COMMAND [ARGS]

commands:
  parties                       list the parties the participant knows
  allocate HINT                 allocate a party with the id hint HINT
  upload FILE.dar               upload a DAR
  create TEMPLATE JSON          create a contract; TEMPLATE is Module:Entity,
                                package-id:Module:Entity or #package-name:Module:Entity
  exercise CID CHOICE [JSON]    exercise a choice (argument default {})
  archive CID                   archive a contract
  acs [TEMPLATE]                list the active contracts (default: every template)
  tail                          print transactions as they commit, until interrupted`

func init() {
	commands["ledger"] = command{
		summary: "query and act on a ledger: parties, allocate, upload, create, exercise, archive, acs, tail",
		run:     runLedger,
	}
}

func runLedger(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runLedgerContext(ctx, args, stdout, stderr)
}

// ledgerCommand is one run of `ditstar ledger`.
type ledgerCommand struct {
	cfg      client.Config
	json     bool
	timeout  time.Duration
	count    int
	template string
	stdout   io.Writer
	stderr   io.Writer
}

// runLedgerContext runs `ditstar ledger` until ctx ends, which only tail
// waits for.
func runLedgerContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ledger", ledgerUsage, stderr)
	address := fs.String("ledger", "", "Ledger API `host:port` (default $DABL_LEDGER_URL, else "+defaultLedgerAddress+")")
	party := fs.String("as", "", "`party` to act and read as: a full party id or its hint (default $DAML_LEDGER_PARTY, else the token user's primary party)")
	tokenFile := fs.String("token-file", "", "`file` with the bearer token (default: the token in $DAML_LEDGER_TOKEN)")
	userID := fs.String("user", "", "user `id` sent on commands (default $DAML_LEDGER_APPLICATION_NAME, else the token's user)")
	caFile := fs.String("ca-file", "", "PEM `file` of the CA roots; turns on TLS")
	useTLS := fs.Bool("tls", false, "connect with TLS")
	jsonOut := fs.Bool("json", false, "print one JSON object a line")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of each call, retries included")
	count := fs.Int("n", 0, "tail: stop after this many transactions (0: until interrupted)")
	template := fs.String("template", "", "exercise, archive: the contract's `template`, when the participant cannot look it up")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(positional) == 0 {
		fs.Usage()
		return exitUsage
	}
	lc := &ledgerCommand{
		cfg: client.Config{
			Address: *address, Party: *party, TokenFile: *tokenFile, UserID: *userID,
			CAFile: *caFile, TLS: *useTLS,
			Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		},
		json: *jsonOut, timeout: *timeout, count: *count, template: *template,
		stdout: stdout, stderr: stderr,
	}
	lc.cfg.ApplyEnv(os.Getenv)
	if lc.cfg.Address == "" {
		lc.cfg.Address = defaultLedgerAddress
	}
	if lc.timeout <= 0 {
		fmt.Fprintf(stderr, "ditstar ledger: -timeout: got %v, want a positive duration\n", lc.timeout)
		return exitUsage
	}

	sub, rest := positional[0], positional[1:]
	type subcommand struct {
		minArgs, maxArgs int
		run              func(context.Context, []string) error
	}
	subcommands := map[string]subcommand{
		"parties":  {0, 0, lc.parties},
		"allocate": {1, 1, lc.allocate},
		"upload":   {1, 1, lc.upload},
		"create":   {2, 2, lc.create},
		"exercise": {2, 3, lc.exercise},
		"archive":  {1, 1, lc.archive},
		"acs":      {0, 1, lc.acs},
		"tail":     {0, 0, lc.tail},
	}
	sc, ok := subcommands[sub]
	if !ok {
		fmt.Fprintf(stderr, "ditstar ledger: unknown command %q; run 'ditstar ledger -h' for the list\n", sub)
		return exitUsage
	}
	if len(rest) < sc.minArgs || len(rest) > sc.maxArgs {
		fmt.Fprintf(stderr, "ditstar ledger %s: got %d arguments, want %s\n", sub, len(rest), argRange(sc.minArgs, sc.maxArgs))
		fs.Usage()
		return exitUsage
	}
	if err := sc.run(ctx, rest); err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return exitOK
		}
		fmt.Fprintf(stderr, "ditstar ledger %s: %v\n", sub, err)
		return exitFail
	}
	return exitOK
}

func argRange(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// connect opens a connection for the calls that act as no party.
func (lc *ledgerCommand) connect() (*grpc.ClientConn, error) {
	return client.Connect(lc.cfg)
}

// dial connects as the --as party, expanding a bare hint to the party id.
func (lc *ledgerCommand) dial(ctx context.Context) (*client.Client, error) {
	cfg := lc.cfg
	if cfg.Party != "" && !strings.Contains(cfg.Party, "::") {
		conn, err := lc.connect()
		if err != nil {
			return nil, err
		}
		cfg.Party, err = partyFromHint(ctx, conn, cfg.Party)
		conn.Close()
		if err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, lc.timeout)
	defer cancel()
	return client.Dial(ctx, cfg)
}

func closeClient(c *client.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Close(ctx)
}

// listParties returns the details of every party on the participant,
// reading all pages.
func listParties(ctx context.Context, conn *grpc.ClientConn) ([]*admin.PartyDetails, error) {
	pm := admin.NewPartyManagementServiceClient(conn)
	var out []*admin.PartyDetails
	page := ""
	for {
		resp, err := pm.ListKnownParties(ctx, &admin.ListKnownPartiesRequest{PageToken: page})
		if err != nil {
			return nil, fmt.Errorf("list parties: %w", err)
		}
		out = append(out, resp.GetPartyDetails()...)
		page = resp.GetNextPageToken()
		if page == "" {
			return out, nil
		}
	}
}

// partyFromHint returns the one known party whose id is hint::<namespace>.
func partyFromHint(ctx context.Context, conn *grpc.ClientConn, hint string) (string, error) {
	parties, err := listParties(ctx, conn)
	if err != nil {
		return "", fmt.Errorf("find the party of hint %q: %w; pass the full party id", hint, err)
	}
	var found []string
	for _, p := range parties {
		if strings.HasPrefix(p.GetParty(), hint+"::") {
			found = append(found, p.GetParty())
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no party with hint %q; run 'ditstar ledger parties' or 'ditstar ledger allocate %s'", hint, hint)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("hint %q names %d parties (%s); pass the full party id", hint, len(found), strings.Join(found, ", "))
}

// print writes one result: the JSON object with --json, else the text.
func (lc *ledgerCommand) print(obj any, text string) error {
	if !lc.json {
		_, err := fmt.Fprintln(lc.stdout, text)
		return err
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	_, err = fmt.Fprintf(lc.stdout, "%s\n", data)
	return err
}

func (lc *ledgerCommand) parties(ctx context.Context, _ []string) error {
	conn, err := lc.connect()
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, lc.timeout)
	defer cancel()
	parties, err := listParties(ctx, conn)
	if err != nil {
		return err
	}
	for _, p := range parties {
		obj := map[string]any{"party": p.GetParty(), "is_local": p.GetIsLocal()}
		if err := lc.print(obj, p.GetParty()); err != nil {
			return err
		}
	}
	return nil
}

func (lc *ledgerCommand) allocate(ctx context.Context, args []string) error {
	hint := args[0]
	if hint == "" || strings.Contains(hint, "::") {
		return fmt.Errorf("invalid hint %q: want a non-empty name without \"::\"", hint)
	}
	conn, err := lc.connect()
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, lc.timeout)
	defer cancel()
	resp, err := admin.NewPartyManagementServiceClient(conn).AllocateParty(ctx, &admin.AllocatePartyRequest{PartyIdHint: hint})
	if err != nil {
		return fmt.Errorf("allocate party %q: %w", hint, err)
	}
	p := resp.GetPartyDetails()
	return lc.print(map[string]any{"party": p.GetParty(), "is_local": p.GetIsLocal()}, p.GetParty())
}

// maxUploadSize caps a DAR file that upload reads. It equals ledger/lf's
// cap on the decoded size of a DAR's entries.
const maxUploadSize = 256 << 20

func (lc *ledgerCommand) upload(ctx context.Context, args []string) error {
	path := args[0]
	data, err := fsutil.ReadFile(path, maxUploadSize)
	if err != nil {
		return fmt.Errorf("read dar: %w", err)
	}
	// Reading the DAR first gives a local error for a file that is not a
	// DAR, and the main package id to print.
	dar, err := lf.ParseDAR(filepath.Base(path), data)
	if err != nil {
		return err
	}
	conn, err := lc.connect()
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, lc.timeout)
	defer cancel()
	_, err = admin.NewPackageManagementServiceClient(conn).UploadDarFile(ctx, &admin.UploadDarFileRequest{
		DarFile: data, SubmissionId: client.NewCommandID(),
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	obj := map[string]any{"file": path, "main_package_id": dar.MainPackageID, "name": dar.Name}
	return lc.print(obj, fmt.Sprintf("uploaded %s: main package %s", path, dar.MainPackageID))
}

func (lc *ledgerCommand) create(ctx context.Context, args []string) error {
	arg, err := lf.ParseJSONValue(args[1])
	if err != nil {
		return fmt.Errorf("create argument: %w", err)
	}
	c, err := lc.dial(ctx)
	if err != nil {
		return err
	}
	defer closeClient(c)
	tid, typed, err := lc.resolveTemplate(ctx, c, args[0])
	if err != nil {
		return err
	}

	var record *v2.Record
	if typed {
		record, err = c.Catalog().EncodeCreate(tid, arg)
	} else {
		record, err = lc.encodeUntypedRecord(ctx, c, arg)
	}
	if err != nil {
		return err
	}
	tx, err := lc.submit(ctx, c, &v2.Command{Command: &v2.Command_Create{Create: &v2.CreateCommand{
		TemplateId: tid.Identifier(), CreateArguments: record,
	}}})
	if err != nil {
		return err
	}

	for _, ev := range tx.GetEvents() {
		cr := ev.GetCreated()
		if cr == nil {
			continue
		}
		obj := map[string]any{
			"contract_id": cr.GetContractId(),
			"template":    lf.TemplateIDFromIdentifier(cr.GetTemplateId()).String(),
			"offset":      tx.GetOffset(),
			"update_id":   tx.GetUpdateId(),
		}
		if err := lc.print(obj, cr.GetContractId()); err != nil {
			return err
		}
	}
	return nil
}

func (lc *ledgerCommand) exercise(ctx context.Context, args []string) error {
	cid, choice := args[0], args[1]
	argText := "{}"
	if len(args) == 3 {
		argText = args[2]
	}
	arg, err := lf.ParseJSONValue(argText)
	if err != nil {
		return fmt.Errorf("choice argument: %w", err)
	}
	c, err := lc.dial(ctx)
	if err != nil {
		return err
	}
	defer closeClient(c)
	return lc.exerciseChoice(ctx, c, cid, choice, arg)
}

func (lc *ledgerCommand) archive(ctx context.Context, args []string) error {
	c, err := lc.dial(ctx)
	if err != nil {
		return err
	}
	defer closeClient(c)
	return lc.exerciseChoice(ctx, c, args[0], "Archive", lf.NewMap())
}

func (lc *ledgerCommand) exerciseChoice(ctx context.Context, c *client.Client, cid, choice string, arg any) error {
	var tid lf.TemplateID
	var typed bool
	var err error
	if lc.template != "" {
		tid, typed, err = lc.resolveTemplate(ctx, c, lc.template)
	} else {
		tid, err = contractTemplate(ctx, c, cid, lc.timeout)
		if err == nil {
			lc.loadPackages(ctx, c)
			_, typed = c.Catalog().Template(tid)
		}
	}
	if err != nil {
		return err
	}
	var value *v2.Value
	if typed {
		value, err = c.Catalog().EncodeChoiceArg(tid, choice, arg)
	} else {
		var record *v2.Record
		record, err = lc.encodeUntypedRecord(ctx, c, arg)
		value = &v2.Value{Sum: &v2.Value_Record{Record: record}}
	}
	if err != nil {
		return err
	}
	tx, err := lc.submit(ctx, c, &v2.Command{Command: &v2.Command_Exercise{Exercise: &v2.ExerciseCommand{
		TemplateId: tid.Identifier(), ContractId: cid, Choice: choice, ChoiceArgument: value,
	}}})
	if err != nil {
		return err
	}
	return lc.printTransaction(tx)
}

func (lc *ledgerCommand) submit(ctx context.Context, c *client.Client, cmd *v2.Command) (*v2.Transaction, error) {
	return c.Submit(ctx, client.Submission{Commands: []*v2.Command{cmd}, Timeout: lc.timeout})
}

// contractTemplate finds the template of an active contract: through the
// EventQueryService, or from the active contract set of the acting party
// when the participant does not serve that service.
func contractTemplate(ctx context.Context, c *client.Client, cid string, timeout time.Duration) (lf.TemplateID, error) {
	parties := append(c.ActAs(), c.ReadAs()...)
	byParty := map[string]*v2.Filters{}
	for _, p := range parties {
		byParty[p] = &v2.Filters{}
	}
	lookupCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := v2.NewEventQueryServiceClient(c.Conn()).GetEventsByContractId(lookupCtx, &v2.GetEventsByContractIdRequest{
		ContractId: cid, EventFormat: &v2.EventFormat{FiltersByParty: byParty},
	})
	switch {
	case err == nil && resp.GetArchived() != nil:
		return lf.TemplateID{}, fmt.Errorf("contract %s is archived", cid)
	case err == nil && resp.GetCreated() != nil:
		return lf.TemplateIDFromIdentifier(resp.GetCreated().GetCreatedEvent().GetTemplateId()), nil
	case err != nil && status.Code(err) != codes.Unimplemented:
		return lf.TemplateID{}, fmt.Errorf("look up contract %s: %w", cid, err)
	}

	var found *v2.CreatedEvent
	stop := errors.New("end of the active contract set")
	err = c.Stream(lookupCtx, client.Filter{Wildcard: true}, func(it client.Item) error {
		if it.Kind == client.ItemActive && it.Created.GetContractId() == cid {
			found = it.Created
		}
		if it.Kind == client.ItemBoundary || found != nil {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		return lf.TemplateID{}, fmt.Errorf("look up contract %s: %w", cid, err)
	}
	if found == nil {
		return lf.TemplateID{}, fmt.Errorf("contract %s is not active for %s; check the id or pass -template", cid, strings.Join(parties, ", "))
	}
	return lf.TemplateIDFromIdentifier(found.GetTemplateId()), nil
}

// loadPackages adds every package of the participant to the client's
// catalog, so that template references by name resolve. A package that
// cannot be read is skipped: its templates are then used without types.
func (lc *ledgerCommand) loadPackages(ctx context.Context, c *client.Client) {
	resp, err := v2.NewPackageServiceClient(c.Conn()).ListPackages(ctx, &v2.ListPackagesRequest{})
	if err != nil {
		lc.cfg.Logger.Warn("cannot list the participant's packages; templates are used without types", "error", err)
		return
	}
	for _, id := range resp.GetPackageIds() {
		if _, err := c.Package(ctx, id); err != nil {
			lc.cfg.Logger.Debug("skipping an unreadable package", "package_id", id, "error", err)
		}
	}
}

// resolveTemplate resolves a template reference against the participant's
// packages. typed is false for a package-id:Module:Entity reference to a
// package the participant does not have, which only a schemaless ledger
// accepts.
func (lc *ledgerCommand) resolveTemplate(ctx context.Context, c *client.Client, ref string) (tid lf.TemplateID, typed bool, err error) {
	lc.loadPackages(ctx, c)
	ids, err := c.Catalog().Resolve(ref, "")
	if err == nil {
		if len(ids) != 1 {
			return lf.TemplateID{}, false, fmt.Errorf("template reference %q names %d templates; name one", ref, len(ids))
		}
		return ids[0], true, nil
	}
	parsed, perr := lf.ParseTemplateID(ref)
	if perr != nil || parsed.PackageID == "" {
		return lf.TemplateID{}, false, err
	}
	if _, known := c.Catalog().Package(parsed.PackageID); known {
		return lf.TemplateID{}, false, err
	}
	return parsed, false, nil
}

// encodeUntypedRecord encodes a JSON object as a record without types,
// marking the strings that are known party ids as parties.
func (lc *ledgerCommand) encodeUntypedRecord(ctx context.Context, c *client.Client, arg any) (*v2.Record, error) {
	known := map[string]bool{c.Party(): true}
	if parties, err := listParties(ctx, c.Conn()); err == nil {
		for _, p := range parties {
			known[p.GetParty()] = true
		}
	}
	v, err := lf.EncodeUntyped(arg, func(s string) bool { return known[s] })
	if err != nil {
		return nil, err
	}
	r := v.GetRecord()
	if r == nil {
		return nil, fmt.Errorf("argument: got a JSON %s, want a JSON object", lf.JSONKind(arg))
	}
	return r, nil
}

func (lc *ledgerCommand) acs(ctx context.Context, args []string) error {
	c, err := lc.dial(ctx)
	if err != nil {
		return err
	}
	defer closeClient(c)
	filter := client.Filter{Wildcard: true}
	if len(args) == 1 && args[0] != "*" {
		tid, _, err := lc.resolveTemplate(ctx, c, args[0])
		if err != nil {
			return err
		}
		filter = client.Filter{Templates: []lf.TemplateID{tid}}
	}
	stop := errors.New("end of the active contract set")
	err = c.Stream(ctx, filter, func(it client.Item) error {
		switch it.Kind {
		case client.ItemBoundary:
			return stop
		case client.ItemActive:
			return lc.printCreated(it.Created, it.Offset)
		}
		return nil
	})
	if errors.Is(err, stop) {
		return nil
	}
	return err
}

func (lc *ledgerCommand) tail(ctx context.Context, _ []string) error {
	c, err := lc.dial(ctx)
	if err != nil {
		return err
	}
	defer closeClient(c)
	stop := errors.New("transaction count reached")
	printed := 0
	err = c.Stream(ctx, client.Filter{Wildcard: true}, func(it client.Item) error {
		if it.Kind == client.ItemBoundary {
			// The line goes to stderr, so that the output stays one
			// transaction per line, and it tells scripts that every later
			// commit will be printed.
			fmt.Fprintf(lc.stderr, "ditstar ledger tail: following transactions after offset %d\n", it.Offset)
			return nil
		}
		if it.Kind != client.ItemTransaction {
			return nil
		}
		if err := lc.printTransaction(it.Transaction); err != nil {
			return err
		}
		printed++
		if lc.count > 0 && printed >= lc.count {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		return nil
	}
	return err
}

func (lc *ledgerCommand) printCreated(cr *v2.CreatedEvent, offset int64) error {
	args := recordJSON(cr.GetCreateArguments())
	tid := lf.TemplateIDFromIdentifier(cr.GetTemplateId()).String()
	obj := map[string]any{"contract_id": cr.GetContractId(), "template": tid, "arguments": args, "offset": offset}
	data, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("encode contract %s: %w", cr.GetContractId(), err)
	}
	return lc.print(obj, fmt.Sprintf("%s %s %s", cr.GetContractId(), tid, data))
}

// printTransaction prints a header line and one line per event, or one
// JSON object with --json.
func (lc *ledgerCommand) printTransaction(tx *v2.Transaction) error {
	var events []map[string]any
	lines := []string{fmt.Sprintf("offset %d update %s command %s", tx.GetOffset(), tx.GetUpdateId(), tx.GetCommandId())}
	for _, ev := range tx.GetEvents() {
		switch {
		case ev.GetCreated() != nil:
			cr := ev.GetCreated()
			tid := lf.TemplateIDFromIdentifier(cr.GetTemplateId()).String()
			args := recordJSON(cr.GetCreateArguments())
			data, err := json.Marshal(args)
			if err != nil {
				return fmt.Errorf("encode contract %s: %w", cr.GetContractId(), err)
			}
			events = append(events, map[string]any{"created": map[string]any{
				"contract_id": cr.GetContractId(), "template": tid, "arguments": args}})
			lines = append(lines, fmt.Sprintf("  created %s %s %s", cr.GetContractId(), tid, data))
		case ev.GetArchived() != nil:
			ar := ev.GetArchived()
			tid := lf.TemplateIDFromIdentifier(ar.GetTemplateId()).String()
			events = append(events, map[string]any{"archived": map[string]any{"contract_id": ar.GetContractId(), "template": tid}})
			lines = append(lines, fmt.Sprintf("  archived %s %s", ar.GetContractId(), tid))
		}
	}
	obj := map[string]any{
		"offset": tx.GetOffset(), "update_id": tx.GetUpdateId(), "command_id": tx.GetCommandId(),
		"workflow_id": tx.GetWorkflowId(), "events": events,
	}
	if t := tx.GetEffectiveAt(); t != nil {
		obj["effective_at"] = t.AsTime().UTC().Format(time.RFC3339Nano)
	}
	return lc.print(obj, strings.Join(lines, "\n"))
}

// recordJSON converts a record to JSON-ready values: labelled fields by
// label, unlabelled ones as _1, _2, ...
func recordJSON(r *v2.Record) orderedObject {
	obj := orderedObject{}
	for i, f := range r.GetFields() {
		label := f.GetLabel()
		if label == "" {
			label = "_" + strconv.Itoa(i+1)
		}
		obj = append(obj, objectEntry{label, valueJSON(f.GetValue())})
	}
	return obj
}

// valueJSON converts a Ledger API value to JSON-ready values: Int64 as a
// number, Numeric as its decimal string, Date as YYYY-MM-DD, Timestamp as
// RFC 3339 in UTC, None as null, a variant as {"Constructor": value}, an
// enum as its constructor, a GenMap as a list of [key, value] pairs.
func valueJSON(v *v2.Value) any {
	switch s := v.GetSum().(type) {
	case *v2.Value_Unit:
		return orderedObject{}
	case *v2.Value_Bool:
		return s.Bool
	case *v2.Value_Int64:
		return s.Int64
	case *v2.Value_Numeric:
		return s.Numeric
	case *v2.Value_Text:
		return s.Text
	case *v2.Value_Party:
		return s.Party
	case *v2.Value_ContractId:
		return s.ContractId
	case *v2.Value_Date:
		return lf.DateFromDays(s.Date).String()
	case *v2.Value_Timestamp:
		return time.UnixMicro(s.Timestamp).UTC().Format(time.RFC3339Nano)
	case *v2.Value_Optional:
		if s.Optional.GetValue() == nil {
			return nil
		}
		return valueJSON(s.Optional.GetValue())
	case *v2.Value_List:
		out := []any{}
		for _, e := range s.List.GetElements() {
			out = append(out, valueJSON(e))
		}
		return out
	case *v2.Value_TextMap:
		obj := orderedObject{}
		for _, e := range s.TextMap.GetEntries() {
			obj = append(obj, objectEntry{e.GetKey(), valueJSON(e.GetValue())})
		}
		return obj
	case *v2.Value_GenMap:
		out := []any{}
		for _, e := range s.GenMap.GetEntries() {
			out = append(out, []any{valueJSON(e.GetKey()), valueJSON(e.GetValue())})
		}
		return out
	case *v2.Value_Record:
		return recordJSON(s.Record)
	case *v2.Value_Variant:
		return orderedObject{{s.Variant.GetConstructor(), valueJSON(s.Variant.GetValue())}}
	case *v2.Value_Enum:
		return s.Enum.GetConstructor()
	}
	return nil
}

// orderedObject is a JSON object that keeps its entries in order.
type orderedObject []objectEntry

type objectEntry struct {
	key   string
	value any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(e.key)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(e.value)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}
