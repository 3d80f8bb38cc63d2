package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/ditstar/ditstar/builtins"
	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/internal/fsutil"
	"github.com/ditstar/ditstar/interp"
)

func init() {
	commands["check"] = command{
		summary: "check an integration package or script before deployment",
		run:     runCheck,
	}
}

// checkParty is the party passed in env while check runs an entrypoint.
const checkParty = "check::1220"

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "check [--config int_args.yaml] [DIR | FILE.dit | FILE.star]...", stderr)
	configPath := fs.String("config", "", "instance configuration `file` whose field values the entrypoints run with (default: each field's default, else a sample value)")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(positional) == 0 {
		positional = []string{"."}
	}
	var inst *dit.InstanceConfig
	if *configPath != "" {
		inst, err = dit.ReadInstanceConfig(*configPath)
		if err != nil {
			return reportError(stderr, "check", err)
		}
	}
	status := exitOK
	for _, target := range positional {
		r := &checkReport{}
		var summary string
		if ext := strings.ToLower(filepath.Ext(target)); ext == ".star" || ext == ".py" {
			summary = checkScriptFile(target, r)
		} else {
			summary = checkPackage(target, inst, r)
		}
		for _, w := range r.warnings {
			fmt.Fprintf(stderr, "%s\n", warningLine(w))
		}
		sort.SliceStable(r.problems, func(i, j int) bool { return r.problems[i].less(r.problems[j]) })
		for _, p := range r.problems {
			fmt.Fprintf(stderr, "%s\n", p.text)
		}
		if len(r.problems) > 0 {
			noun := "problems"
			if len(r.problems) == 1 {
				noun = "problem"
			}
			fmt.Fprintf(stdout, "%s: %d %s\n", target, len(r.problems), noun)
			status = exitFail
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s)\n", target, summary)
	}
	return status
}

// checkReport collects what check finds in one target.
type checkReport struct {
	problems []checkProblem
	warnings []string
}

// checkProblem is one "file:line:col: message" line.
type checkProblem struct {
	file      string
	line, col int
	text      string
}

func (p checkProblem) less(q checkProblem) bool {
	if p.file != q.file {
		return p.file < q.file
	}
	if p.line != q.line {
		return p.line < q.line
	}
	return p.col < q.col
}

func (r *checkReport) add(file string, line, col int, msg string) {
	text := fmt.Sprintf("%s:%d:%d: %s", file, line, col, msg)
	if line == 0 {
		text = fmt.Sprintf("%s: %s", file, msg)
	}
	r.problems = append(r.problems, checkProblem{file: file, line: line, col: col, text: text})
}

// addText records a problem that is already formatted, such as a metadata
// problem or an interpreter error.
func (r *checkReport) addText(text string) {
	file, line, col := splitPosition(text)
	r.problems = append(r.problems, checkProblem{file: file, line: line, col: col, text: text})
}

// warningLine marks a "file:line:col: message" warning as one, keeping the
// position first so that editors can jump to it.
func warningLine(w string) string {
	file, line, col := splitPosition(w)
	if line == 0 {
		return "warning: " + w
	}
	prefix := fmt.Sprintf("%s:%d:%d: ", file, line, col)
	return prefix + "warning: " + strings.TrimPrefix(w, prefix)
}

// splitPosition reads the "file:line:col:" prefix of a message for sorting.
func splitPosition(text string) (file string, line, col int) {
	parts := strings.SplitN(text, ":", 4)
	if len(parts) < 4 {
		return text, 0, 0
	}
	if _, err := fmt.Sscanf(parts[1]+" "+parts[2], "%d %d", &line, &col); err != nil {
		return parts[0], 0, 0
	}
	return parts[0], line, col
}

// packageNames maps file names inside a package to the names check prints:
// paths on disk for a folder, "FILE.dit!name" inside a zip.
type packageNames struct {
	root  string
	isDir bool
}

func (n packageNames) display(name string) string {
	if n.isDir {
		return filepath.ToSlash(filepath.Join(n.root, filepath.FromSlash(name)))
	}
	return n.root + "!" + name
}

// rename rewrites a message that starts with a package file name to start
// with its display name.
func (n packageNames) rename(text string, names []string) string {
	for _, name := range names {
		if strings.HasPrefix(text, name+":") {
			return n.display(name) + text[len(name):]
		}
	}
	return text
}

