package config_test

// mcp-auth JS's tests of its server-metadata validation and discovery,
// ported to this package.
//
// Sources: github.com/mcp-auth/js v0.2.0 (7ffcb25),
// packages/mcp-auth/src/utils/validate-server-config.test.ts and
// packages/mcp-auth/src/utils/fetch-server-config.test.ts; the Python-only
// case names tests/utils/fetch_server_config_test.py of
// github.com/mcp-auth/python v0.2.0b1 (whose other cases mirror the JS ones).
// Each case names the JS test by line and title; differs and gap read as in
// bearer/mcpauthjs_test.go, whose TestMCPAuthJSDifferencesDocumented checks
// that every differs value below is a row of README's "Where we differ"
// table.
//
// validateServerConfig(config, verbose) is ServerConfig.Validate here.
// fetchServerConfig and fetchServerConfigByWellKnownUrl are Fetch and
// FetchByWellKnownURL; the JS tests mock https://example.com with nock, the
// ports serve the same documents from an httptest server on loopback, so
// the issuer is that server's http://127.0.0.1:port URL (loopback http is
// allowed) and the documents' URLs are built on it.
//
// Not ported: src/utils/validate-auth-server.test.ts (what MCPAuth's
// constructor does with a validation result) belongs with the mcpauth
// package's tests.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-auth/go/config"
)

// codes returns the codes of issues, in order.
func codes(issues []config.Issue) []config.Code {
	out := make([]config.Code, len(issues))
	for i, is := range issues {
		out[i] = is.Code
	}
	return out
}

// jsValidMetadata is the document of validate-server-config.test.ts's
// valid case: issuer https://example.com, code, authorization_code, S256
// and a registration endpoint.
func jsValidMetadata() config.Metadata {
	return config.Metadata{
		Issuer:                        "https://example.com",
		AuthorizationEndpoint:         "https://example.com/oauth/authorize",
		TokenEndpoint:                 "https://example.com/oauth/token",
		ResponseTypesSupported:        []string{"code"},
		GrantTypesSupported:           []string{"authorization_code"},
		CodeChallengeMethodsSupported: []string{"S256"},
		RegistrationEndpoint:          "https://example.com/register",
	}
}

