package devissuer

import (
	"fmt"
	"slices"
	"strings"
)

// standardScopes are always granted when requested.
var standardScopes = []string{"openid", "profile", "email", "offline_access"}

// defaultScope is used when an authorization request names no scope: OAuth
// lets the server pick a default, and zitadel/oidc refuses an empty one.
const defaultScope = "openid"

// scopePolicy is the set of scopes the issuer grants. Immutable after
// newScopePolicy, so safe for concurrent use.
type scopePolicy struct {
	supported []string
	set       map[string]bool
}

func newScopePolicy(extra []string) (*scopePolicy, error) {
	p := &scopePolicy{set: map[string]bool{}}
	for _, s := range append(slices.Clone(standardScopes), extra...) {
		if !validScopeToken(s) {
			return nil, fmt.Errorf("devissuer: invalid scope %q", s)
		}
		if !p.set[s] {
			p.set[s] = true
			p.supported = append(p.supported, s)
		}
	}
	return p, nil
}

// allowed reports whether the issuer grants scope.
func (p *scopePolicy) allowed(scope string) bool { return p.set[scope] }

// grant keeps the requested scopes the issuer grants, once each, in order.
// Unknown scopes are dropped silently, as RFC 6749 section 3.3 allows.
func (p *scopePolicy) grant(requested []string) []string {
	out := make([]string, 0, len(requested))
	for _, s := range requested {
		if p.set[s] && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// validScopeToken follows RFC 6749 section 3.3: scope-token = 1*NQCHAR.
func validScopeToken(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
			return false
		}
	}
	return true
}

// splitScope splits a space-separated scope parameter.
func splitScope(s string) []string { return strings.Fields(s) }
