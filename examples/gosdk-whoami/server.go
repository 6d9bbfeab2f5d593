package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/mcpauth"
	"github.com/mcp-auth/go/mcpauth/gosdk"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
	"github.com/mcp-auth/go/metadata"
)

// identityScopes are the scopes under which a provider releases the
// profile and email claims; clients are asked for them so that the whoami
// tool has something to show.
var identityScopes = []string{"openid", "profile", "email"}

// app is a running gosdk-whoami server.
type app struct {
	origin     string // http://host:port
	resource   string // the MCP endpoint's resource identifier
	issuer     string
	dev        *devissuer.Issuer // nil with an external provider
	httpServer *http.Server
	closers    []func() error
	served     chan error
}

// run starts the server, prints where it is, and serves until ctx ends.
func run(ctx context.Context, o options, logger *slog.Logger, stdout io.Writer) error {
	a, err := start(ctx, o, logger)
	if err != nil {
		return err
	}
	a.printWelcome(stdout)
	select {
	case <-ctx.Done():
	case err := <-a.served:
		return err
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.shutdown(shutdownCtx)
}

// start listens, discovers the provider, wires mcp-auth around the Go SDK's
// streamable HTTP handler and serves in the background.
func start(ctx context.Context, o options, logger *slog.Logger) (_ *app, err error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	a := &app{origin: "http://" + ln.Addr().String(), served: make(chan error, 1)}
	defer func() {
		if err != nil {
			ln.Close()
			a.closeAll()
		}
	}()
	a.resource = o.resource
	if a.resource == "" {
		a.resource = a.origin + "/mcp"
	}
	// basic: what every request needs plus the identity scopes, asked for
	// in the 401 challenge; the admin scope only in the metadata and in
	// the step-up 403.
	basic := appendNew(slices.Clone(o.scopes), identityScopes...)
	advertised := appendNew(slices.Clone(basic), o.adminScope)

	a.issuer = o.issuer
	if a.issuer == "" {
		if a.dev, err = devissuer.Start(ctx, devissuer.Config{Scopes: appendNew(slices.Clone(o.scopes), o.adminScope), Logger: logger}); err != nil {
			return nil, fmt.Errorf("start the development issuer: %w", err)
		}
		a.closers = append(a.closers, a.dev.Close)
		a.issuer = a.dev.URL()
	}

	as, err := mcpauth.FetchServerConfig(ctx, a.issuer, config.Auto)
	if err != nil {
		return nil, fmt.Errorf("cannot discover the authorization server %s (check -issuer: it must be the provider's issuer URL, such as https://<tenant>.logto.app/oidc, and reachable from here): %w", a.issuer, err)
	}
	auth, err := mcpauth.New(mcpauth.Config{
		Logger: logger,
		ProtectedResources: []mcpauth.ResourceConfig{{
			Resource:             a.resource,
			AuthorizationServers: []*mcpauth.ServerConfig{as},
			ScopesSupported:      advertised,
			Document:             metadata.ProtectedResource{ResourceName: "whoami (Go SDK)"},
		}},
	})
	if err != nil {
		return nil, err
	}
	jwt, err := auth.JWTVerifier()
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, jwt.Close)
	// Complete the identity of tokens that do not carry it, at the
	// provider's userinfo endpoint.
	sources, err := auth.UserinfoIdentity(bearer.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	authn, err := auth.Authenticator(jwt,
		bearer.WithRequiredScopes(o.scopes...), bearer.WithChallengeScopes(basic...), bearer.WithLogger(logger),
		bearer.WithIdentity(sources...), bearer.WithShowErrorDetails(true))
	if err != nil {
		return nil, err
	}
	gate, err := toolGate(authn, o.adminScope)
	if err != nil {
		return nil, err
	}

	server := newMCPServer()
	streamable := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Logger: logger})

	mux := http.NewServeMux()
	// The protected resource metadata (and the authorization server
	// metadata mirror), beside the MCP endpoint and never behind auth:
	// clients fetch it before they have a token.
	auth.Register(mux)
	// CORS outermost, so that browsers can read refusals too; then
	// mcp-auth's bearer check, which answers every refusal and hands the
	// caller to the SDK in req.Extra.TokenInfo; then the per-tool step-up
	// gate; then the SDK. The SDK binds sessions to TokenInfo.UserID (the
	// subject) itself.
	mcpHandler := mcphttp.CORS("*")(gosdk.Middleware(authn)(gate(streamable)))
	// Both spellings, never a redirect: clients do not follow one for a
	// POST.
	mux.Handle("/mcp", mcpHandler)
	mux.Handle("/mcp/", mcpHandler)

	a.httpServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := a.httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.served <- err
		}
		close(a.served)
	}()
	logger.Info("gosdk-whoami serving", "issuer", a.issuer, "resource", a.resource,
		"metadata", a.origin+"/.well-known/oauth-protected-resource/mcp", "development_issuer", a.dev != nil)
	return a, nil
}

// toolGate returns the per-tool step-up gate: token_info needs adminScope
// on top of the scopes every request needs. Without an admin scope no tool
// needs more than those, and the gate, which parses every request body, is
// left out.
func toolGate(authz mcphttp.Authorizer, adminScope string) (func(http.Handler) http.Handler, error) {
	if adminScope == "" {
		return func(next http.Handler) http.Handler { return next }, nil
	}
	return mcphttp.NewScopeGate(mcphttp.ToolScopes{Tools: map[string][]string{"token_info": {adminScope}}}, authz)
}

// appendNew appends the non-empty values not yet in list.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// shutdown stops serving, then closes the verifier and the development
// issuer.
func (a *app) shutdown(ctx context.Context) error {
	var errs []error
	if err := a.httpServer.Shutdown(ctx); err != nil {
		errs = append(errs, err, a.httpServer.Close())
	}
	errs = append(errs, a.closeAll())
	return errors.Join(errs...)
}

// closeAll closes what start opened, last first.
func (a *app) closeAll() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

func (a *app) printWelcome(w io.Writer) {
	fmt.Fprintf(w, "whoami MCP server (official Go SDK)\n  streamable HTTP: %s\n  metadata:        %s/.well-known/oauth-protected-resource/mcp\n  issuer:          %s\n",
		a.resource, a.origin, a.issuer)
	if a.dev != nil {
		fmt.Fprintf(w, "\nDevelopment issuer running in this process (for trying things out only).\n"+
			"Point an MCP client at %s, for example:\n"+
			"  npx @modelcontextprotocol/inspector   (Streamable HTTP, URL above, Auth Settings -> Quick OAuth Flow)\n"+
			"Log in as demo / demo, approve the consent page, then call the whoami tool.\n",
			a.resource)
	}
}
