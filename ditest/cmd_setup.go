package ditest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ditstar/ditstar/dit"
	"github.com/ditstar/ditstar/httpd"
	"github.com/ditstar/ditstar/integration"
	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/lf"
)

// startTimeout bounds the integration's start-up in real time.
const startTimeout = 30 * time.Second

// cmdPackage implements `package PATH`: the integration is the package
// directory or .dit file at PATH instead of the archive's files.
func cmdPackage(tc *testCase, _ bool, args []string) error {
	if err := wantArgs(args, 1, 1, "package PATH"); err != nil {
		return err
	}
	if tc.pkg != nil {
		return usagef("package must come before start and before any line that uses the integration's model")
	}
	path := tc.path(args[0])
	if _, err := os.Stat(path); err != nil {
		return usagef("package %s not found: give a directory or .dit file relative to the test file", args[0])
	}
	tc.pkgPath = path
	return nil
}

// openPackage opens the integration package once and loads its DARs into
// the ledger.
func (tc *testCase) openPackage() error {
	if tc.pkg != nil {
		return nil
	}
	path := tc.pkgPath
	if path == "" {
		path = tc.work
		if !tc.hasSection("dit-meta.yaml") && !tc.hasSection("dabl-meta.yaml") {
			return usagef("no integration: add a dit-meta.yaml section and scripts to the archive, or a package line")
		}
	}
	pkg, err := dit.Open(path)
	if err != nil {
		return &scriptError{msg: err.Error()}
	}
	tc.pkg = pkg
	dars, err := pkg.LoadDARs()
	if err != nil {
		return &scriptError{msg: err.Error()}
	}
	for _, d := range dars {
		if err := tc.loadDAR(d); err != nil {
			return err
		}
	}
	if m := pkg.Meta.DamlModel; m != nil {
		tc.defaultPkg = m.MainPackageID
	}
	return nil
}

func (tc *testCase) hasSection(name string) bool {
	_, ok := tc.section(name)
	return ok
}

// loadDAR uploads a DAR to the ledger and adds its packages to the catalog
// that encodes the script's commands.
func (tc *testCase) loadDAR(d *lf.DAR) error {
	for _, p := range d.Packages {
		if _, known := tc.catalog.Package(p.ID); known {
			continue
		}
		if err := tc.catalog.Add(p); err != nil {
			return &scriptError{msg: fmt.Sprintf("load package %s of %s: %v", p.ID, d.File, err)}
		}
	}
	if err := tc.ledger.UploadDAR(d); err != nil {
		return &scriptError{msg: fmt.Sprintf("upload %s: %v", d.File, err)}
	}
	return nil
}

// cmdDAR implements `dar PATH`: load a DAR into the ledger.
func cmdDAR(tc *testCase, _ bool, args []string) error {
	if err := wantArgs(args, 1, 1, "dar PATH"); err != nil {
		return err
	}
	d, err := lf.ReadDAR(tc.path(args[0]))
	if err != nil {
		return usagef("%v (set DITSTAR_DARS when $DARS points to the wrong folder)", err)
	}
	return tc.loadDAR(d)
}

// cmdParty implements `party NAME...`: allocate a party per name, with the
// name as its hint, and bind $NAME to its id.
func cmdParty(tc *testCase, _ bool, args []string) error {
	if len(args) == 0 {
		return usagef("missing party name: usage: party NAME...")
	}
	for _, name := range args {
		if _, err := tc.allocate(name); err != nil {
			return err
		}
	}
	return nil
}

func (tc *testCase) allocate(name string) (string, error) {
	if !isName(name) {
		return "", usagef("invalid party name %q: use letters, digits and _, starting with a letter", name)
	}
	if _, ok := tc.vars[name]; ok || reservedVariables[name] {
		return "", usagef("%s is already bound; choose another name", name)
	}
	id, err := tc.ledger.AllocateParty(name)
	if err != nil {
		return "", fmt.Errorf("allocate party %s: %w", name, err)
	}
	return id, tc.bind(name, id)
}

// partyID returns the id of a party argument: a bound name or an id.
func (tc *testCase) partyID(arg string) (string, error) {
	if id, ok := tc.vars[arg]; ok && strings.Contains(id, "::") {
		return id, nil
	}
	if strings.Contains(arg, "::") {
		return arg, nil
	}
	return "", usagef("unknown party %q: allocate it with party %s", arg, arg)
}

