package mcpauth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/providertest"
	"github.com/mcp-auth/go/mcpauth"
)

// The tests of this file run the library against each provider's recorded
// discovery documents and token shapes (internal/providertest/testdata,
// whose README names the pages they come from), served on loopback with
// keys generated per test: discovery through FetchServerConfig, the
// validation of the document, then the JWT verifier and middleware that
// mcpauth builds, deciding on tokens in the provider's shape. Each
// provider's quirks are the rows of its table.

// providerResource is the MCP server the tokens are for.
const providerResource = "https://mcp.example.com/mcp"

// discover fetches the provider's configuration and checks what Validate
// finds: exactly the error codes and warning codes given.
func discover(t *testing.T, issuer string, typ mcpauth.ServerType, wantErrors, wantWarnings []config.Code, opts ...config.FetchOption) *mcpauth.ServerConfig {
	t.Helper()
	cfg, err := mcpauth.FetchServerConfig(context.Background(), issuer, typ, opts...)
	if err != nil {
		t.Fatalf("FetchServerConfig(%s, %s): %v", issuer, typ, err)
	}
	checkValidation(t, cfg, wantErrors, wantWarnings)
	return cfg
}

// checkValidation compares the codes Validate reports with the wanted ones.
func checkValidation(t *testing.T, cfg *mcpauth.ServerConfig, wantErrors, wantWarnings []config.Code) {
	t.Helper()
	res := cfg.Validate()
	codes := func(issues []config.Issue) []config.Code {
		var out []config.Code
		for _, is := range issues {
			out = append(out, is.Code)
		}
		return out
	}
	if got := codes(res.Errors); !slices.Equal(got, wantErrors) {
		t.Errorf("%s: validation errors %v, want %v (%v)", cfg.Metadata.Issuer, got, wantErrors, res.Errors)
	}
	if got := codes(res.Warnings); !slices.Equal(got, wantWarnings) {
		t.Errorf("%s: validation warnings %v, want %v", cfg.Metadata.Issuer, got, wantWarnings)
	}
}

// requested reports whether the provider was asked for the documented URL.
func requested(p *providertest.Provider, documented string) bool {
	return slices.Contains(p.Requests(), p.URL(documented))
}

// providerAuth builds what a server for resource accepting servers would
// run: mcpauth's JWT verifier (with verifierOpts) behind mcpauth's
// middleware (with authnOpts).
func providerAuth(t *testing.T, resource string, servers []*mcpauth.ServerConfig, verifierOpts, authnOpts []bearer.Option) *bearer.Authenticator {
	t.Helper()
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource: resource, AuthorizationServers: servers,
	}}})
	if err != nil {
		t.Fatalf("mcpauth.New: %v", err)
	}
	v, err := auth.JWTVerifier(verifierOpts...)
	if err != nil {
		t.Fatalf("JWTVerifier: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	authn, err := auth.Authenticator(v, authnOpts...)
	if err != nil {
		t.Fatalf("Authenticator: %v", err)
	}
	return authn
}

// tokenCase is one token and what the middleware must make of it: a
// refusal with code, or an acceptance with these scopes, client ID and
// identity.
type tokenCase struct {
	name  string
	authn *bearer.Authenticator
	token string
	code  bearer.Code // "" when the token must be accepted

	scopes                []string
	clientID              string
	username, fullName    string
	email                 string
	check                 func(t *testing.T, info *bearer.AuthInfo) // further checks, or nil
	descriptionStartsWith string                                    // for refusals, or ""
}

func runTokenCases(t *testing.T, cases []tokenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := tc.authn.AuthenticateToken(context.Background(), tc.token)
			if tc.code != "" {
				var e *bearer.Error
				if !errors.As(err, &e) || e.Code != tc.code {
					t.Fatalf("AuthenticateToken = %+v, %v; want a %s refusal", info, err, tc.code)
				}
				if !strings.HasPrefix(e.Description, tc.descriptionStartsWith) {
					t.Errorf("description %q, want it to start with %q", e.Description, tc.descriptionStartsWith)
				}
				return
			}
			if err != nil {
				t.Fatalf("AuthenticateToken: %v", err)
			}
			if !slices.Equal(info.Scopes, tc.scopes) {
				t.Errorf("Scopes %q, want %q", info.Scopes, tc.scopes)
			}
			if info.ClientID != tc.clientID {
				t.Errorf("ClientID %q, want %q", info.ClientID, tc.clientID)
			}
			id := info.Identity
			if id.Username() != tc.username || id.Name() != tc.fullName || id.Email() != tc.email {
				t.Errorf("identity (%q, %q, %q), want (%q, %q, %q)", id.Username(), id.Name(), id.Email(), tc.username, tc.fullName, tc.email)
			}
			if tc.check != nil {
				tc.check(t, info)
			}
		})
	}
}

