package hydra

import (
	"github.com/mcp-auth/go/examples/internal/childproc"

	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
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

// Access-token strategies of Hydra (strategies.access_token).
const (
	// Opaque tokens are random strings that only Hydra can check, at its
	// admin introspection endpoint or at userinfo. Hydra's default.
	Opaque = "opaque"
	// JWT tokens are RFC 9068-like JWTs signed with the key set
	// "hydra.jwt.access-token" published at jwks_uri.
	JWT = "jwt"
)

// identityClaims are the profile claims the consent app puts into every
// session (ID token, userinfo, access token), and that Start configures
// Hydra to place at the top level of JWT access tokens
// (oauth2.allowed_top_level_claims).
var identityClaims = []string{"username", "name", "email"}

// User is the one account the login app accepts.
type User struct {
	// Subject is the stable "sub" Hydra puts into the tokens.
	Subject string
	// Username and Password are what the login form checks. Username is
	// also the "username" claim.
	Username, Password string
	// Name and Email are the "name" and "email" claims.
	Name, Email string
}

// defaultUser is the account when Options.User is zero.
var defaultUser = User{
	Subject:  "hydra-user-0001",
	Username: "demo",
	Password: "demo",
	Name:     "Demo User",
	Email:    "demo@example.com",
}

// Options configures Start and New. The zero value is usable: opaque tokens, a
// 5-minute token lifetime, the scopes openid, offline_access, whoami:read
// and whoami:admin, no audiences, the user demo/demo (subject
// hydra-user-0001, "Demo User", demo@example.com), automatic login.
type Options struct {
	// AccessTokenStrategy is [Opaque] (default) or [JWT]. A client can
	// override it (ClientOptions.AccessTokenStrategy).
	AccessTokenStrategy string
	// AccessTokenTTL is the access-token lifetime (ttl.access_token),
	// whole seconds. Default: 5 minutes.
	AccessTokenTTL time.Duration
	// Scopes are the scopes clients made by the harness may request, and
	// what discovery lists in scopes_supported.
	Scopes []string
	// Audiences are the audiences clients made by the harness may request
	// (the client's "audience" list, which Hydra matches the "audience"
	// parameter against), usually the MCP server's resource URL.
	Audiences []string
	// User is the account the login app accepts. Default: demo/demo.
	User User
	// FormLogin makes the login app show a username/password form, as a
	// browser would see it, instead of accepting the user at once. The
	// headless Authorize submits it either way.
	FormLogin bool
	// ResourceAsAudience makes the consent app grant, as access-token
	// audience, each RFC 8707 "resource" parameter of the original
	// authorization request that Audiences or the client's audience list
	// names exactly, and add it to the client's audience list when it is
	// missing there (Hydra's refresh grant refuses an audience the client's
	// list lacks). Hydra itself ignores "resource"; this is what a
	// deployment must do for MCP clients, which send "resource" and not
	// "audience" (and, registered dynamically, have no audience list).
	ResourceAsAudience bool
	// OmitExt sets oauth2.mirror_top_level_claims to false. By default
	// (Hydra's too) a JWT access token carries username, name and email
	// at the top level and, again, every consent access-token claim under
	// "ext"; with OmitExt it has the top-level copies only.
	OmitExt bool
	// DynamicClientRegistration enables RFC 7591 registration at
	// <public>/oauth2/register and publishes it as registration_endpoint.
	DynamicClientRegistration bool
	// IssuerTrailingSlash configures the issuer as "http://127.0.0.1:<port>/"
	// instead of "http://127.0.0.1:<port>".
	IssuerTrailingSlash bool
	// StartTimeout bounds the wait for Hydra to be ready. Default: 60 s.
	StartTimeout time.Duration
}

// Hydra is a running Ory Hydra (serve all, DSN=memory) on two free
// loopback ports, with its login-and-consent app.
type Hydra struct {
	// Issuer is urls.self.issuer, exactly as Hydra reports it in discovery
	// and in the "iss" of its tokens.
	Issuer string
	// PublicURL is the public API's base URL, without a trailing slash
	// (authorize, token, userinfo, discovery, JWKS).
	PublicURL string
	// AdminURL is the admin API's base URL, without a trailing slash
	// (clients, login and consent requests, introspection). It has no
	// authentication of its own: whoever reaches it administers Hydra.
	AdminURL string
	// User is the account the login app accepts.
	User User

	opts    Options
	dir     string // configuration and HOME of the process
	app     *loginApp
	output  *childproc.Buffer
	http    *http.Client
	stop    func() // nil until started
	closing sync.Once
}

// DiscoveryURL is the OpenID Connect discovery document's URL. Hydra
// serves no RFC 8414 document (/.well-known/oauth-authorization-server
// answers 404).
func (h *Hydra) DiscoveryURL() string {
	return h.PublicURL + "/.well-known/openid-configuration"
}

// IntrospectionURL is the RFC 7662 introspection endpoint, on the admin
// API. Discovery does not publish it, and the public API has none.
func (h *Hydra) IntrospectionURL() string {
	return h.AdminURL + "/admin/oauth2/introspect"
}

// LoginURL is the login app's page that Hydra sends the browser to
// (urls.login).
func (h *Hydra) LoginURL() string { return h.app.url + loginPath }

// Output returns what Hydra wrote on stdout and stderr so far (bounded).
func (h *Hydra) Output() string { return h.output.String() }

// portAttempts bounds the restarts when a chosen port was taken by
// another process between choosing it and Hydra binding it.
const portAttempts = 3

// Start builds (or reuses) the Hydra binary and starts Hydra with New;
// it stops Hydra in t.Cleanup and, when the test failed, logs its output.
// It skips or fails the test as [Binary] does when there is no binary,
// and fails it when Hydra does not start.
func Start(t testing.TB, opts Options) *Hydra {
	t.Helper()
	bin := Binary(t)
	h, err := New(context.Background(), bin, opts)
	if err != nil {
		t.Fatalf("hydra: %v", err)
	}
	t.Cleanup(func() {
		h.Close()
		if t.Failed() {
			t.Logf("hydra: output:\n%s", tail(h.Output(), 16000))
		}
	})
	return h
}

// New starts the Hydra binary bin ([Build] gives one) with an in-memory
// database on free loopback ports and its login-and-consent app, and waits
// for both APIs to be ready, bounded by opts.StartTimeout and ctx. The
// caller stops it with Close; the kernel kills it should the calling
// process die first (Linux). New is for sharing one Hydra among tests
// (started in TestMain, say); a single test uses Start.
func New(ctx context.Context, bin string, opts Options) (*Hydra, error) {
	if opts.AccessTokenStrategy == "" {
		opts.AccessTokenStrategy = Opaque
	}
	if opts.AccessTokenStrategy != Opaque && opts.AccessTokenStrategy != JWT {
		return nil, fmt.Errorf("unknown access-token strategy %q", opts.AccessTokenStrategy)
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = 5 * time.Minute
	}
	if len(opts.Scopes) == 0 {
		opts.Scopes = []string{"openid", "offline_access", "whoami:read", "whoami:admin"}
	}
	if opts.User == (User{}) {
		opts.User = defaultUser
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	dir, err := os.MkdirTemp("", "mcpauth-hydra-")
	if err != nil {
		return nil, err
	}
	h := &Hydra{User: opts.User, opts: opts, dir: dir, http: &http.Client{Timeout: 30 * time.Second}}
	h.app = newLoginApp(h)

	for attempt := 1; ; attempt++ {
		err = h.start(ctx, bin)
		if err == nil {
			return h, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == portAttempts {
			break
		}
	}
	out := h.Output()
	h.Close()
	return nil, fmt.Errorf("%w\noutput:\n%s", err, tail(out, 8000))
}

// Close stops Hydra (SIGTERM, then SIGKILL after 5 s) and the login app,
// and removes the configuration directory. It is safe to call twice.
func (h *Hydra) Close() {
	h.closing.Do(func() {
		if h.stop != nil {
			h.stop()
		}
		h.app.close()
		_ = os.RemoveAll(h.dir)
	})
}

var errPortTaken = errors.New("a chosen port was taken")

// start runs one attempt: free ports, config file, process, readiness.
func (h *Hydra) start(ctx context.Context, bin string) error {
	public, admin, err := freePorts()
	if err != nil {
		return err
	}
	h.PublicURL = "http://127.0.0.1:" + strconv.Itoa(public)
	h.AdminURL = "http://127.0.0.1:" + strconv.Itoa(admin)
	h.Issuer = h.PublicURL
	if h.opts.IssuerTrailingSlash {
		h.Issuer += "/"
	}

	cfg := filepath.Join(h.dir, "hydra.json")
	b, err := json.MarshalIndent(h.config(public, admin), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		return err
	}

	procCtx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(procCtx, bin, "serve", "all", "--dev", "--sqa-opt-out", "--config", cfg)
	cmd.Dir = h.dir
	// A clean environment: Hydra reads its whole configuration from
	// environment variables too (DSN, URLS_SELF_ISSUER, ...), so a stray
	// one in the caller's environment must not change it.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + h.dir, "TMPDIR=" + h.dir, "SQA_OPT_OUT=true"}
	cmd.SysProcAttr = childproc.Attr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	h.output = &childproc.Buffer{Max: 256 << 10}
	cmd.Stdout, cmd.Stderr = h.output, h.output
	if err := cmd.Start(); err != nil {
		cancel()
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cancel()
		<-exited
	}

	if err := h.waitReady(ctx, exited, h.opts.StartTimeout); err != nil {
		stop()
		if strings.Contains(h.output.String(), "address already in use") {
			return fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return err
	}
	h.stop = stop
	return nil
}

// config is Hydra's configuration file (JSON, which Hydra reads like its
// YAML) for the options.
func (h *Hydra) config(public, admin int) map[string]any {
	o := h.opts
	return map[string]any{
		"dsn": "memory",
		"serve": map[string]any{
			"public": map[string]any{"host": "127.0.0.1", "port": public},
			"admin":  map[string]any{"host": "127.0.0.1", "port": admin},
		},
		"urls": map[string]any{
			"self":    map[string]any{"issuer": h.Issuer},
			"login":   h.app.url + loginPath,
			"consent": h.app.url + consentPath,
		},
		// Hydra refuses system secrets shorter than 16 characters; a fresh
		// one per run, so no two runs share keys or cookies.
		"secrets":    map[string]any{"system": []string{rand.Text() + rand.Text()}},
		"strategies": map[string]any{"access_token": o.AccessTokenStrategy},
		"ttl":        map[string]any{"access_token": strconv.Itoa(int(o.AccessTokenTTL/time.Second)) + "s"},
		"oauth2": map[string]any{
			"allowed_top_level_claims": identityClaims,
			"mirror_top_level_claims":  !o.OmitExt,
			"pkce":                     map[string]any{"enforced_for_public_clients": true},
		},
		"oidc": map[string]any{
			"dynamic_client_registration": map[string]any{
				"enabled":       o.DynamicClientRegistration,
				"default_scope": o.Scopes,
			},
		},
		"webfinger": map[string]any{
			"oidc_discovery": h.discoveryConfig(),
		},
		"log": map[string]any{"level": "info", "leak_sensitive_values": false},
	}
}

func (h *Hydra) discoveryConfig() map[string]any {
	d := map[string]any{
		"supported_scope":  h.opts.Scopes,
		"supported_claims": identityClaims,
	}
	if h.opts.DynamicClientRegistration {
		// Hydra publishes registration_endpoint only when told its URL.
		d["client_registration_url"] = h.PublicURL + "/oauth2/register"
	}
	return d
}

// readyPoll is the interval of the readiness loop.
const readyPoll = 50 * time.Millisecond

// waitReady polls both APIs' /health/ready until they answer 200, Hydra
// exits, or timeout passes; then it fetches the JWK Set once, which makes
// Hydra generate its signing keys (about a second of RSA key generation)
// before any test looks at them.
func (h *Hydra) waitReady(ctx context.Context, exited <-chan error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	for _, u := range []string{h.AdminURL + "/health/ready", h.PublicURL + "/health/ready"} {
		for !h.ok(ctx, u) {
			select {
			case err := <-exited:
				return fmt.Errorf("hydra exited before it was ready: %v", err)
			case <-ctx.Done():
				return fmt.Errorf("hydra not ready after %v (%s): %w", timeout, u, ctx.Err())
			case <-tick.C:
			}
		}
	}
	if !h.ok(ctx, h.PublicURL+"/.well-known/jwks.json") {
		return errors.New("hydra: the JWK Set is not available")
	}
	return nil
}

func (h *Hydra) ok(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return false
	}
	drain(resp)
	return resp.StatusCode == http.StatusOK
}

// freePorts returns two distinct ports that were free on 127.0.0.1 a
// moment ago. Hydra needs them up front (its issuer URL names the public
// port); Start retries when another process took one in between.
func freePorts() (public, admin int, err error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		ls = append(ls, l)
	}
	return ls[0].Addr().(*net.TCPAddr).Port, ls[1].Addr().(*net.TCPAddr).Port, nil
}
