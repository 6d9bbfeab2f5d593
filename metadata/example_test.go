package metadata_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/metadata"
)

func ExampleNewProtectedResourceHandler() {
	prm, err := metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{{
		Resource:               "https://mcp.example.com/mcp",
		AuthorizationServers:   []string{"https://auth.example.com"},
		ScopesSupported:        []string{"mcp:read", "mcp:write"},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Example MCP server",
	}})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	prm.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/.well-known/oauth-protected-resource/mcp")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	fmt.Println(out.String())
	// Output:
	// 200 OK application/json
	// {
	//   "resource": "https://mcp.example.com/mcp",
	//   "authorization_servers": [
	//     "https://auth.example.com"
	//   ],
	//   "scopes_supported": [
	//     "mcp:read",
	//     "mcp:write"
	//   ],
	//   "bearer_methods_supported": [
	//     "header"
	//   ],
	//   "resource_name": "Example MCP server"
	// }
}

func ExampleURL() {
	for _, resource := range []string{
		"https://mcp.example.com/mcp",
		"https://mcp.example.com/",
		"https://mcp.example.com:8443/tenants/a/mcp/?v=2",
		"http://127.0.0.1:8080/mcp",
		"https://mcp.example.com/mcp#fragment",
	} {
		u, err := metadata.URL(resource)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// https://mcp.example.com/.well-known/oauth-protected-resource/mcp
	// https://mcp.example.com/.well-known/oauth-protected-resource
	// https://mcp.example.com:8443/.well-known/oauth-protected-resource/tenants/a/mcp?v=2
	// http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp
	// error: metadata: resource "https://mcp.example.com/mcp#fragment": must not have a fragment
}

func ExampleProtectedResource_Validate() {
	doc := metadata.ProtectedResource{
		Resource:             "http://mcp.example.com/mcp",
		AuthorizationServers: []string{"https://auth.example.com"},
		ScopesSupported:      []string{"mcp:read", "offline_access"},
	}
	fmt.Println(doc.Validate())
	// Output:
	// metadata: resource "http://mcp.example.com/mcp": must use https (http is allowed only for loopback hosts)
	// metadata: scopes_supported "offline_access": should not be listed (MCP 2026-07-28); use SkipOfflineAccessCheck to allow it
}

func ExampleNewAuthorizationServerHandler() {
	// In practice m comes from config's discovery of the provider.
	m := &config.Metadata{
		Issuer:                        "https://auth.example.com",
		AuthorizationEndpoint:         "https://auth.example.com/authorize",
		TokenEndpoint:                 "https://auth.example.com/token",
		ResponseTypesSupported:        []string{"code"},
		CodeChallengeMethodsSupported: []string{"S256"},
	}
	asm, err := metadata.NewAuthorizationServerHandler(m)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	asm.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A 2025-03-26 client looks at the MCP server's origin.
	resp, err := http.Get(srv.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var doc config.Metadata
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, resp.Header.Get("Access-Control-Allow-Origin"))
	fmt.Println(doc.Issuer)
	fmt.Println(doc.TokenEndpoint)
	fmt.Println(doc.CodeChallengeMethodsSupported)
	// Output:
	// 200 OK *
	// https://auth.example.com
	// https://auth.example.com/token
	// [S256]
}
