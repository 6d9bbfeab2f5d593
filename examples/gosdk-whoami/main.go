// Command gosdk-whoami is the whoami MCP server on the official MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk), protected by mcp-auth for Go
// through the adapter github.com/mcp-auth/go/mcpauth/gosdk. Its whoami tool
// tells the caller who they are (sub, username, name, email, from the
// access token's claims) and what their token grants; token_info, which
// can be made to need an extra scope, shows step-up authorization.
//
// It is the sibling of examples/whoami (mcp-go): same flags and behaviour,
// streamable HTTP only (the Go SDK's client has no OAuth support for the
// legacy SSE transport), and JWT access tokens only: tokens bound to this
// resource (RFC 8707), checked locally against the provider's keys, which is
// what spec-following MCP clients get.
//
// Usage:
//
//	go run ./examples/gosdk-whoami [-issuer URL] [-addr HOST:PORT] [-resource URL]
//	                               [-scopes "a b"] [-admin-scope SCOPE]
//
// Every flag can also be set with an environment variable: MCP_AUTH_ISSUER,
// MCP_AUTH_ADDR, MCP_AUTH_RESOURCE, MCP_AUTH_SCOPES, MCP_AUTH_ADMIN_SCOPE.
//
// Without -issuer it starts a development OpenID provider in the same
// process (a demo user, dynamic client registration, login and consent
// pages), so the whole flow can be tried with no provider account.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	opts, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts, logger, os.Stdout); err != nil {
		logger.Error("gosdk-whoami stopped", "err", err)
		os.Exit(1)
	}
}

// options are the command line settings.
type options struct {
	issuer     string   // the provider's issuer; "" starts the development issuer
	addr       string   // listen address
	resource   string   // the MCP endpoint's URL as clients use it
	scopes     []string // scopes every MCP request needs
	adminScope string   // scope the token_info tool needs (step-up); "" = no extra scope
}

// parseFlags reads args, with environment variables (through getenv) as
// defaults.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	env := func(name, def string) string {
		if v := getenv("MCP_AUTH_" + name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("gosdk-whoami", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var scopes string
	fs.StringVar(&o.issuer, "issuer", env("ISSUER", ""), "issuer URL of the OpenID/OAuth provider (default: start the development issuer)")
	fs.StringVar(&o.addr, "addr", env("ADDR", "127.0.0.1:3002"), "listen address")
	fs.StringVar(&o.resource, "resource", env("RESOURCE", ""), "resource identifier: the MCP URL clients use (default http://ADDR/mcp)")
	fs.StringVar(&scopes, "scopes", env("SCOPES", ""), "space-separated scopes every MCP request needs")
	fs.StringVar(&o.adminScope, "admin-scope", env("ADMIN_SCOPE", ""), "scope the token_info tool needs on top of -scopes, answered with a 403 step-up challenge (for example whoami:admin)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		fmt.Fprintln(stderr, err)
		return o, err
	}
	o.scopes = strings.Fields(scopes)
	return o, nil
}
