package devissuer

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// AccessTokenType chooses the shape of the access tokens a client receives.
type AccessTokenType int

const (
	// AccessTokenAuto, the zero value, issues a JWT (RFC 9068) bound to the
	// resource when the request names one (RFC 8707), and an opaque token
	// otherwise. This is what Logto does.
	AccessTokenAuto AccessTokenType = iota
	// AccessTokenOpaque always issues opaque tokens, checked only through
	// userinfo or introspection.
	AccessTokenOpaque
	// AccessTokenJWT always issues JWTs; without a resource their aud is the
	// client ID.
	AccessTokenJWT
)

// Limits on client metadata, whether registered dynamically or in code.
const (
	maxRedirectURIs      = 10
	maxRedirectURILength = 2048
	maxClientNameLength  = 200
	maxClients           = 10000
)

// Client is a client registered in code, like a third-party application made
// in a provider's console, or a resource server that calls introspection.
type Client struct {
	// ID is the client_id. Required, unique.
	ID string
	// Secret makes the client confidential (client_secret_basic or
	// client_secret_post). Empty means a public client
	// (token_endpoint_auth_method "none"), which must use PKCE.
	Secret string
	// Name is shown on the consent page; empty shows the ID.
	Name string
	// RedirectURIs are the allowed redirect URIs: https, http on a loopback
	// host (matched ignoring the port, RFC 8252 section 7.3) or a private-use
	// scheme such as cursor://. A client without any (a resource server
	// using introspection) cannot use the authorization endpoint.
	RedirectURIs []string
	// AccessTokenType is the shape of the client's access tokens.
	AccessTokenType AccessTokenType
}

// client is the stored form of a client. It is never modified after it is
// stored, so readers need no lock once they hold the pointer.
type client struct {
	id           string
	name         string
	secretHash   [sha256.Size]byte
	confidential bool
	authMethod   oidc.AuthMethod
	redirectURIs []string
	grantTypes   []oidc.GrantType
	scope        string // as registered; informational
	tokenType    AccessTokenType
	issuedAt     time.Time
	dynamic      bool // registered at the registration endpoint (kept in the state file)
}

func newClientFromConfig(c Client, now time.Time) (*client, error) {
	if c.ID == "" {
		return nil, errors.New("devissuer: client ID is required")
	}
	if len(c.Name) > maxClientNameLength || hasControl(c.Name) {
		return nil, errors.New("devissuer: invalid client name")
	}
	if len(c.RedirectURIs) > maxRedirectURIs {
		return nil, fmt.Errorf("devissuer: at most %d redirect URIs", maxRedirectURIs)
	}
	for _, u := range c.RedirectURIs {
		if err := validateRedirectURI(u); err != nil {
			return nil, err
		}
	}
	if c.AccessTokenType < AccessTokenAuto || c.AccessTokenType > AccessTokenJWT {
		return nil, errors.New("devissuer: invalid AccessTokenType")
	}
	cl := &client{
		id:           c.ID,
		name:         c.Name,
		authMethod:   oidc.AuthMethodNone,
		redirectURIs: slices.Clone(c.RedirectURIs),
		grantTypes:   []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken},
		tokenType:    c.AccessTokenType,
		issuedAt:     now,
	}
	if c.Secret != "" {
		cl.confidential = true
		cl.authMethod = oidc.AuthMethodBasic
		cl.secretHash = sha256.Sum256([]byte(c.Secret))
	}
	return cl, nil
}

// checkSecret compares a presented secret in constant time.
func (c *client) checkSecret(secret string) bool {
	if !c.confidential {
		return false
	}
	h := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(h[:], c.secretHash[:]) == 1
}

func (c *client) displayName() string {
	if c.name != "" {
		return c.name
	}
	return c.id
}

// validateRedirectURI applies the registration rules: absolute, no fragment,
// no user info; https; http only on a loopback host (RFC 8252 section 7.3);
// private-use schemes (RFC 8252 section 7.1, e.g. cursor://) except schemes a
// browser would run or read locally.
func validateRedirectURI(raw string) error {
	if raw == "" || len(raw) > maxRedirectURILength {
		return errors.New("redirect URI is empty or too long")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("redirect URI is not a valid URL")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New("redirect URI must not contain a fragment")
	}
	if !u.IsAbs() {
		return errors.New("redirect URI must be absolute")
	}
	if u.User != nil {
		return errors.New("redirect URI must not contain user information")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Host == "" {
			return errors.New("https redirect URI needs a host")
		}
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return errors.New("http redirect URI is allowed only on a loopback host")
		}
	case "javascript", "data", "file", "vbscript", "blob", "about", "ftp", "ws", "wss":
		return fmt.Errorf("redirect URI scheme %q is not allowed", u.Scheme)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// clientView adapts a stored client to op.Client for one request. jwt says
// whether this request's access token is a JWT (see AccessTokenType).
type clientView struct {
	c      *client
	jwt    bool
	scopes *scopePolicy
}

var _ op.Client = clientView{}

// GetID implements op.Client.
func (v clientView) GetID() string { return v.c.id }

// RedirectURIs implements op.Client.
func (v clientView) RedirectURIs() []string { return slices.Clone(v.c.redirectURIs) }

// PostLogoutRedirectURIs implements op.Client.
func (v clientView) PostLogoutRedirectURIs() []string { return nil }

// ApplicationType implements op.Client. Native gives every client the RFC 8252
// redirect rules: loopback matched ignoring the port, private-use schemes.
func (v clientView) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }

// AuthMethod implements op.Client.
func (v clientView) AuthMethod() oidc.AuthMethod { return v.c.authMethod }

// ResponseTypes implements op.Client: authorization code only.
func (v clientView) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

// GrantTypes implements op.Client.
func (v clientView) GrantTypes() []oidc.GrantType { return slices.Clone(v.c.grantTypes) }

// LoginURL implements op.Client: a relative URL, so that the RFC 9207 wrapper
// can tell the issuer's own pages from the client's redirect URI.
func (v clientView) LoginURL(id string) string { return loginPath + "?id=" + url.QueryEscape(id) }

// AccessTokenType implements op.Client.
func (v clientView) AccessTokenType() op.AccessTokenType {
	if v.jwt {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}

// IDTokenLifetime implements op.Client.
func (v clientView) IDTokenLifetime() time.Duration { return accessTokenLifetime }

// DevMode implements op.Client. Off: the RFC 8252 rules are enough.
func (v clientView) DevMode() bool { return false }

// RestrictAdditionalIdTokenScopes implements op.Client.
func (v clientView) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// RestrictAdditionalAccessTokenScopes implements op.Client.
func (v clientView) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed implements op.Client: the issuer's scope policy, the same for
// every client (a registered scope does not narrow it).
func (v clientView) IsScopeAllowed(scope string) bool { return v.scopes.allowed(scope) }

// IDTokenUserinfoClaimsAssertion implements op.Client.
func (v clientView) IDTokenUserinfoClaimsAssertion() bool { return false }

// ClockSkew implements op.Client.
func (v clientView) ClockSkew() time.Duration { return 0 }

func sha256Sum(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
