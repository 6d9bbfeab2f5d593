package hydra_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mcp-auth/go/examples/internal/hydra"
)

// These tests pin what FINDINGS.md says about Hydra v2.3.0, by looking at
// its raw answers (no library code): each claim there names the test here
// that shows it.

// decodeJWT returns a JWT's header and claims, unverified: the tests read
// what Hydra put in its own tokens.
func decodeJWT(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

// fetch GETs u (with a bearer token when tok is not "") and returns the
// status and the JSON object of the body (nil when it is not one).
func fetch(t *testing.T, method, u, tok string, form url.Values) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	return resp.StatusCode, doc
}

func keys(m map[string]any) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	sort.Strings(k)
	return k
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func TestFindingDiscovery(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		h := shared(t, opaqueOptions)
		status, doc := fetch(t, http.MethodGet, h.DiscoveryURL(), "", nil)
		if status != http.StatusOK {
			t.Fatalf("discovery: %d", status)
		}
		for _, absent := range []string{"introspection_endpoint", "registration_endpoint", "authorization_response_iss_parameter_supported"} {
			if _, ok := doc[absent]; ok {
				t.Errorf("discovery has %s = %v", absent, doc[absent])
			}
		}
		if got := strs(doc["code_challenge_methods_supported"]); !slices.Equal(got, []string{"plain", "S256"}) {
			t.Errorf("code_challenge_methods_supported = %q", got)
		}
		if got := strs(doc["id_token_signing_alg_values_supported"]); !slices.Equal(got, []string{"RS256"}) {
			t.Errorf("id_token_signing_alg_values_supported = %q", got)
		}
		// No RFC 8414 document, and no introspection on the public API.
		for _, u := range []string{h.PublicURL + "/.well-known/oauth-authorization-server", h.PublicURL + "/oauth2/introspect"} {
			if status, _ := fetch(t, http.MethodGet, u, "", nil); status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", u, status)
			}
		}
	})
	t.Run("dynamic registration", func(t *testing.T) {
		h := shared(t, jwtOptions)
		_, doc := fetch(t, http.MethodGet, h.DiscoveryURL(), "", nil)
		if got := doc["registration_endpoint"]; got != h.PublicURL+"/oauth2/register" {
			t.Errorf("registration_endpoint = %v", got)
		}
		c, err := h.Register(t.Context(), hydra.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Audience) != 0 {
			t.Errorf("a dynamically registered client has audience %q", c.Audience)
		}
	})
}

