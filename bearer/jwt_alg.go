package bearer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"strings"
)

// This file maps JWS "alg" names (RFC 7518 section 3, RFC 8037, RFC 9864)
// to the standard library's signature checks. Keys are converted from JWK
// to crypto.PublicKey once, when a key set is loaded (keyset.go); checking a
// signature is then a direct call into crypto/rsa, crypto/ecdsa or
// crypto/ed25519, with no per-token key decoding.

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
	hash  crypto.Hash    // 0 for Ed25519, which hashes internally
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
	case "RS256":
		return jwtAlgorithm{name, jwtRSAPKCS1, crypto.SHA256, nil}, true
	case "RS384":
		return jwtAlgorithm{name, jwtRSAPKCS1, crypto.SHA384, nil}, true
	case "RS512":
		return jwtAlgorithm{name, jwtRSAPKCS1, crypto.SHA512, nil}, true
	case "PS256":
		return jwtAlgorithm{name, jwtRSAPSS, crypto.SHA256, nil}, true
	case "PS384":
		return jwtAlgorithm{name, jwtRSAPSS, crypto.SHA384, nil}, true
	case "PS512":
		return jwtAlgorithm{name, jwtRSAPSS, crypto.SHA512, nil}, true
	case "ES256":
		return jwtAlgorithm{name, jwtECDSA, crypto.SHA256, elliptic.P256()}, true
	case "ES384":
		return jwtAlgorithm{name, jwtECDSA, crypto.SHA384, elliptic.P384()}, true
	case "ES512":
		return jwtAlgorithm{name, jwtECDSA, crypto.SHA512, elliptic.P521()}, true
	case "EdDSA", "Ed25519":
		return jwtAlgorithm{name, jwtEd25519, 0, nil}, true
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

// pssOptions are RFC 7518 section 3.5's: the salt is as long as the hash.
var pssOptions = rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

// verify checks sig over signingInput with pub, which must fit a.
func (a *jwtAlgorithm) verify(pub crypto.PublicKey, signingInput, sig []byte) bool {
	if a.kind == jwtEd25519 {
		k, ok := pub.(ed25519.PublicKey)
		return ok && len(k) == ed25519.PublicKeySize && ed25519.Verify(k, signingInput, sig)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		var buf [sha512.Size]byte
		digest := jwtHash(a.hash, signingInput, &buf)
		switch a.kind {
		case jwtRSAPKCS1:
			return rsa.VerifyPKCS1v15(k, a.hash, digest, sig) == nil
		case jwtRSAPSS:
			opts := pssOptions
			return rsa.VerifyPSS(k, a.hash, digest, sig, &opts) == nil
		}
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if a.kind != jwtECDSA || len(sig) != 2*size {
			return false
		}
		var buf [sha512.Size]byte
		digest := jwtHash(a.hash, signingInput, &buf)
		return ecdsa.VerifyASN1(k, digest, jwtECDSAToASN1(sig))
	}
	return false
}

// jwtHash hashes msg with h into buf and returns the digest.
func jwtHash(h crypto.Hash, msg []byte, buf *[sha512.Size]byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return buf[:copy(buf[:], d[:])]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return buf[:copy(buf[:], d[:])]
	default:
		d := sha512.Sum512(msg)
		return buf[:copy(buf[:], d[:])]
	}
}

// jwtECDSAToASN1 converts a JWS ECDSA signature, the fixed-size big-endian
// R and S concatenated (RFC 7518 section 3.4), to the ASN.1 DER
// SEQUENCE { r INTEGER, s INTEGER } that crypto/ecdsa reads.
func jwtECDSAToASN1(sig []byte) []byte {
	half := len(sig) / 2
	// Room for the SEQUENCE header in its long form (30 81 len) and two
	// INTEGERs of up to 66 bytes plus a sign byte each.
	b := make([]byte, 3, 3+2*(3+half))
	b = jwtAppendASN1Int(b, sig[:half])
	b = jwtAppendASN1Int(b, sig[half:])
	body := len(b) - 3
	if body < 0x80 {
		b[1], b[2] = 0x30, byte(body)
		return b[1:]
	}
	b[0], b[1], b[2] = 0x30, 0x81, byte(body)
	return b
}

// jwtAppendASN1Int appends the DER INTEGER with the unsigned big-endian
// value v: leading zeros dropped, a zero byte added if the top bit is set.
func jwtAppendASN1Int(b, v []byte) []byte {
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	if v[0]&0x80 != 0 {
		b = append(b, 0x02, byte(len(v)+1), 0)
	} else {
		b = append(b, 0x02, byte(len(v)))
	}
	return append(b, v...)
}
