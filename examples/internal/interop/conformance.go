package interop

import (
	"github.com/mcp-auth/go/examples/internal/childproc"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// conformanceTimeout bounds one scenario run of the conformance CLI.
const conformanceTimeout = 2 * time.Minute

// Check statuses the conformance suite writes in checks.json.
const (
	StatusSuccess = "SUCCESS"
	StatusFailure = "FAILURE"
	StatusWarning = "WARNING"
	StatusInfo    = "INFO"
)

// ConformanceCheck is one entry of a scenario's checks.json.
type ConformanceCheck struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Status       string `json:"status"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// ScenarioResult counts the checks of one server scenario. A scenario
// passes when it has no FAILURE and at least one SUCCESS (the suite's own
// rule).
type ScenarioResult struct {
	Name     string
	Passed   int // checks with status SUCCESS
	Failed   int // checks with status FAILURE
	Warnings int // checks with status WARNING
	Checks   []ConformanceCheck
}

// OK reports whether the scenario passed.
func (s ScenarioResult) OK() bool { return s.Failed == 0 && s.Passed > 0 }

// ConformanceSummary is the outcome of RunConformance.
type ConformanceSummary struct {
	Scenarios []ScenarioResult
	Passed    int // SUCCESS checks over all scenarios
	Failed    int // FAILURE checks over all scenarios
	Warnings  int
	// Output is the CLI's combined output (bounded), for t.Log.
	Output string
}

// FailedChecks lists "scenario/check: message" for every FAILURE.
func (s ConformanceSummary) FailedChecks() []string {
	var out []string
	for _, sc := range s.Scenarios {
		for _, c := range sc.Checks {
			if c.Status == StatusFailure {
				out = append(out, fmt.Sprintf("%s/%s: %s", sc.Name, c.ID, c.ErrorMessage))
			}
		}
	}
	return out
}

// conformanceCLI is the suite's entry point inside node_modules.
func conformanceCLI() string {
	return filepath.Join(Dir(), "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js")
}

// ServerScenarios lists the server scenarios the installed conformance suite
// knows (`conformance list --server`), with Node 22.
func ServerScenarios(t testing.TB, ctx context.Context) ([]string, error) {
	t.Helper()
	node := Node22(t)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, conformanceCLI(), "list", "--server").Output()
	if err != nil {
		return nil, fmt.Errorf("conformance list: %w", err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(line, "- "); ok {
			name, _, _ = strings.Cut(name, " ")
			names = append(names, name)
		}
	}
	return names, nil
}

// RunConformance runs the MCP conformance suite's server scenarios against
// serverURL (an MCP endpoint that answers without authorization, or through
// a token-adding proxy: the suite sends no Authorization header) with Node 22,
// one CLI run per scenario, and reads the checks.json files it writes. With
// no scenarios it runs the suite's default "active" set in one run.
//
// A failing check is not an error: it is counted in the summary. The error
// is non-nil when the CLI could not run or wrote no results. Each run is
// bounded by ctx and by two minutes.
func RunConformance(t testing.TB, ctx context.Context, serverURL string, scenarios ...string) (ConformanceSummary, error) {
	t.Helper()
	node := Node22(t)
	outDir := t.TempDir()
	var output bytes.Buffer
	runs := [][]string{nil}
	if len(scenarios) > 0 {
		runs = runs[:0]
		for _, s := range scenarios {
			runs = append(runs, []string{"--scenario", s})
		}
	}
	for _, extra := range runs {
		args := append([]string{conformanceCLI(), "server", "--url", serverURL, "-o", outDir}, extra...)
		rctx, cancel := context.WithTimeout(ctx, conformanceTimeout)
		cmd := exec.CommandContext(rctx, node, args...)
		cmd.Dir = Dir()
		cmd.SysProcAttr = childproc.Attr()
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 5 * time.Second
		var out childproc.Buffer
		out.Max = 256 << 10
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		output.WriteString(out.String())
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
			// Exit status 1 means "some check failed"; anything else is a
			// broken run.
			return ConformanceSummary{Output: tail(output.String(), 16<<10)}, fmt.Errorf("conformance %v: %w", extra, err)
		}
	}
	sum, err := readConformanceResults(outDir)
	sum.Output = tail(output.String(), 16<<10)
	if err == nil && len(sum.Scenarios) == 0 {
		err = errors.New("conformance: no checks.json written")
	}
	return sum, err
}

// resultDir matches the directories the CLI writes:
// server-<scenario>-<ISO time with ':' and '.' replaced by '-'>.
var resultDir = regexp.MustCompile(`^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$`)

func readConformanceResults(dir string) (ConformanceSummary, error) {
	var sum ConformanceSummary
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "checks.json" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var checks []ConformanceCheck
		if err := json.Unmarshal(b, &checks); err != nil {
			return fmt.Errorf("conformance: %s: %w", path, err)
		}
		name := filepath.Base(filepath.Dir(path))
		if m := resultDir.FindStringSubmatch(name); m != nil {
			name = m[1]
		}
		r := ScenarioResult{Name: name, Checks: checks}
		for _, c := range checks {
			switch c.Status {
			case StatusSuccess:
				r.Passed++
			case StatusFailure:
				r.Failed++
			case StatusWarning:
				r.Warnings++
			}
		}
		sum.Scenarios = append(sum.Scenarios, r)
		sum.Passed += r.Passed
		sum.Failed += r.Failed
		sum.Warnings += r.Warnings
		return nil
	})
	sort.Slice(sum.Scenarios, func(i, j int) bool { return sum.Scenarios[i].Name < sum.Scenarios[j].Name })
	return sum, err
}
