package bearer

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJWTVerifyAlgorithms(t *testing.T) {
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"} {
		t.Run(alg, func(t *testing.T) {
			clock := newJWTClock()
			key := jwtNewKey(t, alg, "k-"+alg)
			srv := newJWTKeyServer(t, jwtJWKS(key))
			v := jwtNewVerifier(t, srv, clock)
			token := jwtSign(t, key, jwtClaimsAt(clock.Now()), nil)

			info, err := v.Verify(context.Background(), token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := &AuthInfo{
				Issuer:    jwtTestIssuer,
				Subject:   "user-123",
				ClientID:  "client-abc",
				Audience:  []string{jwtTestResource},
				Scopes:    []string{"read:tools", "write:tools"},
				ExpiresAt: clock.Now().Add(time.Hour),
			}
			got := *info
			got.Claims = nil
			if !got.ExpiresAt.Equal(want.ExpiresAt) {
				t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want.ExpiresAt)
			}
			got.ExpiresAt = want.ExpiresAt
			if !reflect.DeepEqual(&got, want) {
				t.Errorf("AuthInfo = %+v\nwant %+v", got, *want)
			}
			if info.Claims["jti"] != "token-1" || info.Claims["exp"] != float64(clock.Now().Add(time.Hour).Unix()) {
				t.Errorf("Claims = %v", info.Claims)
			}
			if n := srv.requests.Load(); n != 1 {
				t.Errorf("JWKS requests = %d, want 1", n)
			}
		})
	}
}

