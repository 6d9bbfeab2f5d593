package devissuer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"golang.org/x/oauth2"
)

const testResource = "http://127.0.0.1:9/mcp" // an identifier; nothing listens there

// startIssuer starts an issuer on a free loopback port, closed at the end of
// the test.
func startIssuer(t *testing.T, cfg Config) *Issuer {
	t.Helper()
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"whoami:read", "whoami:admin"}
	}
	iss, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := iss.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return iss
}

// testClient returns an HTTP client with its own transport, released at the
// end of the test.
func testClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func getJSON(t *testing.T, c *http.Client, target string) (int, map[string]any) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	body, _ := io.ReadAll(resp.Body)
	if len(body) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("GET %s: body is not JSON: %q", target, body)
		}
	}
	return resp.StatusCode, m
}

func postJSON(t *testing.T, c *http.Client, target, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := c.Post(target, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// registerPublic registers a public client by DCR and returns its ID.
func registerPublic(t *testing.T, c *http.Client, iss *Issuer, redirect string) string {
	t.Helper()
	status, m := postJSON(t, c, iss.URL()+registrationPath, "application/json",
		`{"redirect_uris":["`+redirect+`"],"token_endpoint_auth_method":"none",`+
			`"grant_types":["authorization_code","refresh_token"],"client_name":"Test Agent"}`)
	if status != http.StatusCreated {
		t.Fatalf("register: status %d, body %v", status, m)
	}
	return m["client_id"].(string)
}

func oauthConfig(iss *Issuer, clientID, secret, redirect string, scopes ...string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if secret != "" {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURL:  redirect,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   iss.URL() + authorizePath,
			TokenURL:  iss.URL() + tokenPath,
			AuthStyle: style,
		},
	}
}

// decodeClaims returns the payload of a JWT without verifying it.
func decodeClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return m
}

func TestDiscovery(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	for _, path := range []string{oidcDiscoveryPath, oauthMetadataPath} {
		t.Run(path, func(t *testing.T) {
			status, doc := getJSON(t, c, iss.URL()+path)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			wantString := map[string]string{
				"issuer":                 iss.URL(),
				"authorization_endpoint": iss.URL() + authorizePath,
				"token_endpoint":         iss.URL() + tokenPath,
				"userinfo_endpoint":      iss.URL() + userinfoPath,
				"jwks_uri":               iss.URL() + keysPath,
				"introspection_endpoint": iss.URL() + introspectionPath,
				"revocation_endpoint":    iss.URL() + revocationPath,
				"registration_endpoint":  iss.URL() + registrationPath,
			}
			for k, want := range wantString {
				if got := doc[k]; got != want {
					t.Errorf("%s = %v, want %q", k, got, want)
				}
			}
			wantContains := map[string][]string{
				"code_challenge_methods_supported":      {"S256"},
				"response_types_supported":              {"code"},
				"grant_types_supported":                 {"authorization_code", "refresh_token"},
				"token_endpoint_auth_methods_supported": {"none", "client_secret_basic", "client_secret_post"},
				"subject_types_supported":               {"public"},
				"id_token_signing_alg_values_supported": {"ES256"},
				"scopes_supported":                      {"openid", "profile", "email", "offline_access", "whoami:read", "whoami:admin"},
			}
			for k, want := range wantContains {
				list, _ := doc[k].([]any)
				for _, w := range want {
					if !slices.Contains(list, any(w)) {
						t.Errorf("%s = %v, missing %q", k, doc[k], w)
					}
				}
			}
			if got := doc["code_challenge_methods_supported"].([]any); len(got) != 1 {
				t.Errorf("code_challenge_methods_supported = %v, want only S256", got)
			}
			if doc["authorization_response_iss_parameter_supported"] != true {
				t.Errorf("authorization_response_iss_parameter_supported = %v", doc["authorization_response_iss_parameter_supported"])
			}
		})
	}
}

