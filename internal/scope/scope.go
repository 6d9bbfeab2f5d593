// Package scope holds the OAuth scope syntax shared by the bearer
// middleware, the metadata documents and the MCP guards.
package scope

// Valid reports whether s is an RFC 6749 section 3.3 scope-token:
// 1*( %x21 / %x23-5B / %x5D-7E ), that is, printable ASCII except space,
// '"' and '\'. Such a value can be put in a WWW-Authenticate quoted string
// or a space-separated scope list without escaping or ambiguity.
func Valid(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// OfflineAccess is the OpenID Connect scope that asks for a refresh token.
// It grants no access to a resource, so a resource server never requires,
// challenges for or advertises it (MCP 2026-07-28).
const OfflineAccess = "offline_access"

// IsOfflineAccess reports whether s is [OfflineAccess], for
// slices.DeleteFunc and similar.
func IsOfflineAccess(s string) bool { return s == OfflineAccess }