// TestJWTVerifyRejects covers one refusal per rule. Every case uses a
// lazy verifier whose JWKS server must see no request at all unless the
// case says so: cheap checks come before any network I/O.
func TestJWTVerifyRejects(t *testing.T) {
	clock := newJWTClock()
	now := clock.Now()
	es := jwtNewKey(t, "ES256", "es")
	rs := jwtNewKey(t, "RS256", "rs")
	rsNoAlg := jwtNewKey(t, "RS256", "rs-noalg") // JWK without "alg"
	other := jwtNewKey(t, "ES256", "es")         // same kid, not in the set
	valid := jwtClaimsAt(now)

	rsNoAlgJWK := rsNoAlg.jwk(false)
	jwks := jwtMustJSON(map[string]any{"keys": []any{es.jwk(true), rs.jwk(true), rsNoAlgJWK}})

	// A second server stands for URLs an attacker puts in the header.
	attacker := newJWTKeyServer(t, jwtJWKS(other))

	sign := func(k *jwtTestKey, claims, hdr map[string]any) string { return jwtSign(t, k, claims, hdr) }
	raw := func(header, claims string, sig string) string {
		return jwtB64url([]byte(header)) + "." + jwtB64url([]byte(claims)) + "." + sig
	}
	hs256 := func(secret []byte) string {
		input := jwtB64url([]byte(`{"alg":"HS256","kid":"rs"}`)) + "." + jwtB64url(jwtMustJSON(valid))
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(input))
		return input + "." + jwtB64url(mac.Sum(nil))
	}
	validToken := sign(es, valid, nil)
	parts := strings.Split(validToken, ".")

	cases := []struct {
		name     string
		token    string
		code     Code
		requests int64 // JWKS requests the case may cause
	}{
		{"alg none", raw(`{"alg":"none"}`, string(jwtMustJSON(valid)), ""), CodeInvalidToken, 0},
		{"alg none with signature", raw(`{"alg":"none"}`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"alg None", raw(`{"alg":"None"}`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"alg NONE", raw(`{"alg":"NONE"}`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"alg missing", raw(`{"kid":"es"}`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"alg not a string", raw(`{"alg":["ES256"]}`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"alg lowercase", sign(es, valid, map[string]any{"alg": "es256"}), CodeInvalidToken, 0},
		{"HS256 with the public JWK as secret", hs256(jwtMustJSON(rs.jwk(true))), CodeInvalidToken, 0},
		{"HS256 with the modulus as secret", hs256([]byte(rs.jwk(true)["n"].(string))), CodeInvalidToken, 0},
		{"alg unknown", sign(es, valid, map[string]any{"alg": "ES257"}), CodeInvalidToken, 0},
		{"key alg differs from header alg", jwtSignRaw(t, rs, "PS256", []byte(`{"alg":"PS256","kid":"rs"}`), jwtMustJSON(valid)), CodeInvalidToken, 1},
		{"RSA key for ES256", jwtSignRaw(t, es, "ES256", []byte(`{"alg":"ES256","kid":"rs-noalg"}`), jwtMustJSON(valid)), CodeInvalidToken, 1},
		{"EC key with RS256 claim", jwtSignRaw(t, rsNoAlg, "RS256", []byte(`{"alg":"RS256","kid":"es"}`), jwtMustJSON(valid)), CodeInvalidToken, 1},
		{"kid unknown", sign(es, valid, map[string]any{"kid": "nope"}), CodeInvalidToken, 2},
		{"kid empty, signed by a stranger", sign(other, valid, map[string]any{"kid": nil}), CodeInvalidToken, 1},
		{"kid very long", sign(es, valid, map[string]any{"kid": strings.Repeat("k", 8000)}), CodeInvalidToken, 2},
		{"kid path-like", sign(es, valid, map[string]any{"kid": "../../../etc/passwd"}), CodeInvalidToken, 2},
		{"kid not a string", sign(es, valid, map[string]any{"kid": 7}), CodeInvalidToken, 0},
		{"jku header", sign(other, valid, map[string]any{"jku": attacker.URL}), CodeInvalidToken, 1},
		{"x5u header", sign(other, valid, map[string]any{"x5u": attacker.URL}), CodeInvalidToken, 1},
		{"jwk header", sign(other, valid, map[string]any{"jwk": other.jwk(true), "kid": nil}), CodeInvalidToken, 1},
		{"x5c header", sign(other, valid, map[string]any{"x5c": []string{"MIIB"}}), CodeInvalidToken, 1},
		{"crit unknown", sign(es, valid, map[string]any{"crit": []string{"exp"}, "exp": 1}), CodeInvalidToken, 0},
		{"crit empty", sign(es, valid, map[string]any{"crit": []string{}}), CodeInvalidToken, 0},
		{"crit b64", sign(es, valid, map[string]any{"crit": []string{"b64"}, "b64": false}), CodeInvalidToken, 0},
		{"nested JWT", sign(es, valid, map[string]any{"cty": "JWT"}), CodeInvalidToken, 0},
		{"JWE, five parts", validToken + ".YQ.YQ", CodeInvalidToken, 0},
		{"four parts", validToken + ".YQ", CodeInvalidToken, 0},
		{"two parts", parts[0] + "." + parts[1], CodeInvalidToken, 0},
		{"empty signature", parts[0] + "." + parts[1] + ".", CodeInvalidToken, 0},
		{"empty header", "." + parts[1] + "." + parts[2], CodeInvalidToken, 0},
		{"empty payload", parts[0] + ".." + parts[2], CodeInvalidToken, 0},
		{"dots only", "..", CodeInvalidToken, 0},
		{"not a JWT", "opaque-token-value", CodeInvalidToken, 0},
		{"truncated payload", parts[0] + "." + parts[1][:len(parts[1])-1] + "." + parts[2], CodeInvalidToken, 0},
		{"padded header", parts[0] + "=." + parts[1] + "." + parts[2], CodeInvalidToken, 0},
		{"padded signature", validToken + "==", CodeInvalidToken, 0},
		{"standard base64 alphabet", parts[0] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[1]) + "+/." + parts[2], CodeInvalidToken, 0},
		{"newline inside", parts[0] + "." + parts[1][:4] + "\n" + parts[1][4:] + "." + parts[2], CodeInvalidToken, 0},
		{"header not JSON", raw(`alg=ES256`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"header JSON array", raw(`["ES256"]`, string(jwtMustJSON(valid)), "c2ln"), CodeInvalidToken, 0},
		{"claims not JSON", raw(`{"alg":"ES256","kid":"es"}`, `iss=x`, "c2ln"), CodeInvalidToken, 0},
		{"claims trailing data", raw(`{"alg":"ES256","kid":"es"}`, string(jwtMustJSON(valid))+"{}", "c2ln"), CodeInvalidToken, 0},
		{"1 MiB token", validToken + strings.Repeat("A", 1<<20), CodeInvalidToken, 0},
		{"bad signature", parts[0] + "." + parts[1] + "." + jwtB64url(make([]byte, 64)), CodeInvalidToken, 1},
		{"signature of another token", parts[0] + "." + strings.Split(sign(es, jwtWith(valid, map[string]any{"sub": "admin"}), nil), ".")[1] + "." + parts[2], CodeInvalidToken, 1},
		{"signature too short", parts[0] + "." + parts[1] + "." + parts[2][:20], CodeInvalidToken, 1},
		{"duplicate alg, last is none", raw(`{"alg":"ES256","kid":"es","alg":"none"}`, string(jwtMustJSON(valid)), parts[2]), CodeInvalidToken, 0},
		{"iss wrong", sign(es, jwtWith(valid, map[string]any{"iss": "https://evil.example.com"}), nil), CodeInvalidIssuer, 0},
		{"iss with trailing slash", sign(es, jwtWith(valid, map[string]any{"iss": jwtTestIssuer + "/"}), nil), CodeInvalidIssuer, 0},
		{"iss missing", sign(es, jwtWith(valid, map[string]any{"iss": nil}), nil), CodeInvalidIssuer, 0},
		{"iss array", sign(es, jwtWith(valid, map[string]any{"iss": []string{jwtTestIssuer}}), nil), CodeInvalidIssuer, 0},
		{"aud other", sign(es, jwtWith(valid, map[string]any{"aud": "https://other.example.com/mcp"}), nil), CodeInvalidAudience, 1},
		{"aud other in array", sign(es, jwtWith(valid, map[string]any{"aud": []string{"a", "b"}}), nil), CodeInvalidAudience, 1},
		{"aud missing", sign(es, jwtWith(valid, map[string]any{"aud": nil}), nil), CodeInvalidAudience, 1},
		{"aud empty array", sign(es, jwtWith(valid, map[string]any{"aud": []string{}}), nil), CodeInvalidAudience, 1},
		{"aud null", jwtSignRaw(t, es, "ES256", []byte(`{"alg":"ES256","kid":"es"}`), []byte(`{"iss":"`+jwtTestIssuer+`","sub":"u","aud":null,"exp":`+jsonInt(now.Add(time.Hour).Unix())+`}`)), CodeInvalidAudience, 0},
		{"aud number", sign(es, jwtWith(valid, map[string]any{"aud": 1}), nil), CodeInvalidAudience, 0},
		{"aud array with number", sign(es, jwtWith(valid, map[string]any{"aud": []any{jwtTestResource, 1}}), nil), CodeInvalidAudience, 0},
		{"aud with a trailing slash", sign(es, jwtWith(valid, map[string]any{"aud": jwtTestResource + "/"}), nil), CodeInvalidAudience, 1},
		{"aud differs in case", sign(es, jwtWith(valid, map[string]any{"aud": strings.ToUpper(jwtTestResource)}), nil), CodeInvalidAudience, 1},
		{"exp missing", sign(es, jwtWith(valid, map[string]any{"exp": nil}), nil), CodeInvalidToken, 0},
		{"exp past", sign(es, jwtWith(valid, map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}), nil), CodeInvalidToken, 0},
		{"exp string", sign(es, jwtWith(valid, map[string]any{"exp": "4102444800"}), nil), CodeInvalidToken, 0},
		{"exp null", raw(`{"alg":"ES256","kid":"es"}`, `{"iss":"`+jwtTestIssuer+`","sub":"u","aud":"`+jwtTestResource+`","exp":null}`, parts[2]), CodeInvalidToken, 0},
		{"exp huge negative", sign(es, jwtWith(valid, map[string]any{"exp": -1e300}), nil), CodeInvalidToken, 0},
		{"nbf beyond leeway", sign(es, jwtWith(valid, map[string]any{"nbf": now.Add(2 * time.Minute).Unix()}), nil), CodeInvalidToken, 0},
		{"nbf string", sign(es, jwtWith(valid, map[string]any{"nbf": "0"}), nil), CodeInvalidToken, 0},
		{"iat beyond leeway", sign(es, jwtWith(valid, map[string]any{"iat": now.Add(2 * time.Minute).Unix()}), nil), CodeInvalidToken, 0},
		{"iat bool", sign(es, jwtWith(valid, map[string]any{"iat": true}), nil), CodeInvalidToken, 0},
		{"sub missing", sign(es, jwtWith(valid, map[string]any{"sub": nil}), nil), CodeInvalidToken, 0},
		{"sub empty", sign(es, jwtWith(valid, map[string]any{"sub": ""}), nil), CodeInvalidToken, 0},
		{"sub number", sign(es, jwtWith(valid, map[string]any{"sub": 42}), nil), CodeInvalidToken, 0},
		{"scope number", sign(es, jwtWith(valid, map[string]any{"scope": 42}), nil), CodeInvalidToken, 0},
		{"client_id number", sign(es, jwtWith(valid, map[string]any{"client_id": 42}), nil), CodeInvalidToken, 0},
		{"claims nested deeply, no issuer", raw(`{"alg":"ES256","kid":"es"}`, `{"x":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`, parts[2]), CodeInvalidIssuer, 0},
		{"exp absurdly far (beyond 2^40 s)", sign(es, jwtWith(valid, map[string]any{"exp": 1e15}), nil), CodeInvalidToken, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWTKeyServer(t, jwks)
			v := jwtNewVerifier(t, srv, clock, WithLazyKeys())
			attackerBefore := attacker.requests.Load()

			info, err := v.Verify(context.Background(), tc.token)
			if info != nil {
				t.Errorf("got AuthInfo %+v", info)
			}
			jwtWantCode(t, err, tc.code)
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("errors.Is(err, ErrInvalidToken) = false for %v", err)
			}
			var e *Error
			errors.As(err, &e)
			if len(tc.token) > 20 && strings.Contains(e.Error(), tc.token[:20]) {
				t.Errorf("error mentions the token: %v", e)
			}
			if n := srv.requests.Load(); n > tc.requests {
				t.Errorf("JWKS requests = %d, want at most %d", n, tc.requests)
			}
			if n := attacker.requests.Load() - attackerBefore; n != 0 {
				t.Errorf("a URL from the token header was fetched %d times", n)
			}
		})
	}
}

// TestJWTVerifyAccepts covers tokens at the edges of the rules.
func TestJWTVerifyAccepts(t *testing.T) {
	clock := newJWTClock()
	now := clock.Now()
	es := jwtNewKey(t, "ES256", "es")
	noKid := jwtNewKey(t, "ES256", "")
	valid := jwtClaimsAt(now)
	jwks := jwtJWKS(es, noKid)

	cases := []struct {
		name    string
		token   string
		subject string
	}{
		{"aud array containing ours", jwtSign(t, es, jwtWith(valid, map[string]any{"aud": []string{"x", jwtTestResource}}), nil), "user-123"},
		{"exp far future", jwtSign(t, es, jwtWith(valid, map[string]any{"exp": 1e12}), nil), "user-123"},
		{"exp fractional", jwtSign(t, es, jwtWith(valid, map[string]any{"exp": float64(now.Unix()) + 0.5}), nil), "user-123"},
		{"exp just past, within leeway", jwtSign(t, es, jwtWith(valid, map[string]any{"exp": now.Add(-30 * time.Second).Unix()}), nil), "user-123"},
		{"nbf within leeway", jwtSign(t, es, jwtWith(valid, map[string]any{"nbf": now.Add(30 * time.Second).Unix()}), nil), "user-123"},
		{"iat within leeway", jwtSign(t, es, jwtWith(valid, map[string]any{"iat": now.Add(30 * time.Second).Unix()}), nil), "user-123"},
		{"no nbf, no iat", jwtSign(t, es, jwtWith(valid, map[string]any{"nbf": nil, "iat": nil}), nil), "user-123"},
		{"no kid, key without kid", jwtSign(t, noKid, valid, nil), "user-123"},
		{"no kid, key with kid", jwtSign(t, es, valid, map[string]any{"kid": nil}), "user-123"},
		{"typ JWT when not strict", jwtSign(t, es, valid, map[string]any{"typ": "JWT"}), "user-123"},
		{"no typ when not strict", jwtSign(t, es, valid, map[string]any{"typ": nil}), "user-123"},
		{"unknown header parameters", jwtSign(t, es, valid, map[string]any{"x-vendor": map[string]any{"a": 1}}), "user-123"},
		{"duplicate sub, last wins", jwtSignRaw(t, es, "ES256", []byte(`{"alg":"ES256","kid":"es"}`),
			[]byte(`{"iss":"`+jwtTestIssuer+`","sub":"first","aud":"`+jwtTestResource+`","exp":`+
				jsonInt(now.Add(time.Hour).Unix())+`,"sub":"last"}`)), "last"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := jwtStaticVerifier(t, clock, jwks)
			info, err := v.Verify(context.Background(), tc.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if info.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", info.Subject, tc.subject)
			}
		})
	}
}