func TestRegister(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		errCode     string
		secret      bool
	}{
		{"public loopback", "application/json", `{"redirect_uris":["http://127.0.0.1:33418/callback"],"token_endpoint_auth_method":"none","client_name":"VS Code"}`, 201, "", false},
		{"custom scheme", "application/json", `{"redirect_uris":["cursor://anysphere.cursor-mcp/oauth/callback"],"token_endpoint_auth_method":"none"}`, 201, "", false},
		{"confidential default method", "application/json; charset=utf-8", `{"redirect_uris":["https://claude.ai/api/mcp/auth_callback"],"grant_types":["authorization_code","refresh_token"],"scope":"openid whoami:read"}`, 201, "", true},
		{"confidential post", "application/json", `{"redirect_uris":["https://example.com/cb"],"token_endpoint_auth_method":"client_secret_post"}`, 201, "", true},
		{"no redirect uris", "application/json", `{"token_endpoint_auth_method":"none"}`, 400, errInvalidRedirectURI, false},
		{"fragment", "application/json", `{"redirect_uris":["https://example.com/cb#x"]}`, 400, errInvalidRedirectURI, false},
		{"relative", "application/json", `{"redirect_uris":["/cb"]}`, 400, errInvalidRedirectURI, false},
		{"http not loopback", "application/json", `{"redirect_uris":["http://example.com/cb"]}`, 400, errInvalidRedirectURI, false},
		{"javascript scheme", "application/json", `{"redirect_uris":["javascript:alert(1)"]}`, 400, errInvalidRedirectURI, false},
		{"too many", "application/json", `{"redirect_uris":["https://a/1","https://a/2","https://a/3","https://a/4","https://a/5","https://a/6","https://a/7","https://a/8","https://a/9","https://a/10","https://a/11"]}`, 400, errInvalidRedirectURI, false},
		{"bad auth method", "application/json", `{"redirect_uris":["https://a/cb"],"token_endpoint_auth_method":"private_key_jwt"}`, 400, errInvalidClientMetadata, false},
		{"implicit grant", "application/json", `{"redirect_uris":["https://a/cb"],"grant_types":["implicit"]}`, 400, errInvalidClientMetadata, false},
		{"token response type", "application/json", `{"redirect_uris":["https://a/cb"],"response_types":["token"]}`, 400, errInvalidClientMetadata, false},
		{"not json", "application/json", `redirect_uris=x`, 400, errInvalidClientMetadata, false},
		{"control char in name", "application/json", `{"redirect_uris":["https://a/cb"],"client_name":"a\u0000b"}`, 400, errInvalidClientMetadata, false},
		{"wrong content type", "text/plain", `{"redirect_uris":["https://a/cb"]}`, 415, errInvalidClientMetadata, false},
		{"too large", "application/json", `{"client_name":"` + strings.Repeat("a", maxRegistrationBytes) + `"}`, 413, errInvalidClientMetadata, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := postJSON(t, c, iss.URL()+registrationPath, tt.contentType, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d (body %v)", status, tt.status, m)
			}
			if tt.errCode != "" {
				if m["error"] != tt.errCode {
					t.Errorf("error = %v, want %s", m["error"], tt.errCode)
				}
				return
			}
			if id, _ := m["client_id"].(string); id == "" {
				t.Errorf("no client_id: %v", m)
			}
			_, hasSecret := m["client_secret"]
			if hasSecret != tt.secret {
				t.Errorf("client_secret present = %v, want %v", hasSecret, tt.secret)
			}
			if tt.secret && m["client_secret_expires_at"] != float64(0) {
				t.Errorf("client_secret_expires_at = %v", m["client_secret_expires_at"])
			}
		})
	}
	t.Run("GET is not allowed", func(t *testing.T) {
		status, _ := getJSON(t, c, iss.URL()+registrationPath)
		if status != http.StatusMethodNotAllowed {
			t.Errorf("status %d", status)
		}
	})
}

