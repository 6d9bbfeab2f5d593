package bearer

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

// compSeg base64url-encodes s without padding, as a JWS segment.
func compSeg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// compRecorder is a verifier that counts its calls and answers err.
type compRecorder struct {
	calls atomic.Int32
	name  string
	err   error
}

func (r *compRecorder) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	r.calls.Add(1)
	if r.err != nil {
		return nil, r.err
	}
	return &AuthInfo{Subject: r.name}, nil
}

var compES384Header = compSeg(`{"alg":"ES384","typ":"at+jwt","kid":"k1"}`)

func TestCompositeRouting(t *testing.T) {
	payload, sig := compSeg(`{"sub":"u"}`), compSeg(strings.Repeat("s", 96))
	tests := []struct {
		name  string
		token string
		want  string // "jwt" or "opaque"
	}{
		{"ES384 access token", compES384Header + "." + payload + "." + sig, "jwt"},
		{"unsigned-looking JWS still routes to jwt", compSeg(`{"alg":"none"}`) + "." + payload + ".", "jwt"},
		{"header with spaces", compSeg(` { "alg" : "RS256" } `) + "." + payload + "." + sig, "jwt"},
		{"Logto opaque token", "kR9_ds0Hq4yS2Pj-7bXfQeTzL1mNcVwA8uIoGhE3", "opaque"},
		{"empty", "", "opaque"},
		{"JWE (five segments)", compSeg(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".a.b.c.d", "opaque"},
		{"two segments", compES384Header + "." + payload, "opaque"},
		{"four segments", compES384Header + "." + payload + "." + sig + ".x", "opaque"},
		{"empty header", "." + payload + "." + sig, "opaque"},
		{"header not base64url", "e30=." + payload + "." + sig, "opaque"},
		{"header std base64", strings.ReplaceAll(compSeg(`{"alg":"ES384","x":"??>>"}`), "_", "/") + "." + payload + "." + sig, "opaque"},
		{"header not JSON", compSeg("alg") + "." + payload + "." + sig, "opaque"},
		{"header without alg", compSeg(`{"typ":"JWT"}`) + "." + payload + "." + sig, "opaque"},
		{"header is an array", compSeg(`["alg"]`) + "." + payload + "." + sig, "opaque"},
		{"oversized header", compSeg(`{"alg":"ES384","x":"`+strings.Repeat("x", 2000)+`"}`) + "." + payload + "." + sig, "opaque"},
		{"dotted opaque token", "abc.def.ghi", "opaque"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jwt, opaque := &compRecorder{name: "jwt"}, &compRecorder{name: "opaque"}
			c, err := NewCompositeVerifier(jwt, opaque)
			if err != nil {
				t.Fatal(err)
			}
			info, err := c.Verify(t.Context(), tt.token)
			if err != nil {
				t.Fatal(err)
			}
			if info.Subject != tt.want || jwt.calls.Load()+opaque.calls.Load() != 1 {
				t.Errorf("routed to %s (jwt %d, opaque %d calls), want %s",
					info.Subject, jwt.calls.Load(), opaque.calls.Load(), tt.want)
			}
		})
	}
}

func TestCompositeNoFallback(t *testing.T) {
	token := compES384Header + "." + compSeg(`{"sub":"u"}`) + "." + compSeg("forged")
	for _, jwtErr := range []error{
		InvalidToken("bad signature", nil),
		ProviderUnavailable("JWKS unreachable", nil),
	} {
		jwt := &compRecorder{err: jwtErr}
		opaque := &compRecorder{name: "opaque"}
		c, err := NewCompositeVerifier(jwt, opaque)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Verify(t.Context(), token); err != jwtErr {
			t.Errorf("err = %v, want the JWT verifier's error unchanged", err)
		}
		if n := opaque.calls.Load(); n != 0 {
			t.Errorf("a rejected JWT reached the opaque verifier (%d calls)", n)
		}
	}
}

func TestNewCompositeVerifierNil(t *testing.T) {
	ok := &compRecorder{}
	var nilPtr *compRecorder
	var nilFunc VerifierFunc
	tests := []struct {
		name        string
		jwt, opaque Verifier
	}{
		{"nil jwt", nil, ok},
		{"nil opaque", ok, nil},
		{"typed nil pointer", nilPtr, ok},
		{"nil VerifierFunc", ok, nilFunc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCompositeVerifier(tt.jwt, tt.opaque)
			if err == nil || c != nil {
				t.Fatalf("NewCompositeVerifier = %v, %v; want an error", c, err)
			}
		})
	}
	if _, err := NewCompositeVerifier(ok, VerifierFunc(func(context.Context, string) (*AuthInfo, error) {
		return nil, errors.New("x")
	})); err != nil {
		t.Fatalf("a VerifierFunc was refused: %v", err)
	}
}

func BenchmarkCompositeShape(b *testing.B) {
	jws := compES384Header + "." + compSeg(`{"sub":"u","aud":"https://mcp.example.com/mcp","scope":"a b c"}`+strings.Repeat(" ", 400)) + "." + compSeg(strings.Repeat("s", 96))
	for _, tc := range []struct{ name, token string }{
		{"jws", jws},
		{"opaque", "kR9_ds0Hq4yS2Pj-7bXfQeTzL1mNcVwA8uIoGhE3"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				isJWSShaped(tc.token)
			}
		})
	}
}
