package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mcp-auth/go/internal/fetch"
)

// Code names one finding of [ServerConfig.Validate]. The codes are
// mcp-auth's own (the JS and Python packages use the same strings), except
// [CodeClientIDMetadataDocumentSupported], which this package adds.
type Code string

// Error codes: the document cannot serve MCP authorization.
const (
	// CodeInvalidServerMetadata: a member is missing, empty or malformed:
	// issuer, authorization_endpoint, token_endpoint and
	// response_types_supported always; jwks_uri, subject_types_supported and
	// id_token_signing_alg_values_supported for [OIDC]; an endpoint that is
	// not https (http is accepted on loopback hosts). The [Issue]'s Field
	// names the member.
	CodeInvalidServerMetadata Code = "invalid_server_metadata"
	// CodeCodeResponseTypeNotSupported: no entry of
	// response_types_supported contains the response type "code".
	CodeCodeResponseTypeNotSupported Code = "code_response_type_not_supported"
	// CodeAuthorizationCodeGrantNotSupported: grant_types_supported is
	// present and lacks "authorization_code" (when it is absent, RFC 8414
	// section 2 defaults it to ["authorization_code", "implicit"]).
	CodeAuthorizationCodeGrantNotSupported Code = "authorization_code_grant_not_supported"
	// CodePKCENotSupported: code_challenge_methods_supported is absent; MCP
	// clients must then refuse the server.
	CodePKCENotSupported Code = "pkce_not_supported"
	// CodeS256CodeChallengeMethodNotSupported:
	// code_challenge_methods_supported lacks "S256".
	CodeS256CodeChallengeMethodNotSupported Code = "s256_code_challenge_method_not_supported"
)

// Warning codes: the document works, but some clients will not.
const (
	// CodeDynamicRegistrationNotSupported: there is no
	// registration_endpoint (RFC 7591) and client_id_metadata_document_supported
	// is not true, so a client unknown to the provider has no way to
	// register. MCP 2025-11-25 made Client ID Metadata Documents the
	// preferred alternative, and 2026-07-28 deprecates dynamic registration
	// in their favour; either one silences this warning.
	CodeDynamicRegistrationNotSupported Code = "dynamic_registration_not_supported"
)

// Success codes: what was checked and found right.
const (
	// CodeServerMetadataValid: the required members are present and
	// well-formed.
	CodeServerMetadataValid Code = "server_metadata_valid"
	// CodeCodeResponseTypeSupported: the "code" response type is offered.
	CodeCodeResponseTypeSupported Code = "code_response_type_supported"
	// CodeAuthorizationCodeGrantSupported: the authorization_code grant is
	// offered (explicitly or by default).
	CodeAuthorizationCodeGrantSupported Code = "authorization_code_grant_supported"
	// CodePKCESupported: code_challenge_methods_supported is present.
	CodePKCESupported Code = "pkce_supported"
	// CodeS256CodeChallengeMethodSupported: PKCE with S256 is offered.
	CodeS256CodeChallengeMethodSupported Code = "s256_code_challenge_method_supported"
	// CodeDynamicRegistrationSupported: a registration_endpoint (RFC 7591)
	// is present.
	CodeDynamicRegistrationSupported Code = "dynamic_registration_supported"
	// CodeClientIDMetadataDocumentSupported (an addition of this package):
	// client_id_metadata_document_supported is true (MCP 2025-11-25).
	CodeClientIDMetadataDocumentSupported Code = "client_id_metadata_document_supported"
)

// descriptions are mcp-auth's texts, so that messages read the same.
var descriptions = map[Code]string{
	CodeInvalidServerMetadata:               "The server metadata is not a valid object or does not conform to the expected schema.",
	CodeCodeResponseTypeNotSupported:        `The server does not support the "code" response type or the "code" response type is not included in one of the supported response types.`,
	CodeAuthorizationCodeGrantNotSupported:  `The server does not support the "authorization_code" grant type.`,
	CodePKCENotSupported:                    "The server does not support Proof Key for Code Exchange (PKCE).",
	CodeS256CodeChallengeMethodNotSupported: `The server does not support the "S256" code challenge method for Proof Key for Code Exchange (PKCE).`,
	CodeDynamicRegistrationNotSupported:     "Dynamic Client Registration (RFC 7591) is not supported by the server, nor are Client ID Metadata Documents.",
	CodeServerMetadataValid:                 "The server metadata is valid and conforms to the expected schema.",
	CodeCodeResponseTypeSupported:           `The "code" response type is supported by the server.`,
	CodeAuthorizationCodeGrantSupported:     `The "authorization_code" grant type is supported by the server.`,
	CodePKCESupported:                       "Proof Key for Code Exchange (PKCE) is supported by the server.",
	CodeS256CodeChallengeMethodSupported:    `The "S256" code challenge method for Proof Key for Code Exchange (PKCE) is supported by the server.`,
	CodeDynamicRegistrationSupported:        "Dynamic Client Registration (RFC 7591) is supported by the server.",
	CodeClientIDMetadataDocumentSupported:   "Client ID Metadata Documents are supported by the server.",
}