// authorize runs the authorization request through Login and returns the
// code, checking state and iss.
func authorize(t *testing.T, c *http.Client, iss *Issuer, cfg *oauth2.Config, verifier string, extra ...oauth2.AuthCodeOption) string {
	t.Helper()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)
	redirect, err := iss.Login(t.Context(), c, cfg.AuthCodeURL("st-123", opts...), "demo", "demo")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	q := redirect.Query()
	if q.Get("state") != "st-123" || q.Get("iss") != iss.URL() {
		t.Fatalf("redirect %s: want state st-123 and iss %s", redirect, iss.URL())
	}
	if !strings.HasPrefix(redirect.String(), cfg.RedirectURL+"?") {
		t.Fatalf("redirect %s does not go to %s", redirect, cfg.RedirectURL)
	}
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code in %s", redirect)
	}
	return code
}

func TestCodeFlowWithResourceGivesJWT(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, c)
	// Registered without a port; used with one (RFC 8252 section 7.3).
	id := registerPublic(t, c, iss, "http://127.0.0.1/callback")
	cfg := oauthConfig(iss, id, "", "http://127.0.0.1:49152/callback", "openid", "profile", "offline_access", "whoami:read", "unknown:scope")

	verifier := oauth2.GenerateVerifier()
	code := authorize(t, c, iss, cfg, verifier, oauth2.SetAuthURLParam("resource", testResource))
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", testResource))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}

	claims := decodeClaims(t, tok.AccessToken)
	want := map[string]any{
		"iss": iss.URL(), "sub": "demo", "client_id": id,
		"scope": "openid profile offline_access whoami:read",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if aud := claims["aud"]; !(aud == testResource || slices.Equal(toStrings(aud), []string{testResource})) {
		t.Errorf("aud = %v, want %s", aud, testResource)
	}
	for _, k := range []string{"exp", "iat", "jti"} {
		if claims[k] == nil {
			t.Errorf("claim %s missing", k)
		}
	}

	// The signature verifies against the JWKS.
	resp, err := c.Get(iss.URL() + keysPath)
	if err != nil {
		t.Fatal(err)
	}
	jwksBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	set, err := jwk.Parse(jwksBody)
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	if _, err := jwt.ParseString(tok.AccessToken, jwt.WithKeySet(set), jwt.WithIssuer(iss.URL()), jwt.WithAudience(testResource)); err != nil {
		t.Fatalf("verify access token: %v", err)
	}

	// userinfo and introspection accept the JWT too.
	if err := iss.RegisterClient(Client{ID: "rs", Secret: "rs-secret"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, iss.URL()+introspectionPath,
		strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("rs", "rs-secret")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var intro map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&intro)
	resp.Body.Close()
	if intro["active"] != true || !slices.Equal(toStrings(intro["aud"]), []string{testResource}) && intro["aud"] != testResource {
		t.Errorf("introspection of the JWT: %v", intro)
	}

	// Refresh: the grant stays bound to the resource, and the refresh token
	// rotates.
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	old := *tok
	old.Expiry = time.Now().Add(-time.Minute)
	tok2, err := cfg.TokenSource(ctx, &old).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken {
		t.Errorf("refresh token not rotated")
	}
	if aud := decodeClaims(t, tok2.AccessToken)["aud"]; !(aud == testResource || slices.Equal(toStrings(aud), []string{testResource})) {
		t.Errorf("refreshed aud = %v", aud)
	}
	if _, err := cfg.TokenSource(ctx, &old).Token(); err == nil {
		t.Error("the rotated refresh token still works")
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func TestCodeFlowWithoutResourceGivesOpaqueToken(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, c)
	if err := iss.RegisterClient(Client{ID: "mcp-server", Secret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if err := iss.RegisterClient(Client{ID: "third-party", Name: "Third Party", RedirectURIs: []string{"https://app.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	cfg := oauthConfig(iss, "third-party", "", "https://app.example/cb", "openid", "profile", "email", "whoami:read")
	verifier := oauth2.GenerateVerifier()
	tok, err := cfg.Exchange(ctx, authorize(t, c, iss, cfg, verifier), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if strings.Count(tok.AccessToken, ".") == 2 {
		t.Fatalf("access token looks like a JWT")
	}

	t.Run("userinfo", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, iss.URL()+userinfoPath, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		want := map[string]any{"sub": "demo", "name": "Demo User", "preferred_username": "demo", "email": "demo@example.com", "email_verified": true}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %v, want %v", k, m[k], v)
			}
		}
	})
	t.Run("userinfo rejects a bad token with a challenge", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, iss.URL()+userinfoPath, nil)
		req.Header.Set("Authorization", "Bearer not-a-token")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})
	introspect := func(t *testing.T, user, pass, token string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, iss.URL()+introspectionPath, strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	t.Run("introspection", func(t *testing.T) {
		status, m := introspect(t, "mcp-server", "s3cret", tok.AccessToken)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		want := map[string]any{"active": true, "sub": "demo", "client_id": "third-party", "scope": "openid profile email whoami:read", "iss": iss.URL(), "token_type": "Bearer"}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %v, want %v", k, m[k], v)
			}
		}
		if m["exp"] == nil || m["aud"] == nil {
			t.Errorf("exp or aud missing: %v", m)
		}
	})
	t.Run("introspection of garbage is inactive", func(t *testing.T) {
		status, m := introspect(t, "mcp-server", "s3cret", "garbage")
		if status != http.StatusOK || m["active"] != false {
			t.Errorf("status %d, body %v", status, m)
		}
	})
	t.Run("introspection needs the client secret", func(t *testing.T) {
		if status, _ := introspect(t, "mcp-server", "wrong", tok.AccessToken); status != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", status)
		}
	})
}

func TestTokenErrors(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, c)
	id := registerPublic(t, c, iss, "http://localhost/cb")
	cfg := oauthConfig(iss, id, "", "http://localhost:8080/cb", "openid")

	tests := []struct {
		name     string
		authOpts []oauth2.AuthCodeOption
		useWrong bool
		tokOpts  []oauth2.AuthCodeOption
		wantCode string
	}{
		{"wrong PKCE verifier", nil, true, nil, "invalid_grant"},
		{"different resource", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("resource", testResource)}, false,
			[]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("resource", "https://other.example/mcp")}, "invalid_target"},
		{"malformed resource", nil, false, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("resource", "relative/path")}, "invalid_target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verifier := oauth2.GenerateVerifier()
			code := authorize(t, c, iss, cfg, verifier, tt.authOpts...)
			if tt.useWrong {
				verifier = oauth2.GenerateVerifier()
			}
			_, err := cfg.Exchange(ctx, code, append([]oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}, tt.tokOpts...)...)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) {
				t.Fatalf("Exchange error = %v, want a RetrieveError", err)
			}
			if re.ErrorCode != tt.wantCode || re.Response.StatusCode != http.StatusBadRequest {
				t.Errorf("error %q status %d, want %q 400", re.ErrorCode, re.Response.StatusCode, tt.wantCode)
			}
		})
	}
	t.Run("code is single-use", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := authorize(t, c, iss, cfg, verifier)
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("second exchange succeeded")
		}
	})
}

