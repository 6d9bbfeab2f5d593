package devissuer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Well-known paths. The issuer has no path, so the RFC 8414 document sits at
// the root well-known URL, like the OpenID Connect one.
const (
	oidcDiscoveryPath  = "/.well-known/openid-configuration"
	oauthMetadataPath  = "/.well-known/oauth-authorization-server"
	registrationPath   = "/register"
	loginPath          = "/login"
	consentPath        = "/consent"
	authorizePath      = "/authorize"
	authorizeCallback  = "/authorize/callback"
	tokenPath          = "/oauth/token"
	userinfoPath       = "/userinfo"
	introspectionPath  = "/oauth/introspect"
	revocationPath     = "/revoke"
	keysPath           = "/keys"
	endSessionPath     = "/end_session"
	healthPath         = "/healthz"
	readinessPath      = "/ready"
	discoveryCacheTime = "max-age=60"
)

// buildDiscovery returns the metadata document served at both well-known
// URLs. zitadel/oidc builds it; this adds what MCP clients need and the
// library does not know (registration_endpoint, RFC 9207's flag) and narrows
// the lists to what this issuer allows (code flow, S256, no private_key_jwt,
// no device flow).
func buildDiscovery(issuer string, p *op.Provider, s *storage) ([]byte, error) {
	ctx := op.ContextWithIssuer(context.Background(), issuer)
	cfg := op.CreateDiscoveryConfig(ctx, p, s)
	cfg.RegistrationEndpoint = issuer + registrationPath
	cfg.ScopesSupported = s.scopes.supported
	cfg.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	cfg.ResponseModesSupported = []string{string(oidc.ResponseModeQuery)}
	cfg.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	cfg.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	cfg.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodNone, oidc.AuthMethodBasic, oidc.AuthMethodPost}
	cfg.TokenEndpointAuthSigningAlgValuesSupported = nil
	cfg.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic}
	cfg.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	cfg.RevocationEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodNone, oidc.AuthMethodBasic, oidc.AuthMethodPost}
	cfg.RevocationEndpointAuthSigningAlgValuesSupported = nil
	cfg.RequestObjectSigningAlgValuesSupported = nil
	cfg.DeviceAuthorizationEndpoint = ""

	// Fields the library's struct lacks go in through a map.
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("devissuer: discovery: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("devissuer: discovery: %w", err)
	}
	doc["authorization_response_iss_parameter_supported"] = true
	doc["request_parameter_supported"] = false
	doc["request_uri_parameter_supported"] = false
	return json.Marshal(doc)
}

// discoveryHandler serves the pre-marshalled document for GET and HEAD, and
// answers CORS so that browser-based clients can read it.
func discoveryHandler(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCORS(w, "GET, HEAD, OPTIONS")
		switch r.Method {
		case http.MethodOptions:
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodGet, http.MethodHead:
		default:
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", discoveryCacheTime)
		if r.Method == http.MethodGet {
			_, _ = w.Write(doc)
		}
	})
}

// setCORS allows any origin: the endpoints it guards use no cookies.
func setCORS(w http.ResponseWriter, methods string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", methods)
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version")
	h.Set("Access-Control-Max-Age", "600")
}