// Issue is one finding of [ServerConfig.Validate]. It is an error, so that
// errors.As can pick an Issue out of [ValidationResult.Err].
type Issue struct {
	// Code names the finding.
	Code Code
	// Field is the JSON member concerned, or "" for the document as a whole.
	Field string
	// Description explains the finding in English.
	Description string
}

// Error returns the code, the member and the description.
func (i Issue) Error() string {
	if i.Field == "" {
		return fmt.Sprintf("%s: %s", i.Code, i.Description)
	}
	return fmt.Sprintf("%s (%s): %s", i.Code, i.Field, i.Description)
}

// ValidationResult is what [ServerConfig.Validate] found. The document is
// usable when Errors is empty; Warnings never make it unusable.
type ValidationResult struct {
	// Errors lists what makes the document unusable for MCP authorization.
	Errors []Issue
	// Warnings lists what some clients will not cope with.
	Warnings []Issue
	// Successes lists the checks that passed (mcp-auth's "verbose" mode;
	// always filled here).
	Successes []Issue
}

// Valid reports whether there are no errors.
func (r *ValidationResult) Valid() bool { return len(r.Errors) == 0 }

// Err returns nil when the document is valid, and otherwise a
// *[ValidationError] that matches [ErrInvalidMetadata] with errors.Is and
// each [Issue] with errors.As.
func (r *ValidationResult) Err() error {
	if r.Valid() {
		return nil
	}
	return &ValidationError{Issues: slices.Clone(r.Errors)}
}

// ValidationError is a document that failed [ServerConfig.Validate].
type ValidationError struct {
	// Issues lists the errors found; it is never empty.
	Issues []Issue
}

// Error lists every issue.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		parts[i] = is.Error()
	}
	return ErrInvalidMetadata.Error() + ": " + strings.Join(parts, "; ")
}

// Is reports whether target is [ErrInvalidMetadata].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidMetadata }

// Unwrap returns the issues, for errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Issues))
	for i, is := range e.Issues {
		errs[i] = is
	}
	return errs
}

// ValidateOption adjusts [ServerConfig.Validate].
type ValidateOption func(*validateSettings)

type validateSettings struct{ insecure bool }

// InsecureAllowHTTPEndpoints accepts http issuer and endpoint URLs on any
// host, not only on loopback hosts. For tests and closed development
// networks only, like [InsecureAllowHTTP].
func InsecureAllowHTTPEndpoints() ValidateOption {
	return func(s *validateSettings) { s.insecure = true }
}

// defaultGrantTypes is RFC 8414 section 2's value for an absent
// grant_types_supported.
var defaultGrantTypes = []string{"authorization_code", "implicit"}

