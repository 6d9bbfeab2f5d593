package bearer_test

// mcp-auth JS's tests of its JWT verification, ported to this package.
//
// Sources: github.com/mcp-auth/js v0.2.0 (7ffcb25),
// packages/mcp-auth/src/utils/create-verify-jwt.test.ts (createVerifyJwt:
// the claims a verified token yields) and
// packages/mcp-auth/src/auth/token-verifier.test.ts (TokenVerifier: the
// issuer policy and the key sets of JWT mode); the Python-only cases name
// tests/utils/create_verify_jwt_test.py of github.com/mcp-auth/python
// v0.2.0b1. Each case names the JS test by line and title; differs and gap
// read as in mcpauthjs_test.go.
//
// createVerifyJwt and TokenVerifier.createVerifyJwtFunction are
// NewJWTVerifier here; getJwtIssuerValidator is the Authenticator's issuer
// check (WithIssuers), which mcpauth presets from the configured servers.
//
// The JS tests sign HS256 tokens with a shared secret. This package refuses
// HMAC by design (README, "Where we differ": "HMAC", with a case below), so
// the ports sign the same claims with an ES256 key made with jwx v3, whose
// public JWK Set the verifier gets with WithStaticKeys or, where key fetches
// matter, from an httptest server on loopback. As createJwt does, every
// token has iat now and exp in an hour, unless a case says otherwise.
//
// Not ported: create-verify-jwt.mocked.test.ts (jose's error codes in the
// cause: this package exposes no JOSE error codes) and
// token-verifier.test.ts:234 (a defensive branch reached only by mocking
// private methods).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/mcpauth"
)

// jsLogto is the issuer of create-verify-jwt.test.ts's tokens.
const jsLogto = "https://logto.io/"

// jsKey is an ES256 signing key with kid "k1".
type jsKey struct{ priv jwk.Key }

func newJSKey(t *testing.T) *jsKey {
	t.Helper()
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, "k1"); err != nil {
		t.Fatal(err)
	}
	return &jsKey{priv: k}
}

