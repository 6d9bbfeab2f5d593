// Command whoami is an MCP server, built on mcp-go, whose whoami tool tells
// the caller who they are: the claims of the access token (or the userinfo
// document) that an OAuth 2.1 / OpenID Connect provider issued for them. It
// is the mcp-auth for Go example: copy it to protect your own MCP server.
//
// Usage:
//
//	go run ./examples/whoami [-issuer URL] [-addr HOST:PORT] [-verifier auto|userinfo|jwt|introspection]
//	                         [-resource URL] [-scopes "a b"] [-client-id ID -client-secret SECRET]
//	                         [-admin-scope SCOPE]
//
// Every flag can also be set with an environment variable: MCP_AUTH_ISSUER,
// MCP_AUTH_ADDR, MCP_AUTH_VERIFIER, MCP_AUTH_RESOURCE, MCP_AUTH_SCOPES,
// MCP_AUTH_CLIENT_ID, MCP_AUTH_CLIENT_SECRET, MCP_AUTH_ADMIN_SCOPE.
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
		logger.Error("whoami stopped", "err", err)
		os.Exit(1)
	}
}

// options are the command line settings.
type options struct {
	issuer       string   // the provider's issuer; "" starts the development issuer
	addr         string   // listen address
	verifier     string   // auto, userinfo, jwt or introspection
	resource     string   // the MCP endpoint's URL as clients use it
	scopes       []string // scopes every MCP request needs
	clientID     string   // introspection client
	clientSecret string
	adminScope   string // scope the token_info tool needs (step-up); "" = no extra scope
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
	fs := flag.NewFlagSet("whoami", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var scopes string
	fs.StringVar(&o.issuer, "issuer", env("ISSUER", ""), "issuer URL of the OpenID/OAuth provider (default: start the development issuer)")
	fs.StringVar(&o.addr, "addr", env("ADDR", "127.0.0.1:3001"), "listen address")
	fs.StringVar(&o.verifier, "verifier", env("VERIFIER", "auto"), "token verifier: auto (JWT locally, opaque tokens at userinfo or introspection), userinfo, jwt or introspection")
	fs.StringVar(&o.resource, "resource", env("RESOURCE", ""), "resource identifier: the MCP URL clients use (default http://ADDR/mcp)")
	fs.StringVar(&scopes, "scopes", env("SCOPES", ""), "space-separated scopes every MCP request needs")
	fs.StringVar(&o.clientID, "client-id", env("CLIENT_ID", ""), "client ID for token introspection")
	fs.StringVar(&o.clientSecret, "client-secret", env("CLIENT_SECRET", ""), "client secret for token introspection")
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
	switch o.verifier {
	case "auto", "userinfo", "jwt", "introspection":
	default:
		err := fmt.Errorf("-verifier must be auto, userinfo, jwt or introspection, not %q", o.verifier)
		fmt.Fprintln(stderr, err)
		return o, err
	}
	if (o.clientID == "") != (o.clientSecret == "") {
		err := fmt.Errorf("-client-id and -client-secret go together")
		fmt.Fprintln(stderr, err)
		return o, err
	}
	return o, nil
}
