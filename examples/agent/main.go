// Command agent is a third-party AI agent in miniature: an MCP client that
// starts from nothing but a server URL, discovers how to get a token for it
// (MCP authorization, revision 2025-11-25 and later), sends the user through
// the provider's login and consent, and calls a tool with the token.
//
//	go run ./examples/agent -url http://127.0.0.1:3001/mcp
//
// The steps, each in its own file: probe the server and read its 401
// challenge, fetch the protected resource metadata (RFC 9728) and the
// authorization server's metadata (RFC 8414 / OpenID Connect), register
// (RFC 7591) unless given a client ID, run authorization code + PKCE with the
// RFC 8707 resource parameter through a loopback redirect, then call the
// tool with mcp-go's client. A 403 insufficient_scope answer (step-up) makes
// it authorize again with the union of the scopes it has and the ones the
// server asked for.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	var cfg agentConfig
	var scopes string
	flag.StringVar(&cfg.url, "url", "http://127.0.0.1:3001/mcp", "the MCP server's URL")
	flag.StringVar(&cfg.transport, "transport", "streamable", "streamable (streamable HTTP) or sse (legacy SSE)")
	flag.StringVar(&cfg.clientID, "client-id", "", "a pre-registered client ID (default: register dynamically)")
	flag.StringVar(&cfg.clientSecret, "client-secret", "", "the pre-registered client's secret, if confidential")
	flag.StringVar(&cfg.redirectAddr, "redirect-addr", "127.0.0.1:0", "loopback address that receives the authorization redirect")
	flag.StringVar(&scopes, "scopes", "", "scopes to request besides the ones the server advertises")
	flag.StringVar(&cfg.tool, "tool", "whoami", "the tool to call")
	flag.DurationVar(&cfg.timeout, "timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	cfg.extraScopes = strings.Fields(scopes)
	cfg.out = os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
}

// agentConfig holds the command line.
type agentConfig struct {
	url          string
	transport    string
	clientID     string
	clientSecret string
	redirectAddr string
	extraScopes  []string
	tool         string
	timeout      time.Duration
	out          io.Writer
}

// run performs the whole flow and prints the tool's result.
func run(ctx context.Context, cfg agentConfig) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()

	d, err := discover(ctx, cfg.url)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.out, "resource %s is protected by %s\n", d.resource, d.issuer)

	a, err := newAuthorizer(ctx, cfg, d)
	if err != nil {
		return err
	}
	defer a.close()
	// The MCP scope selection strategy (2025-11-25): the scopes of the
	// challenge, or else everything the resource advertises.
	scopes := d.challengeScopes
	if len(scopes) == 0 {
		scopes = d.scopesSupported
	}
	scopes = union(scopes, cfg.extraScopes)
	if err := a.authorize(ctx, scopes); err != nil {
		return err
	}
	result, err := callTool(ctx, cfg, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.out, "%s result:\n%s\n", cfg.tool, result)
	return nil
}