// jwks returns the public JWK Set document of keys.
func jwks(t *testing.T, keys ...*jsKey) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := jwk.PublicKeyOf(k.priv)
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Set(jwk.AlgorithmKey, jwa.ES256()); err != nil {
			t.Fatal(err)
		}
		if err := set.AddKey(pub); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign returns a compact JWS of claims: the claims as given (any JSON
// value, so that a case can send "iss": 12345), iat now and exp in an hour
// added unless the claims set them ("exp": nil drops exp).
func (k *jsKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload := map[string]any{"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for name, v := range claims {
		if v == nil {
			delete(payload, name)
			continue
		}
		payload[name] = v
	}
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, "k1"); err != nil {
		t.Fatal(err)
	}
	tok, err := jws.Sign(b, jws.WithKey(jwa.ES256(), k.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// staticVerifier trusts jsLogto with key's public keys.
func staticVerifier(t *testing.T, key *jsKey, opts ...bearer.Option) *bearer.JWTVerifier {
	t.Helper()
	v, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: jsLogto}},
		append([]bearer.Option{bearer.WithStaticKeys(jsLogto, jwks(t, key))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// wantRefusal checks that err is the *bearer.Error with code, in the
// category ErrInvalidToken (401).
func wantRefusal(t *testing.T, err error, code bearer.Code) {
	t.Helper()
	var e *bearer.Error
	if !errors.As(err, &e) || e.Code != code || !errors.Is(err, bearer.ErrInvalidToken) {
		t.Errorf("error %v; want a *bearer.Error with code %s matching ErrInvalidToken", err, code)
	}
}

func TestMCPAuthJSCreateVerifyJwtErrors(t *testing.T) {
	key := newJSKey(t)
	other := newJSKey(t) // JS's "wrong-secret-key": the same kid, another key
	cases := []struct {
		name    string
		differs string
		signer  *jsKey
		claims  map[string]any
		want    bearer.Code
	}{{
		// JS: no iss, checked with the wrong key: invalid_token, from
		// the signature. Here the claims are checked before the
		// signature, and a token without iss fails the issuer check.
		name:    "create-verify-jwt.test.ts:21 should throw an error if signature verification fails",
		differs: "claims before signature",
		signer:  other,
		claims:  map[string]any{"client_id": "client12345", "sub": "user12345"},
		want:    bearer.CodeInvalidIssuer,
	}, {
		// The same with a trusted iss: the signature is what fails.
		name:   "create-verify-jwt.test.ts:21 should throw an error if signature verification fails (trusted iss)",
		signer: other,
		claims: map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": "user12345"},
		want:   bearer.CodeInvalidToken,
	}, {
		name:    "create-verify-jwt.test.ts:37 should throw an error if the JWT payload does not contain the `iss` field or it is malformed (absent)",
		differs: "missing iss",
		signer:  key,
		claims:  map[string]any{"client_id": "client12345", "sub": "user12345"},
		want:    bearer.CodeInvalidIssuer,
	}, {
		name:    "create-verify-jwt.test.ts:37 should throw an error if the JWT payload does not contain the `iss` field or it is malformed (12345)",
		differs: "missing iss",
		signer:  key,
		claims:  map[string]any{"iss": 12345, "client_id": "client12345", "sub": "user12345"},
		want:    bearer.CodeInvalidIssuer,
	}, {
		name:    `create-verify-jwt.test.ts:37 should throw an error if the JWT payload does not contain the ` + "`iss`" + ` field or it is malformed ("")`,
		differs: "missing iss",
		signer:  key,
		claims:  map[string]any{"iss": "", "client_id": "client12345", "sub": "user12345"},
		want:    bearer.CodeInvalidIssuer,
	}, {
		name:   "create-verify-jwt.test.ts:51 should throw an error if the JWT payload does not contain the `sub` field or it is malformed (absent)",
		signer: key,
		claims: map[string]any{"iss": jsLogto, "client_id": "client12345"},
		want:   bearer.CodeInvalidToken,
	}, {
		name:   "create-verify-jwt.test.ts:51 should throw an error if the JWT payload does not contain the `sub` field or it is malformed (12345)",
		signer: key,
		claims: map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": 12345},
		want:   bearer.CodeInvalidToken,
	}, {
		name:   `create-verify-jwt.test.ts:51 should throw an error if the JWT payload does not contain the ` + "`sub`" + ` field or it is malformed ("")`,
		signer: key,
		claims: map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": ""},
		want:   bearer.CodeInvalidToken,
	}, {
		// Not a JS test: createJwt always sets exp, but mcp-auth (jose
		// without options) accepts a token without one.
		name:    "create-verify-jwt.test.ts createJwt without exp (accepted by mcp-auth)",
		differs: "time checks",
		signer:  key,
		claims:  map[string]any{"iss": jsLogto, "sub": "user12345", "exp": nil},
		want:    bearer.CodeInvalidToken,
	}, {
		name:   "create_verify_jwt_test.py test_should_throw_error_if_client_id_is_not_string",
		signer: key,
		claims: map[string]any{"iss": jsLogto, "client_id": 12345, "sub": "user12345"},
		want:   bearer.CodeInvalidToken,
	}}
	v := staticVerifier(t, key)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := v.Verify(t.Context(), tc.signer.sign(t, tc.claims))
			if info != nil {
				t.Errorf("Verify returned %+v with the error", info)
			}
			wantRefusal(t, err, tc.want)
		})
	}
}

func TestMCPAuthJSCreateVerifyJwtPayload(t *testing.T) {
	key := newJSKey(t)
	cases := []struct {
		name    string
		differs string
		claims  map[string]any
		// What JS's expectJwtPayload gives, but the token (JS: token,
		// the raw JWT; README "raw token") and iat/exp, which are
		// checked to be numbers and exp to be ExpiresAt.
		wantClient   string
		wantScopes   []string
		wantAudience []string
	}{{
		// JS: audience "audience12345" (aud as given, a string); here
		// Audience is always a list.
		name:         "create-verify-jwt.test.ts:85 should return the verified JWT payload with string `scope` field",
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": "user12345", "scope": "read write", "aud": "audience12345"},
		wantClient:   "client12345",
		wantScopes:   []string{"read", "write"},
		wantAudience: []string{"audience12345"},
	}, {
		// JS: audience undefined; here an empty list (never nil: the
		// verifier knows the token names none).
		name:         "create-verify-jwt.test.ts:99 should return the verified JWT payload with array `scope` field",
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": "user12345", "scope": []string{"read", "write"}},
		wantClient:   "client12345",
		wantScopes:   []string{"read", "write"},
		wantAudience: []string{},
	}, {
		name:         "create-verify-jwt.test.ts:112 should return the verified JWT payload with `scopes` field when `scope` is not present",
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": "user12345", "scopes": []string{"read", "write"}},
		wantClient:   "client12345",
		wantScopes:   []string{"read", "write"},
		wantAudience: []string{},
	}, {
		name:         "create-verify-jwt.test.ts:125 should return the verified JWT payload when `scope` and `scopes` are not present",
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "client_id": "client12345", "sub": "user12345", "aud": "audience12345"},
		wantClient:   "client12345",
		wantScopes:   []string{},
		wantAudience: []string{"audience12345"},
	}, {
		name:         "create-verify-jwt.test.ts:138 should return the verified JWT payload `client_id` field is not present or malformed (absent)",
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "sub": "user12345"},
		wantClient:   "",
		wantScopes:   []string{},
		wantAudience: []string{},
	}, {
		// The second claims set of :138, client_id 12345, is accepted
		// by JS with clientId "": here it is refused (see
		// TestMCPAuthJSCreateVerifyJwtClientIDNotString).
		name:         `create-verify-jwt.test.ts:138 should return the verified JWT payload ` + "`client_id`" + ` field is not present or malformed ("")`,
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "client_id": "", "sub": "user12345"},
		wantClient:   "",
		wantScopes:   []string{},
		wantAudience: []string{},
	}, {
		name:         "create-verify-jwt.test.ts:168 should return the verified JWT payload with `azp` field",
		differs:      "raw token",
		claims:       map[string]any{"iss": jsLogto, "sub": "user12345", "azp": "client12345"},
		wantClient:   "client12345",
		wantScopes:   []string{},
		wantAudience: []string{},
	}, {
		// Python: client_id "" with azp "client12345" gives ""; JS
		// (client_id ?? azp) gives "" too. Here the first client claim
		// holding a non-empty string wins.
		name:         "create_verify_jwt_test.py test_should_return_verified_jwt_payload_without_client_id (empty client_id, azp)",
		differs:      "client id claims",
		claims:       map[string]any{"iss": jsLogto, "client_id": "", "sub": "user12345", "azp": "client12345"},
		wantClient:   "client12345",
		wantScopes:   []string{},
		wantAudience: []string{},
	}}
	v := staticVerifier(t, key)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := v.Verify(t.Context(), key.sign(t, tc.claims))
			if err != nil {
				t.Fatal(err)
			}
			if info.Issuer != jsLogto || info.Subject != "user12345" || info.ClientID != tc.wantClient {
				t.Errorf("issuer %q, subject %q, client %q; want %q, user12345, %q", info.Issuer, info.Subject, info.ClientID, jsLogto, tc.wantClient)
			}
			if !reflect.DeepEqual(info.Scopes, tc.wantScopes) {
				t.Errorf("scopes %#v, want %#v", info.Scopes, tc.wantScopes)
			}
			if !reflect.DeepEqual(info.Audience, tc.wantAudience) {
				t.Errorf("audience %#v, want %#v", info.Audience, tc.wantAudience)
			}
			// claims: {...claims, iat: number, exp: number}.
			iat, iok := info.Claims["iat"].(float64)
			exp, eok := info.Claims["exp"].(float64)
			if !iok || !eok {
				t.Fatalf("iat %#v, exp %#v: want numbers", info.Claims["iat"], info.Claims["exp"])
			}
			want := map[string]any{"iat": iat, "exp": exp}
			for name, value := range tc.claims {
				b, _ := json.Marshal(value)
				var decoded any
				_ = json.Unmarshal(b, &decoded)
				want[name] = decoded
			}
			if !reflect.DeepEqual(info.Claims, want) {
				t.Errorf("claims %#v, want %#v", info.Claims, want)
			}
			// expiresAt: exp.
			if !info.ExpiresAt.Equal(time.Unix(int64(exp), 0)) {
				t.Errorf("ExpiresAt %v, want exp %v", info.ExpiresAt, time.Unix(int64(exp), 0))
			}
		})
	}
}

