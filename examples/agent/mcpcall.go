package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// callTool connects with mcp-go's client, calls the tool and returns its
// text. On a 403 insufficient_scope answer it authorizes again with the
// union of its scopes and the challenged ones, then retries once.
func callTool(ctx context.Context, cfg agentConfig, a *authorizer) (string, error) {
	text, challenge, err := callOnce(ctx, cfg, a)
	if err == nil || challenge == nil || challenge["error"] != "insufficient_scope" {
		return text, err
	}
	needed := union(a.grantedScopes(), strings.Fields(challenge["scope"]))
	fmt.Fprintf(cfg.out, "the server needs more scopes (%s): signing in again\n", challenge["scope"])
	if err := a.authorize(ctx, needed); err != nil {
		return "", err
	}
	text, _, err = callOnce(ctx, cfg, a)
	return text, err
}

// callOnce runs initialize, tools/list and tools/call. It returns the Bearer
// challenge of a 403 seen on the way, if any.
func callOnce(ctx context.Context, cfg agentConfig, a *authorizer) (string, map[string]string, error) {
	watch := &challengeWatcher{next: http.DefaultTransport}
	httpClient := &http.Client{Transport: watch}
	bearer := func(context.Context) map[string]string {
		return map[string]string{"Authorization": "Bearer " + a.accessToken()}
	}
	var c *client.Client
	var err error
	switch cfg.transport {
	case "sse":
		c, err = client.NewSSEMCPClient(cfg.url, transport.WithHeaderFunc(bearer), transport.WithHTTPClient(httpClient))
	default:
		c, err = client.NewStreamableHttpClient(cfg.url, transport.WithHTTPHeaderFunc(bearer), transport.WithHTTPBasicClient(httpClient))
	}
	if err != nil {
		return "", nil, err
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return "", watch.forbidden(), fmt.Errorf("connect: %w", err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "mcp-auth-agent", Version: "1.0.0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		return "", watch.forbidden(), fmt.Errorf("initialize: %w", err)
	}
	call := mcp.CallToolRequest{}
	call.Params.Name = cfg.tool
	res, err := c.CallTool(ctx, call)
	if err != nil {
		return "", watch.forbidden(), fmt.Errorf("call %s: %w", cfg.tool, err)
	}
	var out strings.Builder
	for _, content := range res.Content {
		if t, ok := content.(mcp.TextContent); ok {
			out.WriteString(t.Text)
		}
	}
	if res.IsError {
		return "", nil, fmt.Errorf("%s failed: %s", cfg.tool, out.String())
	}
	return out.String(), nil, nil
}

// challengeWatcher remembers the Bearer challenge of a 403 answer, which
// mcp-go's client reports only as an error.
type challengeWatcher struct {
	next http.RoundTripper
	mu   sync.Mutex
	last map[string]string
}

func (w *challengeWatcher) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusForbidden {
		if params, perr := parseBearerChallenge(resp.Header.Get("WWW-Authenticate")); perr == nil {
			w.mu.Lock()
			w.last = params
			w.mu.Unlock()
		}
	}
	return resp, err
}

func (w *challengeWatcher) forbidden() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}