// with returns an edit that sets the claims given (nil deletes).
func with(changes map[string]any) func(map[string]any) {
	return func(claims map[string]any) {
		for k, v := range changes {
			if v == nil {
				delete(claims, k)
			} else {
				claims[k] = v
			}
		}
	}
}

// Okta: the custom authorization server "default", issuer
// https://{domain}/oauth2/default, RS256 JWTs with scp (array) and cid.
func TestProviderOkta(t *testing.T) {
	p := providertest.Start(t, "okta")
	oidc := discover(t, p.Issuer, mcpauth.OIDC, nil, nil)
	if !requested(p, "https://dev-123456.okta.com/oauth2/default/.well-known/openid-configuration") {
		t.Errorf("OIDC discovery did not append the well-known suffix to /oauth2/default: %q", p.Requests())
	}
	// Okta serves RFC 8414 metadata at the path-inserted URL too.
	discover(t, p.Issuer, mcpauth.OAuth, nil, nil)
	if !requested(p, "https://dev-123456.okta.com/.well-known/oauth-authorization-server/oauth2/default") {
		t.Errorf("OAuth discovery did not insert the well-known suffix: %q", p.Requests())
	}

	authn := providerAuth(t, providerResource, []*mcpauth.ServerConfig{oidc}, nil, nil)
	strict := providerAuth(t, providerResource, []*mcpauth.ServerConfig{oidc}, nil, []bearer.Option{bearer.WithRequiredScopes("flights")})
	forResource := with(map[string]any{"aud": providerResource})
	documentedScopes := []string{"openid", "email", "flights", "custom"}
	runTokenCases(t, []tokenCase{
		{name: "audience set to the MCP server on the authorization server", authn: authn,
			token: p.Token(t, "access", forResource), scopes: documentedScopes, clientID: "nmdP1fcyvdVO11AL7ECm",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				if info.Subject != "00ujmkLgagxeRrAg20g3" || info.Claims["uid"] != "00ujmkLgagxeRrAg20g3" {
					t.Errorf("subject %q, uid %v", info.Subject, info.Claims["uid"])
				}
			}},
		{name: "required scope held in scp", authn: strict, token: p.Token(t, "access", forResource),
			scopes: documentedScopes, clientID: "nmdP1fcyvdVO11AL7ECm"},
		{name: "required scope missing from scp", authn: strict,
			token: p.Token(t, "access", with(map[string]any{"aud": providerResource, "scp": []any{"openid"}})),
			code:  bearer.CodeMissingRequiredScopes},
		{name: "the default audience api://default", authn: authn, token: p.Token(t, "access", nil), code: bearer.CodeInvalidAudience},
		{name: "the org authorization server's issuer", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"aud": providerResource, "iss": p.URL("https://dev-123456.okta.com")})),
			code:  bearer.CodeInvalidIssuer},
		{name: "another custom authorization server", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"aud": providerResource, "iss": p.URL("https://dev-123456.okta.com/oauth2/aus8ahm2k777777")})),
			code:  bearer.CodeInvalidIssuer},
		{name: "a key Okta never published", authn: authn, token: p.ForgedToken(t, "access", forResource), code: bearer.CodeInvalidToken},
	})
}