func jsonInt(n int64) string { return string(jwtMustJSON(n)) }

func TestJWTClaimsExtraction(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "es")
	jwks := jwtJWKS(key)
	base := jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"scope": nil, "client_id": nil})

	cases := []struct {
		name     string
		changes  map[string]any
		opts     []Option
		scopes   []string
		clientID string
		audience []string
	}{
		{"no scope claim", nil, nil, []string{}, "", []string{jwtTestResource}},
		{"scope string", map[string]any{"scope": " a  b c "}, nil, []string{"a", "b", "c"}, "", []string{jwtTestResource}},
		{"scope array", map[string]any{"scope": []string{"a", "b"}}, nil, []string{"a", "b"}, "", []string{jwtTestResource}},
		{"scp array (Okta)", map[string]any{"scp": []string{"a", "b"}}, nil, []string{"a", "b"}, "", []string{jwtTestResource}},
		{"scp string (Entra)", map[string]any{"scp": "a b"}, nil, []string{"a", "b"}, "", []string{jwtTestResource}},
		{"scope wins over scp", map[string]any{"scope": "a", "scp": "b"}, nil, []string{"a"}, "", []string{jwtTestResource}},
		{"configured scope claim", map[string]any{"scope": "a", "permissions": []string{"p"}}, []Option{WithScopeClaim("permissions")}, []string{"p"}, "", []string{jwtTestResource}},
		{"configured scope claim absent", map[string]any{"scope": "a"}, []Option{WithScopeClaim("permissions")}, []string{}, "", []string{jwtTestResource}},
		{"client_id", map[string]any{"client_id": "c", "azp": "z"}, nil, []string{}, "c", []string{jwtTestResource}},
		{"azp", map[string]any{"azp": "z", "cid": "o"}, nil, []string{}, "z", []string{jwtTestResource}},
		{"cid (Okta)", map[string]any{"cid": "o"}, nil, []string{}, "o", []string{jwtTestResource}},
		{"appid (Entra v1)", map[string]any{"appid": "e"}, nil, []string{}, "e", []string{jwtTestResource}},
		{"empty client_id falls through", map[string]any{"client_id": "", "azp": "z"}, nil, []string{}, "z", []string{jwtTestResource}},
		{"configured client claims", map[string]any{"client_id": "c", "app": "a"}, []Option{WithClientIDClaims("app")}, []string{}, "a", []string{jwtTestResource}},
		{"aud array", map[string]any{"aud": []string{jwtTestResource, "other"}}, nil, []string{}, "", []string{jwtTestResource, "other"}},
		{"aud with a trailing slash, allowed", map[string]any{"aud": jwtTestResource + "/"}, []Option{InsecureAllowTrailingSlashAudience()}, []string{}, "", []string{jwtTestResource + "/"}},
		{"no aud", map[string]any{"aud": nil}, nil, []string{}, "", []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := jwtStaticVerifier(t, clock, jwks, tc.opts...)
			verify := v.Verify
			if len(tc.audience) == 0 {
				// No resource to hold it to: the verifier alone reports it.
				verify = v.JWTVerifier.Verify
			}
			info, err := verify(context.Background(), jwtSign(t, key, jwtWith(base, tc.changes), nil))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !reflect.DeepEqual(info.Scopes, tc.scopes) || info.Scopes == nil {
				t.Errorf("Scopes = %#v, want %#v", info.Scopes, tc.scopes)
			}
			if info.ClientID != tc.clientID {
				t.Errorf("ClientID = %q, want %q", info.ClientID, tc.clientID)
			}
			if !reflect.DeepEqual(info.Audience, tc.audience) || info.Audience == nil {
				t.Errorf("Audience = %#v, want %#v", info.Audience, tc.audience)
			}
		})
	}
}

