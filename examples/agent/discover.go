package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/metadata"
)

// discovery is what the agent learns before it can ask for a token.
type discovery struct {
	resource        string           // the protected resource (RFC 9728 "resource")
	issuer          string           // the authorization server chosen
	as              *config.Metadata // its metadata
	challengeScopes []string         // scope from the 401 challenge, if any
	scopesSupported []string         // scopes_supported from the resource metadata
}

// discover calls the MCP server without a token, reads the 401 challenge,
// and follows it to the protected resource metadata and then to the
// authorization server's metadata, as MCP clients do (2025-11-25).
func discover(ctx context.Context, mcpURL string) (*discovery, error) {
	challenge, err := probe(ctx, mcpURL)
	if err != nil {
		return nil, err
	}
	prmURL := challenge["resource_metadata"]
	if prmURL == "" {
		// No pointer in the challenge: derive the well-known URL (RFC 9728 section 3.1).
		if prmURL, err = metadata.URL(mcpURL); err != nil {
			return nil, err
		}
	}
	var prm metadata.ProtectedResource
	if err := getJSON(ctx, prmURL, &prm); err != nil {
		return nil, fmt.Errorf("protected resource metadata: %w", err)
	}
	// The document must describe the server we called (RFC 9728 section
	// 3.3): otherwise a server could send us to collect a token for
	// another resource.
	if prm.Resource != mcpURL {
		return nil, fmt.Errorf("protected resource metadata names resource %q, not %q", prm.Resource, mcpURL)
	}
	if len(prm.AuthorizationServers) == 0 {
		return nil, fmt.Errorf("protected resource metadata at %s lists no authorization server", prmURL)
	}
	issuer := prm.AuthorizationServers[0]
	// The MCP client discovery order: RFC 8414 first, then OpenID Connect,
	// with the issuer check that stops mix-up attacks.
	as, err := config.Fetch(ctx, issuer, config.Auto)
	if err != nil {
		return nil, err
	}
	if !containsString(as.Metadata.CodeChallengeMethodsSupported, "S256") {
		return nil, fmt.Errorf("authorization server %s does not advertise PKCE S256; MCP clients must refuse it", issuer)
	}
	return &discovery{
		resource:        prm.Resource,
		issuer:          issuer,
		as:              &as.Metadata,
		challengeScopes: strings.Fields(challenge["scope"]),
		scopesSupported: prm.ScopesSupported,
	}, nil
}

// probe sends an MCP initialize request without a token and returns the
// parameters of the Bearer challenge in the 401 answer.
func probe(ctx context.Context, mcpURL string) (map[string]string, error) {
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-auth-agent","version":"1.0.0"}}}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, mcpURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusUnauthorized {
		return nil, fmt.Errorf("%s answered %d without a token; expected 401 with a Bearer challenge", mcpURL, resp.StatusCode)
	}
	params, err := parseBearerChallenge(resp.Header.Get("WWW-Authenticate"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mcpURL, err)
	}
	return params, nil
}

// getJSON fetches a small JSON document.
func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