// Validate checks the document against what an MCP client needs of an
// authorization server (MCP authorization, revisions 2025-06-18 to
// 2026-07-28), with mcp-auth's codes:
//
//   - issuer, authorization_endpoint, token_endpoint and
//     response_types_supported are present, and every endpoint (these,
//     jwks_uri, registration, userinfo, introspection, revocation,
//     end_session) is an https URL, http being accepted on loopback hosts
//     ([CodeInvalidServerMetadata]);
//   - for [OIDC], jwks_uri, subject_types_supported and
//     id_token_signing_alg_values_supported are present, as OpenID Connect
//     Discovery requires and MCP clients enforce ([CodeInvalidServerMetadata]);
//   - an entry of response_types_supported contains "code";
//   - the authorization_code grant is supported (absent
//     grant_types_supported means it is);
//   - PKCE with S256 is advertised;
//   - a client can register: a registration_endpoint, or
//     client_id_metadata_document_supported true (else a warning).
//
// Every check runs, so that one call reports every problem. Validate does
// not fetch anything and does not modify c; a nil c is reported as invalid.
func (c *ServerConfig) Validate(opts ...ValidateOption) *ValidationResult {
	var s validateSettings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	r := &ValidationResult{}
	if c == nil {
		r.Errors = append(r.Errors, issue(CodeInvalidServerMetadata, ""))
		return r
	}
	m := &c.Metadata
	r.checkIssuer(m.Issuer, s.insecure)
	r.requireURL("authorization_endpoint", m.AuthorizationEndpoint, s.insecure)
	r.requireURL("token_endpoint", m.TokenEndpoint, s.insecure)
	if len(m.ResponseTypesSupported) == 0 {
		r.Errors = append(r.Errors, missing("response_types_supported"))
	}
	if c.Type == OIDC {
		r.requireURL("jwks_uri", m.JWKSURI, s.insecure)
		if len(m.SubjectTypesSupported) == 0 {
			r.Errors = append(r.Errors, missing("subject_types_supported"))
		}
		if len(m.IDTokenSigningAlgValuesSupported) == 0 {
			r.Errors = append(r.Errors, missing("id_token_signing_alg_values_supported"))
		}
	}
	for _, ep := range []struct{ field, value string }{
		{"jwks_uri", m.JWKSURI},
		{"registration_endpoint", m.RegistrationEndpoint},
		{"userinfo_endpoint", m.UserinfoEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"end_session_endpoint", m.EndSessionEndpoint},
	} {
		if ep.value != "" && !(ep.field == "jwks_uri" && c.Type == OIDC) { // OIDC's jwks_uri is checked above
			r.requireURL(ep.field, ep.value, s.insecure)
		}
	}
	if len(r.Errors) == 0 {
		r.success(CodeServerMetadataValid)
	}

	r.check(slices.ContainsFunc(m.ResponseTypesSupported, func(rt string) bool {
		return slices.Contains(strings.Fields(rt), "code")
	}), CodeCodeResponseTypeSupported, CodeCodeResponseTypeNotSupported)

	grants := m.GrantTypesSupported
	if grants == nil {
		grants = defaultGrantTypes
	}
	r.check(slices.Contains(grants, "authorization_code"),
		CodeAuthorizationCodeGrantSupported, CodeAuthorizationCodeGrantNotSupported)

	if m.CodeChallengeMethodsSupported == nil {
		r.Errors = append(r.Errors, issue(CodePKCENotSupported, "code_challenge_methods_supported"))
	} else {
		r.success(CodePKCESupported)
		r.check(slices.Contains(m.CodeChallengeMethodsSupported, "S256"),
			CodeS256CodeChallengeMethodSupported, CodeS256CodeChallengeMethodNotSupported)
	}

	if m.RegistrationEndpoint != "" {
		r.success(CodeDynamicRegistrationSupported)
	}
	if m.ClientIDMetadataDocumentSupported {
		r.success(CodeClientIDMetadataDocumentSupported)
	}
	if m.RegistrationEndpoint == "" && !m.ClientIDMetadataDocumentSupported {
		r.Warnings = append(r.Warnings, issue(CodeDynamicRegistrationNotSupported, "registration_endpoint"))
	}
	return r
}

// fieldOf gives the member each check concerns, for Issue.Field.
var fieldOf = map[Code]string{
	CodeCodeResponseTypeNotSupported:        "response_types_supported",
	CodeAuthorizationCodeGrantNotSupported:  "grant_types_supported",
	CodeS256CodeChallengeMethodNotSupported: "code_challenge_methods_supported",
}

// check records a success or an error.
func (r *ValidationResult) check(ok bool, success, failure Code) {
	if ok {
		r.success(success)
		return
	}
	r.Errors = append(r.Errors, issue(failure, fieldOf[failure]))
}

func (r *ValidationResult) success(c Code) {
	r.Successes = append(r.Successes, issue(c, ""))
}

// checkIssuer requires the RFC 8414 section 2 issuer shape and https.
func (r *ValidationResult) checkIssuer(issuer string, insecure bool) {
	if issuer == "" {
		r.Errors = append(r.Errors, missing("issuer"))
		return
	}
	if _, why := checkIssuerShape(issuer); why != "" {
		r.Errors = append(r.Errors, malformed("issuer", errors.New(why)))
		return
	}
	r.requireURL("issuer", issuer, insecure)
}

// requireURL requires value to be present and an https (or loopback) URL.
func (r *ValidationResult) requireURL(field, value string, insecure bool) {
	if value == "" {
		r.Errors = append(r.Errors, missing(field))
		return
	}
	if _, err := fetch.CheckURL(value, field, insecure); err != nil {
		r.Errors = append(r.Errors, malformed(field, err))
	}
}

func issue(c Code, field string) Issue {
	return Issue{Code: c, Field: field, Description: descriptions[c]}
}

func missing(field string) Issue {
	return Issue{Code: CodeInvalidServerMetadata, Field: field,
		Description: fmt.Sprintf("The server metadata has no %q member.", field)}
}

func malformed(field string, err error) Issue {
	return Issue{Code: CodeInvalidServerMetadata, Field: field,
		Description: fmt.Sprintf("The server metadata member %q is unusable: %v.", field, err)}
}
