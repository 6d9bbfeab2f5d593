package check

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAnalyzeKeySet(t *testing.T) {
	ec := ecKey(t, "ec")
	ecNoAlg := ecKey(t, "ec-no-alg")
	delete(ecNoAlg, "alg")
	ecWrongCurveAlg := ecKey(t, "ec-es384")
	ecWrongCurveAlg["alg"] = "ES384"
	ecAsRS := ecKey(t, "ec-rs")
	ecAsRS["alg"] = "RS256"
	enc := ecKey(t, "enc")
	enc["use"] = "enc"
	rsa2048 := rsaKey(t, "rsa-2048", 2048)
	rsa1024 := rsaKey(t, "rsa-1024", 1024)
	tests := []struct {
		name     string
		keys     []any
		usable   int
		ignored  int
		problems []string // substrings, one per problem, in order
	}{
		{"good keys", []any{ec, ecNoAlg, rsa2048}, 3, 0, nil},
		{"an encryption key is not a problem", []any{ec, enc}, 1, 1, nil},
		{"HMAC", []any{hmacKey}, 0, 0, []string{"symmetric (HMAC) key"}},
		{"short RSA", []any{rsa1024}, 0, 0, []string{"RSA key of 1024 bits"}},
		{"alg for another curve", []any{ecWrongCurveAlg}, 0, 0, []string{"needs curve P-384, not P-256"}},
		{"alg for another key type", []any{ecAsRS}, 0, 0, []string{`needs a RSA key, not "EC"`}},
		{"HS alg on an EC key", []any{map[string]any{"kty": "EC", "alg": "HS256"}}, 0, 0, []string{"HMAC algorithm on a public key"}},
		{"unknown kty", []any{map[string]any{"kty": "FOO"}}, 0, 0, []string{"unparseable"}},
		{"not an object", []any{"x"}, 0, 0, []string{"not a JWK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, _ := json.Marshal(map[string]any{"keys": tt.keys})
			f, err := analyzeKeySet(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.usable) != tt.usable || f.ignored != tt.ignored || len(f.problems) != len(tt.problems) {
				t.Fatalf("usable %v, ignored %d, problems %q", f.usable, f.ignored, f.problems)
			}
			for i, p := range tt.problems {
				if !strings.Contains(f.problems[i], p) {
					t.Errorf("problem %q, want %q", f.problems[i], p)
				}
			}
		})
	}
	for _, doc := range []string{`[]`, `{}`, `{"keys":{}}`, `nope`} {
		if _, err := analyzeKeySet([]byte(doc)); err == nil {
			t.Errorf("analyzeKeySet(%s) accepted it", doc)
		}
	}
}

// FuzzAnalyzeKeySet: no key set document makes the analysis panic, and a
// key is usable, ignored or a problem.
func FuzzAnalyzeKeySet(f *testing.F) {
	f.Add(`{"keys":[{"kty":"oct","k":"AA"},{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		k, err := analyzeKeySet([]byte(doc))
		if err != nil {
			return
		}
		examined := min(k.total, maxKeys)
		extra := 0
		if k.total > maxKeys {
			extra = 1
		}
		if len(k.usable)+k.ignored+len(k.problems) != examined+extra {
			t.Fatalf("%d keys: %d usable, %d ignored, %d problems", k.total, len(k.usable), k.ignored, len(k.problems))
		}
	})
}
