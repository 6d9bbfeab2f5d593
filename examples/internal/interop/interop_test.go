package interop_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/oauth2"

	"github.com/mcp-auth/go/examples/internal/interop"
)

// TestMain checks that no child process (provider.mjs, client.mjs, the
// conformance CLI) outlives the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if left := childProcesses(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "interop: child processes left running: %v\n", left)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// childProcesses lists the command lines of this process's live children
// (Linux only; nil elsewhere).
func childProcesses() []string {
	if runtime.GOOS != "linux" {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state, ppid, ...
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 || f[1] != self || f[0] == "Z" {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out
}

const resource = "http://127.0.0.1:1/mcp"

// redirectURI is never dialled: Authorize stops at the redirect.
const redirectURI = "http://127.0.0.1:9/callback"

type discovery struct {
	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	RegistrationEndpoint          string   `json:"registration_endpoint"`
	IntrospectionEndpoint         string   `json:"introspection_endpoint"`
	RevocationEndpoint            string   `json:"revocation_endpoint"`
	UserinfoEndpoint              string   `json:"userinfo_endpoint"`
	JWKSURI                       string   `json:"jwks_uri"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
	ResponseTypesSupported        []string `json:"response_types_supported"`
	TokenEndpointAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
	AuthorizationResponseIss      bool     `json:"authorization_response_iss_parameter_supported"`
}

type jwk struct {
	Kty, Kid, Alg, Crv, Use, X, Y string
}

func getJSON(t *testing.T, ctx context.Context, u, bearer string, v any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
	}
	return resp.StatusCode
}

func discover(t *testing.T, ctx context.Context, p *interop.Provider) (discovery, []jwk) {
	t.Helper()
	var d discovery
	if code := getJSON(t, ctx, p.DiscoveryURL(), "", &d); code != http.StatusOK {
		t.Fatalf("discovery: status %d", code)
	}
	var set struct{ Keys []jwk }
	if code := getJSON(t, ctx, d.JWKSURI, "", &set); code != http.StatusOK {
		t.Fatalf("jwks: status %d", code)
	}
	return d, set.Keys
}

func startProvider(t *testing.T) (*interop.Provider, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return interop.StartProvider(t, interop.ProviderOptions{}), ctx
}

func TestProviderDiscovery(t *testing.T) {
	p, ctx := startProvider(t)
	d, keys := discover(t, ctx, p)

	if !strings.HasSuffix(p.Issuer, "/oidc") || d.Issuer != p.Issuer {
		t.Errorf("issuer = %q (ready line %q), want one ending in /oidc and equal", d.Issuer, p.Issuer)
	}
	if !slices.Equal(d.CodeChallengeMethodsSupported, []string{"S256"}) {
		t.Errorf("code_challenge_methods_supported = %v, want [S256]", d.CodeChallengeMethodsSupported)
	}
	if !slices.Equal(d.ResponseTypesSupported, []string{"code"}) {
		t.Errorf("response_types_supported = %v, want [code]", d.ResponseTypesSupported)
	}
	if !slices.Contains(d.TokenEndpointAuthMethods, "none") {
		t.Errorf("token_endpoint_auth_methods_supported = %v, want none among them", d.TokenEndpointAuthMethods)
	}
	if !d.AuthorizationResponseIss {
		t.Error("authorization_response_iss_parameter_supported is not true")
	}
	for name, v := range map[string]string{
		"registration_endpoint":  d.RegistrationEndpoint,
		"introspection_endpoint": d.IntrospectionEndpoint,
		"userinfo_endpoint":      d.UserinfoEndpoint,
	} {
		if !strings.HasPrefix(v, p.Issuer+"/") {
			t.Errorf("%s = %q, want under the issuer", name, v)
		}
	}
	if !slices.ContainsFunc(keys, func(k jwk) bool { return k.Alg == "ES384" && k.Crv == "P-384" && k.Kid != "" }) {
		t.Errorf("jwks has no ES384 P-384 key: %+v", keys)
	}
}

// registerPublicClient registers a native public client (DCR, no secret).
func registerPublicClient(t *testing.T, ctx context.Context, d discovery) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"client_name":                "interop go test",
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
		"application_type":           "native",
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.RegistrationEndpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("registration: status %d: %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil {
		t.Fatal(err)
	}
	if reg.ClientID == "" || reg.ClientSecret != "" {
		t.Fatalf("registration: client_id %q, secret issued %v; want an id and no secret", reg.ClientID, reg.ClientSecret != "")
	}
	return reg.ClientID
}

// codeFlow runs DCR + authorize (headless) + token with PKCE, optionally
// with a resource indicator.
func codeFlow(t *testing.T, ctx context.Context, p *interop.Provider, d discovery, res string, extra []oauth2.AuthCodeOption, scopes ...string) (*oauth2.Token, string) {
	t.Helper()
	clientID := registerPublicClient(t, ctx, d)
	conf := &oauth2.Config{
		ClientID:    clientID,
		Endpoint:    oauth2.Endpoint{AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirectURI,
		Scopes:      scopes,
	}
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)
	if res != "" {
		opts = append(opts, oauth2.SetAuthURLParam("resource", res))
	}
	params, err := interop.Authorize(ctx, nil, conf.AuthCodeURL(state, opts...), redirectURI, interop.DemoUser, interop.DemoPassword)
	if err != nil {
		t.Fatalf("authorize: %v\nprovider stderr:\n%s", err, p.Stderr())
	}
	if params.Get("error") != "" {
		t.Fatalf("authorize: %s: %s", params.Get("error"), params.Get("error_description"))
	}
	if params.Get("state") != state || params.Get("iss") != p.Issuer {
		t.Fatalf("callback state/iss = %q/%q, want %q/%q", params.Get("state"), params.Get("iss"), state, p.Issuer)
	}
	exchange := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if res != "" {
		exchange = append(exchange, oauth2.SetAuthURLParam("resource", res))
	}
	tok, err := conf.Exchange(ctx, params.Get("code"), exchange...)
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	return tok, clientID
}

// verifyES384 checks a compact JWS with the ES384 key of the set whose kid
// matches, and returns header and claims. Test code, not a verifier.
func verifyES384(t *testing.T, token string, keys []jwk) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a compact JWS (%d parts)", len(parts))
	}
	var header, claims map[string]any
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	i := slices.IndexFunc(keys, func(k jwk) bool { return k.Kid == header["kid"] })
	if i < 0 {
		t.Fatalf("kid %v not in jwks", header["kid"])
	}
	k := keys[i]
	coord := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) != 48 {
			t.Fatalf("jwk coordinate: %d bytes, %v; want 48", len(b), err)
		}
		return b
	}
	point := append(append([]byte{4}, coord(k.X)...), coord(k.Y)...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), point)
	if err != nil {
		t.Fatalf("jwk: %v", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 96 {
		t.Fatalf("signature: %d bytes, %v; want 96", len(sig), err)
	}
	digest := sha512.Sum384([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])) {
		t.Fatal("ES384 signature does not verify with the jwks key")
	}
	return header, claims
}

func TestProviderResourceTokenIsES384JWT(t *testing.T) {
	p, ctx := startProvider(t)
	d, keys := discover(t, ctx, p)
	tok, clientID := codeFlow(t, ctx, p, d, resource, nil, "whoami:read", "not:offered")

	header, claims := verifyES384(t, tok.AccessToken, keys)
	if header["alg"] != "ES384" || header["typ"] != "at+jwt" {
		t.Errorf("header alg/typ = %v/%v, want ES384/at+jwt", header["alg"], header["typ"])
	}
	checks := []struct{ claim, want string }{
		{"aud", resource},
		{"iss", p.Issuer},
		{"sub", interop.DemoSubject},
		{"client_id", clientID},
		{"scope", "whoami:read"}, // the unknown scope is dropped
	}
	for _, c := range checks {
		if got := fmt.Sprint(claims[c.claim]); got != c.want {
			t.Errorf("claim %s = %q, want %q", c.claim, got, c.want)
		}
	}
	if exp, _ := claims["exp"].(float64); time.Unix(int64(exp), 0).Before(time.Now()) {
		t.Errorf("exp = %v, want in the future", claims["exp"])
	}

	// oidc-provider refuses to introspect JWT access tokens (they are
	// meant to be verified with the JWKS).
	if got, err := p.Introspect(ctx, tok.AccessToken); err == nil || !strings.Contains(err.Error(), "status 400") || !strings.Contains(err.Error(), "unsupported_token_type") {
		t.Errorf("introspection of the JWT = %v, %v; want 400 unsupported_token_type", got, err)
	}
	if code := getJSON(t, ctx, d.UserinfoEndpoint, tok.AccessToken, new(map[string]any)); code != http.StatusUnauthorized {
		t.Errorf("userinfo with a resource token: status %d, want 401", code)
	}
}

func TestProviderOpaqueTokenWorksAtUserinfo(t *testing.T) {
	p, ctx := startProvider(t)
	d, _ := discover(t, ctx, p)
	tok, clientID := codeFlow(t, ctx, p, d, "",
		// OIDC: offline_access is dropped unless prompt=consent is sent.
		[]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "consent")},
		"openid", "profile", "email", "offline_access")

	if strings.Count(tok.AccessToken, ".") != 0 {
		t.Fatalf("access token without resource looks like a JWT; want opaque")
	}
	var info map[string]any
	if code := getJSON(t, ctx, d.UserinfoEndpoint, tok.AccessToken, &info); code != http.StatusOK {
		t.Fatalf("userinfo: status %d", code)
	}
	want := map[string]any{"sub": interop.DemoSubject, "email": "demo@example.com", "name": "Demo User", "preferred_username": "demo"}
	for k, v := range want {
		if info[k] != v {
			t.Errorf("userinfo %s = %v, want %v", k, info[k], v)
		}
	}
	if got, err := p.Introspect(ctx, tok.AccessToken); err != nil || got["active"] != true ||
		got["client_id"] != clientID || got["sub"] != interop.DemoSubject {
		t.Errorf("introspection = %v, %v; want active for the demo user and the client", got, err)
	}
	if got, err := p.Introspect(ctx, "not-a-token"); err != nil || got["active"] != false {
		t.Errorf("introspection of garbage = %v, %v; want active false", got, err)
	}

	if tok.RefreshToken == "" {
		t.Fatal("no refresh token despite offline_access")
	}
	conf := &oauth2.Config{ClientID: clientID, Endpoint: oauth2.Endpoint{TokenURL: d.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
	refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.AccessToken == "" || refreshed.AccessToken == tok.AccessToken {
		t.Error("refresh did not issue a new access token")
	}
}

// Revocation at the Logto-like provider, with the opaque resource-bound
// tokens of OpaqueResourceTokens (what introspection can check: it
// reports the resource as aud). Only the client the token was issued to
// revokes it: another confidential client is told 400 invalid_request,
// another public client 200 with no effect. Once revoked, introspection
// answers active false and nothing else.
func TestProviderRevocation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p := interop.StartProvider(t, interop.ProviderOptions{OpaqueResourceTokens: true})
	d, _ := discover(t, ctx, p)
	tok, err := interop.CodeFlowToken(ctx, p, resource, "openid", "whoami:read")
	if err != nil {
		t.Fatalf("code flow: %v", err)
	}
	if strings.Contains(tok.AccessToken, ".") {
		t.Fatal("the resource token looks like a JWT; want opaque")
	}
	active := func() map[string]any {
		t.Helper()
		got, err := p.Introspect(ctx, tok.AccessToken)
		if err != nil {
			t.Fatalf("introspection: %v", err)
		}
		return got
	}
	if got := active(); got["active"] != true || got["aud"] != resource || got["client_id"] != tok.ClientID ||
		got["sub"] != interop.DemoSubject || got["scope"] != "whoami:read" {
		t.Fatalf("introspection = %v, want active, aud %s, the client, the demo user, whoami:read", got, resource)
	}
	// It is no good at userinfo: its scope is the resource's alone, without
	// openid (403 insufficient_scope; past that check oidc-provider refuses
	// any token with an audience there).
	if code := getJSON(t, ctx, d.UserinfoEndpoint, tok.AccessToken, new(map[string]any)); code != http.StatusForbidden {
		t.Errorf("userinfo with an opaque resource token: status %d, want 403", code)
	}

	// The introspector, a confidential client, may not revoke it.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.RevocationEndpoint,
		strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.IntrospectClientID), url.QueryEscape(p.IntrospectSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var refusal struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&refusal)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || refusal.Error != "invalid_request" {
		t.Errorf("revocation by the introspector: %d %q, want 400 invalid_request", resp.StatusCode, refusal.Error)
	}
	// Another public client is answered 200, and nothing is revoked.
	other, err := interop.CodeFlowToken(ctx, p, resource, "openid")
	if err != nil {
		t.Fatalf("code flow: %v", err)
	}
	if status, err := p.Revoke(ctx, other.ClientID, tok.AccessToken); err != nil || status != http.StatusOK {
		t.Errorf("revocation by another public client: %d, %v; want 200", status, err)
	}
	if got := active(); got["active"] != true {
		t.Fatalf("after another client's revocation: %v, want still active", got)
	}

	if status, err := p.Revoke(ctx, tok.ClientID, tok.AccessToken); err != nil || status != http.StatusOK {
		t.Fatalf("revocation by its client: %d, %v; want 200", status, err)
	}
	if got := active(); got["active"] != false || len(got) != 1 {
		t.Errorf("introspection after the revocation = %v, want only active false", got)
	}
}

func TestProviderRequiresPKCE(t *testing.T) {
	p, ctx := startProvider(t)
	d, _ := discover(t, ctx, p)
	clientID := registerPublicClient(t, ctx, d)
	u := d.AuthorizationEndpoint + "?" + url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirectURI},
		"scope": {"openid"}, "state": {"s"},
	}.Encode()
	params, err := interop.Authorize(ctx, nil, u, redirectURI, interop.DemoUser, interop.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if params.Get("error") != "invalid_request" || params.Get("code") != "" {
		t.Errorf("without code_challenge: callback %v, want error=invalid_request and no code", params)
	}
}

// claimsKey carries the bearer token's claims to the tool handlers.
type claimsKey struct{}

// whoamiServer is a throwaway protected MCP server on mcp-go: a 401
// challenge pointing at RFC 9728 metadata that names the provider, an
// audience comparison on the (unverified) JWT, and a step-up 403 for the
// admin tool. Test code only: it does not verify signatures.
func whoamiServer(t *testing.T, issuer, transport string) string {
	t.Helper()
	s := server.NewMCPServer("whoami-test", "0.0.0")
	s.AddTool(mcp.NewTool("whoami", mcp.WithDescription("who is calling")),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			c, _ := ctx.Value(claimsKey{}).(map[string]any)
			return mcp.NewToolResultText(fmt.Sprintf("sub=%v scope=%v", c["sub"], c["scope"])), nil
		})
	s.AddTool(mcp.NewTool("admin", mcp.WithDescription("needs whoami:admin")),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText("admin ok"), nil
		})

	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	var mcpHandler http.Handler
	endpoint := "/mcp"
	if transport == "sse" {
		endpoint = "/sse"
		sse := server.NewSSEServer(s, server.WithBaseURL(srv.URL))
		mcpHandler = sse
		mux.Handle("/message", gate(sse, srv.URL, endpoint, issuer))
	} else {
		mcpHandler = server.NewStreamableHTTPServer(s)
	}
	mux.Handle(endpoint, gate(mcpHandler, srv.URL, endpoint, issuer))
	prm, _ := json.Marshal(map[string]any{
		"resource":                 srv.URL + endpoint,
		"authorization_servers":    []string{issuer},
		"scopes_supported":         []string{"whoami:read", "whoami:admin"},
		"bearer_methods_supported": []string{"header"},
	})
	mux.HandleFunc("/.well-known/oauth-protected-resource"+endpoint, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(prm)
	})
	return srv.URL + endpoint
}

func gate(next http.Handler, base, endpoint, issuer string) http.Handler {
	res := base + endpoint
	metadata := base + "/.well-known/oauth-protected-resource" + endpoint
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		challenge := func(status int, params string) {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer %sresource_metadata=%q`, params, metadata))
			w.WriteHeader(status)
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			challenge(http.StatusUnauthorized, `scope="whoami:read", `)
			return
		}
		claims := map[string]any{}
		parts := strings.Split(token, ".")
		if len(parts) == 3 {
			b, _ := base64.RawURLEncoding.DecodeString(parts[1])
			_ = json.Unmarshal(b, &claims)
		}
		if !audienceHas(claims["aud"], res) || claims["iss"] != issuer {
			challenge(http.StatusUnauthorized, `error="invalid_token", `)
			return
		}
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			var call struct {
				Method string `json:"method"`
				Params struct {
					Name string `json:"name"`
				} `json:"params"`
			}
			_ = json.Unmarshal(body, &call)
			scopes := strings.Fields(fmt.Sprint(claims["scope"]))
			if call.Method == "tools/call" && call.Params.Name == "admin" && !slices.Contains(scopes, "whoami:admin") {
				// The baseline scope too: SDK 1.32.2 replaces its scopes with these.
				challenge(http.StatusForbidden, `error="insufficient_scope", scope="whoami:read whoami:admin", `)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
	})
}

