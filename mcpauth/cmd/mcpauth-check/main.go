// Command mcpauth-check checks a deployed MCP server's authorization setup
// end to end, the way MCP clients will see it: the 401 and its challenge,
// CORS, the protected resource metadata, and every authorization server it
// names (discovery, issuer, PKCE, registration, keys, endpoints).
//
// Usage:
//
//	go run github.com/mcp-auth/go/mcpauth/cmd/mcpauth-check [-json] [-insecure-http] [-timeout 10s] [-origin URL] URL
//
// URL is an MCP endpoint (such as https://mcp.example.com/mcp) or an
// authorization server's issuer (such as https://tenant.logto.app/oidc);
// which one is told by what it answers. The command prints one line per
// check (PASS, WARN or FAIL, with the fix to apply), or with -json one JSON
// object. It exits with 0 when no check failed (warnings allowed), 1 when
// one did, and 2 on a usage error. It never sends credentials.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mcp-auth/go/internal/check"
	"github.com/mcp-auth/go/internal/fetch"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command, with its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcpauth-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: mcpauth-check [-json] [-insecure-http] [-timeout D] [-origin URL] URL\n\n"+
			"Checks the authorization setup of an MCP endpoint (and of the authorization servers its\n"+
			"metadata names), or of an authorization server given by its issuer URL.\n"+
			"Exit status: 0 nothing failed (warnings allowed), 1 a check failed, 2 usage error.\n\n")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print the report as JSON")
	insecure := fs.Bool("insecure-http", false, "allow plain http to hosts that are not loopback ones (reported as warnings)")
	timeout := fs.Duration("timeout", fetch.DefaultTimeout, "timeout of each request")
	origin := fs.String("origin", check.DefaultOrigin, "Origin header of the CORS checks")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return check.ExitOK
		}
		return check.ExitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "mcpauth-check: give exactly one URL (an MCP endpoint or an issuer)")
		fs.Usage()
		return check.ExitUsage
	}
	if *timeout <= 0 || *timeout > 10*time.Minute {
		fmt.Fprintln(stderr, "mcpauth-check: -timeout must be positive and at most 10m")
		return check.ExitUsage
	}
	report, err := check.Run(ctx, fs.Arg(0), check.Options{Timeout: *timeout, InsecureHTTP: *insecure, Origin: *origin})
	if err != nil {
		fmt.Fprintln(stderr, "mcpauth-check:", err)
		return check.ExitUsage
	}
	if *asJSON {
		err = report.WriteJSON(stdout)
	} else {
		err = report.WriteTable(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "mcpauth-check: writing the report:", err)
		return check.ExitFailed
	}
	return report.ExitCode()
}
