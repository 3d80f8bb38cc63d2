package testscripts

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// operatorParty is the id the embedded ledger gives the hint Operator: the
// hint, "::1220" and a namespace derived from the default participant id.
const operatorParty = "Operator::1220b7ad567477c83756aab9a542b2be04f77dbae25115d85f22070d74d8cc4779dc"

// TestRunWebhookAuthentication runs a webhook that only the integration's
// party may call, with keys from --jwks-file and the party from
// int_args.yaml (which broke such webhooks in the Python runtime).
func TestRunWebhookAuthentication(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &key.PublicKey, KeyID: "test-key", Algorithm: string(jose.RS256), Use: "sig"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"jwks.json":     string(jwks),
		"int_args.yaml": "metadata:\n  runAs: Operator\n",
		"pkg/dit-meta.yaml": `integration_types:
  - {id: secure, name: Secure, description: d, entrypoint: main:main, fields: []}
`,
		"pkg/main.star": `from daml_dit_if.api import AuthorizationLevel, get_request_parties, json_response

def main(env, events):
    @events.webhook.get(url_suffix="/secret", auth=AuthorizationLevel.INTEGRATION_PARTY)
    def secret(request):
        return json_response({"parties": get_request_parties(request)})
`,
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	addrFile := filepath.Join(dir, "addr")
	cmd := exec.Command(filepath.Join(binDir, "ditstar"), "run", "--listen", "127.0.0.1:0",
		"--addr-file", addrFile, "--jwks-file", "jwks.json", "pkg")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc := watchProcess(cmd)
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-proc.exited:
			if proc.err != nil {
				t.Errorf("ditstar run: %v\n%s", proc.err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("ditstar run did not stop within 30s")
		}
	}()
	url := waitForAddress(t, addrFile, proc, &stderr) + "/integration/secure/secret"

	sign := func(parties []string) string {
		t.Helper()
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "test-key"))
		if err != nil {
			t.Fatal(err)
		}
		claims := map[string]any{
			"https://daml.com/ledger-api": map[string]any{"ledgerId": "cloudbox", "actAs": parties, "readAs": parties},
			"exp":                         time.Now().Add(time.Hour).Unix(),
		}
		token, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	get := func(token string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	if status, body := get(""); status != http.StatusUnauthorized {
		t.Errorf("no token: status %d %s, want 401", status, body)
	}
	if status, body := get(sign([]string{"Someone::1220ab"})); status == http.StatusOK {
		t.Errorf("token of another party: status 200 %s, want a rejection", body)
	}
	if status, body := get("not.a.token"); status != http.StatusForbidden {
		t.Errorf("malformed token: status %d %s, want 403", status, body)
	}
	status, body := get(sign([]string{operatorParty}))
	if status != http.StatusOK {
		t.Fatalf("token of the integration's party: status %d %s, want 200\n%s", status, body, stderr.String())
	}
	var answer struct{ Parties []string }
	if err := json.Unmarshal([]byte(body), &answer); err != nil || len(answer.Parties) != 1 || answer.Parties[0] != operatorParty {
		t.Errorf("body = %s, want the token's party", body)
	}
}
