package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/redis/go-redis/v9"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/mcpauth"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
	"github.com/mcp-auth/go/mcpauth/rediscache"
)

// app is a running whoami server.
type app struct {
	origin      string // http://host:port
	resource    string // the streamable HTTP endpoint's resource identifier
	sseResource string // the legacy SSE endpoint's
	issuer      string
	verifier    string
	dev         *devissuer.Issuer // nil with an external provider
	httpServer  *http.Server
	sse         *server.SSEServer
	closers     []func() error
	stats       []func() bearer.ProviderStats // of the verifiers that call the provider per token
	served      chan error
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

// identityScopes are the OpenID Connect scopes that let the provider say
// who the caller is: in the access token (the development issuer, Logto
// with a custom JWT claims script) or at userinfo. The whoami tool's promise
// (sub, username, name, email) rests on them.
var identityScopes = []string{"openid", "profile", "email"}

// start listens, discovers the provider, wires mcp-auth and serves in the
// background.
func start(ctx context.Context, o options, logger *slog.Logger) (_ *app, err error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	a := &app{origin: "http://" + ln.Addr().String(), verifier: o.verifier, served: make(chan error, 1)}
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
	a.sseResource = a.origin + "/sse"

	if o.verifier == "userinfo" && len(o.scopes) > 0 {
		return nil, errors.New("-scopes cannot be checked with -verifier userinfo: userinfo does not report a token's scopes (use jwt, introspection or auto)")
	}
	// Ask clients for the identity scopes in the challenge and the
	// metadata, beside the scopes every request needs.
	basic := appendNew(slices.Clone(o.scopes), identityScopes...)
	advertised := appendNew(slices.Clone(basic), o.adminScope)

	a.issuer = o.issuer
	if a.issuer == "" {
		addr := o.devIssuerAddr
		if addr == "" {
			addr = defaultDevIssuerAddr
		}
		a.dev, err = devissuer.Start(ctx, devissuer.Config{
			Addr: addr, Scopes: appendNew(slices.Clone(o.scopes), o.adminScope), Logger: logger, StateFile: o.devState,
		})
		if err != nil {
			return nil, fmt.Errorf("start the development issuer on %s (change it with -dev-issuer-addr): %w", addr, err)
		}
		a.closers = append(a.closers, a.dev.Close)
		a.issuer = a.dev.URL()
		if o.clientID == "" && o.verifier == "introspection" {
			// Play the provider's console: register this server as a
			// confidential client that may introspect tokens.
			o.clientID, o.clientSecret = "whoami-resource-server", rand.Text()
			if err := a.dev.RegisterClient(devissuer.Client{ID: o.clientID, Secret: o.clientSecret, Name: "whoami"}); err != nil {
				return nil, err
			}
		}
	}

	as, err := mcpauth.FetchServerConfig(ctx, a.issuer, config.Auto)
	if err != nil {
		return nil, fmt.Errorf("cannot discover the authorization server %s (check -issuer: it must be the provider's issuer URL, such as https://<tenant>.logto.app/oidc, and reachable from here): %w", a.issuer, err)
	}
	auth, err := mcpauth.New(mcpauth.Config{
		Logger: logger,
		ProtectedResources: []mcpauth.ResourceConfig{
			{Resource: a.resource, AuthorizationServers: []*mcpauth.ServerConfig{as}, ScopesSupported: advertised,
				Document: docWithName("whoami (streamable HTTP)")},
			{Resource: a.sseResource, AuthorizationServers: []*mcpauth.ServerConfig{as}, ScopesSupported: advertised,
				Document: docWithName("whoami (legacy SSE)")},
		},
	})
	if err != nil {
		return nil, err
	}
	// With -redis, the replicas of this server share what they learn from
	// the provider per token: verifications and completed identities.
	var shared bearer.SharedCache
	if o.redisAddr != "" {
		client := redis.NewClient(&redis.Options{Addr: o.redisAddr})
		a.closers = append(a.closers, client.Close)
		shared = rediscache.New(client)
	}
	v, err := newVerifier(auth, o, logger, shared, func(c func() error) { a.closers = append(a.closers, c) },
		func(s func() bearer.ProviderStats) { a.stats = append(a.stats, s) })
	if err != nil {
		return nil, err
	}
	common := []bearer.Option{
		bearer.WithRequiredScopes(o.scopes...), bearer.WithChallengeScopes(basic...), bearer.WithLogger(logger),
		// Refusals say why and what to change (never the token): this is
		// an example people try new clients against.
		bearer.WithShowErrorDetails(true),
	}
	if shared != nil {
		common = append(common, bearer.WithSharedCache(shared))
	}
	if o.verifier == "userinfo" {
		common = append(common, bearer.InsecureAcceptUnboundTokens())
	} else {
		// Complete the identity of tokens that do not carry it, at the
		// provider's userinfo endpoint (providers that refuse
		// resource-bound tokens there answer without claims, once per
		// token).
		sources, err := auth.UserinfoIdentity(bearer.WithLogger(logger))
		if err != nil {
			return nil, err
		}
		common = append(common, bearer.WithIdentity(sources...))
	}

	mcpServer := newMCPServer(o.adminScope)
	mux := http.NewServeMux()
	auth.Register(mux)
	// CORS comes first so that browsers can read refusals too.
	cors := mcphttp.CORS("*")

	// Streamable HTTP at /mcp: bearer auth, then the session binding, then
	// the per-tool scope gate, then mcp-go.
	mcpAuth, err := auth.ResourceAuthenticator(a.resource, v, common...)
	if err != nil {
		return nil, err
	}
	gate, err := toolGate(mcpAuth, o.adminScope)
	if err != nil {
		return nil, err
	}
	binding, err := mcphttp.NewSessionBinding(mcpAuth)
	if err != nil {
		return nil, err
	}
	streamable := server.NewStreamableHTTPServer(mcpServer)
	mcpHandler := cors(mcpAuth.Handler(binding.Handler(streamsUnbounded(gate(streamable)))))
	// Both spellings, never a redirect: clients do not follow one for a
	// POST (SPEC-CHECKLIST RS-31).
	mux.Handle("/mcp", mcpHandler)
	mux.Handle("/mcp/", mcpHandler)

	// The legacy SSE transport (MCP 2024-11-05): GET /sse opens the stream,
	// POST /message carries the requests; both belong to the /sse resource,
	// and one session binding covers both, so that another user who learns
	// a sessionId can neither post into the session nor answer for it.
	sseAuth, err := auth.ResourceAuthenticator(a.sseResource, v, common...)
	if err != nil {
		return nil, err
	}
	sseGate, err := toolGate(sseAuth, o.adminScope)
	if err != nil {
		return nil, err
	}
	sseBinding, err := mcphttp.NewSessionBinding(sseAuth)
	if err != nil {
		return nil, err
	}
	a.sse = server.NewSSEServer(mcpServer, server.WithBaseURL(a.origin))
	mux.Handle("/sse", cors(sseAuth.Handler(sseBinding.Handler(streamsUnbounded(a.sse.SSEHandler())))))
	mux.Handle("/message", cors(sseAuth.Handler(sseBinding.Handler(sseGate(a.sse.MessageHandler())))))

	a.httpServer = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       o.readTimeout,
		WriteTimeout:      o.writeTimeout,
		IdleTimeout:       o.idleTimeout,
		MaxHeaderBytes:    o.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := a.httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.served <- err
		}
		close(a.served)
	}()
	logger.Info("whoami serving", "issuer", a.issuer, "verifier", o.verifier, "resource", a.resource,
		"metadata", a.origin+"/.well-known/oauth-protected-resource/mcp", "development_issuer", a.dev != nil)
	return a, nil
}