func TestMCPAuthJSValidateServerConfig(t *testing.T) {
	cases := []struct {
		name    string
		differs string
		edit    func(m *config.Metadata)

		wantValid bool
		// wantErrors and wantWarnings must be among the result's (JS's
		// arrayContaining); wantOnlyWarnings, when set, is the exact
		// list (JS's toEqual).
		wantErrors       []config.Code
		wantWarnings     []config.Code
		wantOnlyWarnings []config.Code
		wantSuccesses    []config.Code
		// wantFirst, when set, is errors[0]'s code.
		wantFirst config.Code
	}{{
		// JS also expects no successes member (verbose is off); here
		// the successes are always listed.
		name:             "validate-server-config.test.ts:10 should have set `isValid` to true if the server config is valid",
		differs:          "validation successes",
		edit:             func(*config.Metadata) {},
		wantValid:        true,
		wantOnlyWarnings: []config.Code{},
	}, {
		name:    "validate-server-config.test.ts:31 should have set `isValid` to true if the server config is valid without grant types",
		differs: "validation successes",
		edit: func(m *config.Metadata) {
			m.GrantTypesSupported = nil
			m.RegistrationEndpoint = ""
		},
		wantValid: true,
	}, {
		name: "validate-server-config.test.ts:49 should have set `isValid` to false if the server config's grant types are invalid",
		edit: func(m *config.Metadata) {
			m.GrantTypesSupported = []string{"invalid_grant_type"}
			m.RegistrationEndpoint = ""
		},
		wantErrors: []config.Code{config.CodeAuthorizationCodeGrantNotSupported},
	}, {
		name: "validate-server-config.test.ts:71 should have set `isValid` to false if the server config is invalid",
		edit: func(m *config.Metadata) {
			m.ResponseTypesSupported = []string{"token"}
			m.GrantTypesSupported = nil
			m.CodeChallengeMethodsSupported = nil
			m.RegistrationEndpoint = ""
		},
		wantErrors:   []config.Code{config.CodeCodeResponseTypeNotSupported, config.CodePKCENotSupported},
		wantWarnings: []config.Code{config.CodeDynamicRegistrationNotSupported},
	}, {
		name:             "validate-server-config.test.ts:97 should return warnings if the server config has dynamic registration not supported",
		edit:             func(m *config.Metadata) { m.RegistrationEndpoint = "" },
		wantValid:        true,
		wantOnlyWarnings: []config.Code{config.CodeDynamicRegistrationNotSupported},
	}, {
		name: "validate-server-config.test.ts:118 should check code challenge methods",
		edit: func(m *config.Metadata) {
			m.CodeChallengeMethodsSupported = []string{"plain"}
			m.RegistrationEndpoint = ""
		},
		wantErrors: []config.Code{config.CodeS256CodeChallengeMethodNotSupported},
	}, {
		// JS: errors[0] is invalid_server_metadata with the ZodError as
		// its cause. Here errors[0] is invalid_server_metadata too, and
		// says what is wrong through its Field and Description (checked
		// below); the other findings follow it.
		name:       "validate-server-config.test.ts:140 should return invalid_server_metadata error when metadata is missing required fields",
		edit:       func(m *config.Metadata) { *m = config.Metadata{} },
		wantErrors: []config.Code{config.CodeInvalidServerMetadata},
		wantFirst:  config.CodeInvalidServerMetadata,
	}, {
		name:      "validate-server-config.test.ts:159 should return successes when verbose is true",
		edit:      func(*config.Metadata) {},
		wantValid: true,
		wantSuccesses: []config.Code{
			config.CodeServerMetadataValid,
			config.CodeCodeResponseTypeSupported,
			config.CodeAuthorizationCodeGrantSupported,
			config.CodePKCESupported,
			config.CodeS256CodeChallengeMethodSupported,
			config.CodeDynamicRegistrationSupported,
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &config.ServerConfig{Type: config.OAuth, Metadata: jsValidMetadata()}
			tc.edit(&s.Metadata)
			r := s.Validate()

			if r.Valid() != tc.wantValid {
				t.Errorf("Valid() = %v, want %v (errors %q)", r.Valid(), tc.wantValid, codes(r.Errors))
			}
			if tc.wantValid {
				if len(r.Errors) != 0 || r.Err() != nil {
					t.Errorf("errors %q, Err() = %v; want none", codes(r.Errors), r.Err())
				}
				// The difference: the successes are there without
				// asking.
				if len(r.Successes) == 0 {
					t.Error("no successes listed")
				}
			} else {
				err := r.Err()
				var ve *config.ValidationError
				if !errors.Is(err, config.ErrInvalidMetadata) || !errors.As(err, &ve) || !reflect.DeepEqual(ve.Issues, r.Errors) {
					t.Errorf("Err() = %v; want a *ValidationError matching ErrInvalidMetadata with the result's errors", err)
				}
			}
			for _, c := range tc.wantErrors {
				if !slices.Contains(codes(r.Errors), c) {
					t.Errorf("errors %q lack %q", codes(r.Errors), c)
				}
			}
			if tc.wantFirst != "" && (len(r.Errors) == 0 || r.Errors[0].Code != tc.wantFirst) {
				t.Errorf("errors %q; want %q first", codes(r.Errors), tc.wantFirst)
			}
			for _, is := range r.Errors {
				if is.Description == "" {
					t.Errorf("issue %q has no description", is.Code)
				}
				if is.Code == config.CodeInvalidServerMetadata && is.Field == "" {
					t.Errorf("issue %q names no member", is.Code)
				}
			}
			for _, c := range tc.wantWarnings {
				if !slices.Contains(codes(r.Warnings), c) {
					t.Errorf("warnings %q lack %q", codes(r.Warnings), c)
				}
			}
			if tc.wantOnlyWarnings != nil && !slices.Equal(codes(r.Warnings), tc.wantOnlyWarnings) {
				t.Errorf("warnings %q, want exactly %q", codes(r.Warnings), tc.wantOnlyWarnings)
			}
			for _, c := range tc.wantSuccesses {
				if !slices.Contains(codes(r.Successes), c) {
					t.Errorf("successes %q lack %q", codes(r.Successes), c)
				}
			}
		})
	}
}

// jsProvider is the loopback stand-in for nock: it answers one path with
// a status and a body and records every path asked for.
type jsProvider struct {
	srv    *httptest.Server
	path   string
	status int

	mu    sync.Mutex
	body  string
	paths []string
}

