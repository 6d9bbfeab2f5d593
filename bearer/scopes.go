package bearer

import (
	"slices"
	"sort"

	"github.com/mcp-auth/go/internal/scope"
)

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
// lists every scope the client should hold afterwards: the scopes of the
// 401 challenge ([WithChallengeScopes]) and the required scopes first, then
// required, without duplicates, whether or not the token already holds
// them. MCP clients replace their scopes with the challenged ones on
// step-up, so a challenge that named only the new scope would cost them
// the scopes of everyday calls (and the identity claims that come with
// openid, profile and email). A nil info (no middleware in front) gives a
// [CodeServerError] error; so does a required scope that is not an RFC
// 6749 scope-token, which is a programming error. Empty strings in
// required are ignored.
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
	return a.insufficientScope(info, required)
}

// insufficientScope is the 403 error for info: its Scopes are the step-up
// baseline (challenge and required scopes) followed by extra, without
// duplicates or empty strings; the scopes among them that info does not
// hold are what mcp-auth's body calls missing_scopes.
func (a *Authenticator) insufficientScope(info *AuthInfo, extra []string) *Error {
	e := NewError(CodeMissingRequiredScopes, "the access token lacks a scope this request needs", nil)
	e.Scopes = appendUnique(slices.Clone(a.stepUpScopes), extra...)
	for _, s := range appendUnique(slices.Clone(a.requiredScopes), extra...) {
		if !a.grants(info, s) {
			e.missingScopes = append(e.missingScopes, s)
		}
	}
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
