package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Revoke asks p to revoke token (RFC 7009) as the public client clientID,
// which authenticates with the client_id form parameter alone (the
// "none" method CodeFlowToken registers). It returns the status of the
// answer: 200 when the provider accepted the request, which RFC 7009
// section 2.2 also gives for a token it does not know. The error reports
// discovery and transport failures only.
//
// oidc-provider revokes a token only for the client it was issued to: it
// answers another confidential client 400 invalid_request, and another
// public client 200 without revoking anything. Revoking an access token
// revokes its grant's other tokens too.
func (p *Provider) Revoke(ctx context.Context, clientID, token string) (int, error) {
	var meta struct {
		Revocation string `json:"revocation_endpoint"`
	}
	if err := getJSON(ctx, p.DiscoveryURL(), &meta); err != nil {
		return 0, err
	}
	if meta.Revocation == "" {
		return 0, errors.New("the provider's metadata has no revocation_endpoint")
	}
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}, "client_id": {clientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, meta.Revocation, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("revocation: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxPage))
	return resp.StatusCode, nil
}