// TestMCPAuthJSCreateVerifyJwtClientIDNotString ports the second claims
// set of create-verify-jwt.test.ts:138: a client_id that is not a string.
func TestMCPAuthJSCreateVerifyJwtClientIDNotString(t *testing.T) {
	key := newJSKey(t)
	cases := []struct {
		name    string
		differs string
	}{{
		// JS: accepted, clientId "". Here (as in Python): refused.
		name:    "create-verify-jwt.test.ts:138 should return the verified JWT payload `client_id` field is not present or malformed (12345)",
		differs: "client id claims",
	}}
	v := staticVerifier(t, key)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := v.Verify(t.Context(), key.sign(t, map[string]any{"iss": jsLogto, "client_id": 12345, "sub": "user12345"}))
			if info != nil {
				t.Errorf("Verify returned %+v with the error", info)
			}
			wantRefusal(t, err, bearer.CodeInvalidToken)
		})
	}
}

// TestMCPAuthJSHMACRefused is the difference behind every token of the JS
// tests: they are HS256, which this package refuses.
func TestMCPAuthJSHMACRefused(t *testing.T) {
	cases := []struct {
		name    string
		differs string
	}{{
		name:    "create-verify-jwt.test.ts createJwt (HS256, super-secret-key-for-testing)",
		differs: "HMAC",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// An HMAC algorithm cannot be configured...
			_, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: jsLogto}},
				bearer.WithStaticKeys(jsLogto, []byte(`{"keys":[]}`)), bearer.WithAlgorithms("HS256"))
			if !errors.Is(err, bearer.ErrMisconfigured) {
				t.Errorf("WithAlgorithms(HS256): %v; want an error matching ErrMisconfigured", err)
			}
			// ...a key set of only the secret (an oct key) has no
			// usable key...
			secret := []byte("super-secret-key-for-testing")
			oct, err := jwk.Import(secret)
			if err != nil {
				t.Fatal(err)
			}
			if err := oct.Set(jwk.KeyIDKey, "hmac"); err != nil {
				t.Fatal(err)
			}
			octOnly := jwk.NewSet()
			if err := octOnly.AddKey(oct); err != nil {
				t.Fatal(err)
			}
			doc, err := json.Marshal(octOnly)
			if err != nil {
				t.Fatal(err)
			}
			_, err = bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: jsLogto}}, bearer.WithStaticKeys(jsLogto, doc))
			if !errors.Is(err, bearer.ErrMisconfigured) {
				t.Errorf("a key set of only an oct key: %v; want an error matching ErrMisconfigured", err)
			}
			// ...and beside an ES256 key, it verifies nothing: an HS256
			// token naming it is refused.
			es := newJSKey(t)
			var mixed map[string][]json.RawMessage
			if err := json.Unmarshal(jwks(t, es), &mixed); err != nil {
				t.Fatal(err)
			}
			octJSON, err := json.Marshal(oct)
			if err != nil {
				t.Fatal(err)
			}
			mixed["keys"] = append(mixed["keys"], octJSON)
			doc, err = json.Marshal(mixed)
			if err != nil {
				t.Fatal(err)
			}
			v, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: jsLogto}}, bearer.WithStaticKeys(jsLogto, doc))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = v.Close() })
			payload, err := json.Marshal(map[string]any{"iss": jsLogto, "sub": "user12345", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
			if err != nil {
				t.Fatal(err)
			}
			hdr := jws.NewHeaders()
			if err := hdr.Set(jws.KeyIDKey, "hmac"); err != nil {
				t.Fatal(err)
			}
			tok, err := jws.Sign(payload, jws.WithKey(jwa.HS256(), secret, jws.WithProtectedHeaders(hdr)))
			if err != nil {
				t.Fatal(err)
			}
			info, err := v.Verify(t.Context(), string(tok))
			if info != nil {
				t.Errorf("Verify accepted an HS256 token: %+v", info)
			}
			// The same claims signed with the ES256 key pass, so the
			// refusal is the algorithm's.
			if _, err := v.Verify(t.Context(), es.sign(t, map[string]any{"iss": jsLogto, "sub": "user12345"})); err != nil {
				t.Errorf("the ES256 token: %v", err)
			}
			wantRefusal(t, err, bearer.CodeInvalidToken)
		})
	}
}