// checkScriptFile compiles one script outside a package.
func checkScriptFile(file string, r *checkReport) string {
	dir, base := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	// Reading the script first rejects a named pipe or device, which would
	// block the compiler's own read.
	src, err := fsutil.ReadFile(file, maxScriptSize)
	if err != nil {
		r.add(file, 0, 0, fmt.Sprintf("cannot read the script: %v", err))
		return ""
	}
	names := packageNames{root: dir, isDir: true}
	in := newCheckInterp()
	for _, d := range in.Check(os.DirFS(dir), base) {
		r.addText(names.rename(d.String(), []string{base}))
	}
	calls := scanCommandCalls(string(src))
	return fmt.Sprintf("compiled; %d ledger commands; templates and choices not checked without a package's DARs", len(calls))
}

// maxScriptSize caps a script file that check reads outside a package.
// Scripts are hand-written source of a few kilobytes.
const maxScriptSize = 16 << 20

// checkPackage checks a package folder or .dit file: its metadata, every
// script, each entrypoint run against recording events, and the templates
// and choices the scripts name literally.
func checkPackage(target string, inst *dit.InstanceConfig, r *checkReport) string {
	info, err := os.Stat(target)
	if err != nil {
		r.add(target, 0, 0, fmt.Sprintf("cannot open the package: %v", err))
		return ""
	}
	names := packageNames{root: target, isDir: info.IsDir()}
	pkg, err := dit.Open(target)
	var ce *dit.ConfigError
	metaInvalid := false
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			r.addText(p)
		}
		if pkg == nil {
			return ""
		}
		// The metadata is readable enough to find the scripts: check them
		// too, so that one run lists every problem.
		metaInvalid = true
	} else if err != nil {
		r.add(target, 0, 0, err.Error())
		return ""
	}
	r.warnings = append(r.warnings, pkg.Warnings()...)
	metaName := names.display(pkg.MetaFile)

	scripts := packageScripts(pkg)
	in := newCheckInterp()
	broken := map[string]bool{}
	for _, file := range scripts {
		// The compiler's own read would block on a named pipe or device.
		if _, err := fsutil.ReadFileFS(pkg.FS, file, maxScriptSize); err != nil {
			r.add(names.display(file), 0, 0, fmt.Sprintf("cannot read the script: %v", err))
			broken[file] = true
			continue
		}
		diags := in.Check(pkg.FS, file)
		for _, d := range diags {
			r.addText(names.rename(d.String(), scripts))
		}
		if len(diags) > 0 {
			broken[file] = true
		}
	}

	catalog, ownPackage, err := packageCatalog(pkg)
	if err != nil {
		r.add(metaName, 0, 0, err.Error())
	}
	resolver := &checkResolver{catalog: catalog, ownPackage: ownPackage}

	handlers := 0
	for i := range pkg.Meta.IntegrationTypes {
		itype := &pkg.Meta.IntegrationTypes[i]
		line, col := itype.Position()
		file, fn, err := itype.Entrypoint(pkg.FS)
		if err != nil {
			r.add(metaName, line, col, err.Error())
			continue
		}
		if broken[file] {
			continue // its compile errors are already listed
		}
		if metaInvalid {
			continue // its fields may be the invalid metadata
		}
		fields, err := checkFields(itype, inst, resolver)
		if err != nil {
			var ce *dit.ConfigError
			if errors.As(err, &ce) {
				for _, p := range ce.Problems {
					r.add(metaName, line, col, fmt.Sprintf("integration type %s: %s", itype.ID, p))
				}
				continue
			}
			r.add(metaName, line, col, err.Error())
			continue
		}
		n, err := runEntrypoint(in, pkg, itype, file, fn, fields, resolver)
		if err != nil {
			r.addText(names.rename(err.Error(), scripts))
			continue
		}
		handlers += n
	}

	commandsFound := 0
	for _, file := range scripts {
		src, err := fsutil.ReadFileFS(pkg.FS, file, maxScriptSize)
		if err != nil {
			continue // reported with the compile errors above
		}
		calls := scanCommandCalls(string(src))
		commandsFound += len(calls)
		if catalog != nil {
			resolver.checkCalls(names.display(file), calls, r)
		}
	}
	types := len(pkg.Meta.IntegrationTypes)
	summary := fmt.Sprintf("%d integration %s, %d scripts, %d handlers, %d ledger commands",
		types, plural(types, "type", "types"), len(scripts), handlers, commandsFound)
	if catalog == nil {
		summary += "; no DAR in the package, so templates and choices were not checked"
	}
	return summary
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// packageScripts lists the .star files of a package outside hidden folders,
// and the .py files that entrypoints name. Other .py files are left out,
// because a port may keep its Python originals beside the Starlark ones.
func packageScripts(pkg *dit.Package) []string {
	entrypoints := map[string]bool{}
	for i := range pkg.Meta.IntegrationTypes {
		if file, _, err := pkg.Meta.IntegrationTypes[i].Entrypoint(pkg.FS); err == nil {
			entrypoints[file] = true
		}
	}
	var files []string
	_ = fs.WalkDir(pkg.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if name != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(name) == ".star" || entrypoints[name] {
			files = append(files, name)
		}
		return nil
	})
	return files
}

