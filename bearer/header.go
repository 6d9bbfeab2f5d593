package bearer

import "net/http"

// bearerScheme is the authentication scheme of RFC 6750, matched
// case-insensitively (RFC 7235 section 2.1).
const bearerScheme = "Bearer"

// parseAuthorization extracts the bearer token from h, the request headers.
// It reads the Authorization header only: RFC 6750's other two methods (the
// form body and the access_token query parameter) are never used, as the MCP
// specification requires.
//
// maxLen bounds the header value and is checked before anything is parsed.
// The token returned is a substring of the header value (no copy). Errors:
//
//   - no Authorization header, or an empty one: [CodeMissingAuthHeader]
//   - several Authorization header fields: [CodeInvalidRequest]
//   - longer than maxLen: [CodeInvalidToken]
//   - a scheme other than Bearer: [CodeInvalidAuthHeaderFormat] (RFC 6750
//     section 3.1: no bearer credentials at all, so no "error" attribute)
//   - "Bearer" with no token: [CodeMissingBearerToken]
//   - anything else that is not "Bearer" 1*SP b64token: [CodeInvalidRequest]
func parseAuthorization(h http.Header, maxLen int) (string, *Error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0 || len(values) == 1 && values[0] == "":
		return "", NewError(CodeMissingAuthHeader, "the request has no Authorization header", nil)
	case len(values) > 1:
		return "", NewError(CodeInvalidRequest, "the request has several Authorization headers", nil)
	}
	v := values[0]
	if len(v) > maxLen {
		return "", NewError(CodeInvalidToken, "the Authorization header is too long", nil)
	}

	// The scheme is an RFC 7230 token; whatever follows it decides the rest.
	n := 0
	for n < len(v) && isTChar(v[n]) {
		n++
	}
	if !headerEqualFold(v[:n], bearerScheme) {
		return "", NewError(CodeInvalidAuthHeaderFormat, "the Authorization header does not use the Bearer scheme", nil)
	}
	rest := v[n:]
	if rest != "" && rest[0] != ' ' {
		// "Bearer\tx", "Bearer,x": not the 1*SP that RFC 7235 requires.
		return "", NewError(CodeInvalidRequest, "the Authorization header is malformed", nil)
	}
	for rest != "" && rest[0] == ' ' {
		rest = rest[1:]
	}
	if rest == "" {
		return "", NewError(CodeMissingBearerToken, "the Authorization header has no bearer token", nil)
	}
	if !isB64Token(rest) {
		return "", NewError(CodeInvalidRequest, "the bearer token is malformed", nil)
	}
	return rest, nil
}

// isB64Token reports whether s matches RFC 6750's b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for i < len(s) && isB64Char(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	return i == len(s)
}

func isB64Char(c byte) bool { return b64Chars[c] }

// b64Chars marks the RFC 6750 b64token characters other than '=': a table,
// because every byte of every token is looked up on the hot path.
var b64Chars = func() (t [256]bool) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
			t[c] = true
		}
	}
	return t
}()

// isTChar reports whether c is an RFC 7230 tchar.
func isTChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// headerEqualFold is strings.EqualFold for ASCII only, so that no Unicode
// case folding ("K" for Kelvin) can make another scheme look like Bearer.
func headerEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if headerLower(a[i]) != headerLower(b[i]) {
			return false
		}
	}
	return true
}

func headerLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
