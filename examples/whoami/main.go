// Command whoami is an MCP server, built on mcp-go, whose whoami tool tells
// the caller who they are (sub, username, name, email) and what their
// access token grants, from a token an OAuth 2.1 / OpenID Connect provider
// issued for this server. It is the mcp-auth for Go example: copy it to
// protect your own MCP server.
//
// Usage:
//
//	go run ./examples/whoami [-issuer URL] [-addr HOST:PORT] [-verifier auto|userinfo|jwt|introspection]
//	                         [-resource URL] [-scopes "a b"] [-client-id ID -client-secret SECRET]
//	                         [-admin-scope SCOPE] [-dev-issuer-addr HOST:PORT] [-dev-state FILE]
//	                         [-redis HOST:PORT] [-cache-ttl D]
//	                         [-read-timeout D] [-write-timeout D] [-idle-timeout D] [-max-header-bytes N]
//
// Every flag can also be set with an environment variable: MCP_AUTH_ISSUER,
// MCP_AUTH_ADDR, MCP_AUTH_VERIFIER, MCP_AUTH_RESOURCE, MCP_AUTH_SCOPES,
// MCP_AUTH_CLIENT_ID, MCP_AUTH_CLIENT_SECRET, MCP_AUTH_ADMIN_SCOPE,
// MCP_AUTH_DEV_ISSUER_ADDR, MCP_AUTH_DEV_STATE, MCP_AUTH_REDIS,
// MCP_AUTH_CACHE_TTL, MCP_AUTH_READ_TIMEOUT, MCP_AUTH_WRITE_TIMEOUT,
// MCP_AUTH_IDLE_TIMEOUT, MCP_AUTH_MAX_HEADER_BYTES.
//
// Without -issuer it starts a development OpenID provider in the same
// process (a demo user, dynamic client registration, login and consent
// pages), so the whole flow can be tried with no provider account. Its
// issuer URL (http://127.0.0.1:3100 by default) and, in a state file, its
// signing key and registered clients survive restarts, so an MCP client's
// saved registration keeps working.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
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

	devIssuerAddr string // listen address of the development issuer
	devState      string // its state file; "" keeps it in memory
	redisAddr     string // shared cache of the replicas; "" for none
	// cacheTTL bounds how long a userinfo or introspection answer is
	// reused, and so how late a revoked token is still accepted; 0 keeps
	// the verifiers' defaults.
	cacheTTL time.Duration

	readTimeout    time.Duration // whole request, body included
	writeTimeout   time.Duration // the response (long-lived streams exempt)
	idleTimeout    time.Duration // keep-alive connections without a request
	maxHeaderBytes int
}

// Defaults of the HTTP server's limits: a slow or idle client holds a
// connection for this long at most, whether or not it is authenticated
// (streams of authenticated clients excepted).
const (
	defaultReadTimeout    = 30 * time.Second
	defaultWriteTimeout   = 30 * time.Second
	defaultIdleTimeout    = 60 * time.Second
	defaultMaxHeaderBytes = 64 << 10
	defaultDevIssuerAddr  = "127.0.0.1:3100"
)

// defaultDevState is where the development issuer keeps its key and
// clients: the user's cache directory, or nowhere when there is none.
func defaultDevState() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "mcpauth-go", "whoami-devissuer.json")
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
	fs.StringVar(&o.devIssuerAddr, "dev-issuer-addr", env("DEV_ISSUER_ADDR", defaultDevIssuerAddr), "listen address of the development issuer (without -issuer)")
	fs.StringVar(&o.redisAddr, "redis", env("REDIS", ""), "Redis address (host:port) that the replicas of this server share, so that each token costs the provider one userinfo or introspection call across them (\"\" keeps results in this process only)")
	fs.StringVar(&o.devState, "dev-state", env("DEV_STATE", defaultDevState()), `file where the development issuer keeps its signing key and registered clients across restarts ("" keeps them in memory)`)
	durations := []struct {
		dst        *time.Duration
		name, envs string
		def        time.Duration
		zeroOK     bool // 0 is a setting of its own, not a mistake
		usage      string
	}{
		{&o.readTimeout, "read-timeout", "READ_TIMEOUT", defaultReadTimeout, false, "longest time to read a request, body included"},
		{&o.writeTimeout, "write-timeout", "WRITE_TIMEOUT", defaultWriteTimeout, false, "longest time to write a response (event streams of authenticated clients excepted)"},
		{&o.idleTimeout, "idle-timeout", "IDLE_TIMEOUT", defaultIdleTimeout, false, "longest time a keep-alive connection may wait for its next request"},
		{&o.cacheTTL, "cache-ttl", "CACHE_TTL", 0, true, "longest time a userinfo or introspection answer is reused (by every replica, with -redis), and so how late a revoked token is still accepted (0: the verifiers' defaults, 5m for introspection, 60s for userinfo)"},
	}
	for _, d := range durations {
		def := d.def
		if v := getenv("MCP_AUTH_" + d.envs); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil || parsed < 0 || parsed == 0 && !d.zeroOK {
				want := "a positive duration"
				if d.zeroOK {
					want = "a duration of zero or more"
				}
				err := fmt.Errorf("MCP_AUTH_%s: %q is not %s", d.envs, v, want)
				fmt.Fprintln(stderr, err)
				return o, err
			}
			def = parsed
		}
		fs.DurationVar(d.dst, d.name, def, d.usage)
	}
	maxHeader := defaultMaxHeaderBytes
	if v := getenv("MCP_AUTH_MAX_HEADER_BYTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			err := fmt.Errorf("MCP_AUTH_MAX_HEADER_BYTES: %q is not a positive number", v)
			fmt.Fprintln(stderr, err)
			return o, err
		}
		maxHeader = n
	}
	fs.IntVar(&o.maxHeaderBytes, "max-header-bytes", maxHeader, "largest request header block accepted, in bytes")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.cacheTTL < 0 {
		err := fmt.Errorf("-cache-ttl must not be negative")
		fmt.Fprintln(stderr, err)
		return o, err
	}
	if o.readTimeout <= 0 || o.writeTimeout <= 0 || o.idleTimeout <= 0 || o.maxHeaderBytes <= 0 {
		err := fmt.Errorf("-read-timeout, -write-timeout, -idle-timeout and -max-header-bytes must be positive")
		fmt.Fprintln(stderr, err)
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
