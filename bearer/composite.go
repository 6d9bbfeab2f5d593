package bearer

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
)

// CompositeVerifier serves JWT access tokens and opaque ones on one server:
// it sends each token to one of two verifiers according to its shape.
//
// A token shaped like a JWS in compact serialization (three base64url
// segments separated by dots, whose first segment decodes to a JSON object
// naming an "alg") goes to the JWT verifier; every other token, including
// five-segment encrypted JWTs (JWE), goes to the opaque verifier (userinfo or
// introspection).
//
// A JWS-shaped token that the JWT verifier rejects is never retried with
// the opaque verifier. Falling back would let a forged or expired JWT reach
// the provider's userinfo endpoint, turning every bad JWT into a request to
// the authorization server that an attacker controls the rate of, and would
// add that round trip's latency to every refusal. The JWT verifier's
// verdict, whatever it is, is the answer.
//
// A CompositeVerifier is safe for concurrent use if both verifiers are. The
// zero value is not usable: create one with [NewCompositeVerifier].
type CompositeVerifier struct {
	jwt, opaque Verifier
}

var _ verifierTraits = (*CompositeVerifier)(nil)

// NewCompositeVerifier returns a verifier that sends JWS-shaped tokens to
// jwt and all others to opaque. Both are required: a nil verifier, or an
// interface holding a nil pointer, is an error matching [ErrMisconfigured].
func NewCompositeVerifier(jwt, opaque Verifier) (*CompositeVerifier, error) {
	if isNilVerifier(jwt) {
		return nil, configError("NewCompositeVerifier: the JWT verifier is nil")
	}
	if isNilVerifier(opaque) {
		return nil, configError("NewCompositeVerifier: the opaque-token verifier is nil")
	}
	return &CompositeVerifier{jwt: jwt, opaque: opaque}, nil
}

// checksTimes reports whether both verifiers check times themselves.
func (c *CompositeVerifier) checksTimes() bool {
	jt, _ := traitsOf(c.jwt)
	ot, _ := traitsOf(c.opaque)
	return jt && ot
}

// knowsAudience reports whether both verifiers report audiences.
func (c *CompositeVerifier) knowsAudience() bool {
	_, ja := traitsOf(c.jwt)
	_, oa := traitsOf(c.opaque)
	return ja && oa
}

// hasUserinfo reports whether v is, or routes to, a [*UserinfoVerifier],
// which cannot report scopes.
func hasUserinfo(v Verifier) bool {
	switch v := v.(type) {
	case *UserinfoVerifier:
		return true
	case *CompositeVerifier:
		return hasUserinfo(v.jwt) || hasUserinfo(v.opaque)
	}
	return false
}

// Verify sends token to the JWT verifier if it is shaped like a JWS, and to
// the opaque verifier otherwise, and returns that verifier's answer
// unchanged.
func (c *CompositeVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if isJWSShaped(token) {
		return c.jwt.Verify(ctx, token)
	}
	return c.opaque.Verify(ctx, token)
}

// maxJWTHeader bounds the encoded header segment that isJWSShaped decodes
// on the stack; real headers ({"alg":"ES384","typ":"at+jwt","kid":"..."})
// are about 100 characters.
const maxJWTHeader = 1024

// isJWSShaped reports whether token has the shape of a JWS in compact
// serialization: three dot-separated segments, the first of which is
// unpadded base64url that decodes to a JSON object with an "alg" member.
// It is a routing test, not a verification: the payload and signature are
// not examined, and a header over 1 KiB is not considered JWT-shaped.
func isJWSShaped(token string) bool {
	dot1 := strings.IndexByte(token, '.')
	if dot1 <= 0 {
		return false
	}
	rest := token[dot1+1:]
	dot2 := strings.IndexByte(rest, '.')
	if dot2 < 0 || strings.IndexByte(rest[dot2+1:], '.') >= 0 {
		return false // not exactly three segments
	}
	header := token[:dot1]
	if len(header) > maxJWTHeader {
		return false
	}
	var buf [maxJWTHeader * 3 / 4]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(header))
	if err != nil {
		return false
	}
	// A full JSON parse would cost more than the routing is worth; the
	// chosen verifier parses the header properly.
	h := bytes.TrimSpace(buf[:n])
	return len(h) >= 2 && h[0] == '{' && h[len(h)-1] == '}' && bytes.Contains(h, []byte(`"alg"`))
}
