package metadata

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ProtectedResource is an OAuth 2.0 protected resource metadata document
// (RFC 9728 section 2): what an MCP server publishes so that a client can
// find the authorization servers that issue tokens for it. Each field's
// comment gives its JSON member name, whether RFC 9728 requires it and the
// section defining it; the MCP authorization specification (2025-06-18 and
// later) additionally requires AuthorizationServers.
//
// Members this type does not name go in Extra. The zero value is not a valid
// document (Resource is required); check a document with
// [ProtectedResource.Validate], which the handler constructor calls.
type ProtectedResource struct {
	// Resource ("resource", REQUIRED, section 2): the protected resource's
	// identifier, an https URL without a fragment (section 1.2). For an MCP
	// server it is the MCP endpoint URL exactly as clients are configured
	// with it: clients compare it byte for byte with the URL they were given
	// (section 3.3), so "https://h/mcp/" does not match "https://h/mcp" and
	// "http://localhost:8080/mcp" does not match
	// "http://127.0.0.1:8080/mcp". A trailing slash is allowed by the RFC
	// but only correct if clients are configured with it too. Tokens carry
	// this value as their audience (RFC 8707).
	Resource string `json:"resource"`

	// AuthorizationServers ("authorization_servers", OPTIONAL in section 2,
	// REQUIRED with at least one entry by the MCP authorization
	// specification): the issuer identifiers (RFC 8414) of the
	// authorization servers whose tokens the resource accepts.
	AuthorizationServers []string `json:"authorization_servers,omitempty"`

	// JWKSURI ("jwks_uri", OPTIONAL, section 2): the URL of the resource's
	// own JWK Set, holding the keys it signs responses with. It is not the
	// authorization server's key set.
	JWKSURI string `json:"jwks_uri,omitempty"`

	// ScopesSupported ("scopes_supported", RECOMMENDED, section 2): the
	// scopes used in requests to the resource. MCP clients request these
	// when no challenge names a scope, and some only ever request scopes
	// listed here, so list the scopes needed for basic use and every scope
	// a step-up challenge may ask for. MCP 2026-07-28 says it SHOULD NOT
	// contain "offline_access".
	ScopesSupported []string `json:"scopes_supported,omitempty"`

	// BearerMethodsSupported ("bearer_methods_supported", OPTIONAL,
	// section 2): how the resource accepts bearer tokens, among "header",
	// "body" and "query" (RFC 6750 section 2). MCP allows only the
	// Authorization header. An empty list is omitted from the JSON.
	BearerMethodsSupported []string `json:"bearer_methods_supported,omitempty"`

	// ResourceSigningAlgValuesSupported
	// ("resource_signing_alg_values_supported", OPTIONAL, section 2): the
	// JWS algorithms the resource signs responses with; "none" is not
	// allowed.
	ResourceSigningAlgValuesSupported []string `json:"resource_signing_alg_values_supported,omitempty"`

	// ResourceName ("resource_name", RECOMMENDED, section 2): a
	// human-readable name of the resource, shown to end users.
	ResourceName string `json:"resource_name,omitempty"`

	// ResourceDocumentation ("resource_documentation", OPTIONAL,
	// section 2): the URL of developer documentation.
	ResourceDocumentation string `json:"resource_documentation,omitempty"`

	// ResourcePolicyURI ("resource_policy_uri", OPTIONAL, section 2): the
	// URL of the resource's policy on how clients may use its data.
	ResourcePolicyURI string `json:"resource_policy_uri,omitempty"`

	// ResourceTOSURI ("resource_tos_uri", OPTIONAL, section 2): the URL of
	// the resource's terms of service.
	ResourceTOSURI string `json:"resource_tos_uri,omitempty"`

	// TLSClientCertificateBoundAccessTokens
	// ("tls_client_certificate_bound_access_tokens", OPTIONAL, section 2;
	// absent means false): the resource supports RFC 8705 mutual-TLS
	// certificate-bound access tokens.
	TLSClientCertificateBoundAccessTokens bool `json:"tls_client_certificate_bound_access_tokens,omitempty"`

	// AuthorizationDetailsTypesSupported
	// ("authorization_details_types_supported", OPTIONAL, section 2): the
	// RFC 9396 authorization_details types the resource understands.
	AuthorizationDetailsTypesSupported []string `json:"authorization_details_types_supported,omitempty"`

	// DPoPSigningAlgValuesSupported ("dpop_signing_alg_values_supported",
	// OPTIONAL, section 2): the JWS algorithms the resource accepts for
	// RFC 9449 DPoP proofs; "none" is not allowed.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`

	// DPoPBoundAccessTokensRequired ("dpop_bound_access_tokens_required",
	// OPTIONAL, section 2; absent means false): the resource always
	// requires DPoP-bound access tokens.
	DPoPBoundAccessTokensRequired bool `json:"dpop_bound_access_tokens_required,omitempty"`

	// SignedMetadata ("signed_metadata", OPTIONAL, section 2.2): a JWT (JWS
	// compact serialization) whose claims are metadata values. This package
	// publishes it as given and does not sign or verify it.
	SignedMetadata string `json:"signed_metadata,omitempty"`

	// Extra holds additional members (section 2 allows them), each a JSON
	// value. They are marshalled after the named members, in key order, and
	// never override one: a key naming a member above is skipped when
	// marshalling and rejected by Validate. Unmarshalling puts every
	// unnamed member here.
	Extra map[string]json.RawMessage `json:"-"`
}

