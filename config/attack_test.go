package config_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/config"
)

// Attacks on authorization server discovery, in one table: each case is a
// hostile or broken provider (or a hostile issuer URL) and asserts the
// error category, that the error names the URL concerned, and what must
// never happen (a request to a URL that should not be contacted, a
// password in the message).

// countingTransport answers every request itself (nothing leaves the
// process) and counts them.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("countingTransport: no request should have been sent")
}

// attackDoc is a complete metadata document for issuer.
func attackDoc(issuer string) map[string]any {
	return map[string]any{
		"issuer":                           issuer,
		"authorization_endpoint":           issuer + "/authorize",
		"token_endpoint":                   issuer + "/token",
		"jwks_uri":                         issuer + "/jwks",
		"response_types_supported":         []string{"code"},
		"grant_types_supported":            []string{"authorization_code"},
		"code_challenge_methods_supported": []string{"S256"},
	}
}

// countingServer is a loopback provider that counts its requests.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// oauthURL is the one URL Fetch tries for an OAuth issuer.
func oauthURL(t *testing.T, issuer string) string {
	t.Helper()
	urls, err := config.WellKnownURLs(issuer, config.OAuth)
	if err != nil || len(urls) != 1 {
		t.Fatalf("WellKnownURLs(%q) = %v, %v", issuer, urls, err)
	}
	return urls[0]
}

// discoveryAttack is what one case sets up.
type discoveryAttack struct {
	issuer string
	opts   []config.FetchOption
	// mustName is text the error must contain (the URL concerned).
	mustName string
	// mustNotContain is text the error must never contain.
	mustNotContain []string
	// untouched counts requests that must never be made.
	untouched func() int64
}

