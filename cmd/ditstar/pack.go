package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ditstar/ditstar/dit"
)

func init() {
	commands["pack"] = command{
		summary: "build a .dit file from an integration package folder",
		run:     runPack,
	}
}

func runPack(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("pack", "pack DIR [-o FILE.dit]", stderr)
	out := fs.String("o", "", "output `file`; default NAME-VERSION.dit from the catalog, in the current folder")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(positional) != 1 {
		fs.Usage()
		return exitUsage
	}
	dir := positional[0]
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "ditstar pack: %s is not a folder; pack takes the package folder\n", dir)
		return exitFail
	}

	var opts dit.PackOptions
	if epoch, ok := getenv("SOURCE_DATE_EPOCH"); ok {
		seconds, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "ditstar pack: SOURCE_DATE_EPOCH: got %q, want seconds since 1970\n", epoch)
			return exitUsage
		}
		opts.ReleaseDate = time.Unix(seconds, 0)
	}

	target := *out
	if target == "" {
		pkg, err := dit.Open(dir)
		if err != nil {
			return reportError(stderr, "pack", err)
		}
		c := pkg.Meta.Catalog
		if c.Name == "" || c.Version == "" {
			// Pack reports the missing entries with every other problem.
			if err := dit.PackWith(dir, io.Discard, opts); err != nil {
				return reportError(stderr, "pack", err)
			}
			fmt.Fprintln(stderr, "ditstar pack: catalog.name and catalog.version are needed to name the output; set them or pass -o FILE.dit")
			return exitConfig
		}
		target = c.Name + "-" + c.Version + ".dit"
	}

	// Write to a temporary file beside the target and rename it, so that a
	// failed pack leaves no partial .dit behind.
	tmp, err := os.CreateTemp(filepath.Dir(target), ".ditstar-pack-*")
	if err != nil {
		fmt.Fprintf(stderr, "ditstar pack: %v\n", err)
		return exitFail
	}
	defer os.Remove(tmp.Name())
	if err := dit.PackWith(dir, tmp, opts); err != nil {
		tmp.Close()
		return reportError(stderr, "pack", err)
	}
	if err := tmp.Close(); err != nil {
		fmt.Fprintf(stderr, "ditstar pack: %v\n", err)
		return exitFail
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		fmt.Fprintf(stderr, "ditstar pack: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "wrote %s\n", target)
	return exitOK
}

// reportError prints err for the subcommand and returns its exit status:
// 9 with one line per problem for configuration errors, 1 otherwise.
func reportError(stderr io.Writer, cmd string, err error) int {
	var ce *dit.ConfigError
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "ditstar %s: invalid configuration:\n", cmd)
		for _, p := range ce.Problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return exitConfig
	}
	fmt.Fprintf(stderr, "ditstar %s: %v\n", cmd, err)
	return exitFail
}
