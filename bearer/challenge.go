package bearer

import "github.com/mcp-auth/go/internal/scope"

// challenge is the content of one Bearer challenge for the WWW-Authenticate
// header (RFC 6750 section 3, RFC 9728 section 5.1).
type challenge struct {
	errorCode        string   // "invalid_request", "invalid_token", "insufficient_scope" or ""
	description      string   // error_description; fixed text of this package only
	scopes           []string // joined by spaces into scope; offline_access dropped
	resourceMetadata string   // absolute URL of the protected resource metadata
}

// String returns the header value: "Bearer", then the attributes that have a
// value as comma-separated name="value" pairs, each at most once and always
// in the order error, error_description, scope, resource_metadata.
//
// Values are quoted-strings (RFC 9110 section 5.6.4): '"' and '\' are
// escaped with a backslash, and every byte outside %x20-7E (control
// characters, CR, LF, DEL, non-ASCII) is dropped, so nothing can split the
// header or inject another attribute. An attribute whose value is empty once
// cleaned is left out.
func (c challenge) String() string {
	var buf [256]byte
	return string(c.append(buf[:0]))
}

func (c challenge) append(b []byte) []byte {
	b = append(b, bearerScheme...)
	first := true
	b = appendParam(b, &first, "error", c.errorCode)
	b = appendParam(b, &first, "error_description", c.description)
	b = appendScopeParam(b, &first, c.scopes)
	b = appendParam(b, &first, "resource_metadata", c.resourceMetadata)
	return b
}

// appendParam appends `, name="value"` (or ` name="value"` for the first
// attribute) unless value is empty once cleaned.
func appendParam(b []byte, first *bool, name, value string) []byte {
	if !hasQuotable(value) {
		return b
	}
	b = appendParamName(b, first, name)
	b = appendQuotable(b, value)
	return append(b, '"')
}

func appendParamName(b []byte, first *bool, name string) []byte {
	if *first {
		b = append(b, ' ')
		*first = false
	} else {
		b = append(b, ", "...)
	}
	b = append(b, name...)
	return append(b, '=', '"')
}

// appendScopeParam appends the scope attribute: the scopes that are not
// empty once cleaned, other than offline_access, separated by one space.
func appendScopeParam(b []byte, first *bool, scopes []string) []byte {
	wrote := false
	for _, s := range scopes {
		if scope.IsOfflineAccess(s) || !hasQuotable(s) {
			continue
		}
		if !wrote {
			b = appendParamName(b, first, "scope")
			wrote = true
		} else {
			b = append(b, ' ')
		}
		b = appendQuotable(b, s)
	}
	if wrote {
		b = append(b, '"')
	}
	return b
}

// appendQuotable appends s as the inside of a quoted-string: '"' and '\'
// escaped, bytes outside %x20-7E dropped.
func appendQuotable(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case isQuotable(c):
			b = append(b, c)
		}
	}
	return b
}

// hasQuotable reports whether s keeps at least one byte once cleaned.
func hasQuotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if isQuotable(s[i]) {
			return true
		}
	}
	return false
}

// isQuotable reports whether c may appear in a header value: visible ASCII
// and space.
func isQuotable(c byte) bool { return 0x20 <= c && c <= 0x7e }
