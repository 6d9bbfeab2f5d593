package interop

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Introspect asks p about token (RFC 7662) as its introspector client
// (HTTP Basic with [Provider.IntrospectClientID] and
// [Provider.IntrospectSecret], as a resource server does) and returns the
// answer's members. An unknown, expired or revoked token answers
// {"active": false}; a JWT access token is an error (oidc-provider answers
// 400 unsupported_token_type).
func (p *Provider) Introspect(ctx context.Context, token string) (map[string]any, error) {
	var meta struct {
		Introspection string `json:"introspection_endpoint"`
	}
	if err := getJSON(ctx, p.DiscoveryURL(), &meta); err != nil {
		return nil, err
	}
	if meta.Introspection == "" {
		return nil, errors.New("the provider's metadata has no introspection_endpoint")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, meta.Introspection,
		strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 section 2.3.1: form-encoded before the Basic encoding.
	req.SetBasicAuth(url.QueryEscape(p.IntrospectClientID), url.QueryEscape(p.IntrospectSecret))
	var out map[string]any
	if err := doJSON(req, &out); err != nil {
		return nil, err
	}
	return out, nil
}
