// Package testscripts runs end-to-end tests of the ditstar command: each
// testdata/*.txtar file is a script for github.com/rogpeppe/go-internal's
// testscript that runs the real binary, built once by TestMain.
//
// Besides the standard testscript commands, scripts may use:
//
//	waitfile FILE           wait up to 30s until FILE exists and is not empty
//	http METHOD ADDRFILE PATH [BODY]
//	                        send a request to the base URL read from ADDRFILE
//	                        (written by `ditstar run --addr-file`) and print
//	                        "status N" and the body to stdout
//	httpwait ADDRFILE PATH REGEXP
//	                        repeat GET PATH for up to 30s until the body
//	                        matches REGEXP
//	freeport VAR            set VAR to a free TCP port on 127.0.0.1
//	waitport HOST:PORT      wait up to 30s until HOST:PORT accepts connections
//	zipls FILE              print the entry names of a zip file
//	zipcat FILE ENTRY       print one entry of a zip file
//
// and the condition [dars], true when the real test DARs are available;
// $DARS names their folder and $EXAMPLES the repository's examples folder.
package testscripts

import (
	"archive/zip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ditstar/ditstar/internal/testdata"
)

// binDir is the folder of the ditstar binary that TestMain builds.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ditstar-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create the binary folder:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	build := exec.Command("go", "build", "-race", "-o", filepath.Join(dir, "ditstar"), "github.com/ditstar/ditstar/cmd/ditstar")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ditstar:", err)
		return 1
	}
	binDir = dir
	return m.Run()
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func TestScripts(t *testing.T) {
	dars, darsErr := darDir(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("EXAMPLES", filepath.Join(repoRoot(), "examples"))
			env.Setenv("DARS", dars)
			// The binary is built with the race detector, which by default
			// sleeps 1s at exit; a detected race still exits with status 66.
			env.Setenv("GORACE", "atexit_sleep_ms=0")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "dars" {
				return darsErr == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile": cmdWaitFile,
			"http":     cmdHTTP,
			"httpwait": cmdHTTPWait,
			"freeport": cmdFreePort,
			"waitport": cmdWaitPort,
			"zipls":    cmdZipList,
			"zipcat":   cmdZipCat,
		},
	})
}

// darDir finds the real DARs without failing the whole run when they are
// missing outside CI: scripts that need them check [dars].
func darDir(t *testing.T) (dir string, err error) {
	if d := os.Getenv("DITSTAR_DARS"); d != "" {
		return d, nil
	}
	ok := t.Run("locate DARs", func(t *testing.T) { dir = testdata.DARDir(t) })
	if !ok || dir == "" {
		return "", fmt.Errorf("test DARs not found")
	}
	return dir, nil
}

func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if info, err := os.Stat(path); err == nil && info.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear within 30s", args[0])
}

func cmdHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: http METHOD ADDRFILE PATH [BODY]")
	}
	url := baseURL(ts, args[1]) + args[2]
	var body io.Reader
	if len(args) == 4 {
		body = strings.NewReader(args[3])
	}
	req, err := http.NewRequest(args[0], url, body)
	ts.Check(err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("http %s %s: %v", args[0], url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "status %d\n%s", resp.StatusCode, data)
	if neg != (resp.StatusCode >= 400) {
		ts.Fatalf("http %s %s: status %d", args[0], args[2], resp.StatusCode)
	}
}

func cmdHTTPWait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: httpwait ADDRFILE PATH REGEXP")
	}
	pattern, err := regexp.Compile(args[2])
	ts.Check(err)
	url := baseURL(ts, args[0]) + args[1]
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(data)
			if pattern.MatchString(last) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("GET %s did not match %q within 30s; last body:\n%s", args[1], args[2], last)
}

// baseURL reads the URL that `ditstar run --addr-file` wrote and checks
// that it is a loopback address.
func baseURL(ts *testscript.TestScript, addrFile string) string {
	data, err := os.ReadFile(ts.MkAbs(addrFile))
	ts.Check(err)
	base := strings.TrimSpace(string(data))
	if !strings.HasPrefix(base, "http://127.0.0.1:") && !strings.HasPrefix(base, "http://[::1]:") {
		ts.Fatalf("%s is not a loopback address", base)
	}
	return base
}

func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := lis.Addr().(*net.TCPAddr).Port
	ts.Check(lis.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}

func cmdWaitPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitport HOST:PORT")
	}
	host, _, err := net.SplitHostPort(args[0])
	ts.Check(err)
	if host != "127.0.0.1" && host != "::1" {
		ts.Fatalf("waitport: %s is not a loopback address", args[0])
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("nothing listens on %s after 30s", args[0])
}

func openZip(ts *testscript.TestScript, name string) *zip.ReadCloser {
	zr, err := zip.OpenReader(ts.MkAbs(name))
	ts.Check(err)
	return zr
}

func cmdZipList(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: zipls FILE")
	}
	zr := openZip(ts, args[0])
	defer zr.Close()
	for _, f := range zr.File {
		fmt.Fprintln(ts.Stdout(), f.Name)
	}
}

func cmdZipCat(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: zipcat FILE ENTRY")
	}
	zr := openZip(ts, args[0])
	defer zr.Close()
	f, err := zr.Open(args[1])
	ts.Check(err)
	defer f.Close()
	_, err = io.Copy(ts.Stdout(), f)
	ts.Check(err)
}
