// Package bench holds the comparative benchmarks of github.com/mcp-auth/go
// and the fixtures they share with the loopback load server (cmd/loadserver):
// keys, a JWK Set and realistic access tokens. It is a module of its own so
// that the peers it measures never enter the library's go.mod.
package bench

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// The issuer and resource every fixture token names.
const (
	Issuer   = "https://tenant-4f7a9c.auth.example.com/oidc"
	Resource = "https://mcp.example.com/mcp"
	Scope    = "read:tools" // the scope the middlewares require
	ClientID = "m2m-agent-7x9c2v5b8n1q4w3e"
)

// Algs are the signature algorithms measured.
var Algs = []string{"ES256", "ES384", "RS256", "EdDSA"}

// Key is a signing key with its public half and key ID.
type Key struct {
	Alg  string
	Kid  string
	Priv crypto.Signer
	Pub  crypto.PublicKey
}

// NewKey generates a key for alg (ES256, ES384, ES512, RS256, EdDSA).
func NewKey(alg, kid string) (*Key, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "RS256":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("bench: unknown alg %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return &Key{Alg: alg, Kid: kid, Priv: priv, Pub: priv.Public()}, nil
}

// JWKS returns the public JWK Set of keys, each with kid, alg and use=sig.
func JWKS(keys ...*Key) ([]byte, error) {
	set := jwk.NewSet()
	for _, k := range keys {
		jk, err := jwk.Import(k.Pub)
		if err != nil {
			return nil, err
		}
		for name, v := range map[string]any{jwk.KeyIDKey: k.Kid, jwk.AlgorithmKey: k.Alg, jwk.KeyUsageKey: "sig"} {
			if err := jk.Set(name, v); err != nil {
				return nil, err
			}
		}
		if err := set.AddKey(jk); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

// Claims returns a realistic RFC 9068 access-token claims set: iss, sub,
// aud, exp, iat, scope, client_id, jti, issued at now and valid for ttl.
// extra members are added (or replace) at the end. With ES256 the signed
// token is about 800 bytes.
func Claims(now time.Time, ttl time.Duration, extra map[string]any) map[string]any {
	c := map[string]any{
		"iss":       Issuer,
		"sub":       "u_8f3k2j5h6g7d9s0a1q",
		"aud":       Resource,
		"exp":       now.Add(ttl).Unix(),
		"iat":       now.Unix(),
		"jti":       "Xk4p9WmQ2rT7vB1nZ8cJ5yL0hF3dG6sA",
		"client_id": ClientID,
		"scope": "openid profile email offline_access read:tools write:tools read:resources " +
			"write:resources read:prompts subscribe:resources read:logs read:completions " +
			"admin:sessions read:notes write:notes read:calendar write:calendar",
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

var b64 = base64.RawURLEncoding

// Sign returns the compact JWS of claims signed with k; typ is "at+jwt".
func Sign(k *Key, claims map[string]any) (string, error) {
	return SignAs(k, k.Alg, k.Kid, claims)
}

// SignAs is Sign with the header's alg and kid given (the key still decides
// how the signature is made), for hostile tokens.
func SignAs(k *Key, alg, kid string, claims map[string]any) (string, error) {
	hdr, err := json.Marshal(map[string]string{"alg": alg, "typ": "at+jwt", "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(hdr) + "." + b64.EncodeToString(payload)
	var sig []byte
	switch p := k.Priv.(type) {
	case *ecdsa.PrivateKey:
		var digest []byte
		switch p.Curve {
		case elliptic.P256():
			d := sha256.Sum256([]byte(input))
			digest = d[:]
		case elliptic.P384():
			d := sha512.Sum384([]byte(input))
			digest = d[:]
		default:
			d := sha512.Sum512([]byte(input))
			digest = d[:]
		}
		r, s, err := ecdsa.Sign(rand.Reader, p, digest)
		if err != nil {
			return "", err
		}
		size := (p.Curve.Params().BitSize + 7) / 8
		sig = append(fixed(r, size), fixed(s, size)...)
	case *rsa.PrivateKey:
		d := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, p, crypto.SHA256, d[:])
		if err != nil {
			return "", err
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(p, []byte(input))
	default:
		return "", fmt.Errorf("bench: unsupported key %T", k.Priv)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// fixed is n left-padded to size bytes, the JWS form of an ECDSA integer.
func fixed(n *big.Int, size int) []byte {
	return n.FillBytes(make([]byte, size))
}
