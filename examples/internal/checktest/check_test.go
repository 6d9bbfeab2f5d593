package checktest

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/examples/internal/interop"
	"github.com/mcp-auth/go/internal/check"
)

// whoami with its development issuer: both endpoints and the issuer pass.
func TestWhoamiWithDevelopmentIssuer(t *testing.T) {
	w := startWhoami(t)
	requireNoFailure(t, runCheck(t, w.mcp), check.KindMCP)
	requireNoFailure(t, runCheck(t, w.sse), check.KindMCP)
	requireNoFailure(t, runCheck(t, w.issuer), check.KindIssuer)
}

// whoami in front of the Logto-like oidc-provider, with the scopes and
// step-up of the interop tests; and that provider checked as an issuer.
func TestWhoamiWithLogtoLikeProvider(t *testing.T) {
	p := interop.StartProvider(t, interop.ProviderOptions{})
	requireNoFailure(t, runCheck(t, p.Issuer), check.KindIssuer)
	w := startWhoami(t, "-issuer", p.Issuer, "-verifier", "jwt", "-scopes", "whoami:read", "-admin-scope", "whoami:admin")
	requireNoFailure(t, runCheck(t, w.mcp), check.KindMCP)
}

// The checker as a command: exit statuses and -json against whoami.
func TestCommand(t *testing.T) {
	bin := build(t, "github.com/mcp-auth/go/mcpauth/cmd/mcpauth-check")
	w := startWhoami(t)
	run := func(args ...string) (string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return string(out), 0
		case errors.As(err, &exit):
			return string(out), exit.ExitCode()
		}
		t.Fatalf("mcpauth-check %q: %v", args, err)
		return "", -1
	}

	out, code := run(w.mcp)
	t.Logf("mcpauth-check %s (exit %d)\n%s", w.mcp, code, out)
	if code != 0 || !strings.Contains(out, "PASS  prm.resource") || !strings.Contains(out, "\nOK: ") {
		t.Errorf("exit %d, want 0 with the table", code)
	}

	out, code = run("-json", w.mcp)
	var report struct {
		Kind     string `json:"kind"`
		ExitCode int    `json:"exit_code"`
		Summary  struct {
			Pass, Warn, Fail int
		} `json:"summary"`
		Results []check.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("-json: %v\n%s", err, out)
	}
	if code != 0 || report.ExitCode != 0 || report.Kind != "mcp" || report.Summary.Fail != 0 || report.Summary.Pass < 20 {
		t.Errorf("-json: exit %d, report kind %s exit_code %d summary %+v", code, report.Kind, report.ExitCode, report.Summary)
	}

	// A client given the endpoint with a trailing slash: whoami serves
	// /mcp/ too, but its metadata names /mcp, so spec-following clients
	// refuse the server. The checker fails it.
	out, code = run(w.mcp + "/")
	if code != 1 || !strings.Contains(out, "FAIL  prm.resource") || !strings.Contains(out, "differ only by a trailing slash") {
		t.Errorf("%s/: exit %d, want 1 with prm.resource failing\n%s", w.mcp, code, out)
	}

	if _, code = run(strings.TrimSuffix(w.mcp, "/mcp") + "/nothing"); code != 1 {
		t.Errorf("a URL that is neither: exit %d, want 1", code)
	}
	if _, code = run(); code != 2 {
		t.Errorf("no URL: exit %d, want 2", code)
	}
	if _, code = run("-json", "ftp://x"); code != 2 {
		t.Errorf("an ftp URL: exit %d, want 2", code)
	}
}
