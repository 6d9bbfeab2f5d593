package main

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	env := map[string]string{"MCP_AUTH_ISSUER": "https://env.example/oidc", "MCP_AUTH_SCOPES": "a b"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		args    []string
		want    options
		wantErr string
	}{
		{"defaults and environment", nil, options{issuer: "https://env.example/oidc", addr: "127.0.0.1:3002", scopes: []string{"a", "b"}}, ""},
		{"flags beat the environment", []string{"-issuer", "https://flag.example", "-scopes", "", "-admin-scope", "x:admin", "-resource", "https://mcp.example/mcp", "-addr", "127.0.0.1:0"},
			options{issuer: "https://flag.example", addr: "127.0.0.1:0", resource: "https://mcp.example/mcp", scopes: []string{}, adminScope: "x:admin"}, ""},
		{"unknown flag", []string{"-verifier", "jwt"}, options{}, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, options{}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			got, err := parseFlags(tt.args, getenv, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.scopes == nil {
				got.scopes = []string{}
			}
			if tt.want.scopes == nil {
				tt.want.scopes = []string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A provider that cannot be discovered stops the server at start with an
// error that says what to fix.
func TestStartExplainsDiscoveryFailure(t *testing.T) {
	_, err := start(context.Background(), options{addr: "127.0.0.1:0", issuer: "http://127.0.0.1:1/oidc"}, quietLogger())
	if err == nil || !strings.Contains(err.Error(), "check -issuer") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}

// -scopes become required scopes: a token without them is refused with
// mcp-auth's 403 (the Go SDK client then asks for them), and the welcome
// text names the endpoint.
func TestRequiredScopes(t *testing.T) {
	const read = "whoami:read"
	iss := startIssuer(t, read)
	a := startWhoami(t, options{issuer: iss.URL(), scopes: []string{read}})
	resp := rawPost(t, a.resource, getToken(t, iss, alice, a.resource), "", initializeRequest)
	if resp.status != http.StatusForbidden || !strings.Contains(resp.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Fatalf("token without %s: %d %q, want 403 insufficient_scope", read, resp.status, resp.header.Get("WWW-Authenticate"))
	}
	c := connectSDK(t, a, iss, alice, "")
	var got identity
	decode(t, callTool(t, c, "whoami"), &got)
	if got.Sub != alice.ID || !slices.Contains(got.Grant.Scopes, read) {
		t.Errorf("whoami %+v, want alice with %s", got, read)
	}
	var welcome strings.Builder
	a.printWelcome(&welcome)
	if !strings.Contains(welcome.String(), a.resource) {
		t.Errorf("welcome text lacks %s:\n%s", a.resource, welcome.String())
	}
}
