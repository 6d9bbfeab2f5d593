package bearer

import (
	"maps"
	"slices"
	"time"
)

// AuthInfo is the verified identity behind a bearer token: what a [Verifier]
// learned about the token and its subject, and what the middleware's
// identity sources added ([WithIdentity]).
//
// Verifiers fill in what they know; fields they cannot learn stay zero (a
// userinfo verifier, for instance, cannot know the token's audience or
// scopes). An AuthInfo is shared by every request that carries the same
// token, so callers must treat it, and the maps and slices it holds, as
// read-only.
//
// AuthInfo holds no raw token, unlike mcp-auth's: the MCP specification
// forbids passing the token on to other services, and handlers get the
// verified claims instead (a cached verification also costs less memory
// without it). A handler that must call an upstream API on the user's
// behalf exchanges the token for one issued to that API (RFC 8693) where
// the raw header is at hand.
type AuthInfo struct {
	// Issuer is the authorization server that issued the token ("iss").
	// The middleware refuses a token whose Issuer is not an accepted one
	// ([WithIssuers]); a custom verifier must set it.
	Issuer string
	// Subject identifies the resource owner, usually the user ("sub").
	Subject string
	// ClientID identifies the OAuth client the token was issued to
	// ("client_id", or "azp" and provider-specific equivalents).
	ClientID string
	// Audience lists the resources the token is meant for ("aud"); nil when
	// the verifier cannot know it.
	Audience []string
	// Scopes lists the scopes granted to the token; nil when unknown.
	Scopes []string
	// ExpiresAt is when the token expires ("exp"); zero when unknown.
	ExpiresAt time.Time
	// Claims holds everything the provider said about the token: the JWT
	// claims, the userinfo document or the introspection response.
	Claims map[string]any
	// Identity is who the subject is: the identity claims of Claims,
	// completed by the middleware's identity sources.
	Identity Identity
}

// HasScope reports whether the token was granted scope s, exactly as named.
// Scope hierarchies are applied by the middleware, not here.
func (a *AuthInfo) HasScope(s string) bool {
	return a != nil && slices.Contains(a.Scopes, s)
}

// Identity is what is known about the subject of a token: its identity
// claims, read from the token (or userinfo document) itself and completed by
// the middleware's identity sources. The identity claims are the standard
// claims of OpenID Connect Core 1.0 section 5.1 (name, given_name,
// family_name, middle_name, nickname, preferred_username, profile, picture,
// website, email, email_verified, gender, birthdate, zoneinfo, locale,
// phone_number, phone_number_verified, address, updated_at) and
// "username", which Logto uses for what OpenID Connect calls
// preferred_username.
//
// Completing identity never decides access: a token whose identity could
// not be completed is served with what is known (see [WithIdentity]).
type Identity struct {
	// Claims holds every identity claim known, by name; nil when none is.
	Claims map[string]any
	// Sources names where the claims came from, in order: "token" for the
	// token's own claims, "userinfo", or a [NewSubjectIdentity] source's
	// name.
	Sources []string
	// Unavailable names the identity sources that could not answer for
	// this token because they were unreachable or failing; the request was
	// served without their claims. Empty when every source answered (a
	// source that refused the token, such as a userinfo endpoint that does
	// not accept resource-bound tokens, did answer).
	Unavailable []string
}

// identityClaimNames are the claims this package treats as identity claims:
// the standard claims of OpenID Connect Core 1.0 section 5.1, and
// "username", which Logto uses for what OpenID Connect calls
// preferred_username.
var identityClaimNames = []string{
	"username", "preferred_username", "name", "given_name", "family_name", "middle_name",
	"nickname", "profile", "picture", "website", "email", "email_verified", "gender",
	"birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified",
	"address", "updated_at",
}

// Username returns the "username" claim, or else "preferred_username".
func (id Identity) Username() string {
	if s := id.String("username"); s != "" {
		return s
	}
	return id.String("preferred_username")
}

// Name returns the "name" claim.
func (id Identity) Name() string { return id.String("name") }

// Email returns the "email" claim.
func (id Identity) Email() string { return id.String("email") }

// String returns the claim name if it is a non-empty string, else "".
func (id Identity) String(name string) string {
	s, _ := id.Claims[name].(string)
	return s
}

// complete reports whether id has a username, a name and an email: the
// identity the middleware's sources are asked to complete.
func (id Identity) complete() bool {
	return id.Username() != "" && id.Name() != "" && id.Email() != ""
}

// identityFromClaims picks the identity claims out of claims, the token's
// own (or the userinfo document); source names them in Identity.Sources.
func identityFromClaims(claims map[string]any, source string) Identity {
	var id Identity
	for _, name := range identityClaimNames {
		if v, ok := claims[name]; ok && v != nil {
			if id.Claims == nil {
				id.Claims = make(map[string]any, 4)
			}
			id.Claims[name] = v
		}
	}
	if id.Claims != nil {
		id.Sources = []string{source}
	}
	return id
}

// withIdentity returns a copy of info whose Identity is id. The maps and
// slices are shared: AuthInfo values are read-only.
func (a *AuthInfo) withIdentity(id Identity) *AuthInfo {
	cp := *a
	cp.Identity = id
	return &cp
}

// merge adds to id the claims of other it does not have yet, recording
// source when it added any.
func (id Identity) merge(other map[string]any, source string) Identity {
	added := false
	for _, name := range identityClaimNames {
		v, ok := other[name]
		if !ok || v == nil {
			continue
		}
		if _, have := id.Claims[name]; have {
			continue
		}
		if !added {
			id.Claims = maps.Clone(id.Claims)
			if id.Claims == nil {
				id.Claims = make(map[string]any, len(other))
			}
			id.Sources = append(slices.Clone(id.Sources), source)
			added = true
		}
		id.Claims[name] = v
	}
	return id
}
