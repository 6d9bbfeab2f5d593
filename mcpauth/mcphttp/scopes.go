package mcphttp

import (
	"context"
	"slices"

	"github.com/mcp-auth/go/bearer"
)

// scopeOfflineAccess is the OpenID Connect scope that asks for a refresh
// token. It grants no access, so it is never required or challenged for.
const scopeOfflineAccess = "offline_access"

// HasScopes reports whether the request whose context is ctx carries a
// verified token (a [bearer.AuthInfo] put there by the bearer middleware)
// that holds every one of scopes, directly or through hierarchy: with
// {"whoami:admin": {"whoami:read"}}, a token holding "whoami:admin" holds
// "whoami:read" too. Implication is transitive, and cycles are allowed
// (each scope of a cycle implies the others).
//
// It is meant for tool handlers that decide for themselves (mcp-go passes
// the request context on to them). It reports false when ctx carries no
// AuthInfo, and true when it does and scopes is empty. hierarchy may be nil;
// it is read, never modified, so one map may be shared by concurrent calls.
// Empty strings in scopes are never held.
func HasScopes(ctx context.Context, hierarchy map[string][]string, scopes ...string) bool {
	info, ok := bearer.FromContext(ctx)
	if !ok {
		return false
	}
	held := heldScopes(info.Scopes, hierarchy)
	for _, s := range scopes {
		if !held[s] {
			return false
		}
	}
	return true
}

// heldScopes returns the scopes granted plus every scope they imply through
// hierarchy, walked transitively (a visited set makes cycles harmless).
func heldScopes(granted []string, hierarchy map[string][]string) map[string]bool {
	held := make(map[string]bool, len(granted)*2)
	stack := slices.Clone(granted)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s == "" || held[s] {
			continue
		}
		held[s] = true
		stack = append(stack, hierarchy[s]...)
	}
	return held
}

// closure returns, for every scope named in hierarchy, the sorted list of
// the other scopes it implies, transitively. The gate computes it once, so
// that a request only looks its token's scopes up.
func closure(hierarchy map[string][]string) map[string][]string {
	if len(hierarchy) == 0 {
		return nil
	}
	out := make(map[string][]string, len(hierarchy))
	for top := range hierarchy {
		held := heldScopes([]string{top}, hierarchy)
		delete(held, top)
		implied := make([]string, 0, len(held))
		for s := range held {
			implied = append(implied, s)
		}
		slices.Sort(implied)
		out[top] = implied
	}
	return out
}
