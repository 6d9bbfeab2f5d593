package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// validMetadata passes every check, for OAuth and OIDC.
func validMetadata() Metadata {
	return Metadata{
		Issuer:                           "https://auth.example.com",
		AuthorizationEndpoint:            "https://auth.example.com/auth",
		TokenEndpoint:                    "https://auth.example.com/token",
		JWKSURI:                          "https://auth.example.com/jwks",
		RegistrationEndpoint:             "https://auth.example.com/reg",
		ResponseTypesSupported:           []string{"code"},
		CodeChallengeMethodsSupported:    []string{"plain", "S256"},
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
	}
}

func codes(issues []Issue) []string {
	var out []string
	for _, i := range issues {
		s := string(i.Code)
		if i.Field != "" {
			s += ":" + i.Field
		}
		out = append(out, s)
	}
	return out
}

func TestValidateMatrix(t *testing.T) {
	tests := []struct {
		name     string
		typ      ServerType
		change   func(*Metadata)
		errors   []string
		warnings []string
	}{
		{"valid oauth", OAuth, func(*Metadata) {}, nil, nil},
		{"valid oidc", OIDC, func(*Metadata) {}, nil, nil},
		{"valid auto", Auto, func(*Metadata) {}, nil, nil},
		{"response type in a combination", OAuth, func(m *Metadata) {
			m.ResponseTypesSupported = []string{"id_token", "code id_token"}
		}, nil, nil},
		{"no code response type", OAuth, func(m *Metadata) {
			m.ResponseTypesSupported = []string{"token", "id_token", "codex"}
		}, []string{"code_response_type_not_supported:response_types_supported"}, nil},
		{"no response types", OAuth, func(m *Metadata) { m.ResponseTypesSupported = nil },
			[]string{"invalid_server_metadata:response_types_supported", "code_response_type_not_supported:response_types_supported"}, nil},
		{"grant types absent mean the default", OAuth, func(m *Metadata) { m.GrantTypesSupported = nil }, nil, nil},
		{"grant types with authorization_code", OAuth, func(m *Metadata) {
			m.GrantTypesSupported = []string{"refresh_token", "authorization_code"}
		}, nil, nil},
		{"grant types without authorization_code", OAuth, func(m *Metadata) {
			m.GrantTypesSupported = []string{"client_credentials"}
		}, []string{"authorization_code_grant_not_supported:grant_types_supported"}, nil},
		{"empty grant types", OAuth, func(m *Metadata) { m.GrantTypesSupported = []string{} },
			[]string{"authorization_code_grant_not_supported:grant_types_supported"}, nil},
		{"no PKCE", OAuth, func(m *Metadata) { m.CodeChallengeMethodsSupported = nil },
			[]string{"pkce_not_supported:code_challenge_methods_supported"}, nil},
		{"PKCE without S256", OAuth, func(m *Metadata) { m.CodeChallengeMethodsSupported = []string{"plain"} },
			[]string{"s256_code_challenge_method_not_supported:code_challenge_methods_supported"}, nil},
		{"S256 is case-sensitive", OAuth, func(m *Metadata) { m.CodeChallengeMethodsSupported = []string{"s256"} },
			[]string{"s256_code_challenge_method_not_supported:code_challenge_methods_supported"}, nil},
		{"no registration", OAuth, func(m *Metadata) { m.RegistrationEndpoint = "" },
			nil, []string{"dynamic_registration_not_supported:registration_endpoint"}},
		{"CIMD instead of registration", OAuth, func(m *Metadata) {
			m.RegistrationEndpoint = ""
			m.ClientIDMetadataDocumentSupported = true
		}, nil, nil},
		{"oidc without its required members", OIDC, func(m *Metadata) {
			m.JWKSURI, m.SubjectTypesSupported, m.IDTokenSigningAlgValuesSupported = "", nil, nil
		}, []string{
			"invalid_server_metadata:jwks_uri",
			"invalid_server_metadata:subject_types_supported",
			"invalid_server_metadata:id_token_signing_alg_values_supported",
		}, nil},
		{"oauth needs no OIDC members", OAuth, func(m *Metadata) {
			m.JWKSURI, m.SubjectTypesSupported, m.IDTokenSigningAlgValuesSupported = "", nil, nil
		}, nil, nil},
		{"required endpoints", OAuth, func(m *Metadata) {
			m.Issuer, m.AuthorizationEndpoint, m.TokenEndpoint = "", "", ""
		}, []string{
			"invalid_server_metadata:issuer",
			"invalid_server_metadata:authorization_endpoint",
			"invalid_server_metadata:token_endpoint",
		}, nil},
		{"http endpoints", OIDC, func(m *Metadata) {
			m.Issuer = "http://auth.example.com"
			m.TokenEndpoint = "http://auth.example.com/token"
			m.JWKSURI = "http://auth.example.com/jwks"
			m.UserinfoEndpoint = "http://auth.example.com/me"
			m.IntrospectionEndpoint = "ftp://auth.example.com/i"
			m.RevocationEndpoint = "https://auth.example.com/r#x"
			m.EndSessionEndpoint = "/logout"
			m.RegistrationEndpoint = "http://auth.example.com/reg"
		}, []string{
			"invalid_server_metadata:issuer",
			"invalid_server_metadata:token_endpoint",
			"invalid_server_metadata:jwks_uri",
			"invalid_server_metadata:registration_endpoint",
			"invalid_server_metadata:userinfo_endpoint",
			"invalid_server_metadata:introspection_endpoint",
			"invalid_server_metadata:revocation_endpoint",
			"invalid_server_metadata:end_session_endpoint",
		}, nil},
		{"http on loopback", OIDC, func(m *Metadata) {
			m.Issuer = "http://127.0.0.1:3001/oidc"
			m.AuthorizationEndpoint = "http://localhost:3001/oidc/auth"
			m.TokenEndpoint = "http://[::1]:3001/oidc/token"
			m.JWKSURI = "http://127.0.0.1:3001/oidc/jwks"
		}, nil, nil},
		{"issuer with a query", OAuth, func(m *Metadata) { m.Issuer = "https://auth.example.com?x=1" },
			[]string{"invalid_server_metadata:issuer"}, nil},
		{"everything wrong", OIDC, func(m *Metadata) { *m = Metadata{} }, []string{
			"invalid_server_metadata:issuer",
			"invalid_server_metadata:authorization_endpoint",
			"invalid_server_metadata:token_endpoint",
			"invalid_server_metadata:response_types_supported",
			"invalid_server_metadata:jwks_uri",
			"invalid_server_metadata:subject_types_supported",
			"invalid_server_metadata:id_token_signing_alg_values_supported",
			"code_response_type_not_supported:response_types_supported",
			"pkce_not_supported:code_challenge_methods_supported",
		}, []string{"dynamic_registration_not_supported:registration_endpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &ServerConfig{Type: tt.typ, Metadata: validMetadata()}
			tt.change(&cfg.Metadata)
			before := cfg.Metadata.Issuer
			r := cfg.Validate()
			if got := codes(r.Errors); !slices.Equal(got, tt.errors) {
				t.Errorf("errors:\n got  %q\n want %q", got, tt.errors)
			}
			if got := codes(r.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings:\n got  %q\n want %q", got, tt.warnings)
			}
			if r.Valid() != (len(tt.errors) == 0) || (r.Err() == nil) != r.Valid() {
				t.Errorf("Valid() = %v, Err() = %v", r.Valid(), r.Err())
			}
			if cfg.Metadata.Issuer != before {
				t.Error("Validate modified the config")
			}
			for _, is := range slices.Concat(r.Errors, r.Warnings, r.Successes) {
				if is.Description == "" {
					t.Errorf("%s has no description", is.Code)
				}
			}
		})
	}
}