// streamsUnbounded lifts the server's read and write deadlines for the
// event streams (GET on /mcp and /sse), which last as long as the client
// listens; every other request keeps them. It sits behind the bearer
// middleware, so only authenticated clients hold a stream open.
func streamsUnbounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
		}
		next.ServeHTTP(w, r)
	})
}

// toolGate returns the per-tool step-up gate: token_info needs adminScope
// on top of the scopes every request needs (the authenticator's required
// scopes). Without an admin scope no tool needs more than those, and the
// gate, which parses every request body, is left out.
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

// shutdown stops serving (ending open SSE streams), then closes the
// verifier and the development issuer.
func (a *app) shutdown(ctx context.Context) error {
	var errs []error
	if a.sse != nil {
		errs = append(errs, a.sse.Shutdown(ctx))
	}
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
	fmt.Fprintf(w, "whoami MCP server\n  streamable HTTP: %s\n  legacy SSE:      %s\n  metadata:        %s/.well-known/oauth-protected-resource/mcp\n  issuer:          %s\n  verifier:        %s\n",
		a.resource, a.sseResource, a.origin, a.issuer, a.verifier)
	if a.verifier == "userinfo" {
		fmt.Fprintf(w, "\nWARNING: -verifier userinfo accepts any token the provider accepts at userinfo,\n"+
			"including one issued to another application for another API: it cannot tell\n"+
			"whether a token was issued for this server (MCP requires that it be).\n"+
			"Use the default (-verifier auto: JWT access tokens bound to %s) in production.\n", a.resource)
	}
	if a.dev != nil {
		fmt.Fprintf(w, "\nDevelopment issuer running in this process (for trying things out only).\n"+
			"Point an MCP client at %s, for example:\n"+
			"  npx @modelcontextprotocol/inspector   (Streamable HTTP, URL above, Auth Settings -> Quick OAuth Flow)\n"+
			"  go run ./examples/agent -url %s\n"+
			"Log in as demo / demo, approve the consent page, then call the whoami tool.\n",
			a.resource, a.resource)
	}
}
