package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ditstar/ditstar/httpd"
)

// runConfig is the settings of `ditstar run`, from its flags and the
// environment variables of the Python runtime. A flag wins over its variable, and an
// empty variable counts as unset.
type runConfig struct {
	pkgPath    string
	metaPath   string // DAML_DIT_META_PATH: metadata outside the package
	configPath string // DABL_INTEGRATION_METADATA_PATH
	configSet  bool   // configPath was given, so a missing file is an error
	typeID     string // DABL_INTEGRATION_TYPE_ID
	party      string // DAML_LEDGER_PARTY
	instanceID string

	ledger          string // DABL_LEDGER_URL; empty: the embedded ledger
	ledgerListen    string // address of the embedded ledger
	ledgerListenSet bool   // ledgerListen was given, so a busy port is an error
	token           string // DAML_LEDGER_TOKEN
	tokenFile       string
	applicationID   string // DAML_LEDGER_APPLICATION_NAME
	caFile          string
	extraDARs       []string

	listen      string // DABL_HEALTH_PORT sets the port
	addrFile    string
	ledgerID    string // DABL_LEDGER_ID
	jwksURL     string // DABL_JWKS_URL
	jwksFile    string
	publicKey   string
	queueSize   int // DABL_QUEUE_SIZE
	logLevel    int // DABL_LOG_LEVEL, 0 to 50
	logFormat   string
	watch       bool
	handlerTime time.Duration
	maxSteps    uint64
	// maxBodyBytes caps webhook request bodies; a larger body gets 413.
	maxBodyBytes int64
}