// protectedResourceJSON has ProtectedResource's fields without its methods,
// so that encoding/json handles the named members.
type protectedResourceJSON ProtectedResource

// namedMembers are the JSON names of ProtectedResource's fields (a test keeps
// the list in step with the struct tags).
var namedMembers = []string{
	"resource",
	"authorization_servers",
	"jwks_uri",
	"scopes_supported",
	"bearer_methods_supported",
	"resource_signing_alg_values_supported",
	"resource_name",
	"resource_documentation",
	"resource_policy_uri",
	"resource_tos_uri",
	"tls_client_certificate_bound_access_tokens",
	"authorization_details_types_supported",
	"dpop_signing_alg_values_supported",
	"dpop_bound_access_tokens_required",
	"signed_metadata",
}

// isNamedMember reports whether key is the JSON name of a field of
// ProtectedResource, ignoring case: an Extra member spelled so could be
// taken for the named one by a case-insensitive reader.
func isNamedMember(key string) bool {
	return slices.ContainsFunc(namedMembers, func(m string) bool { return strings.EqualFold(m, key) })
}

// MarshalJSON encodes the named members (omitting empty optional ones) and
// then the Extra members in key order, skipping any Extra key that names a
// member. It fails if an Extra value is not valid JSON. It does not escape
// HTML characters ("&" stays "&" in a URL); json.Marshal escapes them again
// when it calls MarshalJSON, a json.Encoder with SetEscapeHTML(false) does
// not.
func (p ProtectedResource) MarshalJSON() ([]byte, error) {
	b, err := marshalNoHTMLEscape(protectedResourceJSON(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		if !isNamedMember(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = b[:len(b)-1] // reopen the object: "resource" is always present
	for _, k := range keys {
		v := p.Extra[k]
		if !json.Valid(v) {
			return nil, fmt.Errorf("metadata: extra member %q is not valid JSON", k)
		}
		name, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b = append(b, ',')
		b = append(b, name...)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON decodes a metadata document, which must be a JSON object.
// Member names are matched exactly, not case-insensitively as encoding/json
// does by default, so that "RESOURCE" cannot stand in for "resource"; every
// member not named by a field is kept in Extra (nil when there is none).
func (p *ProtectedResource) UnmarshalJSON(data []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return fmt.Errorf("metadata: protected resource metadata is not a JSON object: %w", err)
	}
	if members == nil { // the JSON literal null
		return nil
	}
	named := make(map[string]json.RawMessage, len(namedMembers))
	var extra map[string]json.RawMessage
	for k, v := range members {
		if slices.Contains(namedMembers, k) {
			named[k] = v
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = v
	}
	b, err := json.Marshal(named)
	if err != nil {
		return err
	}
	var out protectedResourceJSON
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("metadata: protected resource metadata: %w", err)
	}
	out.Extra = extra
	*p = ProtectedResource(out)
	return nil
}
