package check

import (
	"strings"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		header string
		want   string // schemes and params, rendered by render; "" means an error
	}{
		{`Bearer`, `Bearer`},
		{`Bearer resource_metadata="https://h/x"`, `Bearer[resource_metadata="https://h/x"]`},
		{`bearer  realm="a b" , scope="x y"`, `bearer[realm="a b" scope="x y"]`},
		{`Bearer error=invalid_token`, `Bearer[error=invalid_token]`},
		{`Bearer realm="a\"b\\c"`, `Bearer[realm="a"b\c"]`},
		{`Basic realm="x", Bearer scope="a"`, `Basic[realm="x"] Bearer[scope="a"]`},
		{`Bearer scope="a", Basic realm="x"`, `Bearer[scope="a"] Basic[realm="x"]`},
		{`Negotiate YWJj, Bearer`, `Negotiate(YWJj) Bearer`},
		{`Negotiate YWJjZA==`, `Negotiate(YWJjZA==)`},
		{`Negotiate YWI=`, `Negotiate(YWI=)`},
		{`Bearer a=`, `Bearer(a=)`}, // a token68, since a parameter needs a value
		{`Bearer, Basic`, `Bearer Basic`},
		{`, Bearer a="1",, b="2"`, `Bearer[a="1" b="2"]`},
		{`Bearer a = "1"`, `Bearer[a="1"]`},

		{``, ``},
		{`  ,  `, ``},
		{`Bearer a="1", a="2"`, ``},     // a parameter twice
		{`Bearer A="1", a="2"`, ``},     // names are case-insensitive
		{`Bearer a="unterminated`, ``},  // quoted-string without its end
		{`Bearer a="x\`, ``},            // escape at the end
		{`Bearer a=https://h/x`, ``},    // an unquoted value that is no token
		{`Bearer a="1" b="2"`, ``},      // no comma
		{"Bearer a=\"x\x01\"", ``},      // a control character
		{`"Bearer"`, ``},                // no scheme
		{`Bearer a="1", =x`, ``},        // a parameter without a name
		{strings.Repeat("B", 9000), ``}, // too long
		{`Bearer a="1"` + "\x00", ``},   // junk after a value
		{`Bearer/x`, ``},                // junk after the scheme
	}
	for _, tt := range tests {
		got, err := parseChallenges(tt.header)
		switch {
		case tt.want == "":
			if err == nil {
				t.Errorf("parseChallenges(%q) = %s, want an error", tt.header, render(got))
			}
		case err != nil:
			t.Errorf("parseChallenges(%q): %v", tt.header, err)
		case render(got) != tt.want:
			t.Errorf("parseChallenges(%q) = %s, want %s", tt.header, render(got), tt.want)
		}
	}
}

// render writes challenges compactly: scheme(token68) or
// scheme[name="quoted" name=token].
func render(cs []authChallenge) string {
	var parts []string
	for _, c := range cs {
		s := c.scheme
		if c.token68 != "" {
			s += "(" + c.token68 + ")"
		}
		if len(c.params) > 0 {
			var ps []string
			for _, p := range c.params {
				if p.quoted {
					ps = append(ps, p.name+`="`+p.value+`"`)
				} else {
					ps = append(ps, p.name+"="+p.value)
				}
			}
			s += "[" + strings.Join(ps, " ") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// FuzzParseChallenges: any header either fails or gives challenges whose
// schemes and parameter names are tokens, each name once per challenge.
func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{`Bearer resource_metadata="https://h/x", scope="a b"`, `Basic realm="x", Bearer`, `Negotiate YWJj==, Bearer a=b`, `Bearer a="\"\\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		cs, err := parseChallenges(header)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.scheme == "" || strings.ContainsAny(c.scheme, " ,=\"") {
				t.Fatalf("scheme %q from %q", c.scheme, header)
			}
			seen := map[string]bool{}
			for _, p := range c.params {
				n := strings.ToLower(p.name)
				if n == "" || seen[n] {
					t.Fatalf("parameter %q (duplicate or empty) from %q", p.name, header)
				}
				seen[n] = true
			}
		}
	})
}