// audienceHas reports whether aud (a string or an array, RFC 7519) names
// res.
func audienceHas(aud any, res string) bool {
	switch a := aud.(type) {
	case string:
		return a == res
	case []any:
		return slices.Contains(a, any(res))
	}
	return false
}

func TestTypeScriptClientHeadlessFlow(t *testing.T) {
	p := interop.StartProvider(t, interop.ProviderOptions{})
	tests := []struct {
		name, transport, tool string
		wantText              string
		wantAuthorizations    int
		wantScope             string
	}{
		{"streamable", "streamable", "whoami", "sub=" + interop.DemoSubject + " scope=whoami:read", 1, "whoami:read"},
		{"sse", "sse", "whoami", "sub=" + interop.DemoSubject + " scope=whoami:read", 1, "whoami:read"},
		{"step-up", "streamable", "admin", "admin ok", 2, "whoami:read whoami:admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			mcpURL := whoamiServer(t, p.Issuer, tt.transport)
			start := time.Now()
			res, err := interop.RunClient(t, ctx, mcpURL, "--transport", tt.transport, "--tool", tt.tool)
			t.Logf("client.mjs took %v", time.Since(start).Round(time.Millisecond))
			if err != nil {
				t.Fatalf("%v\nclient stderr:\n%s\nprovider stderr:\n%s", err, res.Stderr, p.Stderr())
			}
			if got := res.Text(); got != tt.wantText {
				t.Errorf("tool text = %q, want %q", got, tt.wantText)
			}
			if res.Authorizations != tt.wantAuthorizations || res.Scope != tt.wantScope {
				t.Errorf("authorizations/scope = %d/%q, want %d/%q", res.Authorizations, res.Scope, tt.wantAuthorizations, tt.wantScope)
			}
			if !slices.Equal(res.Tools, []string{"admin", "whoami"}) && !slices.Equal(res.Tools, []string{"whoami", "admin"}) {
				t.Errorf("tools = %v", res.Tools)
			}
		})
	}
}