func newCheckInterp() *interp.Interp {
	host := &builtins.Host{
		HTTPClient: &http.Client{Transport: noNetwork{}},
		Logger:     slog.New(slog.DiscardHandler),
	}
	return interp.New(interp.Options{
		Predeclared: builtins.Predeclared(host),
		Modules:     builtins.Modules(host),
		ImportHints: builtins.ImportHints(),
		Limits:      checkLimits,
		Print:       func(*starlark.Thread, string) {},
	})
}

// checkLimits bound each entrypoint that check runs. An entrypoint only
// registers handlers, typically in thousands of steps, so a budget a tenth
// of the runtime's default still stops only endless loops, and sooner.
var checkLimits = interp.Limits{MaxSteps: 10_000_000, Timeout: 30 * time.Second}

// noNetwork fails every request an entrypoint makes while check runs it.
type noNetwork struct{}

func (noNetwork) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("check makes no network requests; the entrypoint requested %s %s", req.Method, req.URL.Redacted())
}

// checkFields returns the field values an entrypoint runs with under check:
// the instance configuration's when it applies to itype, else samples. A
// contract_template field without a value names a template of the
// package's own model, or "*" without one, so that registrations resolve.
func checkFields(itype *dit.IntegrationType, inst *dit.InstanceConfig, resolver *checkResolver) (map[string]any, error) {
	if inst != nil && (inst.TypeID == "" || inst.TypeID == itype.ID) {
		return itype.ResolveFields(inst.Metadata)
	}
	fields := itype.SampleFields()
	for _, f := range itype.Fields {
		if strings.TrimSpace(f.FieldType) == "contract_template" && fields[f.ID] == "" {
			fields[f.ID] = resolver.sampleTemplate()
		}
	}
	return fields, nil
}

// runEntrypoint loads file, calls fn with an env of the given field values
// and recording events, and returns how many handlers it registered.
func runEntrypoint(in *interp.Interp, pkg *dit.Package, itype *dit.IntegrationType, file, fn string, fields map[string]any, resolver *checkResolver) (int, error) {
	ctx := context.Background()
	globals, err := in.LoadFile(ctx, pkg.FS, file)
	if err != nil {
		return 0, errors.New(interp.FormatError(err))
	}
	entry, ok := globals[fn].(starlark.Callable)
	if !ok {
		return 0, fmt.Errorf("%s: entrypoint function %q of integration type %s is not defined; check entrypoint in the metadata", file, fn, itype.ID)
	}
	var model *builtins.DamlModelInfo
	if m := pkg.Meta.DamlModel; m != nil {
		model = &builtins.DamlModelInfo{Name: m.Name, Version: m.Version, MainPackageID: m.MainPackageID}
	}
	env, err := builtins.NewEnv(builtins.EnvConfig{
		Fields:          fields,
		Party:           checkParty,
		DamlModel:       model,
		QualifyTemplate: resolver.qualify,
		PutMessage:      func(starlark.Value, string) error { return nil },
	})
	if err != nil {
		return 0, fmt.Errorf("%s: integration type %s: %w", file, itype.ID, err)
	}
	events := builtins.NewEvents(resolver.resolve)
	_, err = in.Call(ctx, entry, starlark.Tuple{env, events.Value()}, nil, nil)
	events.Close()
	if err != nil {
		return 0, errors.New(interp.FormatError(err))
	}
	return len(events.Handlers()), nil
}