// Auth0: issuer with a trailing slash, the API identifier as audience
// (often spelled with a trailing slash), scope and RBAC permissions, azp
// (Auth0 token profile) or client_id (RFC 9068 profile).
func TestProviderAuth0(t *testing.T) {
	p := providertest.Start(t, "auth0")
	if !strings.HasSuffix(p.Issuer, "/") {
		t.Fatalf("issuer %q lost its trailing slash", p.Issuer)
	}
	cfg := discover(t, p.Issuer, mcpauth.OIDC, nil, nil)
	if !requested(p, "https://tenant.auth0.com/.well-known/openid-configuration") {
		t.Errorf("discovery URL: %q", p.Requests())
	}
	// The issuer must be configured with its slash: without it the
	// document's issuer does not match (RFC 8414 section 3.3).
	if _, err := mcpauth.FetchServerConfig(context.Background(), strings.TrimSuffix(p.Issuer, "/"), mcpauth.OIDC); !errors.Is(err, config.ErrIssuerMismatch) {
		t.Errorf("issuer without its slash: %v, want ErrIssuerMismatch", err)
	}

	const resource = "https://mcp.example.com" // the MCP server, pathless
	const apiIdentifier = resource + "/"       // the Auth0 API identifier, with the slash
	servers := []*mcpauth.ServerConfig{cfg}
	exact := providerAuth(t, resource, servers, nil, nil)
	slash := providerAuth(t, resource, servers, nil, []bearer.Option{bearer.InsecureAllowTrailingSlashAudience()})
	permissions := providerAuth(t, resource, servers, []bearer.Option{bearer.WithScopeClaim("permissions")},
		[]bearer.Option{bearer.InsecureAllowTrailingSlashAudience(), bearer.WithRequiredScopes("write:messages")})
	typed := providerAuth(t, resource, servers, []bearer.Option{bearer.WithRequiredTokenType("at+jwt")}, []bearer.Option{bearer.InsecureAllowTrailingSlashAudience()})

	audience := func(aud string) func(map[string]any) {
		return with(map[string]any{"aud": []any{aud, p.URL("https://tenant.auth0.com/userinfo")}})
	}
	const clientID = "K1AUPhZq8mRi0Q0pjhkfu1D7y6KjDQja"
	scopes := []string{"openid", "profile", "read:messages"}
	runTokenCases(t, []tokenCase{
		{name: "identifier with a slash, refused by the exact audience check", authn: exact,
			token: p.Token(t, "access", audience(apiIdentifier)), code: bearer.CodeInvalidAudience},
		{name: "identifier with a slash, InsecureAllowTrailingSlashAudience", authn: slash,
			token: p.Token(t, "access", audience(apiIdentifier)), scopes: scopes, clientID: clientID},
		{name: "identifier equal to the resource", authn: exact,
			token: p.Token(t, "access", audience(resource)), scopes: scopes, clientID: clientID},
		{name: "another API's identifier, even with the slash option", authn: slash,
			token: p.Token(t, "access", nil), code: bearer.CodeInvalidAudience},
		{name: "only the userinfo audience", authn: slash,
			token: p.Token(t, "access", with(map[string]any{"aud": p.URL("https://tenant.auth0.com/userinfo")})), code: bearer.CodeInvalidAudience},
		{name: "RBAC permissions as scopes", authn: permissions,
			token: p.Token(t, "access", audience(apiIdentifier)), scopes: []string{"read:messages", "write:messages"}, clientID: clientID},
		{name: "RBAC permission missing", authn: permissions,
			token: p.Token(t, "access", with(map[string]any{"aud": apiIdentifier, "permissions": []any{"read:messages"}})),
			code:  bearer.CodeMissingRequiredScopes},
		{name: "RFC 9068 profile: client_id and typ at+jwt", authn: typed,
			token: p.Token(t, "access-rfc9068", audience(apiIdentifier)), scopes: scopes, clientID: clientID},
		{name: "Auth0 profile (typ JWT) when at+jwt is required", authn: typed,
			token: p.Token(t, "access", audience(apiIdentifier)), code: bearer.CodeInvalidToken},
		{name: "another tenant", authn: slash,
			token: p.Token(t, "access", with(map[string]any{"aud": apiIdentifier, "iss": "https://other.auth0.com/"})), code: bearer.CodeInvalidIssuer},
		{name: "issuer without its slash", authn: slash,
			token: p.Token(t, "access", with(map[string]any{"aud": apiIdentifier, "iss": strings.TrimSuffix(p.Issuer, "/")})), code: bearer.CodeInvalidIssuer},
	})
}

