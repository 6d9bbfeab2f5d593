package interop

import (
	"github.com/mcp-auth/go/examples/internal/childproc"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// clientTimeout bounds one client.mjs run; the script itself gives up
// after 60 s and reports it.
const clientTimeout = 90 * time.Second

// ClientResult is the JSON line client.mjs prints.
type ClientResult struct {
	// OK is true when the tool call returned (even a tool-level error, see
	// Result's isError).
	OK bool `json:"ok"`
	// Error says why the run failed when OK is false.
	Error string `json:"error,omitempty"`
	// Result is the MCP CallToolResult as JSON.
	Result json.RawMessage `json:"result,omitempty"`
	// Then is the CallToolResult of the --then tool, called after Result.
	Then json.RawMessage `json:"then,omitempty"`
	// Tools lists the names tools/list returned.
	Tools []string `json:"tools,omitempty"`
	// Authorizations counts the authorization-code flows the SDK started
	// (1 for a first login, 2 after a step-up).
	Authorizations int `json:"authorizations,omitempty"`
	// Scope is the scope of the final token, as the token response said.
	Scope string `json:"scope,omitempty"`
	// Stderr is what client.mjs wrote on stderr (bounded).
	Stderr string `json:"-"`
}

// Text returns the concatenated text content of Result ("" when none).
func (r ClientResult) Text() string { return resultText(r.Result) }

// ThenText returns the concatenated text content of Then ("" when none).
func (r ClientResult) ThenText() string { return resultText(r.Then) }

// resultText returns the concatenated text content of a CallToolResult.
func resultText(raw json.RawMessage) string {
	var res struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if json.Unmarshal(raw, &res) != nil {
		return ""
	}
	var b strings.Builder
	for _, c := range res.Content {
		if c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// IsError reports whether Result is a tool-level error (isError: true).
func (r ClientResult) IsError() bool {
	var res struct {
		IsError bool `json:"isError"`
	}
	return json.Unmarshal(r.Result, &res) == nil && res.IsError
}

// RunClient runs client.mjs (the TypeScript SDK's MCP client with a
// headless OAuth provider) against mcpURL with extra arguments such as
// "--transport", "sse", "--scope", "a b", "--tool", "whoami", and parses its
// JSON line. It returns an error when the client did not report ok, with
// the client's error; the ClientResult is filled as far as it got. The run
// is bounded by ctx and by 90 s.
func RunClient(t testing.TB, ctx context.Context, mcpURL string, args ...string) (ClientResult, error) {
	t.Helper()
	node := Setup(t)
	ctx, cancel := context.WithTimeout(ctx, clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(Dir(), "client.mjs"), mcpURL}, args...)...)
	cmd.Dir = Dir()
	cmd.SysProcAttr = childproc.Attr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	var stdout bytes.Buffer
	stderr := &childproc.Buffer{Max: 64 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	runErr := cmd.Run()

	res := ClientResult{Stderr: stderr.String()}
	line := bytes.TrimSpace(stdout.Bytes())
	if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return res, fmt.Errorf("client.mjs: no JSON result (%v; run: %v)\nstderr:\n%s", err, runErr, tail(res.Stderr, 4000))
	}
	if !res.OK {
		if res.Error == "" {
			res.Error = "failed without a message"
		}
		return res, errors.New("client.mjs: " + res.Error)
	}
	if runErr != nil {
		return res, fmt.Errorf("client.mjs reported ok but exited with %v", runErr)
	}
	return res, nil
}