// cmdStart implements
//
//	start [-type ID] [-as PARTY] [-instance ID] [FIELD=VALUE...]
//
// It starts the integration and waits until it is running. With !, it
// expects the start-up to fail.
func cmdStart(tc *testCase, negate bool, args []string) error {
	var typeID, as, instance string
	rest, err := flags("start", args, func(fs *flag.FlagSet) {
		fs.StringVar(&typeID, "type", "", "integration type id")
		fs.StringVar(&as, "as", "", "party the integration acts as")
		fs.StringVar(&instance, "instance", "", "instance id")
	})
	if err != nil {
		return err
	}
	if tc.rt != nil {
		return usagef("the integration is already started; a test starts it once")
	}

	values := map[string]string{}
	runAs := ""
	if data, ok := tc.section("int_args.yaml"); ok {
		inst, err := dit.ParseInstanceConfig(data)
		if err != nil {
			return &scriptError{msg: "int_args.yaml: " + err.Error()}
		}
		values = inst.Metadata
		if typeID == "" {
			typeID = inst.TypeID
		}
		runAs = inst.RunAs()
	}
	for _, kv := range rest {
		field, value, ok := strings.Cut(kv, "=")
		if !ok || field == "" {
			return usagef("invalid field setting %q: want FIELD=VALUE", kv)
		}
		values[field] = value
	}

	if err := tc.openPackage(); err != nil {
		return err
	}
	party, err := tc.integrationParty(as, runAs)
	if err != nil {
		return err
	}

	err = tc.start(typeID, instance, party, values)
	var ce *dit.ConfigError
	if errors.As(err, &ce) && !negate {
		return &scriptError{msg: err.Error()}
	}
	switch {
	case negate && err == nil:
		return failf("expected the start-up to fail, got a running integration")
	case negate:
		return nil
	}
	return err
}

// integrationParty chooses the party the integration acts as: -as, else
// int_args.yaml's runAs, else a new party named integration. The choice is
// bound to $PARTY.
func (tc *testCase) integrationParty(as, runAs string) (string, error) {
	var party string
	var err error
	switch {
	case as != "":
		party, err = tc.partyID(as)
	case runAs != "":
		hint, _, _ := strings.Cut(runAs, "::")
		if id, ok := tc.vars[hint]; ok {
			party = id
		} else {
			party, err = tc.allocate(hint)
		}
	default:
		if id, ok := tc.vars["integration"]; ok {
			party = id
		} else {
			party, err = tc.allocate("integration")
		}
	}
	if err != nil {
		return "", err
	}
	tc.vars["PARTY"] = party
	return party, nil
}

// start creates the runtime and its HTTP server, runs it, and waits until
// it is running or has failed to start.
func (tc *testCase) start(typeID, instance, party string, values map[string]string) error {
	itype, err := tc.pkg.Type(typeID)
	if err != nil {
		return err
	}
	if instance == "" {
		instance = itype.ID
	}
	tc.instanceID = instance
	tc.vars["INSTANCE"] = instance
	tc.party = party

	c, err := tc.dial(party)
	if err != nil {
		return err
	}
	tc.registry = prometheus.NewRegistry()
	rt, err := integration.New(integration.Options{
		Package:    tc.pkg,
		TypeID:     itype.ID,
		Config:     values,
		InstanceID: instance,
		Client:     c,
		Clock:      tc.clock,
		HTTPClient: &http.Client{Transport: tc.http},
		// A seeded source makes the scripts' uuids the same on every run.
		Rand:     rand.NewChaCha8([32]byte{'d', 'i', 't', 's', 't', 'a', 'r'}),
		Logger:   tc.logger,
		LogLevel: tc.level,
		Registry: tc.registry,
	})
	if err != nil {
		return err
	}
	tc.rt = rt

	keyFile := filepath.Join(tc.work, ".ditstar-test-key.pem")
	if err := tc.key.writePublicKey(keyFile); err != nil {
		return err
	}
	srv, err := httpd.New(httpd.Options{
		InstanceID:  instance,
		Integration: rt,
		Auth:        httpd.AuthOptions{PublicKeyFile: keyFile},
		Registry:    tc.registry,
		Logger:      tc.quietLogger.With("component", "http"),
	})
	if err != nil {
		return fmt.Errorf("create the HTTP server: %w", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	tc.server = srv
	tc.baseURL = "http://" + lis.Addr().String()
	go func() { _ = srv.Serve(lis) }()

	ctx, cancel := context.WithCancel(context.Background())
	tc.stopRun = cancel
	tc.runErr = make(chan error, 1)
	go func() { tc.runErr <- rt.Run(ctx) }()

	select {
	case <-rt.Ready():
		return nil
	case err := <-tc.runErr:
		tc.runErr <- err
		tc.runDone = true
		if err == nil {
			err = errors.New("the integration stopped during start-up")
		}
		return failf("%v", err)
	case <-time.After(startTimeout):
		return failf("the integration did not start within %v", startTimeout)
	}
}

// dial returns a ledger client acting as party, creating it once.
func (tc *testCase) dial(party string) (*client.Client, error) {
	if c, ok := tc.clients[party]; ok {
		return c, nil
	}
	ctx, cancel := context.WithTimeout(tc.ctx, 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{
		Address: tc.address,
		Party:   party,
		Catalog: tc.catalog,
		Logger:  tc.quietLogger.With("component", "ledger-client"),
		Backoff: client.Backoff{Initial: 5 * time.Millisecond, Max: 100 * time.Millisecond},
	})
	if err != nil {
		return nil, fmt.Errorf("connect to the embedded ledger as %s: %w", party, err)
	}
	tc.clients[party] = c
	return c, nil
}

// cmdStop implements `stop`: stop the integration gracefully.
func cmdStop(tc *testCase, _ bool, args []string) error {
	if err := wantArgs(args, 0, 0, "stop"); err != nil {
		return err
	}
	if err := tc.requireRuntime("stop"); err != nil {
		return err
	}
	if err := tc.stopRuntime(); err != nil {
		return failf("%v", err)
	}
	return nil
}
