package faults

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/examples/internal/interop"
)

// call names a remote call the library makes to the authorization server.
type call string

const (
	callUserinfo      call = "userinfo"
	callIntrospection call = "introspection"
	callJWKS          call = "jwks"
	callDiscovery     call = "discovery"
)

var allCalls = []call{callUserinfo, callIntrospection, callJWKS, callDiscovery}

// resource is the MCP server the JWT access tokens are issued for.
const resource = "http://127.0.0.1:3001/mcp"

// upstream is a real provider, as the tests see it through a proxy.
type upstream struct {
	name   string
	issuer string // the provider's issuer identifier (tokens' iss)
	origin string // scheme://host the proxy forwards to
	paths  map[call]string
	creds  bearer.ClientCredentials // for introspection
	opaque string                   // an opaque access token (userinfo, introspection)
	jwt    string                   // a JWT access token for resource
}

// proxyURL returns the URL of c through p.
func (u *upstream) proxyURL(p *Proxy, c call) string { return p.URL() + u.paths[c] }

// forEachProvider runs f in a subtest for each real provider: the Go
// development issuer always, oidc-provider when node is installed (its
// subtest skips otherwise, and fails under CI=true).
func forEachProvider(t *testing.T, f func(t *testing.T, u *upstream)) {
	for _, pv := range []struct {
		name  string
		start func(*testing.T) *upstream
	}{
		{"devissuer", startDevIssuer},
		{"oidc-provider", startOIDCProvider},
	} {
		t.Run(pv.name, func(t *testing.T) { f(t, pv.start(t)) })
	}
}

// startDevIssuer runs the Go development issuer (zitadel/oidc) in process
// and gets one token of each shape from it.
func startDevIssuer(t *testing.T) *upstream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	iss, err := devissuer.Start(ctx, devissuer.Config{Scopes: []string{"whoami:read"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { iss.Close(); cancel() })
	const rsSecret = "resource-server-secret-for-tests"
	for _, c := range []devissuer.Client{
		{ID: "faults-agent", Name: "faults agent", RedirectURIs: []string{"http://127.0.0.1/callback"}},
		{ID: "faults-rs", Secret: rsSecret},
	} {
		if err := iss.RegisterClient(c); err != nil {
			t.Fatal(err)
		}
	}
	u := &upstream{
		name:   "devissuer",
		issuer: iss.URL(),
		origin: iss.URL(),
		creds:  bearer.ClientCredentials{ClientID: "faults-rs", ClientSecret: rsSecret},
	}
	u.paths = discoverPaths(t, iss.URL()+"/.well-known/openid-configuration")
	u.opaque = devToken(t, iss, "")
	u.jwt = devToken(t, iss, resource)
	return u
}

// devToken plays the test agent and the demo user at iss: authorization
// code with PKCE, resource "" for an opaque token, else a JWT bound to it.
func devToken(t *testing.T, iss *devissuer.Issuer, res string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	conf := oauth2.Config{
		ClientID:    "faults-agent",
		RedirectURL: "http://127.0.0.1/callback",
		Endpoint:    oauth2.Endpoint{AuthURL: iss.URL() + "/authorize", TokenURL: iss.URL() + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
		Scopes:      []string{"openid", "profile", "whoami:read"},
	}
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if res != "" {
		opts = append(opts, oauth2.SetAuthURLParam("resource", res))
	}
	redirect, err := iss.Login(ctx, hc, conf.AuthCodeURL("state", opts...), "demo", "demo")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	code := redirect.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", redirect.Redacted())
	}
	exchange := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if res != "" {
		exchange = append(exchange, oauth2.SetAuthURLParam("resource", res))
	}
	tok, err := conf.Exchange(ctx, code, exchange...)
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	return tok.AccessToken
}

// startOIDCProvider runs provider.mjs (oidc-provider, Logto's engine) as a
// node process and gets one token of each shape from it. It skips the test
// without node (and fails under CI=true).
func startOIDCProvider(t *testing.T) *upstream {
	t.Helper()
	interop.Setup(t)
	p := interop.StartProvider(t, interop.ProviderOptions{})
	u := &upstream{
		name:   "oidc-provider",
		issuer: p.Issuer,
		creds:  bearer.ClientCredentials{ClientID: p.IntrospectClientID, ClientSecret: p.IntrospectSecret},
	}
	iu, err := url.Parse(p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	u.origin = iu.Scheme + "://" + iu.Host
	u.paths = discoverPaths(t, p.DiscoveryURL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if u.opaque, err = interop.CodeFlow(ctx, p, "", "openid"); err != nil {
		t.Fatalf("opaque token: %v", err)
	}
	if u.jwt, err = interop.CodeFlow(ctx, p, resource, "openid", "whoami:read"); err != nil {
		t.Fatalf("JWT: %v", err)
	}
	return u
}

// discoverPaths reads the provider's discovery document directly (not
// through a proxy) and returns the paths of its endpoints.
func discoverPaths(t *testing.T, discoveryURL string) map[call]string {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(discoveryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Userinfo      string `json:"userinfo_endpoint"`
		Introspection string `json:"introspection_endpoint"`
		JWKS          string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("discovery document: %v", err)
	}
	paths := map[call]string{}
	for c, raw := range map[call]string{callUserinfo: doc.Userinfo, callIntrospection: doc.Introspection, callJWKS: doc.JWKS, callDiscovery: discoveryURL} {
		u, err := url.Parse(raw)
		if err != nil || u.Path == "" {
			t.Fatalf("%s endpoint %q unusable", c, raw)
		}
		paths[c] = u.Path
	}
	return paths
}
