package hydra

import (
	"github.com/mcp-auth/go/examples/internal/childproc"

	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the Ory Hydra release the harness builds and runs; it is the
// version pinned in tool/go.mod.
const Version = "v2.3.0"

// BuildCommand is the command that builds the Hydra binary by hand, from
// the repository root; tests print it when they skip for want of one.
const BuildCommand = "go run ./examples/internal/hydra/cmd/buildhydra"

// BinaryEnv names an environment variable that, when set, is the path of
// a Hydra binary to use instead of building one (an official release
// binary, say). The harness then builds nothing.
const BinaryEnv = "MCPAUTH_HYDRA_BIN"

// buildTags are the tags Hydra's own release builds use for SQLite, which
// DSN=memory needs (cgo; github.com/mattn/go-sqlite3).
const buildTags = "sqlite,sqlite_omit_load_extension"

// buildTimeout bounds one build. A cold build (module downloads, cgo
// SQLite) takes 2 to 3 minutes on two cores.
const buildTimeout = 15 * time.Minute

// binary is the once-per-process state of Binary. It is process-wide on
// purpose: every test in the binary shares one Hydra executable.
var binary struct {
	mu   sync.Mutex
	done bool
	path string
	err  error
}

// ToolDir returns the absolute path of the tools module (tool/) that pins
// Hydra. It is a module of its own, outside go.work, so that Hydra's
// dependency graph never enters the examples module.
func ToolDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("hydra: runtime.Caller failed")
	}
	return filepath.Join(filepath.Dir(file), "tool")
}

// Binary returns the path of a Hydra executable, building it first when
// the cache lacks it (see [Build]). Without a Go toolchain, or when the
// build fails, the test is skipped with [BuildCommand], unless the
// environment variable CI is "true", where it fails. Binary is safe for
// concurrent use; the build runs at most once per process.
func Binary(t testing.TB) string {
	t.Helper()
	binary.mu.Lock()
	defer binary.mu.Unlock()
	if !binary.done {
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		binary.path, binary.err = Build(ctx)
		cancel()
		binary.done = true
	}
	if binary.err != nil {
		msg := fmt.Sprintf("no Ory Hydra %s binary: %v\nbuild it with: %s", Version, binary.err, BuildCommand)
		if os.Getenv("CI") == "true" {
			t.Fatal("hydra: " + msg)
		}
		t.Skip("hydra: " + msg)
	}
	return binary.path
}

// Build returns the path of the cached Hydra binary, building it when it
// is missing: go build in [ToolDir] with GOWORK=off, cgo and the SQLite
// tags, into the user's cache directory under a name derived from
// tool/go.mod and tool/go.sum, so that a change of pin builds a new binary
// and never reuses a stale one. A file lock beside the binary serialises
// builds across processes (parallel test binaries build once); the binary
// is written to a temporary name and renamed, so no process ever runs a
// half-written file. With [BinaryEnv] set, Build checks that file and
// returns it.
func Build(ctx context.Context) (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", BinaryEnv, err)
		}
		return p, nil
	}
	dir := ToolDir()
	key, err := pinDigest(dir)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: %w", err)
	}
	outDir := filepath.Join(cache, "mcpauth-go", "hydra-"+Version+"-"+key)
	out := filepath.Join(outDir, "hydra")
	if isExecutable(out) {
		return out, nil
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is needed to build Hydra: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	unlock, err := childproc.Lock(filepath.Join(outDir, ".build.lock"))
	if err != nil {
		return "", fmt.Errorf("locking %s: %w", outDir, err)
	}
	defer unlock()
	if isExecutable(out) { // another process built it while we waited
		return out, nil
	}

	tmp := out + ".tmp"
	cmd := exec.CommandContext(ctx, goCmd, "build", "-tags", buildTags, "-o", tmp, "github.com/ory/hydra/v2")
	cmd.Dir = dir
	cmd.Env = buildEnv()
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("go build in %s: %w\n%s", dir, err, tail(log.String(), 4000))
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", err
	}
	return out, nil
}

// buildEnv is the caller's environment with the settings that would break
// or change the build replaced: the tools module is outside the workspace
// (GOWORK=off), the SQLite driver needs cgo, and GOFLAGS from a test run
// (-count, -race, -mod) must not leak into it.
func buildEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOWORK", "GOFLAGS", "CGO_ENABLED", "GOOS", "GOARCH":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOWORK=off", "GOFLAGS=-mod=readonly -trimpath", "CGO_ENABLED=1")
}

// pinDigest identifies the Hydra build tool/go.mod and tool/go.sum
// describe, for this platform and these tags.
func pinDigest(dir string) (string, error) {
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	fmt.Fprintf(h, "\x00%s/%s\x00%s", runtime.GOOS, runtime.GOARCH, buildTags)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
