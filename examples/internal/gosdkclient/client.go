// Package gosdkclient is a headless MCP client on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk), for tests: it connects to an MCP
// server over streamable HTTP with the SDK's own OAuth support
// (auth.AuthorizationCodeHandler: discovery from the 401 challenge, protected
// resource and authorization server metadata, dynamic client registration,
// PKCE, the RFC 8707 resource parameter, the token exchange, and step-up on
// a 403 insufficient_scope) and plays the user with a function the test
// passes, such as the development issuer's headless Login.
//
// Everything the flow decides is the SDK's; this package only answers the
// SDK's one question to an application (the authorization URL: log in and
// return the code) and records what happened, so that tests can check it.
package gosdkclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"
)

// DefaultRedirectURL is the redirect URI the client registers when
// Config.RedirectURL is empty. Nothing listens there: the LoginFunc returns
// the redirect instead of following it.
const DefaultRedirectURL = "http://127.0.0.1/callback"

// LoginFunc plays the user in a browser: it opens authURL (the
// authorization request the SDK built), signs in and consents, and returns
// the authorization server's redirect to the client's redirect URI, with
// code, state and iss (or error) in its query, without following it.
// The development issuer's (*Issuer).Login is one, once its other
// arguments are bound.
type LoginFunc func(ctx context.Context, authURL string) (*url.URL, error)

// Config configures [Connect].
type Config struct {
	// URL is the MCP endpoint. Required.
	URL string
	// SSE connects with the legacy HTTP+SSE transport instead of
	// streamable HTTP. The SDK's SSE transport has no OAuth support of its
	// own, so the first GET's 401 is handed to the SDK's OAuth handler
	// (auth.AuthorizationCodeHandler) here, which runs the same flow, and
	// its token source then signs the SSE transport's requests.
	SSE bool
	// Login plays the user. Required. It is called once per authorization:
	// at the first 401, and again for each step-up.
	Login LoginFunc
	// RedirectURL is the redirect URI registered and used; "" means
	// [DefaultRedirectURL].
	RedirectURL string
	// ClientName is the client_name registered; "" means "gosdkclient".
	ClientName string
	// ClientID, when set, is a public client registered beforehand (at the
	// provider's console or admin API) with RedirectURL: the SDK uses it
	// instead of registering dynamically.
	ClientID string
	// ProtocolVersion is the MCP protocol version the client asks for; ""
	// means the SDK's latest (2026-07-28 in v1.8.0, which has no sessions).
	// Ask for "2025-11-25" to get a stateful session.
	ProtocolVersion string
	// HTTPClient sends every request, the MCP ones and the OAuth ones; nil
	// means http.DefaultTransport. Its Timeout, if any, applies to the
	// OAuth requests only (an MCP response may stream longer).
	HTTPClient *http.Client
}

// Request is one HTTP request the client sent and the status it got.
type Request struct {
	Method string
	URL    string // scheme, host and path: the query (which may carry a code or state) is left out
	Status int    // 0 when no response came
}

// Client is a connected MCP client session. Its methods are safe for
// concurrent use.
type Client struct {
	session  *mcp.ClientSession
	redirect *url.URL
	login    LoginFunc

	mu       sync.Mutex
	authURLs []*url.URL
	requests []Request
}

// Connect registers with the server's authorization server as the SDK
// decides, has cfg.Login play the user, and opens the MCP session. The
// authorization happens during Connect, since the SDK's first request
// (server/discover or initialize) gets the 401.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.URL == "" || cfg.Login == nil {
		return nil, errors.New("gosdkclient: Config.URL and Config.Login are required")
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = DefaultRedirectURL
	}
	if cfg.ClientName == "" {
		cfg.ClientName = "gosdkclient"
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: RedirectURL: %w", err)
	}
	c := &Client{redirect: redirect, login: cfg.Login}

	base := http.DefaultTransport
	var oauthTimeout time.Duration
	if cfg.HTTPClient != nil {
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
		oauthTimeout = cfg.HTTPClient.Timeout
	}
	rt := &recorder{base: base, c: c}

	hcfg := &auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{
			Metadata: &oauthex.ClientRegistrationMetadata{
				ClientName:              cfg.ClientName,
				RedirectURIs:            []string{cfg.RedirectURL},
				TokenEndpointAuthMethod: "none",
				GrantTypes:              []string{"authorization_code"},
				ResponseTypes:           []string{"code"},
			},
		},
		RedirectURL:              cfg.RedirectURL,
		AuthorizationCodeFetcher: c.fetchCode,
		Client:                   &http.Client{Transport: rt, Timeout: oauthTimeout},
	}
	if cfg.ClientID != "" {
		hcfg.DynamicClientRegistrationConfig = nil
		hcfg.PreregisteredClient = &oauthex.ClientCredentials{ClientID: cfg.ClientID}
	}
	handler, err := auth.NewAuthorizationCodeHandler(hcfg)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: %w", err)
	}
	client := mcp.NewClient(&mcp.Implementation{Name: cfg.ClientName, Version: "1"}, nil)
	var opts *mcp.ClientSessionOptions
	if cfg.ProtocolVersion != "" {
		opts = &mcp.ClientSessionOptions{ProtocolVersion: cfg.ProtocolVersion}
	}
	if cfg.SSE {
		httpClient, err := authorizeSSE(ctx, cfg.URL, rt, handler)
		if err != nil {
			return nil, err
		}
		c.session, err = client.Connect(ctx, &mcp.SSEClientTransport{Endpoint: cfg.URL, HTTPClient: httpClient}, opts)
		if err != nil {
			return nil, fmt.Errorf("gosdkclient: connect to %s over SSE: %w", cfg.URL, err)
		}
		return c, nil
	}
	c.session, err = client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:     cfg.URL,
		HTTPClient:   &http.Client{Transport: rt},
		OAuthHandler: handler,
		// Request and response only: a standing GET stream would outlive
		// the test's calls for nothing.
		DisableStandaloneSSE: true,
		MaxRetries:           -1,
	}, opts)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: connect to %s: %w", cfg.URL, err)
	}
	return c, nil
}