func TestValidateSuccesses(t *testing.T) {
	m := validMetadata()
	m.ClientIDMetadataDocumentSupported = true
	r := (&ServerConfig{Type: OIDC, Metadata: m}).Validate()
	want := []string{
		"server_metadata_valid", "code_response_type_supported", "authorization_code_grant_supported",
		"pkce_supported", "s256_code_challenge_method_supported", "dynamic_registration_supported",
		"client_id_metadata_document_supported",
	}
	if got := codes(r.Successes); !slices.Equal(got, want) {
		t.Errorf("successes:\n got  %q\n want %q", got, want)
	}
}

func TestValidateInsecureAllowHTTPEndpoints(t *testing.T) {
	m := validMetadata()
	m.Issuer = "http://auth:3001"
	m.AuthorizationEndpoint = "http://auth:3001/auth"
	cfg := &ServerConfig{Type: OAuth, Metadata: m}
	if cfg.Validate().Valid() {
		t.Fatal("http endpoints accepted without the option")
	}
	if r := cfg.Validate(InsecureAllowHTTPEndpoints(), nil); !r.Valid() {
		t.Fatalf("with the option: %v", r.Err())
	}
}

func TestValidationErr(t *testing.T) {
	m := validMetadata()
	m.CodeChallengeMethodsSupported = nil
	m.TokenEndpoint = "http://auth.example.com/token"
	err := (&ServerConfig{Type: OAuth, Metadata: m}).Validate().Err()
	if !errors.Is(err, ErrInvalidMetadata) {
		t.Fatalf("err = %v, want ErrInvalidMetadata", err)
	}
	var is Issue
	if !errors.As(err, &is) || is.Code != CodeInvalidServerMetadata || is.Field != "token_endpoint" {
		t.Errorf("errors.As(Issue) = %+v", is)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Issues) != 2 {
		t.Fatalf("ValidationError = %+v", ve)
	}
	for _, want := range []string{"pkce_not_supported", "token_endpoint", "must use https"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if errors.Is(err, ErrProviderUnavailable) {
		t.Error("validation error matches ErrProviderUnavailable")
	}
}

func TestValidateNil(t *testing.T) {
	var cfg *ServerConfig
	if r := cfg.Validate(); r.Valid() || r.Errors[0].Code != CodeInvalidServerMetadata {
		t.Errorf("nil config: %+v", r)
	}
}
