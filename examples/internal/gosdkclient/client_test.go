package gosdkclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// fetchCode is the one part of the flow this package decides: it reads the
// login's redirect and refuses anything but a response at the redirect URI.
func TestFetchCode(t *testing.T) {
	const authURL = "http://127.0.0.1:9/authorize?client_id=c&state=s1"
	cases := []struct {
		name     string
		back     string
		loginErr error
		want     *auth.AuthorizationResult
		wantErr  string
	}{
		{"code", DefaultRedirectURL + "?code=c1&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9", nil,
			&auth.AuthorizationResult{Code: "c1", State: "s1", Iss: "http://127.0.0.1:9"}, ""},
		{"error response", DefaultRedirectURL + "?error=access_denied&error_description=no+thanks&state=s1", nil, nil, "access_denied: no thanks"},
		{"another host", "http://127.0.0.1:8080/callback?code=c1&state=s1", nil, nil, "not at the redirect URI"},
		{"another path", "http://127.0.0.1/elsewhere?code=c1&state=s1", nil, nil, "not at the redirect URI"},
		{"login failed", "", errors.New("wrong password"), nil, "login: wrong password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			redirect, _ := url.Parse(DefaultRedirectURL)
			var gotAuthURL string
			c := &Client{redirect: redirect, login: func(_ context.Context, u string) (*url.URL, error) {
				gotAuthURL = u
				if tc.loginErr != nil {
					return nil, tc.loginErr
				}
				return url.Parse(tc.back)
			}}
			res, err := c.fetchCode(t.Context(), &auth.AuthorizationArgs{URL: authURL})
			if gotAuthURL != authURL {
				t.Errorf("login got %q, want %q", gotAuthURL, authURL)
			}
			if urls := c.AuthorizationURLs(); len(urls) != 1 || urls[0].String() != authURL {
				t.Errorf("AuthorizationURLs = %v", urls)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || *res != *tc.want {
				t.Fatalf("fetchCode = %+v, %v; want %+v", res, err, tc.want)
			}
		})
	}
}

func TestConnectNeedsURLAndLogin(t *testing.T) {
	login := func(context.Context, string) (*url.URL, error) { return nil, errors.New("unused") }
	for _, cfg := range []Config{{Login: login}, {URL: "http://127.0.0.1:9/mcp"}} {
		if _, err := Connect(t.Context(), cfg); err == nil {
			t.Errorf("Connect(%+v) succeeded", cfg)
		}
	}
}

// Against a real Go SDK server that needs no authorization: results,
// tool errors, the session id and the request log, with Login never
// called.
func TestClientAgainstOpenServer(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "open", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in struct {
		Say string `json:"say"`
	}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Say}}}, nil, nil
	})
	mcp.AddTool(server, &mcp.Tool{Name: "fail"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return nil, nil, errors.New("it broke")
	})
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	logins := 0
	c, err := Connect(ctx, Config{URL: srv.URL, ProtocolVersion: "2025-11-25", Login: func(context.Context, string) (*url.URL, error) {
		logins++
		return nil, errors.New("no login expected")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if text, err := c.CallTool(ctx, "echo", map[string]any{"say": "hello"}); err != nil || text != "hello" {
		t.Errorf("echo = %q, %v", text, err)
	}
	text, err := c.CallTool(ctx, "fail", nil)
	var te *ToolError
	if !errors.As(err, &te) || te.Tool != "fail" || !strings.Contains(text, "it broke") {
		t.Errorf("fail = %q, %v; want a *ToolError with the tool's text", text, err)
	}
	if c.SessionID() == "" {
		t.Error("no session id under 2025-11-25")
	}
	reqs := c.Requests()
	if len(reqs) == 0 || reqs[0].Method != http.MethodPost || reqs[0].URL != srv.URL || reqs[0].Status != http.StatusOK {
		t.Errorf("requests %+v, want a first POST %s answered 200", reqs, srv.URL)
	}
	if logins != 0 || len(c.AuthorizationURLs()) != 0 {
		t.Errorf("%d logins for a server that needs none", logins)
	}
}
