package bearer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"reflect"
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

// NewCompositeVerifier returns a verifier that sends JWS-shaped tokens to
// jwt and all others to opaque. Both are required: a nil verifier, or an
// interface holding a nil pointer, is an error.
func NewCompositeVerifier(jwt, opaque Verifier) (*CompositeVerifier, error) {
	if compIsNil(jwt) {
		return nil, errors.New("bearer: composite verifier: the JWT verifier is nil")
	}
	if compIsNil(opaque) {
		return nil, errors.New("bearer: composite verifier: the opaque-token verifier is nil")
	}
	return &CompositeVerifier{jwt: jwt, opaque: opaque}, nil
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

// compIsNil reports whether v is nil or an interface holding a nil pointer
// (or other nil-able kind), which would panic on its first Verify.
func compIsNil(v Verifier) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