func TestAttackDiscovery(t *testing.T) {
	tests := []struct {
		name  string
		want  error
		setup func(t *testing.T) discoveryAttack
		check func(t *testing.T, err error)
	}{
		{name: "issuer mismatch (mix-up): the document names another issuer", want: config.ErrIssuerMismatch,
			setup: func(t *testing.T) discoveryAttack {
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, attackDoc("https://evil.example.com"))
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "issuer differs by a trailing slash (document has one)", want: config.ErrIssuerMismatch,
			setup: func(t *testing.T) discoveryAttack {
				var s *countingServer
				s = newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, attackDoc(s.URL+"/")) })
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "issuer differs by a trailing slash (configured with one)", want: config.ErrIssuerMismatch,
			setup: func(t *testing.T) discoveryAttack {
				var s *countingServer
				s = newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, attackDoc(s.URL)) })
				return discoveryAttack{issuer: s.URL + "/", mustName: oauthURL(t, s.URL)}
			}},
		{name: "issuer differs in case of the host", want: config.ErrIssuerMismatch,
			setup: func(t *testing.T) discoveryAttack {
				var s *countingServer
				s = newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, attackDoc(strings.Replace(s.URL, "http://", "HTTP://", 1)))
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "redirect to another host", want: config.ErrProviderUnavailable,
			setup: func(t *testing.T) discoveryAttack {
				other := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, attackDoc("https://evil.example.com"))
				})
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL), untouched: other.hits.Load}
			}},
		{name: "http issuer on a non-loopback host", want: config.ErrInvalidConfig,
			setup: func(t *testing.T) discoveryAttack {
				rt := &countingTransport{}
				return discoveryAttack{issuer: "http://auth.example.com", opts: []config.FetchOption{config.WithHTTPClient(&http.Client{Transport: rt})},
					mustName: "http://auth.example.com", untouched: rt.n.Load}
			}},
		{name: "http issuer on a name that merely contains localhost", want: config.ErrInvalidConfig,
			setup: func(t *testing.T) discoveryAttack {
				rt := &countingTransport{}
				return discoveryAttack{issuer: "http://localhost.evil.example.com", opts: []config.FetchOption{config.WithHTTPClient(&http.Client{Transport: rt})},
					mustName: "http://localhost.evil.example.com", untouched: rt.n.Load}
			}},
		{name: "user information in the issuer URL", want: config.ErrInvalidConfig,
			setup: func(t *testing.T) discoveryAttack {
				rt := &countingTransport{}
				return discoveryAttack{issuer: "https://admin:s3cr3t-pw@auth.example.com", opts: []config.FetchOption{config.WithHTTPClient(&http.Client{Transport: rt})},
					mustName: "auth.example.com", mustNotContain: []string{"s3cr3t-pw"}, untouched: rt.n.Load}
			}},
		{name: "user information in a well-known URL", want: config.ErrInvalidConfig,
			setup: func(t *testing.T) discoveryAttack {
				rt := &countingTransport{}
				return discoveryAttack{issuer: "wk:https://admin:s3cr3t-pw@auth.example.com/.well-known/oauth-authorization-server",
					opts:     []config.FetchOption{config.WithHTTPClient(&http.Client{Transport: rt})},
					mustName: "auth.example.com", mustNotContain: []string{"s3cr3t-pw"}, untouched: rt.n.Load}
			}},
		{name: "body over the 1 MiB cap", want: config.ErrNotFound,
			setup: func(t *testing.T) discoveryAttack {
				var s *countingServer
				s = newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					doc := attackDoc(s.URL)
					doc["padding"] = strings.Repeat("x", 1<<20)
					writeJSON(w, doc)
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "slow-loris body (1 byte per 100 ms) ended by a 300 ms client timeout", want: config.ErrProviderUnavailable,
			setup: func(t *testing.T) discoveryAttack {
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusOK)
					rc := http.NewResponseController(w)
					_ = rc.Flush()
					tick := time.NewTicker(100 * time.Millisecond)
					defer tick.Stop()
					for range 600 { // at most a minute: the client gives up long before
						select {
						case <-r.Context().Done():
							return
						case <-tick.C:
							if _, err := w.Write([]byte(" ")); err != nil {
								return
							}
							_ = rc.Flush()
						}
					}
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL),
					opts: []config.FetchOption{config.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond})}}
			}},
		{name: "wrong content type (text/html)", want: config.ErrNotFound,
			setup: func(t *testing.T) discoveryAttack {
				var s *countingServer
				s = newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					b, _ := json.Marshal(attackDoc(s.URL))
					w.Header().Set("Content-Type", "text/html")
					_, _ = w.Write(b)
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "invalid JSON", want: config.ErrNotFound,
			setup: func(t *testing.T) discoveryAttack {
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"issuer":`))
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "JSON that is not an object", want: config.ErrNotFound,
			setup: func(t *testing.T) discoveryAttack {
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, []string{"issuer"}) })
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "issuer of the wrong JSON type", want: config.ErrInvalidMetadata,
			setup: func(t *testing.T) discoveryAttack {
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					doc := attackDoc("x")
					doc["issuer"] = []string{"x"}
					writeJSON(w, doc)
				})
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
		{name: "missing required fields (Validate)", want: config.ErrInvalidMetadata,
			setup: func(t *testing.T) discoveryAttack {
				var s *countingServer
				s = newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]any{"issuer": s.URL}) })
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL),
					opts: []config.FetchOption{config.WithValidation()}}
			},
			check: func(t *testing.T, err error) {
				var ve *config.ValidationError
				if !errors.As(err, &ve) {
					t.Errorf("no *config.ValidationError in %v", err)
				}
			}},
		{name: "server error", want: config.ErrProviderUnavailable,
			setup: func(t *testing.T) discoveryAttack {
				s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusBadGateway) })
				return discoveryAttack{issuer: s.URL, mustName: oauthURL(t, s.URL)}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.setup(t)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			var err error
			if u, ok := strings.CutPrefix(a.issuer, "wk:"); ok {
				_, err = config.FetchByWellKnownURL(ctx, u, config.Auto, a.opts...)
			} else {
				_, err = config.Fetch(ctx, a.issuer, config.OAuth, a.opts...)
			}
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			sentinels := []error{config.ErrIssuerMismatch, config.ErrProviderUnavailable, config.ErrNotFound, config.ErrInvalidMetadata, config.ErrInvalidConfig}
			for _, s := range sentinels {
				if got := errors.Is(err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(err, %v) = %v; err: %v", s, got, err)
				}
			}
			if !strings.Contains(err.Error(), a.mustName) {
				t.Errorf("error %q does not name %q", err, a.mustName)
			}
			for _, s := range a.mustNotContain {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains %q", err, s)
				}
			}
			if a.untouched != nil {
				if n := a.untouched(); n != 0 {
					t.Errorf("%d requests were sent where none may be", n)
				}
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}