// Keycloak: issuer /realms/NAME, RS256 JWTs with typ JWT, scope, azp, the
// audience from an audience mapper, realm roles in realm_access.roles and
// the profile claims in the access token.
func TestProviderKeycloak(t *testing.T) {
	p := providertest.Start(t, "keycloak")
	oidc := discover(t, p.Issuer, mcpauth.OIDC, nil, nil)
	if !requested(p, "https://keycloak.example.com/realms/myrealm/.well-known/openid-configuration") {
		t.Errorf("OIDC discovery URL: %q", p.Requests())
	}
	// Keycloak 26.4 and later answer at the RFC 8414 path-inserted URL.
	discover(t, p.Issuer, mcpauth.OAuth, nil, nil)
	if !requested(p, "https://keycloak.example.com/.well-known/oauth-authorization-server/realms/myrealm") {
		t.Errorf("OAuth discovery URL: %q", p.Requests())
	}

	authn := providerAuth(t, providerResource, []*mcpauth.ServerConfig{oidc}, nil, []bearer.Option{bearer.WithRequiredScopes("mcp:tools")})
	runTokenCases(t, []tokenCase{
		{name: "audience mapper adds the MCP server", authn: authn, token: p.Token(t, "access", nil),
			scopes: []string{"openid", "profile", "email", "mcp:tools"}, clientID: "mcp-client",
			username: "anderson", fullName: "Anderson Martins", email: "anderson@example.com",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				// Realm roles are claims, not scopes: the library leaves them
				// to the application.
				realm, _ := info.Claims["realm_access"].(map[string]any)
				roles, _ := realm["roles"].([]any)
				if !slices.Contains(roles, any("mcp-user")) || info.HasScope("mcp-user") {
					t.Errorf("realm_access %v, scopes %q", info.Claims["realm_access"], info.Scopes)
				}
			}},
		{name: "no audience mapper: aud is account", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"aud": "account"})), code: bearer.CodeInvalidAudience},
		{name: "another realm", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"iss": p.URL("https://keycloak.example.com/realms/master")})), code: bearer.CodeInvalidIssuer},
		{name: "the issuer with a trailing slash", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"iss": p.Issuer + "/"})), code: bearer.CodeInvalidIssuer},
		{name: "client scope not granted", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"scope": "openid profile email"})), code: bearer.CodeMissingRequiredScopes},
	})
}

// Logto: issuer /oidc, ES384 at+jwt tokens whose aud is the resource
// indicator exactly as the client sent it, opaque tokens when the client
// sends no resource, identity claims only from custom JWT claims.
func TestProviderLogto(t *testing.T) {
	p := providertest.Start(t, "logto")
	// No registration endpoint: Logto's third-party apps are registered in
	// its console.
	cfg := discover(t, p.Issuer, mcpauth.OIDC, nil, []config.Code{config.CodeDynamicRegistrationNotSupported})
	// The order an MCP client tries also finds it (the RFC 8414 URL is not
	// in the recording, so it answers 404 and discovery moves on).
	if auto, err := mcpauth.FetchServerConfig(context.Background(), p.Issuer, mcpauth.Auto); err != nil || auto.Type != mcpauth.OIDC {
		t.Errorf("Auto discovery: %v, %v", auto, err)
	}

	servers := []*mcpauth.ServerConfig{cfg}
	onlyES384 := []bearer.Option{bearer.WithAlgorithms("ES384"), bearer.WithRequiredTokenType("at+jwt")}
	authn := providerAuth(t, providerResource, servers, onlyES384, nil)
	slash := providerAuth(t, providerResource, servers, onlyES384, []bearer.Option{bearer.InsecureAllowTrailingSlashAudience()})
	forResource := with(map[string]any{"aud": providerResource})
	runTokenCases(t, []tokenCase{
		{name: "JWT for the resource indicator", authn: authn, token: p.Token(t, "access", forResource),
			scopes: []string{"read", "write"}, clientID: "s6BhdRkqt3"},
		{name: "custom JWT claims carry the identity", authn: authn,
			token:  p.Token(t, "access", with(map[string]any{"aud": providerResource, "username": "alice", "name": "Alice", "email": "alice@example.com"})),
			scopes: []string{"read", "write"}, clientID: "s6BhdRkqt3", username: "alice", fullName: "Alice", email: "alice@example.com"},
		{name: "API resource registered with a trailing slash", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"aud": providerResource + "/"})), code: bearer.CodeInvalidAudience},
		{name: "API resource with a trailing slash, InsecureAllowTrailingSlashAudience", authn: slash,
			token: p.Token(t, "access", with(map[string]any{"aud": providerResource + "/"})), scopes: []string{"read", "write"}, clientID: "s6BhdRkqt3"},
		{name: "another API resource", authn: slash, token: p.Token(t, "access", nil), code: bearer.CodeInvalidAudience},
		{name: "opaque token (no resource requested)", authn: authn, token: p.OpaqueToken(t, map[string]any{"sub": "u1"}),
			code: bearer.CodeInvalidToken, descriptionStartsWith: "the access token is not a JWT"},
		{name: "the issuer without /oidc", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"aud": providerResource, "iss": p.URL("https://tenant-id.logto.app")})), code: bearer.CodeInvalidIssuer},
	})

	// Opaque tokens can only be checked at userinfo, which cannot bind
	// them to this server: refused unless accepted knowingly.
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{Resource: providerResource, AuthorizationServers: servers}}})
	if err != nil {
		t.Fatal(err)
	}
	jwtV, err := auth.JWTVerifier(onlyES384...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jwtV.Close() })
	userinfo, err := auth.UserinfoVerifier()
	if err != nil {
		t.Fatal(err)
	}
	both, err := bearer.NewCompositeVerifier(jwtV, userinfo)
	if err != nil {
		t.Fatal(err)
	}
	// With the audience check on, a userinfo route would refuse every
	// opaque token: mcpauth refuses to build that.
	if _, err := auth.Authenticator(both); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("composite with userinfo, audience required: %v, want ErrInvalidConfig", err)
	}
	unbound, err := auth.Authenticator(both, bearer.InsecureAcceptUnboundTokens())
	if err != nil {
		t.Fatal(err)
	}
	opaque := p.OpaqueToken(t, map[string]any{"sub": "u6pq0a0c3a2b", "username": "alice"})
	runTokenCases(t, []tokenCase{
		{name: "composite: JWT for the resource", authn: unbound, token: p.Token(t, "access", forResource), scopes: []string{"read", "write"}, clientID: "s6BhdRkqt3"},
		{name: "composite: JWT for another resource, still refused", authn: unbound, token: p.Token(t, "access", nil), code: bearer.CodeInvalidAudience},
		{name: "composite: opaque token, InsecureAcceptUnboundTokens", authn: unbound, token: opaque, username: "alice",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				if info.Subject != "u6pq0a0c3a2b" {
					t.Errorf("subject %q", info.Subject)
				}
			}},
		{name: "composite: opaque token Logto does not know", authn: unbound, token: "x" + opaque[1:], code: bearer.CodeInvalidToken},
	})
}

