package config

import "encoding/json"

// Metadata is an authorization server's metadata document: the fields of
// RFC 8414 section 2, the OpenID Connect Discovery 1.0 fields a resource
// server or MCP client relies on, and the MCP additions. Members it does not
// name are kept in Extra, so that the document can be served again unchanged
// (see the metadata package's legacy handler).
type Metadata struct {
	// Issuer ("issuer", REQUIRED): the authorization server's identifier, an
	// https URL with no query or fragment. RFC 8414 section 3.3 requires it
	// to equal the issuer the document was fetched for.
	Issuer string `json:"issuer"`
	// AuthorizationEndpoint ("authorization_endpoint", REQUIRED unless no
	// grant type uses it).
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	// TokenEndpoint ("token_endpoint", REQUIRED unless only the implicit
	// grant is supported).
	TokenEndpoint string `json:"token_endpoint,omitempty"`
	// JWKSURI ("jwks_uri", OPTIONAL in RFC 8414, REQUIRED in OIDC): where the
	// server publishes its signing keys (RFC 7517 JWK Set).
	JWKSURI string `json:"jwks_uri,omitempty"`
	// RegistrationEndpoint ("registration_endpoint", OPTIONAL): RFC 7591
	// dynamic client registration.
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
	// ScopesSupported ("scopes_supported", RECOMMENDED).
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// ResponseTypesSupported ("response_types_supported", REQUIRED).
	ResponseTypesSupported []string `json:"response_types_supported,omitempty"`
	// ResponseModesSupported ("response_modes_supported", OPTIONAL).
	ResponseModesSupported []string `json:"response_modes_supported,omitempty"`
	// GrantTypesSupported ("grant_types_supported", OPTIONAL; absent means
	// ["authorization_code", "implicit"]).
	GrantTypesSupported []string `json:"grant_types_supported,omitempty"`
	// TokenEndpointAuthMethodsSupported
	// ("token_endpoint_auth_methods_supported", OPTIONAL; absent means
	// ["client_secret_basic"]).
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	// TokenEndpointAuthSigningAlgValuesSupported
	// ("token_endpoint_auth_signing_alg_values_supported", OPTIONAL).
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	// ServiceDocumentation ("service_documentation", OPTIONAL).
	ServiceDocumentation string `json:"service_documentation,omitempty"`
	// UILocalesSupported ("ui_locales_supported", OPTIONAL).
	UILocalesSupported []string `json:"ui_locales_supported,omitempty"`
	// OPPolicyURI ("op_policy_uri", OPTIONAL).
	OPPolicyURI string `json:"op_policy_uri,omitempty"`
	// OPTosURI ("op_tos_uri", OPTIONAL).
	OPTosURI string `json:"op_tos_uri,omitempty"`
	// RevocationEndpoint ("revocation_endpoint", OPTIONAL): RFC 7009.
	RevocationEndpoint string `json:"revocation_endpoint,omitempty"`
	// RevocationEndpointAuthMethodsSupported
	// ("revocation_endpoint_auth_methods_supported", OPTIONAL).
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	// RevocationEndpointAuthSigningAlgValuesSupported
	// ("revocation_endpoint_auth_signing_alg_values_supported", OPTIONAL).
	RevocationEndpointAuthSigningAlgValuesSupported []string `json:"revocation_endpoint_auth_signing_alg_values_supported,omitempty"`
	// IntrospectionEndpoint ("introspection_endpoint", OPTIONAL): RFC 7662.
	IntrospectionEndpoint string `json:"introspection_endpoint,omitempty"`
	// IntrospectionEndpointAuthMethodsSupported
	// ("introspection_endpoint_auth_methods_supported", OPTIONAL).
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	// IntrospectionEndpointAuthSigningAlgValuesSupported
	// ("introspection_endpoint_auth_signing_alg_values_supported", OPTIONAL).
	IntrospectionEndpointAuthSigningAlgValuesSupported []string `json:"introspection_endpoint_auth_signing_alg_values_supported,omitempty"`
	// CodeChallengeMethodsSupported ("code_challenge_methods_supported",
	// OPTIONAL in RFC 8414; MCP clients refuse a server without "S256").
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
	// UserinfoEndpoint ("userinfo_endpoint", OIDC RECOMMENDED).
	UserinfoEndpoint string `json:"userinfo_endpoint,omitempty"`
	// SubjectTypesSupported ("subject_types_supported", OIDC REQUIRED).
	SubjectTypesSupported []string `json:"subject_types_supported,omitempty"`
	// IDTokenSigningAlgValuesSupported
	// ("id_token_signing_alg_values_supported", OIDC REQUIRED).
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported,omitempty"`
	// ClaimsSupported ("claims_supported", OIDC RECOMMENDED).
	ClaimsSupported []string `json:"claims_supported,omitempty"`
	// EndSessionEndpoint ("end_session_endpoint", OIDC RP-initiated logout).
	EndSessionEndpoint string `json:"end_session_endpoint,omitempty"`
	// AuthorizationResponseIssParameterSupported
	// ("authorization_response_iss_parameter_supported", RFC 9207).
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
	// ClientIDMetadataDocumentSupported
	// ("client_id_metadata_document_supported", MCP 2025-11-25): the server
	// accepts an https URL as client_id (OAuth Client ID Metadata Documents).
	ClientIDMetadataDocumentSupported bool `json:"client_id_metadata_document_supported,omitempty"`

	// Extra holds every member of the document not named above, as
	// received, so that re-serving the document loses nothing.
	Extra map[string]json.RawMessage `json:"-"`
}