func TestFindingIssuerSpelling(t *testing.T) {
	for _, h := range []*hydra.Hydra{shared(t, jwtOptions), shared(t, mcpOptions)} {
		slash := strings.HasSuffix(h.Issuer, "/")
		_, doc := fetch(t, http.MethodGet, h.DiscoveryURL(), "", nil)
		tok := token(t, h, h.PublicClient(t, hydra.ClientOptions{}), hydra.Request{Scopes: []string{"openid"}, Audience: []string{resource}})
		_, at := decodeJWT(t, tok.AccessToken)
		_, id := decodeJWT(t, tok.IDToken)
		in, err := h.Introspect(t.Context(), tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		for what, got := range map[string]any{"discovery": doc["issuer"], "access token": at["iss"], "ID token": id["iss"], "introspection": in["iss"]} {
			if got != h.Issuer {
				t.Errorf("trailing slash %v: %s iss = %v, want %q", slash, what, got, h.Issuer)
			}
		}
		// Endpoints are joined without a double slash either way.
		if got := doc["jwks_uri"]; got != h.PublicURL+"/.well-known/jwks.json" {
			t.Errorf("jwks_uri = %v", got)
		}
	}
}

func TestFindingAudience(t *testing.T) {
	for _, strategy := range []string{hydra.JWT, hydra.Opaque} {
		t.Run(strategy, func(t *testing.T) {
			h := shared(t, jwtOptions)
			client := h.PublicClient(t, hydra.ClientOptions{Audience: []string{resource}, AccessTokenStrategy: strategy})
			aud := func(tok *hydra.Tokens) []string {
				in, err := h.Introspect(t.Context(), tok.AccessToken)
				if err != nil {
					t.Fatal(err)
				}
				if strategy == hydra.JWT {
					_, claims := decodeJWT(t, tok.AccessToken)
					if a, ok := claims["aud"]; !ok || !slices.Equal(strs(a), strs(in["aud"])) {
						t.Errorf("JWT aud %v, introspection aud %v", a, in["aud"])
					}
				}
				return strs(in["aud"])
			}

			// RFC 8707 resource, in the authorization and token requests:
			// accepted without complaint, and ignored.
			tok := token(t, h, client, hydra.Request{Scopes: []string{"openid"}, Resource: []string{resource}})
			if got := aud(tok); len(got) != 0 {
				t.Errorf("resource only: aud %q, want []", got)
			}
			var last hydra.ConsentRequest
			for _, c := range h.ConsentRequests() {
				if c.ClientID == client.ID {
					last = c
				}
			}
			if len(last.RequestedAudience) != 0 || !strings.Contains(last.RequestURL, "resource="+url.QueryEscape(resource)) {
				t.Errorf("consent request: audience %q, request_url %q", last.RequestedAudience, last.RequestURL)
			}

			// Hydra's audience parameter, matched against the client's
			// audience list: an entry, or a path below it.
			tok = token(t, h, client, hydra.Request{Scopes: []string{"openid"}, Audience: []string{resource}})
			if got := aud(tok); !slices.Equal(got, []string{resource}) {
				t.Errorf("audience: aud %q", got)
			}
			tok = token(t, h, client, hydra.Request{Scopes: []string{"openid"}, Audience: []string{resource + "/below"}})
			if got := aud(tok); !slices.Equal(got, []string{resource + "/below"}) {
				t.Errorf("audience below an allowed one: aud %q", got)
			}
			// An entry with a trailing slash allows every path below it.
			wide := h.PublicClient(t, hydra.ClientOptions{Audience: []string{"http://127.0.0.1:8931/"}, AccessTokenStrategy: strategy})
			tok = token(t, h, wide, hydra.Request{Scopes: []string{"openid"}, Audience: []string{resource}})
			if got := aud(tok); !slices.Equal(got, []string{resource}) {
				t.Errorf("audience below a slash-terminated one: aud %q", got)
			}
			_, err := h.CodeFlow(t.Context(), client, hydra.Request{Scopes: []string{"openid"}, Audience: []string{other}})
			if err == nil || !strings.Contains(err.Error(), "invalid_request") || !strings.Contains(err.Error(), "has not been whitelisted") {
				t.Errorf("audience outside the client's list: %v, want invalid_request", err)
			}

			// The refresh grant checks the granted audience against the
			// client's list again, as it is now. (Refresh tokens rotate:
			// each refresh uses the previous answer's.)
			tok = token(t, h, client, hydra.Request{Scopes: []string{"offline_access"}, Audience: []string{resource}})
			tok, err = h.Refresh(t.Context(), client, tok.RefreshToken)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if err := h.SetClientAudience(t.Context(), client.ID, nil); err != nil {
				t.Fatal(err)
			}
			_, err = h.Refresh(t.Context(), client, tok.RefreshToken)
			if err == nil || !strings.Contains(err.Error(), "has not been whitelisted") {
				t.Errorf("refresh after the audience left the client's list: %v, want invalid_request", err)
			}
		})
	}
}

func TestFindingJWTAccessToken(t *testing.T) {
	for _, omitExt := range []bool{false, true} {
		h := shared(t, jwtOptions)
		if omitExt {
			h = shared(t, mcpOptions)
		}
		client := h.PublicClient(t, hydra.ClientOptions{})
		tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "whoami:read"}, Audience: []string{resource}})
		header, claims := decodeJWT(t, tok.AccessToken)
		if header["alg"] != "RS256" || header["typ"] != "JWT" || header["kid"] == "" {
			t.Errorf("header %v, want alg RS256, typ JWT (not at+jwt), a kid", header)
		}
		want := []string{"aud", "client_id", "email", "exp", "ext", "iat", "iss", "jti", "name", "nbf", "scp", "sub", "username"}
		if omitExt {
			want = slices.DeleteFunc(want, func(s string) bool { return s == "ext" })
		}
		if got := keys(claims); !slices.Equal(got, want) {
			t.Errorf("OmitExt %v: claims %q, want %q", omitExt, got, want)
		}
		if got := strs(claims["scp"]); !slices.Equal(got, []string{"openid", "whoami:read"}) {
			t.Errorf("scp = %v (an array; no \"scope\" member)", claims["scp"])
		}
		if claims["client_id"] != client.ID || claims["username"] != h.User.Username {
			t.Errorf("client_id %v username %v", claims["client_id"], claims["username"])
		}
		if ext, ok := claims["ext"].(map[string]any); ok && ext["email"] != h.User.Email {
			t.Errorf("ext = %v", ext)
		}
		// The ID token has the identity claims too, with the client as
		// its audience.
		_, id := decodeJWT(t, tok.IDToken)
		if id["email"] != h.User.Email || !slices.Equal(strs(id["aud"]), []string{client.ID}) {
			t.Errorf("ID token email %v aud %v", id["email"], id["aud"])
		}
	}
}

