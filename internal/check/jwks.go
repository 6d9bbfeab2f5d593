package check

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/mcp-auth/go/config"
)

// minRSABits is the smallest RSA modulus a verifier should accept (RFC
// 7518 section 3.3: "2048 bits or larger MUST be used").
const minRSABits = 2048

// maxKeys bounds how many keys of a set are examined, so that a hostile
// set of a million tiny keys cannot keep the checker busy.
const maxKeys = 100

// signatureAlgs maps each asymmetric JWS algorithm (RFC 7518, RFC 8037,
// RFC 9864) to the key type and, for ECDSA, the curve it needs.
var signatureAlgs = map[string]struct{ kty, crv string }{
	"RS256": {"RSA", ""}, "RS384": {"RSA", ""}, "RS512": {"RSA", ""},
	"PS256": {"RSA", ""}, "PS384": {"RSA", ""}, "PS512": {"RSA", ""},
	"ES256": {"EC", "P-256"}, "ES384": {"EC", "P-384"}, "ES512": {"EC", "P-521"},
	"EdDSA": {"OKP", "Ed25519"}, "Ed25519": {"OKP", "Ed25519"},
}

// keyMembers are the JWK members read before jwx parses the key, so that
// keys jwx refuses (short RSA moduli, unknown algorithms) can be named.
type keyMembers struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
}

// keySetFindings is what analyzeKeySet found.
type keySetFindings struct {
	total    int      // keys in the set
	usable   []string // "kid (alg)" of the keys that can verify signatures
	ignored  int      // keys for another use (encryption)
	problems []string // one line per suspicious key
}

// analyzeKeySet examines a JWK Set (RFC 7517 section 5) for signature
// verification keys: asymmetric keys (RSA of 2048 bits or more, EC on
// P-256, P-384 or P-521, Ed25519), each parsed with jwx's jwk package. It
// reports symmetric (HMAC) keys, "none" and unknown algorithms, short RSA
// keys, other curves and keys whose alg does not fit their type.
func analyzeKeySet(raw []byte) (*keySetFindings, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("not a JWK Set: %w", err)
	}
	if set.Keys == nil {
		return nil, fmt.Errorf(`not a JWK Set: no "keys" array`)
	}
	f := &keySetFindings{total: len(set.Keys)}
	for i, rawKey := range set.Keys {
		if i == maxKeys {
			f.problems = append(f.problems, fmt.Sprintf("only the first %d of %d keys were examined", maxKeys, len(set.Keys)))
			break
		}
		name, usable, problem := examineKey(i, rawKey)
		switch {
		case usable:
			f.usable = append(f.usable, name)
		case problem == "":
			f.ignored++
		default:
			f.problems = append(f.problems, name+": "+problem)
		}
	}
	return f, nil
}

