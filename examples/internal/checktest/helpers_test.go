package checktest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mcp-auth/go/internal/check"
)

// binDir holds the programs built once for this test binary.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "checktest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var builds sync.Map // package path -> *buildResult

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// build compiles pkg once per test binary and returns the program's path.
func build(t *testing.T, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds programs")
	}
	v, _ := builds.LoadOrStore(pkg, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		b.path = filepath.Join(binDir, filepath.Base(pkg))
		out, err := exec.Command("go", "build", "-o", b.path, pkg).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// whoami is a running whoami process.
type whoami struct {
	mcp, sse, issuer string
}

// startWhoami runs the whoami example on a free loopback port with args
// and reads the URLs it prints. It is stopped (SIGTERM) when the test
// ends; its stderr is logged if the test failed.
func startWhoami(t *testing.T, args ...string) *whoami {
	t.Helper()
	bin := build(t, "github.com/mcp-auth/go/examples/whoami")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("whoami stderr:\n%s", stderr.String())
		}
	})

	urls := make(chan *whoami, 1)
	go func() { // ends when whoami's stdout closes
		w := &whoami{}
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			switch {
			case len(fields) == 3 && fields[0] == "streamable" && fields[1] == "HTTP:":
				w.mcp = fields[2]
			case len(fields) == 3 && fields[0] == "legacy" && fields[1] == "SSE:":
				w.sse = fields[2]
			case len(fields) == 2 && fields[0] == "issuer:":
				w.issuer = fields[1]
			}
			if !sent && w.mcp != "" && w.sse != "" && w.issuer != "" {
				urls <- w
				sent = true
			}
		}
		if !sent {
			close(urls)
		}
	}()
	timer := time.NewTimer(60 * time.Second)
	defer timer.Stop()
	select {
	case w, ok := <-urls:
		if !ok {
			t.Fatalf("whoami exited before printing its URLs\nstderr:\n%s", stderr.String())
		}
		return w
	case <-timer.C:
		t.Fatalf("whoami printed no URLs within 60s\nstderr:\n%s", stderr.String())
	}
	return nil
}

// runCheck runs the checker in-process, logs the table and returns the
// report.
func runCheck(t *testing.T, target string) *check.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := check.Run(ctx, target, check.Options{})
	if err != nil {
		t.Fatalf("check.Run(%s): %v", target, err)
	}
	t.Logf("mcpauth-check %s\n%s", target, r)
	return r
}

// requireNoFailure fails the test for every failed check, and logs the
// warnings as findings.
func requireNoFailure(t *testing.T, r *check.Report, wantKind check.Kind) {
	t.Helper()
	if r.Kind != wantKind {
		t.Errorf("%s: kind %s, want %s", r.Target, r.Kind, wantKind)
	}
	for _, res := range r.Results {
		switch res.Status {
		case check.Fail:
			t.Errorf("%s: FAIL %s: %s | fix: %s", r.Target, res.Check, res.Detail, res.Fix)
		case check.Warn:
			t.Logf("finding: %s: WARN %s: %s", r.Target, res.Check, res.Detail)
		}
	}
	if r.ExitCode() != check.ExitOK {
		t.Errorf("%s: exit code %d, want 0", r.Target, r.ExitCode())
	}
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine of
// exec.Cmd and the test reading it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		return len(p), nil // keep the first 64 KiB
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