func TestFindingIntrospection(t *testing.T) {
	h := shared(t, opaqueOptions)
	client := h.PublicClient(t, hydra.ClientOptions{})
	tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "offline_access", "whoami:read"}, Audience: []string{resource}})

	// No client authentication: a bare POST gets the answer.
	in, err := h.Introspect(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"active", "aud", "client_id", "exp", "ext", "iat", "iss", "nbf", "scope", "sub", "token_type", "token_use"}
	if got := keys(in); !slices.Equal(got, want) {
		t.Errorf("members %q, want %q", got, want)
	}
	if in["active"] != true || in["token_type"] != "Bearer" || in["token_use"] != "access_token" ||
		in["scope"] != "openid offline_access whoami:read" || in["sub"] != h.User.Subject || in["client_id"] != client.ID {
		t.Errorf("introspection %v", in)
	}
	if ext, _ := in["ext"].(map[string]any); ext["username"] != h.User.Username {
		t.Errorf("ext %v", in["ext"])
	}

	// Wrong client credentials are ignored too.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.IntrospectionURL(), strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("nobody", "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var withBadCreds map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&withBadCreds)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || withBadCreds["active"] != true {
		t.Errorf("with wrong Basic credentials: %d %v", resp.StatusCode, withBadCreds)
	}

	// A refresh token is "active", told apart only by token_use, even
	// with token_type_hint=access_token.
	status, rt := fetch(t, http.MethodPost, h.IntrospectionURL(), "", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"access_token"}})
	if status != http.StatusOK || rt["active"] != true || rt["token_use"] != "refresh_token" || rt["token_type"] != "Bearer" {
		t.Errorf("refresh token: %d %v", status, rt)
	}

	// An unknown token: {"active": false} and nothing else.
	if status, doc := fetch(t, http.MethodPost, h.IntrospectionURL(), "", url.Values{"token": {"ory_at_x.y"}}); status != http.StatusOK || !slices.Equal(keys(doc), []string{"active"}) || doc["active"] != false {
		t.Errorf("unknown token: %d %v", status, doc)
	}
}

func TestFindingUserinfo(t *testing.T) {
	h := shared(t, jwtOptions)
	client := h.PublicClient(t, hydra.ClientOptions{})
	userinfo := h.PublicURL + "/userinfo"

	// A JWT bound to a resource, without the openid scope: accepted.
	tok := token(t, h, client, hydra.Request{Scopes: []string{"offline_access", "whoami:read"}, Audience: []string{resource}})
	status, doc := fetch(t, http.MethodGet, userinfo, tok.AccessToken, nil)
	if status != http.StatusOK || doc["sub"] != h.User.Subject || doc["email"] != h.User.Email {
		t.Errorf("userinfo: %d %v", status, doc)
	}
	if !slices.Equal(strs(doc["aud"]), []string{client.ID}) || doc["iss"] != h.Issuer {
		t.Errorf("userinfo aud %v iss %v, want [client id] and the issuer", doc["aud"], doc["iss"])
	}
	if tok.IDToken != "" {
		t.Errorf("an ID token without the openid scope")
	}
	// A refresh token: refused.
	if status, _ := fetch(t, http.MethodGet, userinfo, tok.RefreshToken, nil); status != http.StatusUnauthorized {
		t.Errorf("userinfo with a refresh token: %d, want 401", status)
	}
}