// ZITADEL: a pathless issuer, RS256 JWT access tokens (when the app is set
// to JWT) whose aud is the project and client IDs, no scope claim, roles
// in urn:zitadel:iam:org:project:roles.
func TestProviderZitadel(t *testing.T) {
	p := providertest.Start(t, "zitadel")
	// No dynamic client registration.
	oidc := discover(t, p.Issuer, mcpauth.OIDC, nil, []config.Code{config.CodeDynamicRegistrationNotSupported})
	discover(t, p.Issuer, mcpauth.OAuth, nil, []config.Code{config.CodeDynamicRegistrationNotSupported})
	if !requested(p, "https://my-instance.zitadel.cloud/.well-known/oauth-authorization-server") {
		t.Errorf("OAuth discovery URL: %q", p.Requests())
	}

	const projectID = "287515146235723777"
	servers := []*mcpauth.ServerConfig{oidc}
	resourceOnly := providerAuth(t, providerResource, servers, nil, nil)
	project := providerAuth(t, providerResource, servers, nil, []bearer.Option{bearer.WithAudience(projectID)})
	scoped := providerAuth(t, providerResource, servers, nil, []bearer.Option{bearer.WithAudience(projectID), bearer.WithRequiredScopes("mcp:read")})
	runTokenCases(t, []tokenCase{
		{name: "aud is the project and client IDs, not the MCP URL", authn: resourceOnly, token: p.Token(t, "access", nil), code: bearer.CodeInvalidAudience},
		{name: "the project ID accepted as audience", authn: project, token: p.Token(t, "access", nil),
			scopes: []string{}, clientID: "287515165823205377",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				if _, ok := info.Claims["urn:zitadel:iam:org:project:roles"].(map[string]any); !ok {
					t.Errorf("project roles claim missing: %v", info.Claims)
				}
			}},
		{name: "another project", authn: project, token: p.Token(t, "access", with(map[string]any{"aud": []any{"111111111111111111"}})), code: bearer.CodeInvalidAudience},
		{name: "no scope claim: required scopes always fail", authn: scoped, token: p.Token(t, "access", nil), code: bearer.CodeMissingRequiredScopes},
		{name: "another instance", authn: project, token: p.Token(t, "access", with(map[string]any{"iss": "https://other.zitadel.cloud"})), code: bearer.CodeInvalidIssuer},
	})
}