// noRedirect returns a client that does not follow redirects.
func noRedirect(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

func TestAuthorizeErrors(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	id := registerPublic(t, c, iss, "http://127.0.0.1/cb")
	cfg := oauthConfig(iss, id, "", "http://127.0.0.1:5000/cb", "openid")
	verifier := oauth2.GenerateVerifier()
	tests := []struct {
		name     string
		authURL  string
		wantCode string // "" means no redirect: 400 at the issuer
	}{
		{"no PKCE", cfg.AuthCodeURL("s"), "invalid_request"},
		{"plain PKCE", cfg.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", "abc"), oauth2.SetAuthURLParam("code_challenge_method", "plain")), "invalid_request"},
		{"resource with fragment", cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", "https://a.example/mcp#x")), "invalid_target"},
		{"relative resource", cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", "/mcp")), "invalid_target"},
		{"prompt none", cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "none")), "login_required"},
		{"form_post", cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "form_post")), "invalid_request"},
		{"unregistered path", oauthConfig(iss, id, "", "http://127.0.0.1:5000/other", "openid").AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), ""},
		{"unknown client", oauthConfig(iss, "nobody", "", "http://127.0.0.1:5000/cb", "openid").AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := noRedirect(c).Get(tt.authURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if tt.wantCode == "" {
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("status %d, want 400 without redirect", resp.StatusCode)
				}
				return
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || err != nil {
				t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			q := loc.Query()
			if q.Get("error") != tt.wantCode || q.Get("state") != "s" || q.Get("iss") != iss.URL() {
				t.Errorf("redirect %s: want error %s with state and iss", loc, tt.wantCode)
			}
		})
	}
}

