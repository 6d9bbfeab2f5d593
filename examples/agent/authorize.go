package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// authorizer gets and holds the agent's access token: it registers the
// agent with the authorization server if needed, runs authorization code +
// PKCE through a loopback redirect (RFC 8252), and can run it again with
// more scopes (step-up).
type authorizer struct {
	cfg      agentConfig
	d        *discovery
	oauth    oauth2.Config
	listener net.Listener
	codes    chan callback
	server   *http.Server

	mu     sync.Mutex
	token  *oauth2.Token
	scopes []string
}

// callback is what the loopback redirect received.
type callback struct {
	query map[string]string
	err   error
}

func newAuthorizer(ctx context.Context, cfg agentConfig, d *discovery) (*authorizer, error) {
	ln, err := net.Listen("tcp", cfg.redirectAddr)
	if err != nil {
		return nil, fmt.Errorf("loopback redirect listener: %w", err)
	}
	a := &authorizer{cfg: cfg, d: d, listener: ln, codes: make(chan callback, 1)}
	redirectURI := "http://" + ln.Addr().String() + "/callback"
	a.server = &http.Server{Handler: http.HandlerFunc(a.receive)}
	go a.server.Serve(ln)

	clientID, secret := cfg.clientID, cfg.clientSecret
	if clientID == "" {
		if clientID, secret, err = register(ctx, d.as.RegistrationEndpoint, redirectURI); err != nil {
			a.close()
			return nil, err
		}
		fmt.Fprintf(cfg.out, "registered as client %s\n", clientID)
	}
	a.oauth = oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURL:  redirectURI,
		Endpoint:     oauth2.Endpoint{AuthURL: d.as.AuthorizationEndpoint, TokenURL: d.as.TokenEndpoint},
	}
	return a, nil
}

// register performs RFC 7591 dynamic client registration as a public
// client (no secret; PKCE protects the code).
func register(ctx context.Context, endpoint, redirectURI string) (clientID, secret string, err error) {
	if endpoint == "" {
		return "", "", errors.New("the authorization server offers no dynamic registration: pass -client-id (and -client-secret) of a client registered in its console")
	}
	body, _ := json.Marshal(map[string]any{
		"client_name":                "mcp-auth example agent",
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("dynamic client registration: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("dynamic client registration: status %d: %s", resp.StatusCode, raw)
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.ClientID == "" {
		return "", "", fmt.Errorf("dynamic client registration: no client_id in the answer")
	}
	return out.ClientID, out.ClientSecret, nil
}

// authorize runs authorization code + PKCE for scopes and keeps the token.
func (a *authorizer) authorize(ctx context.Context, scopes []string) error {
	conf := a.oauth
	conf.Scopes = scopes
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	resource := oauth2.SetAuthURLParam("resource", a.d.resource) // RFC 8707: a token for this server only
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), resource)
	fmt.Fprintf(a.cfg.out, "Open this URL in a browser to sign in and consent (scopes: %s):\n  %s\n", strings.Join(scopes, " "), authURL)

	var cb callback
	select {
	case cb = <-a.codes:
	case <-ctx.Done():
		return fmt.Errorf("waiting for the authorization redirect: %w", ctx.Err())
	}
	if cb.err != nil {
		return cb.err
	}
	if cb.query["state"] != state {
		return errors.New("authorization redirect with a wrong state: ignored")
	}
	// RFC 9207: when the server names itself in the response, it must be
	// the one we asked (mix-up defence).
	if iss := cb.query["iss"]; iss != "" && iss != a.d.issuer {
		return fmt.Errorf("authorization response from issuer %q, expected %q", iss, a.d.issuer)
	}
	if e := cb.query["error"]; e != "" {
		return fmt.Errorf("authorization refused: %s %s", e, cb.query["error_description"])
	}
	tok, err := conf.Exchange(ctx, cb.query["code"], oauth2.VerifierOption(verifier), resource)
	if err != nil {
		return fmt.Errorf("token exchange: %w", err)
	}
	a.mu.Lock()
	a.token, a.scopes = tok, scopes
	a.mu.Unlock()
	fmt.Fprintln(a.cfg.out, "signed in")
	return nil
}

// receive handles the loopback redirect.
func (a *authorizer) receive(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/callback" {
		http.NotFound(w, r)
		return
	}
	q := map[string]string{}
	for k, v := range r.URL.Query() {
		q[k] = v[0]
	}
	select {
	case a.codes <- callback{query: q}:
		io.WriteString(w, "Signed in. You can close this window and return to the agent.\n")
	default:
		http.Error(w, "no sign-in in progress", http.StatusConflict)
	}
}

// accessToken returns the current token.
func (a *authorizer) accessToken() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.token.AccessToken
}

func (a *authorizer) grantedScopes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.scopes
}

func (a *authorizer) close() { a.server.Close() }
