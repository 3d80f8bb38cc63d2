package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ditstar/ditstar/ledger/lf"
)

func init() {
	commands["inspect"] = command{
		summary: "print the packages and templates that DAR files hold",
		run:     runInspect,
	}
}

// inspectedDAR is the --json form of one DAR.
type inspectedDAR struct {
	File          string              `json:"file"`
	MainPackageID string              `json:"main_package_id"`
	Name          string              `json:"name"`    // package metadata; empty before Daml-LF 1.8
	Version       string              `json:"version"` // package metadata; empty before Daml-LF 1.8
	LFVersion     string              `json:"lf_version"`
	Packages      int                 `json:"packages"`
	Templates     []inspectedTemplate `json:"templates"`
}

type inspectedTemplate struct {
	ID      string   `json:"id"`
	Choices []string `json:"choices"`
	HasKey  bool     `json:"has_key"`
	Fields  []string `json:"fields"`

	// For the text summary only.
	fieldTypes []string
	keyType    string
}

func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("inspect", "inspect FILE.dar... [--json]", stderr)
	asJSON := fs.Bool("json", false, "print one JSON array with an object per DAR")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	status := exitOK
	out := []inspectedDAR{}
	for _, file := range files {
		dar, err := lf.ReadDAR(file)
		if err != nil {
			fmt.Fprintf(stderr, "ditstar inspect: %v\n", err)
			status = exitFail
			continue
		}
		out = append(out, describeDAR(dar))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "ditstar inspect: write output: %v\n", err)
			return exitFail
		}
		return status
	}
	for i, d := range out {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printDAR(stdout, d)
	}
	return status
}

func describeDAR(dar *lf.DAR) inspectedDAR {
	main := dar.Main()
	d := inspectedDAR{
		File:          dar.File,
		MainPackageID: dar.MainPackageID,
		Name:          main.Name,
		Version:       main.Version,
		LFVersion:     main.LFVersion,
		Packages:      len(dar.Packages),
		Templates:     []inspectedTemplate{},
	}
	// Package.Templates returns the templates sorted by id.
	for _, t := range main.Templates() {
		it := inspectedTemplate{
			ID:      t.ID.Name(),
			Choices: t.ChoiceNames(),
			HasKey:  t.Key != nil,
			Fields:  make([]string, len(t.Fields)),
		}
		for i, f := range t.Fields {
			it.Fields[i] = f.Name
			it.fieldTypes = append(it.fieldTypes, f.Name+": "+f.Type.String())
		}
		if t.Key != nil {
			it.keyType = t.Key.String()
		}
		d.Templates = append(d.Templates, it)
	}
	return d
}

func printDAR(w io.Writer, d inspectedDAR) {
	fmt.Fprintln(w, d.File)
	name := strings.TrimSpace(d.Name + " " + d.Version)
	if name == "" {
		name = "(no package name before Daml-LF 1.8)"
	}
	fmt.Fprintf(w, "  package    %s\n", name)
	fmt.Fprintf(w, "  id         %s\n", d.MainPackageID)
	fmt.Fprintf(w, "  Daml-LF    %s\n", d.LFVersion)
	fmt.Fprintf(w, "  DALFs      %d\n", d.Packages)
	fmt.Fprintf(w, "  templates  %d\n", len(d.Templates))
	for _, t := range d.Templates {
		fmt.Fprintf(w, "    %s\n", t.ID)
		fmt.Fprintf(w, "      fields   %s\n", strings.Join(t.fieldTypes, ", "))
		if t.HasKey {
			fmt.Fprintf(w, "      key      %s\n", t.keyType)
		}
		fmt.Fprintf(w, "      choices  %s\n", strings.Join(t.Choices, ", "))
	}
}
