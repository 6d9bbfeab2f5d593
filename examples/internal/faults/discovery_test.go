package faults

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/examples/internal/devissuer"
)

// startIssuerBehindProxy serves a development issuer whose issuer
// identifier is the proxy's URL, so that config.Fetch and config.NewLazy,
// which derive the well-known URLs from the issuer, go through the proxy.
func startIssuerBehindProxy(t *testing.T) (*Proxy, *httptest.Server) {
	t.Helper()
	var h atomic.Pointer[http.Handler]
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hp := h.Load(); hp != nil {
			(*hp).ServeHTTP(w, r)
			return
		}
		http.Error(w, "not ready", http.StatusServiceUnavailable)
	}))
	p, err := NewProxy(backend.URL)
	if err != nil {
		backend.Close()
		t.Fatal(err)
	}
	handler, _, err := devissuer.NewHandler(devissuer.Config{Issuer: p.URL(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		p.Close()
		backend.Close()
		t.Fatal(err)
	}
	h.Store(&handler)
	return p, backend
}

// TestAutoDiscoveryFaults faults the first URL Auto discovery tries (the
// RFC 8414 one): an outage must end the discovery with ErrProviderUnavailable at
// once, without trying the OpenID Connect URL, so that a passing outage
// cannot make the server pick another document than it would otherwise.
func TestAutoDiscoveryFaults(t *testing.T) {
	cases := []struct {
		in       injection
		want     error
		moveOnOK bool // the documented outcome is to try the next URL
	}{
		{in: injection{name: "500", fault: Status500}, want: config.ErrProviderUnavailable},
		{in: injection{name: "503", fault: Status503}, want: config.ErrProviderUnavailable},
		{in: injection{name: "hang", fault: Hang}, want: config.ErrProviderUnavailable},
		{in: injection{name: "reset", fault: Reset}, want: config.ErrProviderUnavailable},
		// A 4xx is "no document here" (documented), except 429: the
		// document may well be there.
		{in: injection{name: "429", fault: Status429}, want: config.ErrProviderUnavailable},
		{in: injection{name: "invalid-json", fault: InvalidJSON}, moveOnOK: true},
		{in: injection{name: "slow-body", fault: SlowBody}, want: config.ErrProviderUnavailable},
		{in: injection{name: "truncated", fault: Truncated}, want: config.ErrProviderUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.in.name, func(t *testing.T) {
			base := goroutineBaseline()
			p, backend := startIssuerBehindProxy(t)
			client := newClient()
			issuer := p.URL()
			p.Set(config.OAuthWellKnownPath, tc.in.fault)
			ctx, cancel := context.WithTimeout(context.Background(), requestBound)
			cfg, err := config.Fetch(ctx, issuer, config.Auto, config.WithHTTPClient(client))
			if ctx.Err() != nil {
				t.Errorf("discovery still running at the test's bound")
			}
			cancel()
			oidcCalls := p.Count(config.OIDCWellKnownPath)
			switch {
			case tc.moveOnOK:
				if err != nil || cfg.Type != config.OIDC || oidcCalls != 1 {
					t.Errorf("got %v, %v, %d OIDC calls; want the OIDC document", cfg, err, oidcCalls)
				}
			case errors.Is(err, tc.want) && oidcCalls == 0:
			default:
				t.Errorf("got %v (%d OIDC calls); want %v and no OIDC call", err, oidcCalls, tc.want)
			}
			t.Logf("%s at the RFC 8414 URL: error %v, type %v, OIDC calls %d", tc.in.name, category(err), typeOf(cfg), oidcCalls)
			p.Close()
			backend.Close()
			client.CloseIdleConnections()
			checkGoroutines(t, base)
		})
	}
}

func typeOf(cfg *config.ServerConfig) config.ServerType {
	if cfg == nil {
		return "none"
	}
	return cfg.Type
}

// TestLazyDiscoveryRecovers checks config.Lazy through an outage: failures
// are remembered only for the backoff (intended: a provider that is down
// sees one request per backoff period), the first fetch after the backoff
// succeeds once the provider is back, and a success is kept.
func TestLazyDiscoveryRecovers(t *testing.T) {
	base := goroutineBaseline()
	p, backend := startIssuerBehindProxy(t)
	client := newClient()
	path := config.OIDCWellKnownPath
	lazy, err := config.NewLazy(p.URL(), config.OIDC, config.WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	get := func() (*config.ServerConfig, error) {
		ctx, cancel := context.WithTimeout(context.Background(), requestBound)
		defer cancel()
		return lazy.Get(ctx)
	}

	p.Set(path, Status503)
	if _, err := get(); !errors.Is(err, config.ErrProviderUnavailable) {
		t.Fatalf("first Get: %v, want ErrProviderUnavailable", err)
	}
	_, err = get()
	var be *config.BackoffError
	if !errors.As(err, &be) || !errors.Is(err, config.ErrProviderUnavailable) {
		t.Fatalf("second Get: %v, want a BackoffError matching ErrProviderUnavailable", err)
	}
	if n := p.Count(path); n != 1 {
		t.Errorf("%d requests during the backoff, want 1", n)
	}

	p.Set(path, Pass)
	// Wait for the time the error names (about LazyMinBackoff), not a
	// guess: the next Get is then allowed to fetch.
	wait := time.NewTimer(time.Until(be.RetryAt))
	<-wait.C
	cfg, err := get()
	if err != nil || cfg.Metadata.Issuer != p.URL() {
		t.Fatalf("Get after the backoff: %v, %v", cfg, err)
	}
	p.Set(path, Hang)
	if _, err := get(); err != nil {
		t.Errorf("Get after success, provider hanging: %v, want the kept document", err)
	}
	if n := p.Count(path); n != 2 {
		t.Errorf("%d requests in all, want 2", n)
	}
	p.Close()
	backend.Close()
	client.CloseIdleConnections()
	checkGoroutines(t, base)
}
