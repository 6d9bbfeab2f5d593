package main

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	env := map[string]string{"MCP_AUTH_ISSUER": "https://env.example/oidc", "MCP_AUTH_SCOPES": "a b", "MCP_AUTH_DEV_STATE": "/tmp/s.json"}
	getenv := func(k string) string { return env[k] }
	defaults := func(o options) options {
		o.devIssuerAddr, o.devState = defaultDevIssuerAddr, "/tmp/s.json"
		o.readTimeout, o.writeTimeout, o.idleTimeout = defaultReadTimeout, defaultWriteTimeout, defaultIdleTimeout
		o.maxHeaderBytes = defaultMaxHeaderBytes
		return o
	}
	tests := []struct {
		name    string
		args    []string
		want    options
		wantErr string
	}{
		{"defaults and environment", nil, defaults(options{issuer: "https://env.example/oidc", addr: "127.0.0.1:3001", verifier: "auto", scopes: []string{"a", "b"}}), ""},
		{"flags beat the environment", []string{"-issuer", "https://flag.example", "-scopes", "", "-verifier", "jwt", "-admin-scope", "x:admin"},
			defaults(options{issuer: "https://flag.example", addr: "127.0.0.1:3001", verifier: "jwt", scopes: []string{}, adminScope: "x:admin"}), ""},
		{"server limits", []string{"-read-timeout", "5s", "-write-timeout", "6s", "-idle-timeout", "7s", "-max-header-bytes", "8192", "-dev-state", ""},
			func() options {
				o := defaults(options{issuer: "https://env.example/oidc", addr: "127.0.0.1:3001", verifier: "auto", scopes: []string{"a", "b"}})
				o.readTimeout, o.writeTimeout, o.idleTimeout, o.maxHeaderBytes, o.devState = 5*time.Second, 6*time.Second, 7*time.Second, 8192, ""
				return o
			}(), ""},
		{"cache time", []string{"-cache-ttl", "2s"},
			func() options {
				o := defaults(options{issuer: "https://env.example/oidc", addr: "127.0.0.1:3001", verifier: "auto", scopes: []string{"a", "b"}})
				o.cacheTTL = 2 * time.Second
				return o
			}(), ""},
		{"negative cache time", []string{"-cache-ttl", "-1s"}, options{}, "-cache-ttl must not be negative"},
		{"zero timeout", []string{"-idle-timeout", "0s"}, options{}, "must be positive"},
		{"unknown verifier", []string{"-verifier", "magic"}, options{}, "-verifier must be"},
		{"secret without id", []string{"-client-secret", "s"}, options{}, "go together"},
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
	_, err := start(context.Background(), testOptions(options{issuer: "http://127.0.0.1:1/oidc"}), quietLogger())
	if err == nil || !strings.Contains(err.Error(), "check -issuer") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}

func TestUserinfoCannotCheckScopes(t *testing.T) {
	_, err := start(context.Background(), testOptions(options{verifier: "userinfo", scopes: []string{"a"}}), quietLogger())
	if err == nil || !strings.Contains(err.Error(), "userinfo") {
		t.Fatalf("err = %v", err)
	}
}

// run prints what to do next and stops cleanly when its context ends.
func TestRunPrintsWelcomeAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, testOptions(options{}), quietLogger(), pw)
		pw.Close()
	}()
	buf := make([]byte, 4096)
	n, _ := io.ReadAtLeast(pr, buf, 200)
	out := string(buf[:n])
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	for _, want := range []string{"streamable HTTP: http://127.0.0.1:", "/mcp", "issuer:"} {
		if !strings.Contains(out, want) {
			t.Errorf("welcome lacks %q:\n%s", want, out)
		}
	}
}