// Defaults of `ditstar run`.
const (
	defaultPort = 8089
	// defaultLedgerListen is where the embedded ledger serves, the port
	// `ditstar ledger` and `ditstar sandbox` use by default.
	defaultLedgerListen = "127.0.0.1:6865"
	defaultListenHost   = "127.0.0.1"
	defaultConfigFile   = "int_args.yaml"
	defaultQueueSize    = 512
	maxLogLevel         = 50
	debugLogLevel       = 10
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseRunConfig reads the flags of `ditstar run` and the environment.
// Flag syntax errors return a usage error; invalid values are returned as
// problems, so that the command can list every one of them.
func parseRunConfig(args []string, getenv func(string) string, stderr io.Writer) (*runConfig, []string, error) {
	fs := newFlagSet("run", "run [flags] [DIR | FILE.dit]", stderr)
	c := &runConfig{}
	var extra stringList
	var listen, logLevel, queueSize string
	fs.StringVar(&c.typeID, "type", "", "integration type `id` to run; optional when the package has one type (env DABL_INTEGRATION_TYPE_ID)")
	fs.StringVar(&c.party, "party", "", "`party` to act as; on the embedded ledger, a party hint to allocate (env DAML_LEDGER_PARTY; default: runAs of the instance configuration)")
	fs.StringVar(&c.configPath, "config", "", "instance configuration `file` with type_id and metadata (env DABL_INTEGRATION_METADATA_PATH; default ./int_args.yaml when it exists, else the package's own int_args.yaml)")
	fs.StringVar(&c.metaPath, "meta", "", "package metadata `file` to read instead of the package's own (env DAML_DIT_META_PATH)")
	fs.StringVar(&c.instanceID, "instance-id", "", "integration instance `id` in URLs /integration/ID (default: the integration type id)")
	fs.StringVar(&c.ledger, "ledger", "", "Ledger API `address` host:port of a participant (env DABL_LEDGER_URL; default: an embedded ledger in this process)")
	fs.StringVar(&c.tokenFile, "token-file", "", "`file` holding the Ledger API bearer token, re-read when it changes; overrides env DAML_LEDGER_TOKEN, which holds the token itself")
	fs.StringVar(&c.applicationID, "application-id", "", "user `id` set on commands (env DAML_LEDGER_APPLICATION_NAME)")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM `file` of roots for a TLS ledger connection")
	fs.Var(&extra, "dar", "extra DAR `file` to load into the embedded ledger; repeatable")
	fs.StringVar(&listen, "listen", "", fmt.Sprintf("`address` host:port of the webhook and status server (default %s:%d; env DABL_HEALTH_PORT sets the port)", defaultListenHost, defaultPort))
	fs.StringVar(&c.ledgerListen, "ledger-listen", defaultLedgerListen, "`address` host:port the embedded ledger serves the Ledger API on; when the default port is busy, a free port is used instead")
	fs.StringVar(&c.addrFile, "addr-file", "", "`file` to write the server's base URL to once the integration is running")
	fs.StringVar(&c.ledgerID, "ledger-id", "", "ledger id that Daml custom token claims must name (env DABL_LEDGER_ID; default cloudbox)")
	fs.StringVar(&c.jwksURL, "jwks-url", "", "`URL` of the JWKS that verifies webhook tokens (env DABL_JWKS_URL); without keys every non-public route answers 401")
	fs.StringVar(&c.jwksFile, "jwks-file", "", "local JWKS `file` that verifies webhook tokens")
	fs.StringVar(&c.publicKey, "public-key-file", "", "local PEM `file` of public keys that verify webhook tokens")
	fs.StringVar(&queueSize, "queue-size", "", fmt.Sprintf("capacity of the timer and queue work queue (env DABL_QUEUE_SIZE; default %d)", defaultQueueSize))
	fs.StringVar(&logLevel, "log-level", "", "log level 0 to 50; 10 or more logs at debug (env DABL_LOG_LEVEL; default 0); debug and info are accepted too")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&c.watch, "watch", false, "reload the scripts when a file of the package changes")
	fs.DurationVar(&c.handlerTime, "handler-timeout", 0, "wall-clock limit of one handler call (default: the runtime's)")
	fs.Uint64Var(&c.maxSteps, "max-steps", 0, "execution-step limit of one handler call (default: the runtime's)")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", httpd.DefaultMaxBodyBytes, "maximum size in `bytes` of a webhook request body; a larger body gets status 413")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if len(positional) > 1 {
		return nil, nil, usageError(fmt.Sprintf("run takes one package, got %d arguments: %s", len(positional), strings.Join(positional, " ")))
	}
	c.pkgPath = "."
	if len(positional) == 1 {
		c.pkgPath = positional[0]
	}
	c.extraDARs = extra
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "ledger-listen" {
			c.ledgerListenSet = true
		}
	})

	env := func(field *string, name string) {
		if *field == "" {
			*field = strings.TrimSpace(getenv(name))
		}
	}
	ledgerName, jwksName := settingName("--ledger", "DABL_LEDGER_URL", c.ledger), settingName("--jwks-url", "DABL_JWKS_URL", c.jwksURL)
	env(&c.typeID, "DABL_INTEGRATION_TYPE_ID")
	env(&c.party, "DAML_LEDGER_PARTY")
	env(&c.metaPath, "DAML_DIT_META_PATH")
	env(&c.ledger, "DABL_LEDGER_URL")
	env(&c.applicationID, "DAML_LEDGER_APPLICATION_NAME")
	env(&c.ledgerID, "DABL_LEDGER_ID")
	env(&c.jwksURL, "DABL_JWKS_URL")
	if c.tokenFile == "" {
		c.token = strings.TrimSpace(getenv("DAML_LEDGER_TOKEN"))
	}
	c.configSet = c.configPath != ""
	env(&c.configPath, "DABL_INTEGRATION_METADATA_PATH")
	if c.configPath != "" {
		c.configSet = true
	} else {
		c.configPath = defaultConfigFile
	}

	var problems []string
	c.listen, problems = listenAddress(listen, getenv("DABL_HEALTH_PORT"), problems)
	c.queueSize, problems = intSetting("--queue-size", "DABL_QUEUE_SIZE", queueSize, getenv("DABL_QUEUE_SIZE"), defaultQueueSize, 1, 1<<20, problems)
	c.logLevel, problems = logLevelSetting(logLevel, getenv("DABL_LOG_LEVEL"), problems)
	if c.logFormat != "text" && c.logFormat != "json" {
		problems = append(problems, fmt.Sprintf("--log-format: got %q, want text or json", c.logFormat))
	}
	if c.ledger != "" && !validLedgerAddress(c.ledger) {
		problems = append(problems, fmt.Sprintf("%s: got %q, want host:port, http://host:port or https://host:port", ledgerName, c.ledger))
	}
	if c.jwksURL != "" && !validJWKSURL(c.jwksURL) {
		problems = append(problems, fmt.Sprintf("%s: got %q, want an absolute http or https URL", jwksName, c.jwksURL))
	}
	if c.ledger == "" && (c.token != "" || c.tokenFile != "" || c.caFile != "") {
		problems = append(problems, "a ledger token or CA file is set but no --ledger address; the embedded ledger needs neither")
	}
	if c.ledger != "" && len(c.extraDARs) > 0 {
		problems = append(problems, "--dar loads DARs into the embedded ledger only; upload them to the participant at --ledger instead")
	}
	if c.maxBodyBytes <= 0 {
		problems = append(problems, fmt.Sprintf("--max-body-bytes: got %d, want a positive number of bytes", c.maxBodyBytes))
	}
	if c.handlerTime < 0 {
		problems = append(problems, fmt.Sprintf("--handler-timeout: got %s, want a positive duration", c.handlerTime))
	}
	return c, problems, nil
}

