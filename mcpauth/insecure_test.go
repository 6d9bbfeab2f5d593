package mcpauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/mcpauth"
)

// privateProvider is an authorization server at http://auth.internal, a
// private name as in a compose file: its discovery document, key set,
// userinfo and introspection endpoints, reached through client, which
// dials the loopback server whatever the host.
type privateProvider struct {
	client *http.Client
	key    *ecdsa.PrivateKey
	hits   map[string]int
}

const privateIssuer = "http://auth.internal"

func newPrivateProvider(t *testing.T) *privateProvider {
	t.Helper()
	p := &privateProvider{hits: map[string]int{}}
	var err error
	if p.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	pub, _ := jwk.Import(p.key.PublicKey)
	_ = pub.Set(jwk.KeyIDKey, "k1")
	_ = pub.Set(jwk.AlgorithmKey, jwa.ES256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	jwks, _ := json.Marshal(set)
	doc, _ := json.Marshal(map[string]any{
		"issuer":                                privateIssuer,
		"authorization_endpoint":                privateIssuer + "/authorize",
		"token_endpoint":                        privateIssuer + "/token",
		"registration_endpoint":                 privateIssuer + "/register",
		"jwks_uri":                              privateIssuer + "/jwks",
		"userinfo_endpoint":                     privateIssuer + "/userinfo",
		"introspection_endpoint":                privateIssuer + "/introspect",
		"response_types_supported":              []string{"code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
	})
	var mux http.ServeMux
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		p.hits["jwks"]++
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		p.hits["userinfo"]++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"sub":"alice","name":"Alice","email":"alice@example.com","username":"alice"}`)
	})
	mux.HandleFunc("/introspect", func(w http.ResponseWriter, r *http.Request) {
		p.hits["introspect"]++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"active":true,"sub":"alice","aud":"http://mcp.internal/mcp","exp":%d}`, time.Now().Add(time.Hour).Unix())
	})
	srv := httptest.NewServer(&mux)
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	p.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	return p
}

// jwt signs a token for the private resource.
func (p *privateProvider) jwt(t *testing.T, aud string) string {
	t.Helper()
	tok, _ := jwt.NewBuilder().Issuer(privateIssuer).Subject("alice").Audience([]string{aud}).
		Expiration(time.Now().Add(time.Hour)).Build()
	key, _ := jwk.Import(p.key)
	_ = key.Set(jwk.KeyIDKey, "k1")
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// Config.InsecureAllowHTTP reaches everything mcpauth builds: the RFC 8414
// mirror (New used to fail for a single http server), the key set, the
// userinfo and introspection verifiers and the identity sources (which used
// to fail after New had succeeded).
func TestInsecureAllowHTTPReachesEverything(t *testing.T) {
	p := newPrivateProvider(t)
	const resource = "http://mcp.internal/mcp"
	as, err := mcpauth.FetchServerConfig(t.Context(), privateIssuer, mcpauth.OIDC,
		config.WithHTTPClient(p.client), config.InsecureAllowHTTP())
	if err != nil {
		t.Fatal(err)
	}
	cfg := mcpauth.Config{InsecureAllowHTTP: true, ProtectedResources: []mcpauth.ResourceConfig{{
		Resource: resource, AuthorizationServers: []*mcpauth.ServerConfig{as},
	}}}
	// Without the setting, New refuses the http resource and server.
	if _, err := mcpauth.New(mcpauth.Config{ProtectedResources: cfg.ProtectedResources}); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("New without InsecureAllowHTTP = %v, want ErrInvalidConfig", err)
	}
	auth, err := mcpauth.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	auth.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-authorization-server", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("RFC 8414 mirror: %d %s", rec.Code, rec.Body)
	}

	client := bearer.WithHTTPClient(p.client)
	jv, err := auth.JWTVerifier(client)
	if err != nil {
		t.Fatalf("JWTVerifier: %v", err)
	}
	defer jv.Close()
	uv, err := auth.UserinfoVerifier(client)
	if err != nil {
		t.Fatalf("UserinfoVerifier: %v", err)
	}
	iv, err := auth.IntrospectionVerifier(bearer.ClientCredentials{ClientID: "rs", ClientSecret: "s"}, client)
	if err != nil {
		t.Fatalf("IntrospectionVerifier: %v", err)
	}
	sources, err := auth.UserinfoIdentity(client)
	if err != nil || len(sources) != 1 {
		t.Fatalf("UserinfoIdentity = %v, %v", sources, err)
	}
	for name, v := range map[string]bearer.Verifier{"jwt": jv, "introspection": iv} {
		authn, err := auth.Authenticator(v, bearer.WithIdentity(sources...))
		if err != nil {
			t.Fatalf("%s: Authenticator: %v", name, err)
		}
		token := p.jwt(t, resource)
		if name == "introspection" {
			token = "opaque-token"
		}
		info, err := authn.AuthenticateToken(t.Context(), token)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.Subject != "alice" || info.Identity.Email() != "alice@example.com" {
			t.Errorf("%s: info %+v", name, info)
		}
	}
	if _, err := uv.Verify(t.Context(), "opaque-token"); err != nil {
		t.Errorf("userinfo: %v", err)
	}
	if p.hits["jwks"] == 0 || p.hits["userinfo"] == 0 || p.hits["introspect"] == 0 {
		t.Errorf("provider hits %v: every endpoint should have been reached over http", p.hits)
	}
}

// Everything mcpauth builds reports a configuration mistake as
// ErrInvalidConfig, as its documentation promises.
func TestBuiltErrorsMatchErrInvalidConfig(t *testing.T) {
	as := fetchServer(t, newTestProvider(t, nil))
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource: "http://127.0.0.1:1/mcp", AuthorizationServers: []*mcpauth.ServerConfig{as},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.JWTVerifier(bearer.WithAlgorithms("HS256"), bearer.WithLazyKeys()); !errors.Is(err, mcpauth.ErrInvalidConfig) || !errors.Is(err, bearer.ErrMisconfigured) {
		t.Errorf("JWTVerifier(HS256) = %v: want ErrInvalidConfig and bearer.ErrMisconfigured", err)
	}
	if _, err := auth.UserinfoVerifier(bearer.WithAlgorithms("ES256")); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Errorf("UserinfoVerifier(an option of the JWT verifier) = %v: want ErrInvalidConfig", err)
	}
	if _, err := auth.Authenticator(tokens(nil), bearer.WithRequiredScopes("a b")); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Errorf("Authenticator(bad scope) = %v: want ErrInvalidConfig", err)
	}
	// A provider that cannot be reached is not a configuration mistake.
	if _, err := auth.JWTVerifier(); errors.Is(err, mcpauth.ErrInvalidConfig) || !errors.Is(err, bearer.ErrProviderUnavailable) {
		t.Errorf("JWTVerifier with the key set unreachable = %v: want ErrProviderUnavailable only", err)
	}
}
