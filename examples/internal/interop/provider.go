package interop

import (
	"github.com/mcp-auth/go/examples/internal/childproc"

	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DemoUser, DemoPassword and DemoSubject describe the one account of
// provider.mjs. The subject is stable across runs.
const (
	DemoUser     = "demo"
	DemoPassword = "demo"
	DemoSubject  = "demo-user-0001"
)

// ProviderOptions configures StartProvider. The zero value is usable.
type ProviderOptions struct {
	// Scopes are the resource scopes the provider grants for any resource
	// indicator. Default: whoami:read whoami:admin.
	Scopes []string
	// AccessTokenTTL is the access token lifetime, in whole seconds.
	// Default: 300 s.
	AccessTokenTTL time.Duration
	// IntrospectClientID and IntrospectSecret name the confidential client
	// registered at startup that may call the introspection endpoint.
	// Defaults: "introspector" and a random secret.
	IntrospectClientID, IntrospectSecret string
	// StartTimeout bounds the wait for the ready line. Default: 120 s. A
	// start takes about 0.6 s (2.5 s with six at once); in one CI run of
	// 2026-12-04 two starts on a loaded machine printed nothing for 30 s,
	// stuck before the provider was built (its key generation, which
	// takes at most 0.5 s here otherwise), cause not found: the bound is
	// generous because only a failing start ever waits for it.
	StartTimeout time.Duration
	// CustomAccessTokenClaims puts username, name and email into JWT access
	// tokens when profile / email are granted, as a Logto "custom JWT
	// claims" script for access tokens does. Without it the provider is
	// Logto without such a script: the access token says only who (sub).
	CustomAccessTokenClaims bool
	// OpaqueResourceTokens makes the access tokens issued for a resource
	// indicator opaque instead of ES384 JWTs. They stay bound to the
	// resource: introspection reports it as "aud" (oidc-provider
	// introspects only opaque tokens; it answers a JWT with
	// unsupported_token_type). Logto always issues JWTs for a resource;
	// providers such as Ory Hydra issue opaque tokens with an audience.
	OpaqueResourceTokens bool
	// Port is the port to listen on; 0 means a free one. Starting a new
	// provider on the port of one that was stopped ([Provider.Stop]) keeps
	// the issuer URL while the signing keys change: a key rotation that
	// keeps no old key, at a real provider.
	Port int
}

// Provider is a running provider.mjs: an oidc-provider authorization server
// configured like Logto, on 127.0.0.1 with a random port.
type Provider struct {
	// Issuer is "http://127.0.0.1:<port>/oidc".
	Issuer string
	// Port is the listening port.
	Port int
	// IntrospectClientID and IntrospectSecret authenticate (HTTP Basic) the
	// confidential client allowed to introspect tokens.
	IntrospectClientID, IntrospectSecret string

	stderr *childproc.Buffer
	stop   func()
}

// Stop stops the provider now (SIGTERM, then SIGKILL after 5 s) and waits
// for it to exit; the test's cleanup does it otherwise. It is safe to call
// more than once.
func (p *Provider) Stop() { p.stop() }

// DiscoveryURL returns the OpenID Connect discovery URL of the issuer
// (appended, as OIDC does: <issuer>/.well-known/openid-configuration).
func (p *Provider) DiscoveryURL() string {
	return p.Issuer + "/.well-known/openid-configuration"
}

// Stderr returns what the provider wrote on stderr so far (bounded).
func (p *Provider) Stderr() string { return p.stderr.String() }

type readyLine struct {
	Issuer             string `json:"issuer"`
	Port               int    `json:"port"`
	IntrospectClientID string `json:"introspect_client_id"`
	IntrospectSecret   string `json:"introspect_client_secret"`
}

// StartProvider starts provider.mjs and waits (bounded by
// opts.StartTimeout) for its ready line. The process is stopped in
// t.Cleanup (SIGTERM, then SIGKILL after 5 s); when the test failed, its
// stderr is logged. It calls t.Fatal when the provider does not start.
func StartProvider(t testing.TB, opts ProviderOptions) *Provider {
	t.Helper()
	node := Setup(t)
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 120 * time.Second
	}
	// Start from the test's environment minus the provider's own settings,
	// so that a stray SCOPES or PORT cannot change the defaults.
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PORT", "SCOPES", "ACCESS_TOKEN_TTL", "INTROSPECT_CLIENT_ID", "INTROSPECT_CLIENT_SECRET", "CUSTOM_ACCESS_TOKEN_CLAIMS", "RESOURCE_TOKEN_FORMAT":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PORT="+strconv.Itoa(opts.Port))
	if opts.CustomAccessTokenClaims {
		env = append(env, "CUSTOM_ACCESS_TOKEN_CLAIMS=1")
	}
	if opts.OpaqueResourceTokens {
		env = append(env, "RESOURCE_TOKEN_FORMAT=opaque")
	}
	if len(opts.Scopes) > 0 {
		env = append(env, "SCOPES="+strings.Join(opts.Scopes, " "))
	}
	if opts.AccessTokenTTL > 0 {
		env = append(env, "ACCESS_TOKEN_TTL="+strconv.Itoa(int(opts.AccessTokenTTL/time.Second)))
	}
	if opts.IntrospectClientID != "" {
		env = append(env, "INTROSPECT_CLIENT_ID="+opts.IntrospectClientID)
	}
	if opts.IntrospectSecret != "" {
		env = append(env, "INTROSPECT_CLIENT_SECRET="+opts.IntrospectSecret)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, filepath.Join(Dir(), "provider.mjs"))
	cmd.Dir = Dir()
	cmd.Env = env
	cmd.SysProcAttr = childproc.Attr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	stderr := &childproc.Buffer{Max: 64 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatalf("interop: provider stdout: %v", err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("interop: starting provider.mjs: %v", err)
	}
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(func() { cancel(); _ = cmd.Wait() }) }
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("interop: provider.mjs stderr:\n%s", stderr.String())
		}
	})

	lines := make(chan readyLine, 1)
	errs := make(chan error, 1)
	go func() {
		// The goroutine ends when the process's stdout closes (it exits or
		// is killed in Cleanup).
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		if !sc.Scan() {
			errs <- fmt.Errorf("%w: %v", errNoReadyLine, sc.Err())
			return
		}
		var r readyLine
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			errs <- fmt.Errorf("ready line is not JSON: %v", err)
			return
		}
		lines <- r
		for sc.Scan() { // drain: never block the child on a full pipe
		}
	}()

	timer := time.NewTimer(opts.StartTimeout)
	defer timer.Stop()
	select {
	case r := <-lines:
		if r.Issuer == "" || r.Port == 0 {
			t.Fatalf("interop: provider.mjs ready line lacks issuer or port")
		}
		return &Provider{
			Issuer:             r.Issuer,
			Port:               r.Port,
			IntrospectClientID: r.IntrospectClientID,
			IntrospectSecret:   r.IntrospectSecret,
			stderr:             stderr,
			stop:               stop,
		}
	case err := <-errs:
		t.Fatalf("interop: provider.mjs: %v\nstderr:\n%s", err, stderr.String())
	case <-timer.C:
		t.Fatalf("interop: provider.mjs not ready after %v\nstderr:\n%s", opts.StartTimeout, stderr.String())
	}
	return nil
}
