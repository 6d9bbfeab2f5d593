package gosdk

import (
	"slices"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/bearer"
)

// The keys of [auth.TokenInfo.Extra] that [TokenInfo] fills. Every key is
// present in a TokenInfo that TokenInfo returns, with the value type given
// here, even when the value is empty.
const (
	// ExtraAuthInfo holds the *[bearer.AuthInfo] itself: the full verified
	// value, for handlers that want more than the fields below (use
	// [FromTokenInfo] or [AuthInfo] rather than reading it by hand). Its
	// Token field is the raw bearer token, a credential: never log it.
	ExtraAuthInfo = "mcpauth.auth_info"
	// ExtraIssuer holds the token's issuer ("iss") as a string.
	ExtraIssuer = "issuer"
	// ExtraClientID holds the OAuth client the token was issued to as a
	// string ("client_id", "azp" or the provider's equivalent).
	ExtraClientID = "client_id"
	// ExtraAudience holds the resources the token is meant for ("aud") as
	// a []string, nil when the verifier cannot know them (userinfo).
	ExtraAudience = "audience"
	// ExtraClaims holds everything the provider said about the token (the
	// JWT claims, the userinfo document or the introspection response) as
	// a map[string]any, nil when the verifier reported none.
	ExtraClaims = "claims"
)

// TokenInfo converts the verified identity info into the Go SDK's
// [auth.TokenInfo]:
//
//   - Scopes: info.Scopes (a copy);
//   - Expiration: info.ExpiresAt, zero when the verifier did not learn the
//     expiry (such a TokenInfo passes [Middleware], whose expiry decision is
//     the [bearer.Authenticator]'s; the SDK's own middleware alone would
//     refuse it);
//   - UserID: info.Subject, which the SDK's streamable HTTP transport binds
//     each session to (a request whose UserID differs from the one that
//     opened the session gets 403); with an empty subject, sessions are not
//     bound;
//   - Extra: the issuer, client id, audience (a copy), claims and info
//     itself under the Extra* keys of this package.
//
// The claims map is info's own, not a copy: like the AuthInfo it is shared
// by every request that carries the same token, so treat it as read-only.
// TokenInfo returns nil for a nil info.
//
// Note on UserID: the subject alone identifies a user only within one
// issuer. An Authenticator that trusts several issuers whose subjects may
// collide binds SDK sessions no more tightly than by subject.
func TokenInfo(info *bearer.AuthInfo) *auth.TokenInfo {
	if info == nil {
		return nil
	}
	return &auth.TokenInfo{
		Scopes:     slices.Clone(info.Scopes),
		Expiration: info.ExpiresAt,
		UserID:     info.Subject,
		Extra: map[string]any{
			ExtraAuthInfo: info,
			ExtraIssuer:   info.Issuer,
			ExtraClientID: info.ClientID,
			ExtraAudience: slices.Clone(info.Audience),
			ExtraClaims:   info.Claims,
		},
	}
}

// FromTokenInfo returns the [bearer.AuthInfo] that [TokenInfo] stored in ti,
// and whether there was one. It is false for a nil ti and for a TokenInfo
// that some other verifier built.
func FromTokenInfo(ti *auth.TokenInfo) (*bearer.AuthInfo, bool) {
	if ti == nil {
		return nil, false
	}
	info, ok := ti.Extra[ExtraAuthInfo].(*bearer.AuthInfo)
	return info, ok && info != nil
}

// AuthInfo returns the verified caller of an MCP request served behind
// [Middleware], from the request's Extra (req.Extra in a tool, prompt or
// resource handler), and whether there was one. It is false for a nil extra
// and for requests that did not come through Middleware (stdio, or an
// unauthenticated transport).
func AuthInfo(extra *mcp.RequestExtra) (*bearer.AuthInfo, bool) {
	if extra == nil {
		return nil, false
	}
	return FromTokenInfo(extra.TokenInfo)
}
