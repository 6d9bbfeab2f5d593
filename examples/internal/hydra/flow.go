package hydra

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// ErrLoginFailed is returned by Authorize when the login app refuses the
// username or password.
var ErrLoginFailed = errors.New("hydra: login failed")

// maxSteps bounds the redirects and pages Authorize goes through; a
// complete Hydra flow takes six.
const maxSteps = 12

// Authorize plays the user in a browser, headless: it opens authURL (an
// authorization request to this Hydra), follows Hydra's redirects to the
// login app and back, with a cookie jar (Hydra binds the flow to CSRF
// cookies), submits the login form with username and password when the
// app shows it, and returns the final redirect to the client's redirect
// URI (carrying code, scope and state, or error and error_description)
// without following it. httpClient nil means a client with a 30-second
// timeout; its redirect policy and cookie jar are not used. It returns
// ErrLoginFailed for a wrong password, and an error for anything else
// unexpected (an error page, too many steps).
func (h *Hydra) Authorize(ctx context.Context, httpClient *http.Client, authURL, username, password string) (*url.URL, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	if httpClient != nil {
		cp := *httpClient
		c = &cp
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	public, _ := url.Parse(h.PublicURL)
	app, _ := url.Parse(h.app.url)
	next, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("hydra: authorize: bad authorization URL: %w", err)
	}
	method, form := http.MethodGet, url.Values(nil)
	for range maxSteps {
		onHydra := next.Scheme == public.Scheme && next.Host == public.Host
		onApp := next.Scheme == app.Scheme && next.Host == app.Host
		if !onHydra && !onApp {
			return next, nil // left Hydra and its app: the authorization response
		}
		resp, err := send(ctx, c, method, next.String(), form)
		if err != nil {
			return nil, err
		}
		page, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()

		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc := resp.Header.Get("Location")
			target, err := next.Parse(loc)
			if err != nil || loc == "" {
				return nil, errors.New("hydra: authorize: redirect without a valid Location")
			}
			next, method, form = target, http.MethodGet, nil
			continue
		}
		switch {
		case onApp && next.Path == loginPath && method == http.MethodPost && resp.StatusCode == http.StatusUnauthorized:
			return nil, ErrLoginFailed
		case onApp && next.Path == loginPath && method == http.MethodGet && resp.StatusCode == http.StatusOK:
			// The login form: submit it as a browser would.
			method = http.MethodPost
			form = url.Values{
				"login_challenge": {next.Query().Get("login_challenge")},
				"username":        {username}, "password": {password},
			}
			next = next.ResolveReference(&url.URL{Path: loginPath})
		case onHydra && next.Path == "/oauth2/fallbacks/error":
			// Hydra's error page, for errors it cannot send to the client.
			q := next.Query()
			return nil, fmt.Errorf("hydra: authorize: %s: %s", q.Get("error"), q.Get("error_description"))
		default:
			return nil, fmt.Errorf("hydra: authorize: unexpected answer %d to %s %s: %.300s", resp.StatusCode, method, next.Path, page)
		}
	}
	return nil, errors.New("hydra: authorize: too many steps")
}

func send(ctx context.Context, c *http.Client, method, target string, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("hydra: authorize: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hydra: authorize: %w", err)
	}
	return resp, nil
}

// Request is an authorization request of CodeFlow.
type Request struct {
	// Scopes is the "scope" parameter.
	Scopes []string
	// Audience is Hydra's own "audience" parameter (space-separated in
	// one parameter); each must be allowed by the client's audience list.
	Audience []string
	// Resource is the RFC 8707 "resource" parameter, repeated, in the
	// authorization and the token request, as MCP clients send it.
	// Hydra ignores it (FINDINGS.md).
	Resource []string
	// Username and Password are what the browser types into the login
	// form. Default: the harness user's.
	Username, Password string
}

// Tokens is a token endpoint answer.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// CodeFlow runs the authorization-code flow with PKCE (S256) for client:
// the authorization request built from r, the headless login and consent
// (Authorize), and the code exchange at the token endpoint (client
// authentication "none" for a public client, client_secret_basic for a
// confidential one). The authorization response's state is checked.
func (h *Hydra) CodeFlow(ctx context.Context, client *Client, r Request) (*Tokens, error) {
	if r.Username == "" && r.Password == "" {
		r.Username, r.Password = h.User.Username, h.User.Password
	}
	redirectURI := client.RedirectURIs[0]
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	state := rand.Text()
	q := url.Values{
		"response_type": {"code"}, "client_id": {client.ID}, "redirect_uri": {redirectURI},
		"scope": {strings.Join(r.Scopes, " ")}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if len(r.Audience) > 0 {
		q.Set("audience", strings.Join(r.Audience, " "))
	}
	for _, res := range r.Resource {
		q.Add("resource", res)
	}
	back, err := h.Authorize(ctx, nil, h.PublicURL+"/oauth2/auth?"+q.Encode(), r.Username, r.Password)
	if err != nil {
		return nil, err
	}
	params := back.Query()
	if e := params.Get("error"); e != "" {
		return nil, fmt.Errorf("hydra: authorization: %s: %s", e, params.Get("error_description"))
	}
	if params.Get("state") != state {
		return nil, errors.New("hydra: authorization: the response's state differs from the request's")
	}
	code := params.Get("code")
	if code == "" {
		return nil, errors.New("hydra: authorization: no code in the response")
	}

	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"code_verifier": {verifier},
	}
	for _, res := range r.Resource {
		form.Add("resource", res)
	}
	return h.token(ctx, client, form)
}

// Refresh redeems refreshToken at the token endpoint for client.
func (h *Hydra) Refresh(ctx context.Context, client *Client, refreshToken string) (*Tokens, error) {
	return h.token(ctx, client, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// token posts form to the token endpoint as client.
func (h *Hydra) token(ctx context.Context, client *Client, form url.Values) (*Tokens, error) {
	if client.Secret == "" {
		form.Set("client_id", client.ID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.PublicURL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client.Secret != "" {
		req.SetBasicAuth(url.QueryEscape(client.ID), url.QueryEscape(client.Secret))
	}
	var tok Tokens
	if err := h.doJSON(req, &tok); err != nil {
		return nil, fmt.Errorf("hydra: token: %w", err)
	}
	if tok.AccessToken == "" {
		return nil, errors.New("hydra: token: the answer has no access_token")
	}
	return &tok, nil
}

// Revoke revokes token (RFC 7009) at the public revocation endpoint, as
// client.
func (h *Hydra) Revoke(ctx context.Context, client *Client, token string) error {
	form := url.Values{"token": {token}}
	if client.Secret == "" {
		form.Set("client_id", client.ID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.PublicURL+"/oauth2/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client.Secret != "" {
		req.SetBasicAuth(url.QueryEscape(client.ID), url.QueryEscape(client.Secret))
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return fmt.Errorf("hydra: revoke: %w", err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("hydra: revoke: status %d", resp.StatusCode)
	}
	return nil
}