// jsKeyServer serves a JWK Set at /.well-known/jwks.json on loopback and
// counts the requests.
type jsKeyServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newJSKeyServer(t *testing.T, doc []byte) *jsKeyServer {
	t.Helper()
	s := &jsKeyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

// token-verifier.test.ts's issuers.
const (
	jsTrusted   = "https://trusted.issuer.com"
	jsNoJWKS    = "https://no-jwks.issuer.com"
	jsUntrusted = "https://untrusted.issuer.com"
	jsDiscovery = "https://discovery.issuer.com"
)

func TestMCPAuthJSTokenVerifierVerify(t *testing.T) {
	key := newJSKey(t)
	// A fixed clock, so that time-dependent cases do not depend on when
	// they run.
	now := time.Unix(1_800_000_000, 0)
	clock := bearer.WithClock(func() time.Time { return now })
	at := func(expIn time.Duration) map[string]any {
		return map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(expIn).Unix()}
	}
	with := func(base map[string]any, more map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	// newVerifier trusts jsTrusted with the key set of a fresh key
	// server, fetched when a token first needs it (as jose's
	// createRemoteJWKSet does).
	newVerifier := func(t *testing.T, opts ...bearer.Option) (*bearer.JWTVerifier, *jsKeyServer) {
		t.Helper()
		srv := newJSKeyServer(t, jwks(t, key))
		v, err := bearer.NewJWTVerifier(t.Context(),
			[]bearer.TrustedIssuer{{Issuer: jsTrusted, JWKSURI: srv.URL + "/.well-known/jwks.json"}},
			append([]bearer.Option{bearer.WithLazyKeys(), clock}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = v.Close() })
		return v, srv
	}

	t.Run("token-verifier.test.ts:69 should throw an MCPAuthBearerAuthError if `iss` is missing from the token payload", func(t *testing.T) {
		const differs = "missing iss"
		v, srv := newVerifier(t)
		_, err := v.Verify(t.Context(), key.sign(t, with(at(time.Hour), map[string]any{"client_id": "client12345", "aud": jsTrusted, "sub": "user12345"})))
		// JS: invalid_token; here the issuer check refuses it (401,
		// category ErrInvalidToken, code invalid_issuer).
		wantRefusal(t, err, bearer.CodeInvalidIssuer)
		if n := srv.hits.Load(); n != 0 {
			t.Errorf("%d key set requests, want none (%s: no signature check)", n, differs)
		}
	})
	t.Run("token-verifier.test.ts:84 should throw an MCPAuthBearerAuthError if the issuer of the token is not trusted", func(t *testing.T) {
		v, srv := newVerifier(t)
		_, err := v.Verify(t.Context(), key.sign(t, with(at(time.Hour), map[string]any{"iss": jsUntrusted, "client_id": "client12345", "aud": jsTrusted, "sub": "user12345"})))
		wantRefusal(t, err, bearer.CodeInvalidIssuer)
		if n := srv.hits.Load(); n != 0 {
			t.Errorf("%d key set requests for an untrusted issuer, want none", n)
		}
	})
	t.Run("token-verifier.test.ts:99 should throw an MCPAuthAuthServerError if the authorization server does not have a JWKS URI configured", func(t *testing.T) {
		// JS: the verifier is built; each token of that issuer gets
		// missing_jwks_uri (500). Here the verifier is not built.
		const differs = "validated at New"
		noJWKS := &config.ServerConfig{Type: config.OAuth, Metadata: config.Metadata{
			Issuer:                 jsNoJWKS,
			AuthorizationEndpoint:  jsNoJWKS + "/auth",
			TokenEndpoint:          jsNoJWKS + "/token",
			ResponseTypesSupported: []string{"code"},
		}}
		for _, ti := range []bearer.TrustedIssuer{{Issuer: jsNoJWKS}, {Issuer: jsNoJWKS, Server: noJWKS}} {
			v, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{ti}, bearer.WithLazyKeys())
			if !errors.Is(err, bearer.ErrMisconfigured) || v != nil {
				t.Errorf("NewJWTVerifier(%+v) = %v, %v; want an error matching ErrMisconfigured (%s)", ti, v, err, differs)
			}
		}
	})
	t.Run("token-verifier.test.ts:114 should call createVerifyJwt with the correct parameters", func(t *testing.T) {
		// JS checks, with mocks, that the JWKS URL and jwtVerify's
		// clockTolerance (10 s) reach jose. Here: the key set is read
		// from the configured URL, and WithLeeway(10 s) is the
		// tolerance applied to exp.
		v, srv := newVerifier(t, bearer.WithLeeway(10*time.Second))
		claims := map[string]any{"iss": jsTrusted, "client_id": "client12345", "aud": jsTrusted, "sub": "user12345"}
		if _, err := v.Verify(t.Context(), key.sign(t, with(claims, at(-5*time.Second)))); err != nil {
			t.Errorf("a token expired 5 s ago, leeway 10 s: %v", err)
		}
		_, err := v.Verify(t.Context(), key.sign(t, with(claims, at(-15*time.Second))))
		wantRefusal(t, err, bearer.CodeInvalidToken)
		if n := srv.hits.Load(); n != 1 {
			t.Errorf("%d key set requests, want 1", n)
		}
	})
	t.Run("token-verifier.test.ts:114 (jose's default clockTolerance 0: an expired token)", func(t *testing.T) {
		// JS's default tolerance is 0: a token expired 30 s ago is
		// refused. Here the default leeway is 60 s.
		const differs = "time checks"
		v, _ := newVerifier(t)
		claims := map[string]any{"iss": jsTrusted, "client_id": "client12345", "aud": jsTrusted, "sub": "user12345"}
		if _, err := v.Verify(t.Context(), key.sign(t, with(claims, at(-30*time.Second)))); err != nil {
			t.Errorf("a token expired 30 s ago, default leeway: %v (%s)", err, differs)
		}
		_, err := v.Verify(t.Context(), key.sign(t, with(claims, at(-61*time.Second))))
		wantRefusal(t, err, bearer.CodeInvalidToken)
	})
	t.Run("token-verifier.test.ts:143 should reuse the same remote JWK Set instance for the same JWKS URI", func(t *testing.T) {
		// Two different tokens, and no result cache, so that both are
		// checked against the key set.
		v, srv := newVerifier(t, bearer.WithCacheTTL(0))
		for _, jti := range []string{"a", "b"} {
			tok := key.sign(t, with(at(time.Hour), map[string]any{"iss": jsTrusted, "client_id": "client12345", "sub": "user12345", "jti": jti}))
			if _, err := v.Verify(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.hits.Load(); n != 1 {
			t.Errorf("%d key set requests for two tokens, want 1", n)
		}
	})
}

func TestMCPAuthJSTokenVerifierIssuerValidator(t *testing.T) {
	const resource = "https://api.example.com"
	// token-verifier.test.ts's resolved servers, completed with what
	// mcpauth.New checks (PKCE S256, registration).
	resolved := func(issuer string, jwksURI string) *config.ServerConfig {
		return &config.ServerConfig{Type: config.OAuth, Metadata: config.Metadata{
			Issuer:                        issuer,
			JWKSURI:                       jwksURI,
			AuthorizationEndpoint:         issuer + "/auth",
			TokenEndpoint:                 issuer + "/token",
			ResponseTypesSupported:        []string{"code"},
			CodeChallengeMethodsSupported: []string{"S256"},
			RegistrationEndpoint:          issuer + "/register",
		}}
	}
	authServers := func() []*config.ServerConfig {
		return []*config.ServerConfig{resolved(jsTrusted, jsTrusted+"/.well-known/jwks.json"), resolved(jsNoJWKS, "")}
	}
	// The discovery server is a loopback provider that counts its
	// requests: the issuer check must need none.
	var discoveryHits atomic.Int64
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		discoveryHits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(provider.Close)
	discoveryIssuer := provider.URL
	discovery := func(t *testing.T) *config.ServerConfig {
		t.Helper()
		s, err := mcpauth.DeferredServerConfig(discoveryIssuer, config.OIDC)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// The verifier reports the issuer the token names (hex-encoded, so
	// that it is a valid bearer token), bound to the resource: only the
	// issuer check decides.
	tokenOf := func(issuer string) string { return hex.EncodeToString([]byte(issuer)) }
	byIssuer := bearer.VerifierFunc(func(_ context.Context, token string) (*bearer.AuthInfo, error) {
		iss, err := hex.DecodeString(token)
		if err != nil {
			return nil, bearer.InvalidToken("not a test token", err)
		}
		return &bearer.AuthInfo{Issuer: string(iss), Subject: "user12345", Audience: []string{resource}}, nil
	})

	cases := []struct {
		name    string
		differs string
		gap     string
		servers func(t *testing.T) []*config.ServerConfig
		trusted []string // issuers that pass
		// wantBody is the body for jsUntrusted with details and
		// mcp-auth's codes, exact; "" to skip.
		wantBody string
	}{{
		name:    "token-verifier.test.ts:168 should not throw an error for a trusted issuer",
		servers: func(*testing.T) []*config.ServerConfig { return authServers() },
		trusted: []string{jsTrusted},
	}, {
		// JS: invalid_issuer with cause {expected: the issuers joined by
		// ", ", actual}.
		name:     "token-verifier.test.ts:176 should throw an MCPAuthBearerAuthError for an untrusted issuer",
		servers:  func(*testing.T) []*config.ServerConfig { return authServers() },
		trusted:  []string{jsTrusted, jsNoJWKS},
		wantBody: `{"error":"invalid_issuer","error_description":"the access token was issued by an issuer this resource does not accept","cause":{"expected":"https://trusted.issuer.com, https://no-jwks.issuer.com","actual":"https://untrusted.issuer.com"}}`,
	}, {
		name:    "token-verifier.test.ts:188 should work with discovery config",
		servers: func(t *testing.T) []*config.ServerConfig { return []*config.ServerConfig{discovery(t)} },
		trusted: []string{discoveryIssuer},
	}, {
		name: "token-verifier.test.ts:207 should work with mixed resolved and discovery configs",
		servers: func(t *testing.T) []*config.ServerConfig {
			return append(authServers(), discovery(t))
		},
		trusted: []string{jsTrusted, discoveryIssuer},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := discoveryHits.Load()
			a, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
				Resource:             resource,
				AuthorizationServers: tc.servers(t),
			}}})
			if err != nil {
				t.Fatal(err)
			}
			authn, err := a.Authenticator(byIssuer, bearer.WithShowErrorDetails(true), bearer.WithLegacyErrorCodes())
			if err != nil {
				t.Fatal(err)
			}
			for _, iss := range tc.trusted {
				if _, err := authn.AuthenticateToken(t.Context(), tokenOf(iss)); err != nil {
					t.Errorf("issuer %s: %v; want it trusted", iss, err)
				}
			}
			_, err = authn.AuthenticateToken(t.Context(), tokenOf(jsUntrusted))
			wantRefusal(t, err, bearer.CodeInvalidIssuer)
			if tc.wantBody != "" {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/mcp", nil)
				req.Header.Set("Authorization", "Bearer "+tokenOf(jsUntrusted))
				authn.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized || rec.Body.String() != tc.wantBody {
					t.Errorf("untrusted issuer: %d %s\nwant 401 %s", rec.Code, rec.Body, tc.wantBody)
				}
			}
			if n := discoveryHits.Load() - before; n != 0 {
				t.Errorf("%d requests to the discovery server, want none", n)
			}
		})
	}
}
