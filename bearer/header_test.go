package bearer

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// mwB64Token is RFC 6750's b64token, written independently of isB64Token.
var mwB64Token = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// mwHeaderCodes are the codes parseAuthorization may return.
var mwHeaderCodes = map[Code]bool{
	CodeMissingAuthHeader:       true,
	CodeInvalidAuthHeaderFormat: true,
	CodeMissingBearerToken:      true,
	CodeInvalidRequest:          true,
	CodeInvalidToken:            true,
}

func TestParseAuthorizationHeader(t *testing.T) {
	long := strings.Repeat("a", 100)
	tests := []struct {
		name   string
		values []string // Authorization field values; nil: no header
		max    int      // 0: the default
		token  string
		code   Code // "" when a token is expected
	}{
		{"no header", nil, 0, "", CodeMissingAuthHeader},
		{"empty header", []string{""}, 0, "", CodeMissingAuthHeader},
		{"plain", []string{"Bearer abc"}, 0, "abc", ""},
		{"lower-case scheme", []string{"bearer abc"}, 0, "abc", ""},
		{"upper-case scheme", []string{"BEARER abc"}, 0, "abc", ""},
		{"mixed-case scheme", []string{"bEaReR abc"}, 0, "abc", ""},
		{"several spaces", []string{"Bearer    abc"}, 0, "abc", ""},
		{"every b64 character", []string{"Bearer aZ09-._~+/"}, 0, "aZ09-._~+/", ""},
		{"padding", []string{"Bearer abc=="}, 0, "abc==", ""},
		{"jwt shape", []string{"Bearer eyJh.eyJz.c2ln"}, 0, "eyJh.eyJz.c2ln", ""},
		{"scheme only", []string{"Bearer"}, 0, "", CodeMissingBearerToken},
		{"scheme and space", []string{"Bearer "}, 0, "", CodeMissingBearerToken},
		{"scheme and spaces", []string{"bearer    "}, 0, "", CodeMissingBearerToken},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"other scheme", []string{"Token abc"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"scheme prefix", []string{"Bearerabc"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"longer scheme", []string{"Bearer-x abc"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"leading space", []string{" Bearer abc"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"token only", []string{"abc"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"non-ASCII scheme", []string{"Béarer abc"}, 0, "", CodeInvalidAuthHeaderFormat},
		{"tab separator", []string{"Bearer\tabc"}, 0, "", CodeInvalidRequest},
		{"comma after scheme", []string{"Bearer, abc"}, 0, "", CodeInvalidRequest},
		{"two tokens", []string{"Bearer abc def"}, 0, "", CodeInvalidRequest},
		{"inner tab", []string{"Bearer abc\tdef"}, 0, "", CodeInvalidRequest},
		{"trailing space", []string{"Bearer abc "}, 0, "", CodeInvalidRequest},
		{"control character", []string{"Bearer abc\x00"}, 0, "", CodeInvalidRequest},
		{"CR LF", []string{"Bearer abc\r\nX-Evil: 1"}, 0, "", CodeInvalidRequest},
		{"DEL", []string{"Bearer abc\x7f"}, 0, "", CodeInvalidRequest},
		{"non-ASCII token", []string{"Bearer abç"}, 0, "", CodeInvalidRequest},
		{"padding only", []string{"Bearer =="}, 0, "", CodeInvalidRequest},
		{"padding inside", []string{"Bearer a=b"}, 0, "", CodeInvalidRequest},
		{"quoted token", []string{`Bearer "abc"`}, 0, "", CodeInvalidRequest},
		{"auth-param form", []string{"Bearer token=abc, x=y"}, 0, "", CodeInvalidRequest},
		{"two headers", []string{"Bearer abc", "Bearer abc"}, 0, "", CodeInvalidRequest},
		{"two headers one empty", []string{"Bearer abc", ""}, 0, "", CodeInvalidRequest},
		{"at the limit", []string{"Bearer " + long}, 100 + 7, long, ""},
		{"over the limit", []string{"Bearer " + long}, 100 + 6, "", CodeInvalidToken},
		{"over the limit, not bearer", []string{"Basic " + long + "xx"}, 100 + 7, "", CodeInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Authorization", v)
			}
			max := tt.max
			if max == 0 {
				max = DefaultMaxTokenLength + 7
			}
			token, e := parseAuthorization(h, max)
			if tt.code == "" {
				if e != nil || token != tt.token {
					t.Fatalf("parseAuthorization = %q, %v; want %q, nil", token, e, tt.token)
				}
				return
			}
			if e == nil {
				t.Fatalf("parseAuthorization = %q, nil; want code %s", token, tt.code)
			}
			if e.Code != tt.code || e.Status != tt.code.Status() || token != "" {
				t.Fatalf("parseAuthorization = %q, %v (status %d); want code %s", token, e, e.Status, tt.code)
			}
		})
	}
}

func TestParseAuthorizationHeaderCategories(t *testing.T) {
	tests := []struct {
		value  string
		target error
		status int
	}{
		{"", ErrMissingToken, http.StatusUnauthorized},
		{"Basic x", ErrMissingToken, http.StatusUnauthorized},
		{"Bearer", ErrMissingToken, http.StatusUnauthorized},
		{"Bearer a b", ErrInvalidRequest, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			h := http.Header{"Authorization": {tt.value}}
			_, e := parseAuthorization(h, 100)
			if !errors.Is(e, tt.target) || e.Status != tt.status {
				t.Fatalf("parseAuthorization(%q) = %v (status %d); want %v, %d", tt.value, e, e.Status, tt.target, tt.status)
			}
		})
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"", "Bearer abc", "bearer abc==", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
		"Bearer\tabc", "Bearer abc def", "Bearer a=b", "Bearer eyJh.eyJz.c2ln",
		"Bearer abç", "Bearer abc\r\n", "BEARER    x", "Bearerx", " Bearer x",
	} {
		f.Add(s, false)
	}
	f.Add("Bearer abc", true)
	f.Fuzz(func(t *testing.T, value string, twice bool) {
		h := http.Header{}
		h.Add("Authorization", value)
		if twice {
			h.Add("Authorization", value)
		}
		const max = 64
		token, e := parseAuthorization(h, max)
		if e == nil {
			if twice {
				t.Fatalf("two headers accepted: %q", token)
			}
			if !mwB64Token.MatchString(token) {
				t.Fatalf("token %q from %q is not a b64token", token, value)
			}
			if !strings.HasSuffix(value, token) || len(value) > max {
				t.Fatalf("token %q does not end the header %q", token, value)
			}
			if !strings.EqualFold(value[:7], "bearer ") || strings.TrimLeft(value[6:], " ") != token {
				t.Fatalf("token %q from header %q", token, value)
			}
			return
		}
		if token != "" {
			t.Fatalf("token %q returned with error %v", token, e)
		}
		if !mwHeaderCodes[e.Code] || e.Status != e.Code.Status() {
			t.Fatalf("unexpected error %v (status %d)", e, e.Status)
		}
	})
}