// settingName returns the flag name when the flag gave a value, and the
// environment variable's name otherwise.
func settingName(flagName, envName, flagValue string) string {
	if flagValue != "" {
		return flagName
	}
	return envName
}

// validLedgerAddress reports whether addr has the forms that the ledger
// client accepts: host:port, optionally after http:// or https:// and
// before a final slash.
func validLedgerAddress(addr string) bool {
	if scheme, rest, ok := strings.Cut(addr, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return false
		}
		addr = rest
	}
	host, port, err := net.SplitHostPort(strings.TrimSuffix(addr, "/"))
	return err == nil && host != "" && port != ""
}

// validJWKSURL reports whether raw is an absolute http or https URL with a
// host, the only JWKS locations that the HTTP server fetches.
func validJWKSURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// listenAddress combines --listen and DABL_HEALTH_PORT. The port variable
// keeps the loopback host, so that the internal status routes stay local
// unless --listen names another host.
func listenAddress(flagValue, portEnv string, problems []string) (string, []string) {
	portEnv = strings.TrimSpace(portEnv)
	if flagValue != "" {
		if _, _, err := net.SplitHostPort(flagValue); err != nil {
			return "", append(problems, fmt.Sprintf("--listen: got %q, want host:port such as 127.0.0.1:8089", flagValue))
		}
		return flagValue, problems
	}
	port := defaultPort
	if portEnv != "" {
		n, err := strconv.Atoi(portEnv)
		if err != nil || n < 0 || n > 65535 {
			return "", append(problems, fmt.Sprintf("DABL_HEALTH_PORT: got %q, want a port number from 0 to 65535", portEnv))
		}
		port = n
	}
	return net.JoinHostPort(defaultListenHost, strconv.Itoa(port)), problems
}

func intSetting(flagName, envName, flagValue, envValue string, def, minimum, maximum int, problems []string) (int, []string) {
	name, value := flagName, strings.TrimSpace(flagValue)
	if value == "" {
		name, value = envName, strings.TrimSpace(envValue)
	}
	if value == "" {
		return def, problems
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < minimum || n > maximum {
		return def, append(problems, fmt.Sprintf("%s: got %q, want an integer from %d to %d", name, value, minimum, maximum))
	}
	return n, problems
}

func logLevelSetting(flagValue, envValue string, problems []string) (int, []string) {
	switch strings.ToLower(strings.TrimSpace(flagValue)) {
	case "debug":
		return debugLogLevel, problems
	case "info":
		return 0, problems
	}
	return intSetting("--log-level", "DABL_LOG_LEVEL", flagValue, envValue, 0, 0, maxLogLevel, problems)
}

// usageError is a command-line error that the flag package has not printed.
type usageError string

func (e usageError) Error() string { return string(e) }

// isHelp reports whether err is the request for the usage text (-h).
func isHelp(err error) bool { return err == flag.ErrHelp }
