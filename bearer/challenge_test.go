package bearer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// mwChallengeOrder is the attribute order every challenge must follow.
var mwChallengeOrder = []string{"error", "error_description", "scope", "resource_metadata"}

// mwParseChallenge parses a WWW-Authenticate value strictly: exactly one
// challenge, "Bearer", then optionally one space and name="quoted-string"
// attributes separated by ", ", each name once, nothing else. It returns the
// attributes (unescaped) and their names in order.
func mwParseChallenge(s string) (map[string]string, []string, error) {
	rest, ok := strings.CutPrefix(s, "Bearer")
	if !ok {
		return nil, nil, errors.New("does not start with Bearer")
	}
	params := map[string]string{}
	var names []string
	if rest == "" {
		return params, names, nil
	}
	rest, ok = strings.CutPrefix(rest, " ")
	if !ok {
		return nil, nil, errors.New("no space after the scheme")
	}
	for {
		i := 0
		for i < len(rest) && isTChar(rest[i]) {
			i++
		}
		if i == 0 {
			return nil, nil, fmt.Errorf("no attribute name at %q", rest)
		}
		name := rest[:i]
		if _, dup := params[name]; dup {
			return nil, nil, fmt.Errorf("attribute %s twice", name)
		}
		rest, ok = strings.CutPrefix(rest[i:], `="`)
		if !ok {
			return nil, nil, fmt.Errorf("attribute %s: no =\"", name)
		}
		var val strings.Builder
		closed := false
		for len(rest) > 0 && !closed {
			c := rest[0]
			switch {
			case c == '"':
				closed = true
			case c == '\\':
				if len(rest) < 2 || rest[1] < 0x20 || rest[1] > 0x7e {
					return nil, nil, fmt.Errorf("attribute %s: bad escape", name)
				}
				val.WriteByte(rest[1])
				rest = rest[1:]
			case c < 0x20 || c > 0x7e:
				return nil, nil, fmt.Errorf("attribute %s: byte %#x", name, c)
			default:
				val.WriteByte(c)
			}
			rest = rest[1:]
		}
		if !closed {
			return nil, nil, fmt.Errorf("attribute %s: unterminated", name)
		}
		params[name] = val.String()
		names = append(names, name)
		if rest == "" {
			return params, names, nil
		}
		rest, ok = strings.CutPrefix(rest, ", ")
		if !ok {
			return nil, nil, fmt.Errorf("after %s: %q", name, rest)
		}
	}
}

// mwClean is what a value must become in a challenge: bytes outside
// %x20-7E removed.
func mwClean(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 0x20 && c <= 0x7e {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mwCheckChallenge checks that out has only %x20-7E, parses strictly, keeps
// the attribute order and carries exactly want.
func mwCheckChallenge(t *testing.T, out string, want map[string]string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if out[i] < 0x20 || out[i] > 0x7e {
			t.Fatalf("challenge %q has byte %#x at %d", out, out[i], i)
		}
	}
	got, names, err := mwParseChallenge(out)
	if err != nil {
		t.Fatalf("challenge %q does not parse: %v", out, err)
	}
	last := -1
	for _, n := range names {
		i := slices.Index(mwChallengeOrder, n)
		if i <= last {
			t.Fatalf("challenge %q: attribute %s out of order or unknown", out, n)
		}
		last = i
	}
	if len(got) != len(want) {
		t.Fatalf("challenge %q = %q; want %q", out, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("challenge %q: %s = %q; want %q", out, k, got[k], v)
		}
	}
}

func TestChallengeString(t *testing.T) {
	const rm = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	tests := []struct {
		name string
		c    challenge
		want string
	}{
		{"empty", challenge{}, `Bearer`},
		{"metadata only", challenge{resourceMetadata: rm}, `Bearer resource_metadata="` + rm + `"`},
		{"all", challenge{errorCode: "insufficient_scope", description: "Need more.", scopes: []string{"a", "b:c"}, resourceMetadata: rm},
			`Bearer error="insufficient_scope", error_description="Need more.", scope="a b:c", resource_metadata="` + rm + `"`},
		{"order fixed", challenge{resourceMetadata: "u", errorCode: "invalid_token", scopes: []string{"s"}},
			`Bearer error="invalid_token", scope="s", resource_metadata="u"`},
		{"quote and backslash escaped", challenge{description: `say "hi" \o/`}, `Bearer error_description="say \"hi\" \\o/"`},
		{"CR LF dropped", challenge{description: "a\r\nWWW-Authenticate: Basic"}, `Bearer error_description="aWWW-Authenticate: Basic"`},
		{"controls and DEL dropped", challenge{description: "a\x00b\tc\x7fd"}, `Bearer error_description="abcd"`},
		{"non-ASCII dropped", challenge{description: "café ☕"}, `Bearer error_description="caf "`},
		{"only unprintable: left out", challenge{errorCode: "invalid_token", description: "\r\n\x01é"}, `Bearer error="invalid_token"`},
		{"offline_access never challenged", challenge{scopes: []string{"offline_access", "a", "offline_access", "b"}}, `Bearer scope="a b"`},
		{"only offline_access", challenge{scopes: []string{"offline_access"}, resourceMetadata: "u"}, `Bearer resource_metadata="u"`},
		{"empty scopes skipped", challenge{scopes: []string{"", "a", "\n", "b"}}, `Bearer scope="a b"`},
		{"injection attempt", challenge{description: `x", error="invalid_request`}, `Bearer error_description="x\", error=\"invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.String()
			if got != tt.want {
				t.Fatalf("String() = %s\nwant       %s", got, tt.want)
			}
			want := map[string]string{}
			for k, v := range map[string]string{"error": tt.c.errorCode, "error_description": tt.c.description, "resource_metadata": tt.c.resourceMetadata} {
				if mwClean(v) != "" {
					want[k] = mwClean(v)
				}
			}
			if s := mwScopeValue(tt.c.scopes); s != "" {
				want["scope"] = s
			}
			mwCheckChallenge(t, got, want)
		})
	}
}

// mwScopeValue is the scope attribute expected for scopes.
func mwScopeValue(scopes []string) string {
	var kept []string
	for _, s := range scopes {
		if s != "offline_access" && mwClean(s) != "" {
			kept = append(kept, mwClean(s))
		}
	}
	return strings.Join(kept, " ")
}

func FuzzChallenge(f *testing.F) {
	f.Add("invalid_token", "The access token is invalid.", "whoami:read whoami:admin", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp")
	f.Add("", "", "", "")
	f.Add("insufficient_scope", `quote " backslash \ end\`, "offline_access a", "https://h/x?y=\"z\"")
	f.Add("x\r\ny", "line\r\nbreak\x00nul\x7fdel", "a\tb é", "https://ü.example/é")
	f.Add(`", injected="1`, `\"`, `"`, `\`)
	f.Fuzz(func(t *testing.T, code, desc, scopes, url string) {
		c := challenge{errorCode: code, description: desc, scopes: strings.Split(scopes, " "), resourceMetadata: url}
		want := map[string]string{}
		for k, v := range map[string]string{"error": code, "error_description": desc, "resource_metadata": url} {
			if mwClean(v) != "" {
				want[k] = mwClean(v)
			}
		}
		if s := mwScopeValue(c.scopes); s != "" {
			want["scope"] = s
		}
		mwCheckChallenge(t, c.String(), want)
	})
}