// Ory Hydra: OpenID Connect discovery only, RS256 JWT access tokens with
// typ JWT, scp, client_id, an audience only from Hydra's own audience
// parameter (or the consent app), identity at the top level when
// allowed_top_level_claims lists it. The facts come from runs of Hydra
// v2.3.0 (examples/internal/hydra/FINDINGS.md).
func TestProviderHydra(t *testing.T) {
	p := providertest.Start(t, "hydra")
	cfg := discover(t, p.Issuer, mcpauth.OIDC, nil, []config.Code{config.CodeDynamicRegistrationNotSupported})
	if _, err := mcpauth.FetchServerConfig(context.Background(), p.Issuer, mcpauth.OAuth); !errors.Is(err, config.ErrNotFound) {
		t.Errorf("RFC 8414 discovery: %v, want ErrNotFound (Hydra serves OpenID Connect discovery only)", err)
	}
	authn := providerAuth(t, providerResource, []*mcpauth.ServerConfig{cfg}, nil, []bearer.Option{bearer.WithRequiredScopes("whoami:read")})
	runTokenCases(t, []tokenCase{
		{name: "audience granted by the consent app", authn: authn, token: p.Token(t, "access", nil),
			scopes: []string{"openid", "offline_access", "whoami:read"}, clientID: "7f1c5e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b",
			username: "alice", fullName: "Alice Example", email: "alice@example.com"},
		{name: "resource parameter ignored: aud is empty", authn: authn, token: p.Token(t, "access", with(map[string]any{"aud": []any{}})), code: bearer.CodeInvalidAudience},
		{name: "audience below the resource (Hydra's prefix rule)", authn: authn,
			token: p.Token(t, "access", with(map[string]any{"aud": []any{providerResource + "/below"}})), code: bearer.CodeInvalidAudience},
		{name: "identity only under ext", authn: authn, token: p.Token(t, "access", with(map[string]any{"username": nil, "name": nil, "email": nil})),
			scopes: []string{"openid", "offline_access", "whoami:read"}, clientID: "7f1c5e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"},
		{name: "issuer spelled with a slash", authn: authn, token: p.Token(t, "access", with(map[string]any{"iss": p.Issuer + "/"})), code: bearer.CodeInvalidIssuer},
	})
}

// Entra ID identifiers of the recording (Microsoft's documentation
// placeholders).
const (
	entraTenant   = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
	entraTenantB  = "bbbbcccc-1111-dddd-2222-eeee3333ffff"
	entraTenantC  = "ccccdddd-2222-eeee-3333-ffff4444aaaa"
	entraAPIAppID = "00001111-aaaa-2222-bbbb-3333cccc4444" // the MCP server's app registration
	entraClientID = "11112222-bbbb-3333-cccc-4444dddd5555" // the calling client
)

// addS256 repairs Entra ID's discovery documents, which do not advertise
// PKCE although the v2.0 authorization code flow supports S256.
func addS256(m *config.Metadata) error {
	if m.CodeChallengeMethodsSupported == nil {
		m.CodeChallengeMethodsSupported = []string{"S256"}
	}
	return nil
}