func TestJWTRequiredTokenType(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "es")
	v := jwtStaticVerifier(t, clock, jwtJWKS(key), WithRequiredTokenType("at+jwt"))
	claims := jwtClaimsAt(clock.Now())
	for _, tc := range []struct {
		typ any
		ok  bool
	}{
		{"at+jwt", true}, {"AT+JWT", true}, {"application/at+jwt", true}, {"Application/AT+JWT", true},
		{"JWT", false}, {"at+jwt ", false}, {"application/", false}, {nil, false}, {7, false},
	} {
		_, err := v.Verify(context.Background(), jwtSign(t, key, claims, map[string]any{"typ": tc.typ, "jti": tc.typ}))
		if (err == nil) != tc.ok {
			t.Errorf("typ %v: err = %v, want ok=%v", tc.typ, err, tc.ok)
		}
	}
}

func TestNewJWTVerifierConfig(t *testing.T) {
	key := jwtNewKey(t, "ES256", "es")
	jwks := jwtJWKS(key)
	static := WithStaticKeys(jwtTestIssuer, jwks)
	trusted := []TrustedIssuer{{Issuer: jwtTestIssuer}}
	cases := []struct {
		name    string
		issuers []TrustedIssuer
		opts    []Option
		ok      bool
	}{
		{"static keys", trusted, []Option{static}, true},
		{"no issuers", nil, []Option{static}, false},
		{"empty issuer", []TrustedIssuer{{Issuer: "", JWKSURI: "https://a.example/jwks"}}, nil, false},
		{"issuer twice", append(trusted, trusted...), []Option{static}, false},
		{"no keys", trusted, nil, false},
		{"http JWKS on a public host", []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: "http://auth.example.com/jwks"}}, []Option{WithLazyKeys()}, false},
		{"http JWKS, insecure allowed", []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: "http://auth.example.com/jwks"}}, []Option{WithLazyKeys(), InsecureAllowHTTP()}, true},
		{"http JWKS on loopback", []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: "http://127.0.0.1:1/jwks"}}, []Option{WithLazyKeys()}, true},
		{"JWKS URI not absolute", []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: "/jwks"}}, []Option{WithLazyKeys()}, false},
		{"JWKS URI ftp", []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: "ftp://a.example/jwks"}}, []Option{WithLazyKeys()}, false},
		{"static keys of an untrusted issuer", trusted, []Option{static, WithStaticKeys("https://other", jwks)}, false},
		{"static keys not a JWKS", trusted, []Option{WithStaticKeys(jwtTestIssuer, []byte("{"))}, false},
		{"static keys without usable key", trusted, []Option{WithStaticKeys(jwtTestIssuer, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))}, false},
		{"algorithms subset", trusted, []Option{static, WithAlgorithms("ES256", "RS256")}, true},
		{"algorithms empty", trusted, []Option{static, WithAlgorithms()}, false},
		{"algorithm none", trusted, []Option{static, WithAlgorithms("ES256", "none")}, false},
		{"algorithm NONE", trusted, []Option{static, WithAlgorithms("NONE")}, false},
		{"algorithm HS256", trusted, []Option{static, WithAlgorithms("HS256")}, false},
		{"algorithm hs512", trusted, []Option{static, WithAlgorithms("hs512")}, false},
		{"algorithm unknown", trusted, []Option{static, WithAlgorithms("ES256K")}, false},
		{"algorithm in the wrong case", trusted, []Option{static, WithAlgorithms("es256")}, false},
		{"negative leeway", trusted, []Option{static, WithLeeway(-time.Second)}, false},
		{"zero leeway", trusted, []Option{static, WithLeeway(0)}, true},
		{"zero refresh interval", trusted, []Option{static, WithKeyRefreshInterval(0)}, false},
		{"zero min refresh interval", trusted, []Option{static, WithMinRefreshInterval(0)}, false},
		{"negative cache TTL", trusted, []Option{static, WithCacheTTL(-1)}, false},
		{"cache disabled", trusted, []Option{static, WithCacheTTL(0)}, true},
		{"negative cache size", trusted, []Option{static, WithCacheSize(-1)}, false},
		{"an option of the middleware", trusted, []Option{static, WithAudience(jwtTestResource)}, false},
		{"zero option", trusted, []Option{static, {}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewJWTVerifier(context.Background(), tc.issuers, tc.opts...)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if v != nil {
				v.Close()
			}
		})
	}
}