// examineKey returns a name for the key, whether it can verify
// signatures, and otherwise what is wrong ("" for a key that is merely
// meant for something else).
func examineKey(i int, raw json.RawMessage) (name string, usable bool, problem string) {
	var m keyMembers
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Sprintf("key #%d", i+1), false, "not a JWK: " + cleanErr(err)
	}
	name = fmt.Sprintf("key #%d", i+1)
	if m.Kid != "" {
		name = "key " + quote(m.Kid)
	}
	if m.Alg != "" {
		name += " (" + quote(m.Alg) + ")"
	}
	if m.Use != "" && m.Use != "sig" {
		return name, false, ""
	}
	if m.KeyOps != nil && !slices.Contains(m.KeyOps, "verify") {
		return name, false, ""
	}
	want, knownAlg := signatureAlgs[m.Alg]
	switch {
	case m.Kty == "oct":
		return name, false, "a symmetric (HMAC) key: a published secret lets anyone forge tokens, and a resource server must never accept HMAC-signed tokens from a key set"
	case m.Alg == "none":
		return name, false, `alg "none" (unsigned tokens)`
	case len(m.Alg) == 5 && strings.EqualFold(m.Alg[:2], "HS"):
		return name, false, "an HMAC algorithm on a public key"
	case m.Alg != "" && !knownAlg:
		return name, false, "an unknown signature algorithm"
	case m.Alg != "" && want.kty != m.Kty:
		return name, false, fmt.Sprintf("alg %s needs a %s key, not %s", m.Alg, want.kty, quote(m.Kty))
	case m.Kty == "RSA":
		if n, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(m.N, "=")); err == nil {
			if bits := bitLen(n); bits < minRSABits {
				return name, false, fmt.Sprintf("an RSA key of %d bits (at least %d are required, RFC 7518 section 3.3)", bits, minRSABits)
			}
		}
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return name, false, "unparseable: " + cleanErr(err)
	}
	pubJWK, err := key.PublicKey()
	if err != nil {
		return name, false, "no public key: " + cleanErr(err)
	}
	var pub any
	if err := jwk.Export(pubJWK, &pub); err != nil {
		return name, false, "unusable: " + cleanErr(err)
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p.N.BitLen() < minRSABits {
			return name, false, fmt.Sprintf("an RSA key of %d bits (at least %d are required)", p.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		crv := p.Curve.Params().Name
		switch {
		case crv != "P-256" && crv != "P-384" && crv != "P-521":
			return name, false, "curve " + quote(crv) + ", which most verifiers do not support"
		case want.crv != "" && want.crv != crv:
			return name, false, fmt.Sprintf("alg %s needs curve %s, not %s", m.Alg, want.crv, crv)
		}
	case ed25519.PublicKey:
	default:
		return name, false, fmt.Sprintf("key type %s, which cannot verify JWS signatures here (Ed448, X25519, secp256k1...)", quote(m.Kty))
	}
	return name, true, ""
}

// bitLen is the bit length of a big-endian unsigned integer.
func bitLen(b []byte) int {
	for i, c := range b {
		if c != 0 {
			n := (len(b) - i - 1) * 8
			for ; c != 0; c >>= 1 {
				n++
			}
			return n
		}
	}
	return 0
}

// checkJWKS fetches jwks_uri and checks that it holds usable signature
// keys.
func (c *checker) checkJWKS(ctx context.Context, rec *recorder, cfg *config.ServerConfig) {
	u := cfg.Metadata.JWKSURI
	if u == "" {
		if cfg.Type != config.OIDC { // for OIDC, as.oidc already failed
			rec.warn("as.jwks", "no jwks_uri: JWT access tokens cannot be verified locally, so every token costs a call to introspection or userinfo",
				"publish jwks_uri if the server issues JWT access tokens (RFC 9068)")
		}
		return
	}
	ex, raw := c.p.getJSON(ctx, "JWKS", u, nil)
	if ex.err != nil {
		rec.fail("as.jwks", "jwks_uri "+u+" is unreachable: "+describe(ex),
			"make jwks_uri answer 200 with the JWK Set (application/json or application/jwk-set+json)")
		return
	}
	f, err := analyzeKeySet(raw)
	if err != nil {
		rec.fail("as.jwks", "jwks_uri "+u+": "+cleanErr(err), `serve a JWK Set: {"keys": [...]} (RFC 7517 section 5)`)
		return
	}
	if len(f.usable) == 0 {
		rec.fail("as.jwks", fmt.Sprintf("jwks_uri %s: no usable signature key among %d keys: JWT access tokens cannot be verified", u, f.total),
			"publish the public half of an asymmetric signing key (RS256 with 2048 bits or more, ES256, ES384, EdDSA)")
	} else {
		rec.pass("as.jwks", fmt.Sprintf("jwks_uri %s: %d usable signature key(s): %s", u, len(f.usable), strings.Join(f.usable, ", ")))
	}
	if len(f.problems) > 0 {
		rec.warn("as.jwks.keys", strings.Join(f.problems, "; "),
			"remove these keys from the published set (a verifier skips them at best), or fix their alg")
	} else {
		rec.pass("as.jwks.keys", "no HMAC, none, unknown-algorithm or short RSA keys")
	}
}