func TestLoginAndConsent(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	id := registerPublic(t, c, iss, "cursor://anysphere.cursor-mcp/oauth/callback")
	cfg := oauthConfig(iss, id, "", "cursor://anysphere.cursor-mcp/oauth/callback", "openid", "whoami:read")
	authURL := func() string { return cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())) }

	t.Run("wrong password shows the form again", func(t *testing.T) {
		_, visited, err := iss.login(t.Context(), c, authURL(), "demo", "wrong", "approve")
		if !errors.Is(err, ErrLoginFailed) {
			t.Fatalf("err = %v, want ErrLoginFailed", err)
		}
		if got := visited[len(visited)-1]; got != "POST /login" {
			t.Errorf("last step %q", got)
		}
	})
	t.Run("the login page answers 200 with the error and no redirect", func(t *testing.T) {
		resp, err := noRedirect(c).Get(authURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		form := url.Values{"id": {loc.Query().Get("id")}, "username": {"demo"}, "password": {"nope"}}
		resp, err = noRedirect(c).PostForm(iss.URL()+loginPath, form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" || !strings.Contains(string(body), "Invalid username or password") {
			t.Errorf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("deny", func(t *testing.T) {
		redirect, _, err := iss.login(t.Context(), c, authURL(), "demo", "demo", "deny")
		if err != nil {
			t.Fatal(err)
		}
		q := redirect.Query()
		if redirect.Scheme != "cursor" || q.Get("error") != "access_denied" || q.Get("state") != "st" || q.Get("iss") != iss.URL() || q.Has("code") {
			t.Errorf("redirect %s", redirect)
		}
	})
	t.Run("approve, then consent is remembered", func(t *testing.T) {
		redirect, visited, err := iss.login(t.Context(), c, authURL(), "demo", "demo", "approve")
		if err != nil || redirect.Query().Get("code") == "" {
			t.Fatalf("redirect %v, err %v", redirect, err)
		}
		if !slices.Contains(visited, "POST /consent") {
			t.Errorf("consent page not shown: %v", visited)
		}
		redirect, visited, err = iss.login(t.Context(), c, authURL(), "demo", "demo", "deny")
		if err != nil || redirect.Query().Get("code") == "" {
			t.Fatalf("second: redirect %v, err %v", redirect, err)
		}
		if slices.Contains(visited, "GET /consent") {
			t.Errorf("consent asked again: %v", visited)
		}
	})
}

func TestAutoApprove(t *testing.T) {
	iss := startIssuer(t, Config{AutoApprove: true})
	c := testClient(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, c)
	id := registerPublic(t, c, iss, "http://[::1]/cb")
	cfg := oauthConfig(iss, id, "", "http://[::1]:7777/cb", "openid", "whoami:admin")
	verifier := oauth2.GenerateVerifier()

	// Follow the issuer's redirects like a browser, without any form.
	next := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", testResource))
	var loc *url.URL
	for range 5 {
		resp, err := noRedirect(c).Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status %d at %s", resp.StatusCode, next)
		}
		loc, _ = resp.Request.URL.Parse(resp.Header.Get("Location"))
		if strings.HasPrefix(loc.String(), cfg.RedirectURL) {
			break
		}
		next = loc.String()
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %s", loc)
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	claims := decodeClaims(t, tok.AccessToken)
	if claims["scope"] != "openid whoami:admin" || !slices.Equal(toStrings(claims["aud"]), []string{testResource}) && claims["aud"] != testResource {
		t.Errorf("claims %v", claims)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"issuer with path", Config{Issuer: "http://127.0.0.1:1/x"}},
		{"issuer with trailing slash", Config{Issuer: "http://127.0.0.1:1/"}},
		{"bad scope", Config{Scopes: []string{"a b"}}},
		{"duplicate user", Config{Users: []User{DemoUser(), DemoUser()}}},
		{"user without password", Config{Users: []User{{ID: "x", Username: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := Start(t.Context(), tt.cfg)
			if err == nil {
				iss.Close()
				t.Fatal("Start succeeded")
			}
		})
	}
	if _, _, err := NewHandler(Config{}); err == nil {
		t.Error("NewHandler without Issuer succeeded")
	}
}

// serverGoroutines counts goroutines running the issuer's HTTP server.
func serverGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "net/http.(*conn).serve") || strings.Contains(g, "net/http.(*Server).Serve") ||
			strings.Contains(g, "devissuer.Start") {
			n++
		}
	}
	return n
}

// waitNoServerGoroutines waits, for a bounded time, until no goroutine runs
// an issuer's HTTP server: connection goroutines exit right after Shutdown
// closes their connections, so they may need a few scheduler rounds.
func waitNoServerGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for serverGoroutines() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d server goroutines left", serverGoroutines())
		}
		runtime.Gosched()
	}
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	waitNoServerGoroutines(t) // issuers of earlier tests are closed by now
	iss, err := Start(t.Context(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	c := &http.Client{Transport: tr}
	resp, err := c.Get(iss.URL() + oidcDiscoveryPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if serverGoroutines() == 0 {
		t.Fatal("no server goroutine seen while running")
	}
	if err := iss.Close(); err != nil {
		t.Fatal(err)
	}
	tr.CloseIdleConnections()
	if err := iss.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	waitNoServerGoroutines(t)
}

func TestContextCancelCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	iss, err := Start(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-iss.serveDone // Serve returned: the AfterFunc closed the issuer
	if err := iss.Close(); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseRegistration(f *testing.F) {
	f.Add([]byte(`{"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}`))
	f.Add([]byte(`{"redirect_uris":["cursor://x/cb"],"grant_types":["authorization_code","refresh_token"],"scope":"a b"}`))
	f.Add([]byte(`{"redirect_uris":"x"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseRegistration(body)
		if err != nil {
			var re *registrationError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a registrationError", err)
			}
			return
		}
		if len(c.redirectURIs) == 0 || len(c.redirectURIs) > maxRedirectURIs {
			t.Fatalf("accepted %d redirect URIs", len(c.redirectURIs))
		}
		for _, u := range c.redirectURIs {
			if strings.Contains(u, "#") {
				t.Fatalf("accepted fragment in %q", u)
			}
		}
	})
}

func TestCORS(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	for _, path := range []string{registrationPath, oidcDiscoveryPath, oauthMetadataPath} {
		t.Run(path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, iss.URL()+path, nil)
			req.Header.Set("Origin", "http://localhost:6274")
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("status %d, Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}

func TestRevocation(t *testing.T) {
	iss := startIssuer(t, Config{AutoApprove: true})
	c := testClient(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, c)
	id := registerPublic(t, c, iss, "http://127.0.0.1/cb")
	cfg := oauthConfig(iss, id, "", "http://127.0.0.1:1234/cb", "openid", "profile")
	verifier := oauth2.GenerateVerifier()
	tok, err := cfg.Exchange(ctx, authorize(t, c, iss, cfg, verifier), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	userinfo := func() int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, iss.URL()+userinfoPath, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := userinfo(); got != http.StatusOK {
		t.Fatalf("userinfo before revocation: %d", got)
	}
	resp, err := c.PostForm(iss.URL()+revocationPath, url.Values{"token": {tok.AccessToken}, "client_id": {id}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if got := userinfo(); got != http.StatusUnauthorized {
		t.Errorf("userinfo after revocation: %d, want 401", got)
	}
}

func TestNewHandlerMounts(t *testing.T) {
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	h, iss, err := NewHandler(Config{Issuer: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	status, doc := getJSON(t, testClient(t), srv.URL+oauthMetadataPath)
	if status != http.StatusOK || doc["issuer"] != srv.URL || iss.URL() != srv.URL {
		t.Errorf("status %d, issuer %v", status, doc["issuer"])
	}
}