// Entra ID, one tenant: v2.0 tokens (issuer /{tid}/v2.0, aud the API's
// client ID, azp, scp as a string, preferred_username) and v1.0 tokens
// (issuer https://sts.windows.net/{tid}/ on another host than the
// discovery document, aud api://..., appid, upn), roles for application
// permissions.
func TestProviderEntra(t *testing.T) {
	p := providertest.Start(t, "entra")
	// As published, the documents cannot serve MCP clients: no
	// code_challenge_methods_supported (so MCP clients must refuse the
	// server) and no registration endpoint.
	raw := discover(t, p.Issuer, mcpauth.OIDC, []config.Code{config.CodePKCENotSupported}, []config.Code{config.CodeDynamicRegistrationNotSupported})
	if _, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{Resource: providerResource, AuthorizationServers: []*mcpauth.ServerConfig{raw}}}}); !errors.Is(err, mcpauth.ErrInvalidConfig) || !errors.Is(err, config.ErrInvalidMetadata) {
		t.Fatalf("mcpauth.New with the unrepaired document: %v, want ErrInvalidConfig and ErrInvalidMetadata", err)
	}
	v2 := discover(t, p.Issuer, mcpauth.OIDC, nil, []config.Code{config.CodeDynamicRegistrationNotSupported}, config.WithTransform(addS256))
	// The v1.0 document is served under login.microsoftonline.com but
	// names the issuer https://sts.windows.net/{tid}/: fetch it by its URL,
	// stating the issuer.
	v1Issuer := p.URL("https://sts.windows.net/" + entraTenant + "/")
	v1, err := mcpauth.FetchServerConfigByWellKnownURL(context.Background(),
		p.URL("https://login.microsoftonline.com/"+entraTenant+"/.well-known/openid-configuration"), mcpauth.OIDC,
		config.WithExpectedIssuer(v1Issuer), config.WithTransform(addS256))
	if err != nil {
		t.Fatalf("v1.0 document: %v", err)
	}
	checkValidation(t, v1, nil, []config.Code{config.CodeDynamicRegistrationNotSupported})

	servers := []*mcpauth.ServerConfig{v2, v1}
	// v2.0 tokens name the API by its client ID, v1.0 tokens by the
	// resource the client asked for (here its Application ID URI).
	audiences := bearer.WithAudience(entraAPIAppID, "api://"+entraAPIAppID)
	resourceOnly := providerAuth(t, providerResource, servers, nil, nil)
	authn := providerAuth(t, providerResource, servers, nil, []bearer.Option{audiences})
	roles := providerAuth(t, providerResource, servers, []bearer.Option{bearer.WithScopeClaim("roles")}, []bearer.Option{audiences, bearer.WithRequiredScopes("Tools.Read.All")})
	runTokenCases(t, []tokenCase{
		{name: "v2.0: aud is the API's client ID, not the MCP URL", authn: resourceOnly, token: p.Token(t, "v2", nil), code: bearer.CodeInvalidAudience},
		{name: "v2.0 delegated token", authn: authn, token: p.Token(t, "v2", nil),
			scopes: []string{"access_as_user"}, clientID: entraClientID, username: "abeli@microsoft.com", fullName: "Abe Lincoln",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				if info.Claims["tid"] != entraTenant || info.Claims["ver"] != "2.0" {
					t.Errorf("tid %v, ver %v", info.Claims["tid"], info.Claims["ver"])
				}
			}},
		{name: "v1.0 delegated token (sts.windows.net issuer, api:// audience, appid, upn)", authn: authn, token: p.Token(t, "v1", nil),
			scopes: []string{"access_as_user", "user_impersonation"}, clientID: entraClientID, fullName: "Abe Lincoln",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				// upn and unique_name are not OpenID Connect identity
				// claims: Username() is empty, the claims are there.
				if info.Claims["upn"] != "abeli@microsoft.com" || info.Issuer != v1Issuer {
					t.Errorf("upn %v, issuer %q", info.Claims["upn"], info.Issuer)
				}
			}},
		{name: "application permissions in roles, scp absent", authn: authn, token: p.Token(t, "v2-app", nil), scopes: []string{}, clientID: entraClientID},
		{name: "roles as scopes", authn: roles, token: p.Token(t, "v2-app", nil), scopes: []string{"Tools.Read.All", "Tools.Write.All"}, clientID: entraClientID},
		{name: "roles as scopes, role not granted", authn: roles,
			token: p.Token(t, "v2-app", with(map[string]any{"roles": []any{"Tools.Write.All"}})), code: bearer.CodeMissingRequiredScopes},
		{name: "another tenant's v2.0 issuer", authn: authn,
			token: p.Token(t, "v2", with(map[string]any{"iss": p.URL("https://login.microsoftonline.com/" + entraTenantB + "/v2.0"), "tid": entraTenantB})), code: bearer.CodeInvalidIssuer},
		{name: "the v1.0 issuer on the v2.0 host", authn: authn,
			token: p.Token(t, "v1", with(map[string]any{"iss": p.URL("https://login.microsoftonline.com/" + entraTenant + "/")})), code: bearer.CodeInvalidIssuer},
		{name: "a key Microsoft never published", authn: authn, token: p.ForgedToken(t, "v2", nil), code: bearer.CodeInvalidToken},
	})
}

