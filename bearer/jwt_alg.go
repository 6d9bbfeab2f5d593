package bearer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"strings"
)

// This file is the algorithm allow-list: the JWS "alg" names (RFC 7518
// section 3, RFC 8037, RFC 9864) the JWT verifier knows, and which key each
// may be checked with. The signature itself is checked by jwx (jwsbb.Verify)
// with a key converted from JWK once, when its key set is loaded
// (keyset.go).

// jwtKeyKind is the family of key an algorithm needs.
type jwtKeyKind uint8

const (
	jwtRSAPKCS1 jwtKeyKind = iota + 1 // RS256, RS384, RS512
	jwtRSAPSS                         // PS256, PS384, PS512
	jwtECDSA                          // ES256, ES384, ES512
	jwtEd25519                        // EdDSA (Ed25519 keys), Ed25519
)

// jwtAlgorithm is one supported signature algorithm.
type jwtAlgorithm struct {
	name  string
	kind  jwtKeyKind
	curve elliptic.Curve // ECDSA only
}

// jwtMinRSABits is the smallest RSA modulus accepted (RFC 7518 section
// 3.3 and 3.5: "2048 bits or larger MUST be used").
const jwtMinRSABits = 2048

// defaultJWTAlgorithms is the default allow-list: every supported
// algorithm, all of them asymmetric.
var defaultJWTAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", "Ed25519",
}

// jwtLookupAlgorithm returns the algorithm called name (case-sensitive, as
// RFC 7515 requires).
func jwtLookupAlgorithm(name string) (jwtAlgorithm, bool) {
	switch name {
	case "RS256", "RS384", "RS512":
		return jwtAlgorithm{name, jwtRSAPKCS1, nil}, true
	case "PS256", "PS384", "PS512":
		return jwtAlgorithm{name, jwtRSAPSS, nil}, true
	case "ES256":
		return jwtAlgorithm{name, jwtECDSA, elliptic.P256()}, true
	case "ES384":
		return jwtAlgorithm{name, jwtECDSA, elliptic.P384()}, true
	case "ES512":
		return jwtAlgorithm{name, jwtECDSA, elliptic.P521()}, true
	case "EdDSA", "Ed25519":
		return jwtAlgorithm{name, jwtEd25519, nil}, true
	}
	return jwtAlgorithm{}, false
}

// jwtIsHMAC reports whether name is an HMAC algorithm, in any spelling.
func jwtIsHMAC(name string) bool {
	return len(name) == 5 && strings.EqualFold(name[:2], "HS")
}

// fits reports whether pub is a key this algorithm can check signatures
// with: an RSA key of at least 2048 bits for RS*/PS*, a key on the matching
// curve for ES*, an Ed25519 key for EdDSA. This is what stops a key meant
// for one algorithm being used with another.
func (a *jwtAlgorithm) fits(pub crypto.PublicKey) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return (a.kind == jwtRSAPKCS1 || a.kind == jwtRSAPSS) && k.N.BitLen() >= jwtMinRSABits
	case *ecdsa.PublicKey:
		return a.kind == jwtECDSA && k.Curve == a.curve
	case ed25519.PublicKey:
		return a.kind == jwtEd25519 && len(k) == ed25519.PublicKeySize
	}
	return false
}
