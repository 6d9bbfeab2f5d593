package devissuer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Config configures a development issuer. The zero value works: a loopback
// issuer on a free port with the demo user.
type Config struct {
	// Addr is the listen address for Start; "" means "127.0.0.1:0" (a free
	// loopback port). NewHandler ignores it.
	Addr string
	// Issuer is the issuer identifier, which must be exactly the URL clients
	// use (RFC 8414 section 3.3). Start defaults it to "http://<bound addr>";
	// NewHandler requires it. It must be an http or https URL without path,
	// query or fragment. Plain http is accepted because this is a
	// development issuer (zitadel's op.WithAllowInsecure).
	Issuer string
	// Users are the accounts that can sign in; empty means DemoUser only.
	Users []User
	// Scopes are granted when requested, besides openid, profile, email
	// and offline_access (e.g. "whoami:read", "whoami:admin"). Other
	// requested scopes are dropped from the grant.
	Scopes []string
	// AutoApprove skips the login and consent pages: every authorization
	// request is signed in as the first user and approved. For tests only.
	// PKCE (S256) is still required.
	AutoApprove bool
	// Logger receives the issuer's own events (never tokens or secrets); nil
	// discards them. zitadel/oidc logs through slog.Default.
	Logger *slog.Logger
	// StateFile, when set, is where the issuer keeps its signing key and
	// the clients that registered dynamically, so that a restart keeps them:
	// an MCP client's saved registration keeps working and tokens issued
	// before stay verifiable. A file written for another issuer URL is
	// ignored (and replaced). Empty keeps everything in memory.
	StateFile string
}

// Issuer is a running development OpenID provider. Its methods are safe for
// concurrent use.
type Issuer struct {
	issuer      string
	stateFile   string // "": in memory only
	logger      *slog.Logger
	users       *userStore
	storage     *storage
	provider    *op.Provider
	handler     http.Handler
	autoApprove bool

	server    *http.Server // nil for NewHandler
	serveDone chan struct{}
	stopWatch func() bool
	closeOnce sync.Once
	closeErr  error
}

// NewHandler builds an issuer without listening, for mounting on a server of
// the caller's, which must serve it at the root of cfg.Issuer (required
// here). Close on the returned Issuer does nothing and returns nil.
func NewHandler(cfg Config) (http.Handler, *Issuer, error) {
	if cfg.Issuer == "" {
		return nil, nil, errors.New("devissuer: NewHandler needs Config.Issuer")
	}
	i, err := newIssuer(cfg, cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	return i.handler, i, nil
}

// Start listens on cfg.Addr and serves the issuer in a goroutine until Close
// is called or ctx is cancelled. ctx also bounds the listen call.
func Start(ctx context.Context, cfg Config) (*Issuer, error) {
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devissuer: listen: %w", err)
	}
	issuer := cfg.Issuer
	if issuer == "" {
		issuer = "http://" + ln.Addr().String()
	}
	i, err := newIssuer(cfg, issuer)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	i.server = &http.Server{
		Handler:           i.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(i.logger.Handler(), slog.LevelDebug),
	}
	i.serveDone = make(chan struct{})
	go func() {
		defer close(i.serveDone)
		if err := i.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			i.logger.Error("devissuer: serve", "error", err)
		}
	}()
	// The watcher calls shutdown, not Close, so that it never reads
	// stopWatch while this assignment may still be running.
	i.stopWatch = context.AfterFunc(ctx, func() { _ = i.shutdown() })
	i.logger.Info("devissuer: listening", "issuer", issuer)
	return i, nil
}

