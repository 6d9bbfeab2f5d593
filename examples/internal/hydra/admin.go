package hydra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// maxBody caps what the harness reads from Hydra in one answer.
const maxBody = 1 << 20

// ClientOptions describe an OAuth client to create. Empty lists take the
// harness defaults.
type ClientOptions struct {
	// Name is the client_name. Default: "mcpauth test client".
	Name string
	// RedirectURIs default to ["http://127.0.0.1:1/callback"] (a port that
	// nothing listens on: the headless flow never follows the redirect).
	RedirectURIs []string
	// Scopes the client may request. Default: Options.Scopes.
	Scopes []string
	// Audience lists the audiences the client may request (Hydra's
	// "audience" parameter must match one of them; see FINDINGS.md for
	// Hydra's prefix rule). Default: Options.Audiences.
	Audience []string
	// AccessTokenStrategy overrides Options.AccessTokenStrategy for this
	// client ([Opaque] or [JWT]; "" keeps the server's).
	AccessTokenStrategy string
}

// Client is an OAuth client registered with Hydra.
type Client struct {
	// ID is the client_id Hydra assigned.
	ID string
	// Secret is the client_secret of a confidential client ("" for a
	// public one).
	Secret string
	// RedirectURIs are the registered redirect URIs; flows use the first.
	RedirectURIs []string
	// Scopes and Audience are what the client may request.
	Scopes, Audience []string
}

// clientDoc is Hydra's OAuth 2.0 client document (admin /admin/clients).
type clientDoc struct {
	ClientID                string   `json:"client_id,omitempty"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	RedirectURIs            []string `json:"redirect_uris,omitempty"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	Scope                   string   `json:"scope"`
	Audience                []string `json:"audience"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	AccessTokenStrategy     string   `json:"access_token_strategy,omitempty"`
}

// PublicClient registers a public client (token_endpoint_auth_method
// "none", authorization code + PKCE, refresh tokens), as an MCP client is,
// through the admin API. It fails the test on error.
func (h *Hydra) PublicClient(t testing.TB, o ClientOptions) *Client {
	t.Helper()
	c, err := h.CreateClient(context.Background(), o, false)
	if err != nil {
		t.Fatalf("hydra: %v", err)
	}
	return c
}

// ConfidentialClient registers a confidential client
// (client_secret_basic) allowed the authorization-code, refresh-token and
// client-credentials grants, such as a resource server's own client. It
// fails the test on error.
func (h *Hydra) ConfidentialClient(t testing.TB, o ClientOptions) *Client {
	t.Helper()
	c, err := h.CreateClient(context.Background(), o, true)
	if err != nil {
		t.Fatalf("hydra: %v", err)
	}
	return c
}

// CreateClient registers a client through the admin API (POST
// /admin/clients), public or confidential.
func (h *Hydra) CreateClient(ctx context.Context, o ClientOptions, confidential bool) (*Client, error) {
	if o.Name == "" {
		o.Name = "mcpauth test client"
	}
	if len(o.RedirectURIs) == 0 {
		o.RedirectURIs = []string{"http://127.0.0.1:1/callback"}
	}
	if len(o.Scopes) == 0 {
		o.Scopes = h.opts.Scopes
	}
	if o.Audience == nil {
		o.Audience = h.opts.Audiences
	}
	doc := clientDoc{
		ClientName:              o.Name,
		RedirectURIs:            o.RedirectURIs,
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
		Scope:                   strings.Join(o.Scopes, " "),
		Audience:                nonNil(o.Audience),
		TokenEndpointAuthMethod: "none",
		AccessTokenStrategy:     o.AccessTokenStrategy,
	}
	if confidential {
		doc.GrantTypes = append(doc.GrantTypes, "client_credentials")
		doc.TokenEndpointAuthMethod = "client_secret_basic"
	}
	var got clientDoc
	if err := h.admin(ctx, http.MethodPost, "/admin/clients", "", "", doc, &got); err != nil {
		return nil, fmt.Errorf("creating client: %w", err)
	}
	if got.ClientID == "" || (confidential && got.ClientSecret == "") {
		return nil, fmt.Errorf("creating client: Hydra's answer lacks client_id or client_secret")
	}
	return &Client{
		ID:           got.ClientID,
		Secret:       got.ClientSecret,
		RedirectURIs: got.RedirectURIs,
		Scopes:       strings.Fields(got.Scope),
		Audience:     got.Audience,
	}, nil
}

// SetClientAudience replaces the audience list of the client clientID
// (PATCH /admin/clients/{id}).
func (h *Hydra) SetClientAudience(ctx context.Context, clientID string, audience []string) error {
	patch := []map[string]any{{"op": "replace", "path": "/audience", "value": nonNil(audience)}}
	var updated clientDoc
	if err := h.admin(ctx, http.MethodPatch, "/admin/clients/"+url.PathEscape(clientID), "", "", patch, &updated); err != nil {
		return fmt.Errorf("updating client: %w", err)
	}
	return nil
}

// Introspect posts token to the admin introspection endpoint, without
// client authentication (the admin API has none), and returns Hydra's
// answer as it is.
func (h *Hydra) Introspect(ctx context.Context, token string) (map[string]any, error) {
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.IntrospectionURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out map[string]any
	if err := h.doJSON(req, &out); err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	return out, nil
}

// admin calls Hydra's admin API: method on path, with the query parameter
// qname=qvalue when qname is set, body as JSON when not nil, and decodes
// a 2xx JSON answer into out.
func (h *Hydra) admin(ctx context.Context, method, path, qname, qvalue string, body, out any) error {
	u := h.AdminURL + path
	if qname != "" {
		u += "?" + url.Values{qname: {qvalue}}.Encode()
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.doJSON(req, out)
}

// doJSON sends req and decodes a 2xx JSON answer into out. The error of
// any other answer names the request (without its query, which carries
// challenges) and quotes the start of the body.
func (h *Hydra) doJSON(req *http.Request, out any) error {
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// Register registers a public client through RFC 7591 dynamic client
// registration at the public API (POST /oauth2/register), as an MCP client
// does: no audience list, token_endpoint_auth_method "none". Start must
// have enabled Options.DynamicClientRegistration.
func (h *Hydra) Register(ctx context.Context, o ClientOptions) (*Client, error) {
	if len(o.RedirectURIs) == 0 {
		o.RedirectURIs = []string{"http://127.0.0.1:1/callback"}
	}
	if len(o.Scopes) == 0 {
		o.Scopes = h.opts.Scopes
	}
	doc := map[string]any{
		"client_name":                "mcpauth dynamic client",
		"redirect_uris":              o.RedirectURIs,
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
		"scope":                      strings.Join(o.Scopes, " "),
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.PublicURL+"/oauth2/register", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var got clientDoc
	if err := h.doJSON(req, &got); err != nil {
		return nil, fmt.Errorf("registration: %w", err)
	}
	if got.ClientID == "" {
		return nil, fmt.Errorf("registration: Hydra's answer lacks client_id")
	}
	return &Client{ID: got.ClientID, RedirectURIs: got.RedirectURIs, Scopes: strings.Fields(got.Scope), Audience: got.Audience}, nil
}