// fetchCode is the SDK's AuthorizationCodeFetcher: the user's part.
func (c *Client) fetchCode(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
	u, err := url.Parse(args.URL)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: the SDK built a bad authorization URL: %w", err)
	}
	c.mu.Lock()
	c.authURLs = append(c.authURLs, u)
	c.mu.Unlock()

	back, err := c.login(ctx, args.URL)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: login: %w", err)
	}
	if back.Scheme != c.redirect.Scheme || back.Host != c.redirect.Host || back.Path != c.redirect.Path {
		return nil, fmt.Errorf("gosdkclient: login ended at %s, not at the redirect URI %s", back.Redacted(), c.redirect.Redacted())
	}
	q := back.Query()
	if e := q.Get("error"); e != "" {
		return nil, fmt.Errorf("gosdkclient: the authorization server answered %s: %s", e, q.Get("error_description"))
	}
	return &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}, nil
}

// ToolError is a tool result with isError set: the tool ran and failed.
type ToolError struct {
	Tool string
	Text string // the result's text
}

func (e *ToolError) Error() string { return fmt.Sprintf("tool %s failed: %s", e.Tool, e.Text) }

// CallTool calls the tool with args (nil for none) and returns the text of
// its result: its text contents, concatenated. A result with isError set
// returns its text and a [*ToolError]. A 403 insufficient_scope on the way
// sends the SDK through a step-up authorization (another Login) first.
func (c *Client) CallTool(ctx context.Context, name string, args map[string]any) (string, error) {
	params := &mcp.CallToolParams{Name: name}
	if args != nil {
		params.Arguments = args
	}
	res, err := c.session.CallTool(ctx, params)
	if err != nil {
		return "", fmt.Errorf("gosdkclient: call %s: %w", name, err)
	}
	var b strings.Builder
	for _, content := range res.Content {
		if t, ok := content.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	if res.IsError {
		return b.String(), &ToolError{Tool: name, Text: b.String()}
	}
	return b.String(), nil
}

// SessionID is the MCP session id; "" under protocol 2026-07-28, which has
// no sessions.
func (c *Client) SessionID() string { return c.session.ID() }

// AuthorizationURLs returns the authorization requests the SDK built, one
// per authorization (the first, then each step-up), in order.
func (c *Client) AuthorizationURLs() []*url.URL {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*url.URL, len(c.authURLs))
	for i, u := range c.authURLs {
		cp := *u
		out[i] = &cp
	}
	return out
}

// Requests returns every HTTP request the client sent so far, MCP and
// OAuth alike, in order.
func (c *Client) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.requests...)
}

// Close ends the session.
func (c *Client) Close() error { return c.session.Close() }

// CallTool connects with cfg, calls the tool once and closes: the whole
// flow in one call, for tests that need only the result.
func CallTool(ctx context.Context, cfg Config, tool string, args map[string]any) (string, error) {
	c, err := Connect(ctx, cfg)
	if err != nil {
		return "", err
	}
	text, err := c.CallTool(ctx, tool, args)
	return text, errors.Join(err, c.Close())
}

// recorder is the client's RoundTripper: it notes each request's method,
// URL without query, and status.
type recorder struct {
	base http.RoundTripper
	c    *Client
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	rec := Request{Method: req.Method, URL: (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}).String()}
	if resp != nil {
		rec.Status = resp.StatusCode
	}
	r.c.mu.Lock()
	r.c.requests = append(r.c.requests, rec)
	r.c.mu.Unlock()
	return resp, err
}

// authorizeSSE opens the SSE endpoint without a token, hands its 401 to the
// SDK's OAuth handler (which discovers, registers, authorizes and gets the
// token, as the streamable transport would have it do), and returns a client
// that signs requests with the handler's token source.
func authorizeSSE(ctx context.Context, endpoint string, rt http.RoundTripper, h auth.OAuthHandler) (*http.Client, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("gosdkclient: GET %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		resp.Body.Close()
		return nil, fmt.Errorf("gosdkclient: GET %s without a token answered %d, not 401", endpoint, resp.StatusCode)
	}
	if err := h.Authorize(ctx, req, resp); err != nil {
		return nil, fmt.Errorf("gosdkclient: authorize for %s: %w", endpoint, err)
	}
	ts, err := h.TokenSource(ctx)
	if err != nil || ts == nil {
		return nil, fmt.Errorf("gosdkclient: no token source after authorizing: %v", err)
	}
	return &http.Client{Transport: &oauth2.Transport{Source: ts, Base: rt}}, nil
}