func newIssuer(cfg Config, issuer string) (*Issuer, error) {
	if err := checkIssuerURL(issuer); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	users, err := newUserStore(cfg.Users)
	if err != nil {
		return nil, err
	}
	scopes, err := newScopePolicy(cfg.Scopes)
	if err != nil {
		return nil, err
	}
	saved, err := loadState(cfg.StateFile, issuer)
	if cfg.StateFile == "" {
		saved, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	var key *signingKey
	if saved != nil {
		key, err = saved.signingKey()
	} else {
		key, err = newSigningKey()
	}
	if err != nil {
		return nil, err
	}
	st := newStorage(issuer, users, scopes, key)
	if saved != nil {
		for _, c := range saved.clientsOf() {
			c.dynamic = true
			if err := st.addClient(c); err != nil {
				return nil, err
			}
		}
	}
	if cfg.StateFile != "" {
		if err := st.saveState(cfg.StateFile); err != nil {
			return nil, err
		}
	}

	opCfg := &op.Config{
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       scopes.supported,
	}
	_, _ = rand.Read(opCfg.CryptoKey[:]) // encrypts opaque access tokens
	provider, err := op.NewProvider(opCfg, st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	i := &Issuer{
		issuer:      issuer,
		stateFile:   cfg.StateFile,
		logger:      logger,
		users:       users,
		storage:     st,
		provider:    provider,
		autoApprove: cfg.AutoApprove,
	}
	doc, err := buildDiscovery(issuer, provider, st)
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	disc := discoveryHandler(doc)
	mux.Handle(oidcDiscoveryPath, disc)
	mux.Handle(oauthMetadataPath, disc)
	mux.HandleFunc(registrationPath, i.handleRegister)
	mux.HandleFunc(loginPath, i.handleLogin)
	mux.Handle(consentPath, i.withIssParam(http.HandlerFunc(i.handleConsent)))
	mux.Handle(authorizePath, i.withIssParam(i.authorizePrecheck(provider)))
	mux.Handle(authorizeCallback, i.withIssParam(provider))
	mux.Handle(tokenPath, i.tokenPrecheck(provider))
	mux.Handle(userinfoPath, userinfoChallenge(provider))
	for _, p := range []string{introspectionPath, revocationPath, keysPath, endSessionPath, healthPath, readinessPath} {
		mux.Handle(p, provider)
	}
	i.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		mux.ServeHTTP(w, r)
	})
	return i, nil
}

func checkIssuerURL(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("devissuer: issuer %q must be an http(s) URL with a host and no path, query or fragment", issuer)
	}
	if u.Path == "/" {
		return fmt.Errorf("devissuer: issuer %q must not end with a slash", issuer)
	}
	return nil
}

// URL returns the issuer identifier, e.g. "http://127.0.0.1:41234".
func (i *Issuer) URL() string { return i.issuer }

// Handler returns the issuer's HTTP handler (what Start serves).
func (i *Issuer) Handler() http.Handler { return i.handler }

// RegisterClient pre-registers a client, like a third-party application made
// in a provider's console or a resource server that calls introspection. It
// fails on an invalid or duplicate client ID. A client with a Secret may
// call introspection; one with RedirectURIs may use the authorization code
// flow (with the refresh_token grant).
func (i *Issuer) RegisterClient(c Client) error {
	cl, err := newClientFromConfig(c, time.Now())
	if err != nil {
		return err
	}
	return i.storage.addClient(cl)
}

// Close stops the server: it stops accepting connections, lets requests in
// flight finish (for at most 5 seconds, then closes them) and waits until
// the serving goroutine has returned. It is safe to call more than once;
// later calls return the first result.
func (i *Issuer) Close() error {
	if i.stopWatch != nil {
		i.stopWatch()
	}
	return i.shutdown()
}

// shutdown stops the server once; later calls wait for and return the first
// result.
func (i *Issuer) shutdown() error {
	i.closeOnce.Do(func() {
		if i.server == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := i.server.Shutdown(ctx); err != nil {
			i.closeErr = i.server.Close()
		}
		<-i.serveDone
	})
	return i.closeErr
}

// userinfoChallenge makes the userinfo endpoint answer a rejected token as
// RFC 6750 section 3.1 says: 401 with WWW-Authenticate, error invalid_token.
// zitadel/oidc answers 401 without the header, or 403 when the storage
// rejects a well-formed token (expired or revoked).
func userinfoChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&challengeWriter{ResponseWriter: w}, r)
	})
}

type challengeWriter struct {
	http.ResponseWriter
	swallow     bool
	wroteHeader bool
}

func (w *challengeWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		w.swallow = true
		h := w.Header()
		h.Del("Content-Length")
		h.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="the access token is invalid or expired"`)
		writeOAuthError(w.ResponseWriter, http.StatusUnauthorized, "invalid_token", "the access token is invalid or expired")
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *challengeWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *challengeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