func TestTypeScriptClientReportsFailure(t *testing.T) {
	p := interop.StartProvider(t, interop.ProviderOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	mcpURL := whoamiServer(t, p.Issuer, "streamable")
	res, err := interop.RunClient(t, ctx, mcpURL, "--password", "wrong")
	if err == nil || res.OK {
		t.Fatalf("wrong password: ok=%v err=%v, want a failure", res.OK, err)
	}
	if !strings.Contains(res.Error, "rejected") {
		t.Errorf("error = %q, want the rejected login form named", res.Error)
	}
}

func TestServerScenarios(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	names, err := interop.ServerScenarios(t, ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"server-initialize", "ping", "tools-list", "tools-call-simple-text", "dns-rebinding-protection"} {
		if !slices.Contains(names, want) {
			t.Errorf("server scenarios %v lack %q", names, want)
		}
	}
	t.Logf("%d server scenarios: %s", len(names), strings.Join(names, " "))
}

// TestConformanceThroughBearerProxy runs conformance scenarios against the
// protected test server through a proxy that adds a real token from the
// provider (the suite itself sends no Authorization header).
func TestConformanceThroughBearerProxy(t *testing.T) {
	p, ctx := startProvider(t)
	d, _ := discover(t, ctx, p)
	mcpURL := whoamiServer(t, p.Issuer, "streamable")
	tok, _ := codeFlow(t, ctx, p, d, mcpURL, nil, "whoami:read")
	proxyURL := interop.BearerProxy(t, mcpURL, tok.AccessToken)

	scenarios := []string{"server-initialize", "ping", "tools-list"}
	sum, err := interop.RunConformance(t, ctx, proxyURL, scenarios...)
	if err != nil {
		t.Fatalf("%v\n%s", err, sum.Output)
	}
	if len(sum.Scenarios) != len(scenarios) {
		t.Fatalf("got %d scenario results, want %d\n%s", len(sum.Scenarios), len(scenarios), sum.Output)
	}
	for _, sc := range sum.Scenarios {
		if !sc.OK() {
			t.Errorf("scenario %s: %d passed, %d failed", sc.Name, sc.Passed, sc.Failed)
		}
	}
	if f := sum.FailedChecks(); len(f) > 0 {
		t.Errorf("failed checks: %v", f)
	}
	t.Logf("conformance: %d checks passed, %d failed, %d warnings", sum.Passed, sum.Failed, sum.Warnings)
}