func TestJWTCache(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "es")
	jwks := jwtJWKS(key)
	token := jwtSign(t, key, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"exp": clock.Now().Add(10 * time.Minute).Unix()}), nil)

	t.Run("hit returns the same AuthInfo", func(t *testing.T) {
		v := jwtStaticVerifier(t, clock, jwks)
		a, err := v.Verify(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		b, err := v.Verify(context.Background(), token)
		if err != nil || a != b {
			t.Fatalf("second Verify = %p, %v; want the cached %p", b, err, a)
		}
	})
	t.Run("entries never outlive exp", func(t *testing.T) {
		clock := newJWTClock()
		v := jwtStaticVerifier(t, clock, jwks, WithCacheTTL(time.Hour), WithLeeway(0))
		if _, err := v.Verify(context.Background(), token); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
		_, err := v.Verify(context.Background(), token)
		jwtWantCode(t, err, CodeInvalidToken)
	})
	t.Run("entries expire after the TTL", func(t *testing.T) {
		clock := newJWTClock()
		v := jwtStaticVerifier(t, clock, jwks, WithCacheTTL(time.Minute))
		a, _ := v.Verify(context.Background(), token)
		clock.Advance(time.Minute)
		b, err := v.Verify(context.Background(), token)
		if err != nil || a == b {
			t.Fatalf("Verify after the TTL = %p, %v; want a fresh result", b, err)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		v := jwtStaticVerifier(t, clock, jwks, WithCacheTTL(0))
		a, _ := v.Verify(context.Background(), token)
		b, err := v.Verify(context.Background(), token)
		if err != nil || a == b {
			t.Fatalf("Verify without cache = %p, %v; want a fresh result", b, err)
		}
	})
	t.Run("failures are not cached", func(t *testing.T) {
		v := jwtStaticVerifier(t, clock, jwks)
		bad := token[:len(token)-2] + "AA"
		for range 2 {
			if _, err := v.Verify(context.Background(), bad); err == nil {
				t.Fatal("bad signature accepted")
			}
		}
	})
}

// TestJWTErrorsAreSafe checks that descriptions never echo token content.
func TestJWTErrorsAreSafe(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "es")
	v := jwtStaticVerifier(t, clock, jwtJWKS(key))
	marker := "SECRETMARKER"
	for _, token := range []string{
		jwtSign(t, key, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"iss": marker}), nil),
		jwtSign(t, key, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"aud": marker}), nil),
		jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"kid": marker}),
		jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"alg": marker}),
		jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"typ": 1, "kid": marker}),
	} {
		_, err := v.Verify(context.Background(), token)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), marker) || strings.Contains(e.Description, marker) {
			t.Errorf("error %q echoes token content", err)
		}
		if e.Status != http.StatusUnauthorized {
			t.Errorf("status %d", e.Status)
		}
	}
}

