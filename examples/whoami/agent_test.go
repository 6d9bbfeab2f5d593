package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/examples/internal/devissuer"
)

// The example agent, as a separate process, against the example server
// with its in-process development issuer: discovery from the 401, dynamic
// registration, login and consent (played by the test, as the user in a
// browser would), the token, the tool call, and a step-up when the tool
// needs more scope.
func TestAgentProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the agent")
	}
	bin := filepath.Join(t.TempDir(), "agent")
	if out, err := exec.Command("go", "build", "-o", bin, "../agent").CombinedOutput(); err != nil {
		t.Fatalf("go build ../agent: %v\n%s", err, out)
	}
	a := startWhoami(t, options{scopes: []string{"whoami:read"}, adminScope: "whoami:admin"})

	tests := []struct {
		tool, transport, url string
		logins               int
		want                 string
	}{
		{"whoami", "streamable", a.resource, 1, `"sub"`},
		{"whoami", "sse", a.sseResource, 1, `"sub"`},
		{"token_info", "streamable", a.resource, 2, "whoami:admin"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+"/"+tt.transport, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-url", tt.url, "-transport", tt.transport, "-tool", tt.tool, "-timeout", "50s")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			out, logins := playUser(t, ctx, a.dev, stdout)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("agent: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
			}
			if logins != tt.logins {
				t.Errorf("the agent asked the user to sign in %d times, want %d\n%s", logins, tt.logins, out)
			}
			if !strings.Contains(out, tt.tool+" result:") || !strings.Contains(out, tt.want) {
				t.Errorf("agent output lacks the %s result with %q:\n%s", tt.tool, tt.want, out)
			}
		})
	}
}

// playUser reads the agent's output; for every authorization URL it prints,
// it logs in and consents at the issuer and delivers the redirect to the
// agent's loopback callback, as a browser would. It returns the output and
// the number of sign-ins.
func playUser(t *testing.T, ctx context.Context, iss *devissuer.Issuer, stdout io.Reader) (string, int) {
	var out strings.Builder
	logins := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		authURL, ok := strings.CutPrefix(line, "  ")
		if !ok || !strings.HasPrefix(authURL, iss.URL()) {
			continue
		}
		logins++
		redirect, err := iss.Login(ctx, nil, authURL, devissuer.DemoUser().Username, devissuer.DemoUser().Password)
		if err != nil {
			t.Errorf("login: %v", err)
			return out.String(), logins
		}
		resp, err := http.Get(redirect.String())
		if err != nil {
			t.Errorf("delivering the redirect to the agent: %v", err)
			return out.String(), logins
		}
		resp.Body.Close()
	}
	return out.String(), logins
}
