package config_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mcp-auth/go/config"
)

// A provider publishing OpenID Connect discovery under /oidc, discovered in
// Auto mode the way an MCP client does it.
func ExampleFetch() {
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oidc/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                issuer,
			"authorization_endpoint":                issuer + "/auth",
			"token_endpoint":                        issuer + "/token",
			"jwks_uri":                              issuer + "/jwks",
			"response_types_supported":              []string{"code"},
			"code_challenge_methods_supported":      []string{"S256"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES384"},
			"client_id_metadata_document_supported": true,
		})
	}))
	defer srv.Close()
	issuer = srv.URL + "/oidc"

	cfg, err := config.Fetch(context.Background(), issuer, config.Auto)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("type:", cfg.Type)
	fmt.Println("jwks:", strings.TrimPrefix(cfg.Metadata.JWKSURI, srv.URL))
	fmt.Println("valid:", cfg.Validate().Valid())

	// A mistyped issuer finds nothing, and the error says where it looked.
	_, err = config.Fetch(context.Background(), srv.URL+"/oauth", config.OAuth)
	fmt.Println(errors.Is(err, config.ErrNotFound), strings.Replace(err.Error(), srv.URL, "http://AS", -1))
	// Output:
	// type: oidc
	// jwks: /oidc/jwks
	// valid: true
	// true config: authorization server metadata not found for issuer http://AS/oauth: [1] http://AS/.well-known/oauth-authorization-server/oauth: unexpected status 404
}

func ExampleServerConfig_Validate() {
	cfg := &config.ServerConfig{
		Type: config.OAuth,
		Metadata: config.Metadata{
			Issuer:                 "https://auth.example.com",
			AuthorizationEndpoint:  "https://auth.example.com/authorize",
			TokenEndpoint:          "https://auth.example.com/token",
			ResponseTypesSupported: []string{"code"},
			GrantTypesSupported:    []string{"authorization_code", "refresh_token"},
		},
	}
	res := cfg.Validate()
	for _, e := range res.Errors {
		fmt.Println("error:", e.Code)
	}
	for _, w := range res.Warnings {
		fmt.Println("warning:", w.Code)
	}
	err := res.Err()
	fmt.Println(errors.Is(err, config.ErrInvalidMetadata))

	cfg.Metadata.CodeChallengeMethodsSupported = []string{"S256"}
	cfg.Metadata.ClientIDMetadataDocumentSupported = true // MCP 2025-11-25 CIMD instead of RFC 7591
	res = cfg.Validate()
	fmt.Println(res.Valid(), len(res.Warnings))
	// Output:
	// error: pkce_not_supported
	// warning: dynamic_registration_not_supported
	// true
	// true 0
}

func ExampleWellKnownURLs() {
	for _, t := range []config.ServerType{config.OAuth, config.OIDC, config.Auto} {
		urls, _ := config.WellKnownURLs("https://auth.example.com/tenant/", t)
		fmt.Printf("%-5s %s\n", map[config.ServerType]string{config.Auto: "auto"}[t]+string(t), strings.Join(urls, "\n      "))
	}
	// Output:
	// oauth https://auth.example.com/.well-known/oauth-authorization-server/tenant
	// oidc  https://auth.example.com/tenant/.well-known/openid-configuration
	// auto  https://auth.example.com/.well-known/oauth-authorization-server/tenant
	//       https://auth.example.com/.well-known/openid-configuration/tenant
	//       https://auth.example.com/tenant/.well-known/openid-configuration
}
