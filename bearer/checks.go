package bearer

import (
	"github.com/mcp-auth/go/internal/scope"
	"slices"
	"sort"
	"time"
)

// check applies the checks every token must pass whatever verified it, the
// cheapest first: expiry, issuer, audience, then the required scopes.
func (a *Authenticator) check(info *AuthInfo, now time.Time) *Error {
	if !info.ExpiresAt.IsZero() && !info.ExpiresAt.After(now.Add(-a.leeway)) {
		return NewError(CodeInvalidToken, "the access token has expired", nil)
	}
	if len(a.issuers) > 0 && !slices.Contains(a.issuers, info.Issuer) {
		return NewError(CodeInvalidIssuer, "the access token was issued by an issuer this resource does not accept", nil)
	}
	if !a.audienceOK(info.Audience) {
		return NewError(CodeInvalidAudience, "the access token was not issued for this resource", nil)
	}
	for _, s := range a.requiredScopes {
		if !a.grants(info, s) {
			return a.insufficientScope(nil)
		}
	}
	return nil
}

// audienceOK reports whether aud names one of our resources. A nil aud means
// the verifier cannot know the audience (a userinfo verifier: an opaque
// token carries none) and passes; an empty but non-nil one does not.
func (a *Authenticator) audienceOK(aud []string) bool {
	if len(a.audience) == 0 || aud == nil {
		return true
	}
	for _, got := range aud {
		for _, want := range a.audience {
			if got == want {
				return true
			}
			if a.trailingSlashAud && len(got) == len(want)+1 && got[len(want)] == '/' && got[:len(want)] == want {
				return true
			}
		}
	}
	return false
}

// grants reports whether info holds scope s, directly or through a scope
// that implies it in the configured hierarchy.
func (a *Authenticator) grants(info *AuthInfo, s string) bool {
	if info.HasScope(s) {
		return true
	}
	for _, implying := range a.impliedBy[s] {
		if info.HasScope(implying) {
			return true
		}
	}
	return false
}

// CheckScopes reports whether info holds the configured required scopes
// ([WithRequiredScopes]) and every scope in required, honouring the scope
// hierarchy ([WithScopeHierarchy]). It is meant for step-up gates: a handler
// (or a per-tool gate that reads the JSON-RPC body) behind the middleware
// calls it with the scopes the operation needs and passes a non-nil result
// to [Authenticator.WriteError], which answers 403 with
// error="insufficient_scope".
//
// The error is an [*Error] with [CodeMissingRequiredScopes] whose Scopes
// lists everything the call needs, the baseline required scopes first, then
// required, without duplicates, whether or not the token already holds
// them: MCP clients replace their scopes with the challenged ones, so the
// challenge must name them all. A nil info (no middleware in front) gives a
// [CodeServerError] error; so does a required scope that is not an RFC 6749
// scope-token, which is a programming error. Empty strings in required are
// ignored.
func (a *Authenticator) CheckScopes(info *AuthInfo, required ...string) error {
	if info == nil {
		return NewError(CodeServerError, "no authenticated identity for this request", errNoAuthInfo)
	}
	ok := true
	for _, s := range required {
		if s != "" && !scope.Valid(s) {
			return NewError(CodeServerError, "a required scope is malformed", errBadScope)
		}
		if s != "" && !a.grants(info, s) {
			ok = false
		}
	}
	for _, s := range a.requiredScopes {
		if !a.grants(info, s) {
			ok = false
		}
	}
	if ok {
		return nil
	}
	return a.insufficientScope(required)
}

// insufficientScope is the 403 error whose Scopes are the baseline required
// scopes followed by extra, without duplicates or empty strings.
func (a *Authenticator) insufficientScope(extra []string) *Error {
	needed := make([]string, 0, len(a.requiredScopes)+len(extra))
	for _, s := range a.requiredScopes {
		if !slices.Contains(needed, s) {
			needed = append(needed, s)
		}
	}
	for _, s := range extra {
		if s != "" && !slices.Contains(needed, s) {
			needed = append(needed, s)
		}
	}
	e := NewError(CodeMissingRequiredScopes, "the access token lacks a scope this request needs", nil)
	e.Scopes = needed
	return e
}

// impliedByClosure inverts a scope hierarchy ("a implies b, c") into "b is
// implied by a, and by whatever implies a", transitively. Cycles are fine:
// each scope of a cycle ends up implied by the others. Lists are sorted so
// that checks are deterministic.
func impliedByClosure(h map[string][]string) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string)
	for top := range h {
		seen := map[string]bool{top: true}
		stack := slices.Clone(h[top])
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[s] {
				continue
			}
			seen[s] = true
			out[s] = append(out[s], top)
			stack = append(stack, h[s]...)
		}
	}
	for s := range out {
		sort.Strings(out[s])
	}
	return out
}