// newJSProvider serves status at path, with the body set by setBody and
// Content-Type application/json (as nock's reply does for an object), and
// 404 elsewhere.
func newJSProvider(t *testing.T, path string, status int) *jsProvider {
	t.Helper()
	p := &jsProvider{path: path, status: status}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.EscapedPath())
		body := p.body
		p.mu.Unlock()
		if r.URL.EscapedPath() != p.path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(p.status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// setBody sets the body served; documents name the provider's URL, known
// once it listens.
func (p *jsProvider) setBody(body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.body = body
}

func (p *jsProvider) requested() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.paths)
}

// doc marshals a document, "{issuer}" in its string values replaced by
// issuer.
func doc(t *testing.T, issuer string, members map[string]any) string {
	t.Helper()
	b, err := json.Marshal(members)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "{issuer}", issuer)
}

func TestMCPAuthJSFetchServerConfig(t *testing.T) {
	// fetch-server-config.test.ts's documents; "{issuer}" is the
	// provider's URL (https://example.com in JS).
	byWellKnown := map[string]any{
		"issuer":                 "{issuer}",
		"authorization_endpoint": "{issuer}/oauth/authorize",
		"token_endpoint":         "{issuer}/oauth/token",
	}
	oauthDoc := func(issuer string) map[string]any {
		return map[string]any{
			"issuer":                   issuer,
			"authorization_endpoint":   "{issuer}/oauth/authorize",
			"token_endpoint":           "{issuer}/oauth/token",
			"response_types_supported": []string{"code"},
			"scopes_supported":         []string{"scope1", "scope2", "scope3"},
		}
	}
	const errorBody = `{"error":"invalid_request","error_description":"Invalid request parameters"}`

	cases := []struct {
		name    string
		differs string
		path    string // the path the provider answers at
		status  int
		body    func(t *testing.T, issuer string) string
		// fetch runs the JS call against the provider at base.
		fetch func(ctx context.Context, base string) (*config.ServerConfig, error)

		wantErr  error                                  // nil for success
		wantPath string                                 // the one path requested; path when ""
		want     func(base string) *config.ServerConfig // on success
	}{{
		// JS: MCPAuthConfigError "Failed to fetch server config from
		// <url>: Internal Server Error". Here a 5xx is an outage; the
		// message names the URL and the status (checked below).
		name:   "fetch-server-config.test.ts:23 should throw an error if the fetch fails",
		path:   config.OAuthWellKnownPath,
		status: 500,
		body:   func(*testing.T, string) string { return errorBody },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.FetchByWellKnownURL(ctx, base+config.OAuthWellKnownPath, config.OAuth)
		},
		wantErr: config.ErrProviderUnavailable,
	}, {
		// JS: MCPAuthAuthServerError invalid_server_metadata "The server
		// metadata is invalid or malformed.". Here a body that is not a
		// JSON object is no metadata document at all.
		name:    "fetch-server-config.test.ts:36 should throw an error if the metadata is not an object",
		differs: "fetch validation",
		path:    config.OAuthWellKnownPath,
		status:  200,
		body:    func(*testing.T, string) string { return "null" },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.FetchByWellKnownURL(ctx, base+config.OAuthWellKnownPath, config.OAuth)
		},
		wantErr: config.ErrNotFound,
	}, {
		// JS: invalid_server_metadata (no response_types_supported).
		// Here Fetch checks the members' JSON types and the issuer;
		// the required members are Validate's, which WithValidation
		// runs as part of the fetch (the next case).
		name:    "fetch-server-config.test.ts:49 throw an error if the metadata is malformed",
		differs: "fetch validation",
		path:    config.OAuthWellKnownPath,
		status:  200,
		body:    func(t *testing.T, issuer string) string { return doc(t, issuer, byWellKnown) },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.FetchByWellKnownURL(ctx, base+config.OAuthWellKnownPath, config.OAuth)
		},
		want: func(base string) *config.ServerConfig {
			return &config.ServerConfig{Type: config.OAuth, Metadata: config.Metadata{
				Issuer:                base,
				AuthorizationEndpoint: base + "/oauth/authorize",
				TokenEndpoint:         base + "/oauth/token",
			}}
		},
	}, {
		name:   "fetch-server-config.test.ts:49 throw an error if the metadata is malformed (WithValidation)",
		path:   config.OAuthWellKnownPath,
		status: 200,
		body:   func(t *testing.T, issuer string) string { return doc(t, issuer, byWellKnown) },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			cfg, err := config.FetchByWellKnownURL(ctx, base+config.OAuthWellKnownPath, config.OAuth, config.WithValidation())
			var ve *config.ValidationError
			if errors.As(err, &ve) && !slices.ContainsFunc(ve.Issues, func(is config.Issue) bool {
				return is.Code == config.CodeInvalidServerMetadata && is.Field == "response_types_supported"
			}) {
				return cfg, errors.New("the validation error does not name response_types_supported: " + err.Error())
			}
			return cfg, err
		},
		wantErr: config.ErrInvalidMetadata,
	}, {
		name:   "fetch-server-config.test.ts:65 should fetch server config successfully with data transpilation",
		path:   config.OAuthWellKnownPath,
		status: 200,
		body:   func(t *testing.T, issuer string) string { return doc(t, issuer, byWellKnown) },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.FetchByWellKnownURL(ctx, base+config.OAuthWellKnownPath, config.OAuth,
				config.WithTransform(func(m *config.Metadata) error {
					m.ResponseTypesSupported = []string{"code"}
					return nil
				}))
		},
		want: func(base string) *config.ServerConfig {
			return &config.ServerConfig{Type: config.OAuth, Metadata: config.Metadata{
				Issuer:                 base,
				AuthorizationEndpoint:  base + "/oauth/authorize",
				TokenEndpoint:          base + "/oauth/token",
				ResponseTypesSupported: []string{"code"},
			}}
		},
	}, {
		// Python: invalid_server_metadata for "{}". Here the missing
		// issuer fails the issuer check (RFC 8414 section 3.3), which
		// comes before validation, even with WithValidation.
		name:    "fetch_server_config_test.py test_fetch_server_config_by_well_known_url_invalid_metadata",
		differs: "issuer equality",
		path:    config.OAuthWellKnownPath,
		status:  200,
		body:    func(*testing.T, string) string { return "{}" },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.FetchByWellKnownURL(ctx, base+config.OAuthWellKnownPath, config.OAuth, config.WithValidation())
		},
		wantErr: config.ErrIssuerMismatch,
	}, {
		// JS: the document's issuer "https://example.com/" is accepted
		// for the issuer "https://example.com" and returned as is.
		name:    "fetch-server-config.test.ts:95 should fetch server config using the well-known URL for OAuth",
		differs: "issuer equality",
		path:    config.OAuthWellKnownPath,
		status:  200,
		body:    func(t *testing.T, issuer string) string { return doc(t, issuer, oauthDoc("{issuer}/")) },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base, config.OAuth)
		},
		wantErr: config.ErrIssuerMismatch,
	}, {
		// The same request, with a document that names its issuer
		// exactly.
		name:   "fetch-server-config.test.ts:95 should fetch server config using the well-known URL for OAuth (exact issuer)",
		path:   config.OAuthWellKnownPath,
		status: 200,
		body:   func(t *testing.T, issuer string) string { return doc(t, issuer, oauthDoc("{issuer}")) },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base, config.OAuth)
		},
		want: func(base string) *config.ServerConfig {
			return &config.ServerConfig{Type: config.OAuth, Metadata: config.Metadata{
				Issuer:                 base,
				AuthorizationEndpoint:  base + "/oauth/authorize",
				TokenEndpoint:          base + "/oauth/token",
				ResponseTypesSupported: []string{"code"},
				ScopesSupported:        []string{"scope1", "scope2", "scope3"},
			}}
		},
	}, {
		name:   "fetch-server-config.test.ts:113 should fetch server config with path in issuer for OAuth",
		path:   config.OAuthWellKnownPath + "/path",
		status: 200,
		body:   func(t *testing.T, issuer string) string { return doc(t, issuer, oauthDoc("{issuer}/path")) },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base+"/path", config.OAuth)
		},
		want: func(base string) *config.ServerConfig {
			return &config.ServerConfig{Type: config.OAuth, Metadata: config.Metadata{
				Issuer:                 base + "/path",
				AuthorizationEndpoint:  base + "/oauth/authorize",
				TokenEndpoint:          base + "/oauth/token",
				ResponseTypesSupported: []string{"code"},
				ScopesSupported:        []string{"scope1", "scope2", "scope3"},
			}}
		},
	}, {
		// JS: "https://example.com/" accepted for "https://example.com".
		name:    "fetch-server-config.test.ts:133 should fetch server config using the well-known URL for OIDC",
		differs: "issuer equality",
		path:    config.OIDCWellKnownPath,
		status:  200,
		body: func(t *testing.T, issuer string) string {
			return doc(t, issuer, map[string]any{
				"issuer":                   "{issuer}/",
				"authorization_endpoint":   "{issuer}/authorize",
				"token_endpoint":           "{issuer}/token",
				"response_types_supported": []string{"code"},
				"scopes_supported":         []string{"openid", "profile", "email"},
			})
		},
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base, config.OIDC)
		},
		wantErr: config.ErrIssuerMismatch,
	}, {
		name:   "fetch-server-config.test.ts:133 should fetch server config using the well-known URL for OIDC (exact issuer)",
		path:   config.OIDCWellKnownPath,
		status: 200,
		body: func(t *testing.T, issuer string) string {
			return doc(t, issuer, map[string]any{
				"issuer":                   "{issuer}",
				"authorization_endpoint":   "{issuer}/authorize",
				"token_endpoint":           "{issuer}/token",
				"response_types_supported": []string{"code"},
				"scopes_supported":         []string{"openid", "profile", "email"},
			})
		},
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base, config.OIDC)
		},
		want: func(base string) *config.ServerConfig {
			return &config.ServerConfig{Type: config.OIDC, Metadata: config.Metadata{
				Issuer:                 base,
				AuthorizationEndpoint:  base + "/authorize",
				TokenEndpoint:          base + "/token",
				ResponseTypesSupported: []string{"code"},
				ScopesSupported:        []string{"openid", "profile", "email"},
			}}
		},
	}, {
		name:   "fetch-server-config.test.ts:157 should fetch server config with path in issuer for OIDC",
		path:   "/path" + config.OIDCWellKnownPath,
		status: 200,
		body: func(t *testing.T, issuer string) string {
			return doc(t, issuer, map[string]any{
				"issuer":                   "{issuer}/path",
				"authorization_endpoint":   "{issuer}/path/authorize",
				"token_endpoint":           "{issuer}/path/token",
				"response_types_supported": []string{"code"},
			})
		},
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base+"/path", config.OIDC)
		},
		want: func(base string) *config.ServerConfig {
			return &config.ServerConfig{Type: config.OIDC, Metadata: config.Metadata{
				Issuer:                 base + "/path",
				AuthorizationEndpoint:  base + "/path/authorize",
				TokenEndpoint:          base + "/path/token",
				ResponseTypesSupported: []string{"code"},
			}}
		},
	}, {
		name:   "fetch-server-config.test.ts:179 should throw an error if the OIDC fetch fails",
		path:   config.OIDCWellKnownPath,
		status: 500,
		body:   func(*testing.T, string) string { return errorBody },
		fetch: func(ctx context.Context, base string) (*config.ServerConfig, error) {
			return config.Fetch(ctx, base, config.OIDC)
		},
		wantErr: config.ErrProviderUnavailable,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newJSProvider(t, tc.path, tc.status)
			base := p.srv.URL
			p.setBody(tc.body(t, base))

			got, err := tc.fetch(t.Context(), base)

			if want := []string{tc.path}; !slices.Equal(p.requested(), want) {
				t.Errorf("requested %q, want %q", p.requested(), want)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || got != nil {
					t.Fatalf("= %+v, %v; want an error matching %v", got, err, tc.wantErr)
				}
				var fe *config.FetchError
				if !errors.As(err, &fe) {
					t.Fatalf("%v is not a *FetchError", err)
				}
				if url := base + tc.path; !strings.Contains(err.Error(), url) {
					t.Errorf("%q does not name the URL %s", err, url)
				}
				if tc.status != 200 && !strings.Contains(err.Error(), "500") {
					t.Errorf("%q does not name the status", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want(base)
			if got.Type != want.Type || !reflect.DeepEqual(got.Metadata, want.Metadata) {
				t.Errorf("got %s %+v\nwant %s %+v", got.Type, got.Metadata, want.Type, want.Metadata)
			}
		})
	}
}