// TestJWTWithMiddleware runs the verifier behind the middleware: the
// statuses and challenges a client sees.
func TestJWTWithMiddleware(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES384", "k")
	srv := newJWTKeyServer(t, jwtJWKS(key))
	srv.failing.Store(true) // down at first: the lazy verifier answers 503
	v := jwtNewVerifier(t, srv, clock, WithLazyKeys())
	a, err := New(v, WithAudience(jwtTestResource), WithClock(clock.Now),
		WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := FromContext(r.Context())
		w.Write([]byte(info.Subject))
	}))
	call := func(token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	valid := jwtSign(t, key, jwtClaimsAt(clock.Now()), nil)

	if w := call(valid); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("JWKS down: status %d, want 503", w.Code)
	}
	srv.failing.Store(false)
	clock.Advance(DefaultMinRefreshInterval)
	if w := call(valid); w.Code != http.StatusOK || w.Body.String() != "user-123" {
		t.Fatalf("valid token: status %d, body %q", w.Code, w.Body)
	}
	for name, token := range map[string]string{
		"expired":        jwtSign(t, key, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"exp": clock.Now().Add(-time.Hour).Unix()}), nil),
		"wrong audience": jwtSign(t, key, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"aud": "https://other.example.com"}), nil),
		"alg none":       jwtB64url([]byte(`{"alg":"none"}`)) + "." + strings.Split(valid, ".")[1] + ".c2ln",
	} {
		w := call(token)
		challenge := w.Header().Get("WWW-Authenticate")
		if w.Code != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
			t.Errorf("%s: status %d, challenge %q", name, w.Code, challenge)
		}
	}
}
