package interop

import (
	"github.com/mcp-auth/go/examples/internal/childproc"

	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// InstallCommand is the shell command that installs the kit's npm
// dependencies by hand; Setup prints it when it skips a test.
const InstallCommand = "cd examples/interop && npm ci"

// minNodeMajor is the oldest Node.js release that runs provider.mjs and
// client.mjs (oidc-provider 9 warns on Node 20 but works).
const minNodeMajor = 20

// npmTimeout bounds one npm ci run (a cold cache downloads ~200 MB, mostly
// the node@22 binary).
const npmTimeout = 5 * time.Minute

// stampFile, inside node_modules, records which package.json and
// package-lock.json the installed tree came from, so that parallel test
// binaries run npm ci once and never delete a tree another binary uses.
const stampFile = ".mcpauth-interop-installed"

// install is the once-per-process state of Setup. It is process-wide on
// purpose: every test in the binary shares one node_modules tree.
var install struct {
	mu   sync.Mutex
	done bool
	node string
	err  error
}

// Dir returns the absolute path of the examples/interop directory, which
// holds provider.mjs, client.mjs, package.json and package-lock.json.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("interop: runtime.Caller failed")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "interop")
}

// Setup makes sure node and npm exist and the kit's node_modules is
// installed, and returns the path of the node binary (Node 20 or later).
//
// npm ci runs at most once per process and only when the installed tree does
// not match package-lock.json; a file lock in examples/interop serialises it
// across test binaries running in parallel. Without node or npm the test is
// skipped with the install command, unless CI is "true", where it fails.
// Setup is safe for concurrent use.
func Setup(t testing.TB) (nodePath string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = exec.LookPath("npm")
	}
	if err != nil {
		missing(t, fmt.Sprintf("node and npm are required (%v); install Node.js %d+ and run: %s", err, minNodeMajor, InstallCommand))
	}

	install.mu.Lock()
	defer install.mu.Unlock()
	if !install.done {
		install.node, install.err = node, ensureInstalled(node)
		install.done = true
	}
	if install.err != nil {
		t.Fatalf("interop: %v", install.err)
	}
	return install.node
}

// missing skips the test, or fails it when running in CI.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("interop: " + msg)
	}
	t.Skip("interop: " + msg)
}

func ensureInstalled(node string) error {
	if err := checkNodeVersion(node, minNodeMajor); err != nil {
		return err
	}
	dir := Dir()
	want, err := lockDigest(dir)
	if err != nil {
		return err
	}
	unlock, err := childproc.Lock(filepath.Join(dir, ".npm-install.lock"))
	if err != nil {
		return fmt.Errorf("locking %s: %w", dir, err)
	}
	defer unlock()

	stamp := filepath.Join(dir, "node_modules", stampFile)
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--prefer-offline", "--no-audit", "--no-fund")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, tail(out.String(), 4000))
	}
	return os.WriteFile(stamp, []byte(want), 0o644)
}

// lockDigest identifies the dependency tree package.json and
// package-lock.json describe.
func lockDigest(dir string) (string, error) {
	h := sha256.New()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func checkNodeVersion(node string, major int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", node, err)
	}
	v := strings.TrimSpace(string(out))
	got, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0])
	if err != nil {
		return fmt.Errorf("%s --version: unexpected output %q", node, v)
	}
	if got < major {
		return fmt.Errorf("%s is %s; Node.js %d or later is required", node, v, major)
	}
	return nil
}

// Node22 returns the path of the Node 22 binary that the node@22 npm package
// installs in node_modules; the conformance suite needs it (the system node
// may be older).
func Node22(t testing.TB) string {
	t.Helper()
	Setup(t)
	node := filepath.Join(Dir(), "node_modules", "node", "bin", "node")
	if _, err := os.Stat(node); err != nil {
		t.Fatalf("interop: node@22 binary missing (%v); rerun: %s", err, InstallCommand)
	}
	if err := checkNodeVersion(node, 22); err != nil {
		t.Fatalf("interop: %v", err)
	}
	return node
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

var errNoReadyLine = errors.New("exited before printing its ready line")
