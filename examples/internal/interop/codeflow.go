package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// CodeFlow plays a freshly registered public client and the demo user at
// p: dynamic registration, authorization code + PKCE (S256) with resource
// as RFC 8707 resource indicator ("" for none, which gets an opaque token),
// headless login and consent, and the token exchange. It returns the access
// token. It exists so that tests can hold a token of either shape without
// an MCP client.
func CodeFlow(ctx context.Context, p *Provider, resource string, scopes ...string) (string, error) {
	tok, err := CodeFlowToken(ctx, p, resource, scopes...)
	return tok.AccessToken, err
}

// Token is an access token and the client it was issued to.
type Token struct {
	// AccessToken is the token itself.
	AccessToken string
	// ClientID is the public client that obtained it, the one client the
	// provider lets revoke it ([Provider.Revoke]).
	ClientID string
}

// CodeFlowToken is [CodeFlow] that also returns the client the token was
// issued to.
func CodeFlowToken(ctx context.Context, p *Provider, resource string, scopes ...string) (Token, error) {
	var meta struct {
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Registration  string `json:"registration_endpoint"`
	}
	if err := getJSON(ctx, p.DiscoveryURL(), &meta); err != nil {
		return Token{}, err
	}
	const redirectURI = "http://127.0.0.1:1/callback"
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := postJSON(ctx, meta.Registration, map[string]any{
		"client_name": "interop code flow", "redirect_uris": []string{redirectURI},
		"grant_types": []string{"authorization_code"}, "response_types": []string{"code"},
		"token_endpoint_auth_method": "none", "application_type": "native",
	}, &reg); err != nil {
		return Token{}, fmt.Errorf("registration: %w", err)
	}

	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {redirectURI},
		"scope": {strings.Join(scopes, " ")}, "state": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if resource != "" {
		q.Set("resource", resource)
	}
	params, err := Authorize(ctx, nil, meta.Authorization+"?"+q.Encode(), redirectURI, DemoUser, DemoPassword)
	if err != nil {
		return Token{}, err
	}
	if e := params.Get("error"); e != "" {
		return Token{}, fmt.Errorf("authorization: %s: %s", e, params.Get("error_description"))
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {params.Get("code")}, "redirect_uri": {redirectURI},
		"client_id": {reg.ClientID}, "code_verifier": {verifier},
	}
	if resource != "" {
		form.Set("resource", resource)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, meta.Token, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := doJSON(req, &tok); err != nil {
		return Token{}, fmt.Errorf("token: %w", err)
	}
	return Token{AccessToken: tok.AccessToken, ClientID: reg.ClientID}, nil
}

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return doJSON(req, v)
}

func postJSON(ctx context.Context, u string, body, v any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return doJSON(req, v)
}

// doJSON sends req and decodes a 2xx JSON answer into v.
func doJSON(req *http.Request, v any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Redacted(), resp.StatusCode, body)
	}
	return json.Unmarshal(body, v)
}