// Entra ID, multi-tenant: the issuers of every tenant, accepted through
// issuer templates with an allow-list, the tid claim equal to the tenant
// in iss, the keys from the common key sets.
func TestProviderEntraMultiTenant(t *testing.T) {
	p := providertest.Start(t, "entra")
	// The common document names the issuer template, literally.
	v2Template := p.URL("https://login.microsoftonline.com/{tenantid}/v2.0")
	common, err := mcpauth.FetchServerConfigByWellKnownURL(context.Background(),
		p.URL("https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"), mcpauth.OIDC,
		config.WithExpectedIssuer(v2Template))
	if err != nil {
		t.Fatalf("common document: %v", err)
	}
	v2T, err := bearer.NewIssuerTemplate(common.Metadata.Issuer, entraTenant, entraTenantB)
	if err != nil {
		t.Fatal(err)
	}
	v1T, err := bearer.NewIssuerTemplate(p.URL("https://sts.windows.net/{tenantid}/"), entraTenant, entraTenantB)
	if err != nil {
		t.Fatal(err)
	}
	v, err := bearer.NewJWTVerifier(context.Background(), []bearer.TrustedIssuer{
		{Template: v2T, Server: common}, // jwks_uri: .../common/discovery/v2.0/keys
		{Template: v1T, JWKSURI: p.URL("https://login.microsoftonline.com/common/discovery/keys")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	if !requested(p, "https://login.microsoftonline.com/common/discovery/v2.0/keys") || !requested(p, "https://login.microsoftonline.com/common/discovery/keys") {
		t.Errorf("the common key sets were not fetched: %q", p.Requests())
	}

	// The protected resource metadata names the home tenant, which MCP
	// clients can discover; the middleware accepts the allowed tenants.
	home := discover(t, p.Issuer, mcpauth.OIDC, nil, []config.Code{config.CodeDynamicRegistrationNotSupported}, config.WithTransform(addS256))
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{Resource: providerResource, AuthorizationServers: []*mcpauth.ServerConfig{home}}}})
	if err != nil {
		t.Fatal(err)
	}
	authn, err := auth.Authenticator(v, bearer.WithIssuerTemplates(v2T, v1T), bearer.WithAudience(entraAPIAppID, "api://"+entraAPIAppID))
	if err != nil {
		t.Fatal(err)
	}

	v2iss := func(tenant string) string { return p.URL("https://login.microsoftonline.com/" + tenant + "/v2.0") }
	v1iss := func(tenant string) string { return p.URL("https://sts.windows.net/" + tenant + "/") }
	token := func(name, iss, tid string) string {
		return p.Token(t, name, with(map[string]any{"iss": iss, "tid": tid}))
	}
	accepted := func(name, tokenName, iss, tid string, scopes []string, username string) tokenCase {
		return tokenCase{name: name, authn: authn, token: token(tokenName, iss, tid), scopes: scopes, clientID: entraClientID,
			username: username, fullName: "Abe Lincoln",
			check: func(t *testing.T, info *bearer.AuthInfo) {
				if info.Issuer != iss {
					t.Errorf("issuer %q, want %q", info.Issuer, iss)
				}
			}}
	}
	refused := func(name, tokenName, iss, tid string) tokenCase {
		return tokenCase{name: name, authn: authn, token: token(tokenName, iss, tid), code: bearer.CodeInvalidIssuer}
	}
	v2scopes, v1scopes := []string{"access_as_user"}, []string{"access_as_user", "user_impersonation"}
	runTokenCases(t, []tokenCase{
		accepted("v2.0, home tenant", "v2", v2iss(entraTenant), entraTenant, v2scopes, "abeli@microsoft.com"),
		accepted("v2.0, another allowed tenant", "v2", v2iss(entraTenantB), entraTenantB, v2scopes, "abeli@microsoft.com"),
		accepted("v1.0, another allowed tenant", "v1", v1iss(entraTenantB), entraTenantB, v1scopes, ""),
		refused("v2.0, tenant outside the allow-list", "v2", v2iss(entraTenantC), entraTenantC),
		refused("v1.0, tenant outside the allow-list", "v1", v1iss(entraTenantC), entraTenantC),
		refused("iss tenant A, tid tenant B", "v2", v2iss(entraTenant), entraTenantB),
		refused("v1.0: iss tenant B, tid tenant A", "v1", v1iss(entraTenantB), entraTenant),
		refused("tid missing", "v2", v2iss(entraTenant), ""),
		refused("the template itself as iss", "v2", v2Template, "{tenantid}"),
		refused("alias organizations", "v2", v2iss("organizations"), "organizations"),
		refused("alias common", "v2", v2iss("common"), "common"),
		refused("upper-case tenant", "v2", v2iss(strings.ToUpper(entraTenant)), strings.ToUpper(entraTenant)),
		refused("dot-dot segment", "v2", v2iss("../"+entraTenant[3:]), "../"+entraTenant[3:]),
		refused("slash inside the tenant", "v2", v2iss(entraTenant[:8]+"/"+entraTenant[9:]), entraTenant[:8]+"/"+entraTenant[9:]),
		refused("extra segment", "v2", v2iss(entraTenant)+"/extra", entraTenant),
		refused("extra segment before the tenant", "v2", p.URL("https://login.microsoftonline.com/x/"+entraTenant+"/v2.0"), entraTenant),
		refused("v1.0 issuer without its trailing slash", "v1", strings.TrimSuffix(v1iss(entraTenant), "/"), entraTenant),
		{name: "a key Microsoft never published", authn: authn, token: p.ForgedToken(t, "v2", with(map[string]any{"iss": v2iss(entraTenantB), "tid": entraTenantB})), code: bearer.CodeInvalidToken},
	})
}
