package config

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/internal/fetch"
)

func TestFetchOAuthRoot(t *testing.T) {
	p := newProvider(t)
	p.serveDoc(OAuthWellKnownPath, goodDoc(p.URL))

	cfg, err := Fetch(context.Background(), p.URL, OAuth)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type != OAuth || cfg.Metadata.Issuer != p.URL || cfg.Metadata.JWKSURI != p.URL+"/jwks" {
		t.Errorf("got %+v", cfg)
	}
	if string(cfg.Metadata.Extra["x_vendor_extension"]) != `{"a":[1,2]}` {
		t.Errorf("Extra = %s", cfg.Metadata.Extra)
	}
	if got := p.requested(); !slices.Equal(got, []string{OAuthWellKnownPath}) {
		t.Errorf("requested %q", got)
	}
}

func TestFetchOIDCPath(t *testing.T) {
	p := newProvider(t)
	issuer := p.URL + "/oidc"
	p.serveDoc("/oidc"+OIDCWellKnownPath, goodDoc(issuer))
	cfg, err := Fetch(context.Background(), issuer, OIDC)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type != OIDC || cfg.Metadata.Issuer != issuer {
		t.Errorf("got %+v", cfg)
	}
}

func TestFetchAutoFallsBackIn404Order(t *testing.T) {
	p := newProvider(t)
	issuer := p.URL + "/tenant"
	p.serveDoc("/tenant"+OIDCWellKnownPath, goodDoc(issuer))
	p.handle(OIDCWellKnownPath+"/tenant", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // an SPA answering every path
		w.Write([]byte("<html></html>"))
	})

	cfg, err := Fetch(context.Background(), issuer, Auto)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type != OIDC {
		t.Errorf("Type = %q, want oidc", cfg.Type)
	}
	want := []string{OAuthWellKnownPath + "/tenant", OIDCWellKnownPath + "/tenant", "/tenant" + OIDCWellKnownPath}
	if got := p.requested(); !slices.Equal(got, want) {
		t.Errorf("requested %q, want %q", got, want)
	}
}

func TestFetchAutoStopsAtFirstDocument(t *testing.T) {
	p := newProvider(t)
	p.serveDoc(OAuthWellKnownPath, goodDoc(p.URL))
	p.serveDoc(OIDCWellKnownPath, goodDoc(p.URL))
	cfg, err := Fetch(context.Background(), p.URL, Auto)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type != OAuth || len(p.requested()) != 1 {
		t.Errorf("Type %q after %q", cfg.Type, p.requested())
	}
}

func TestFetchAutoNotFoundListsEveryURL(t *testing.T) {
	p := newProvider(t)
	p.handle(OIDCWellKnownPath+"/t", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	})
	issuer := p.URL + "/t"
	_, err := Fetch(context.Background(), issuer, Auto)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var fe *FetchError
	if !errors.As(err, &fe) || len(fe.Attempts) != 3 || fe.Issuer != issuer {
		t.Fatalf("FetchError = %+v", fe)
	}
	urls, _ := WellKnownURLs(issuer, Auto)
	statuses := []int{404, 403, 404}
	for i, a := range fe.Attempts {
		if a.URL != urls[i] || a.Status != statuses[i] {
			t.Errorf("attempt %d = %s %d, want %s %d", i, a.URL, a.Status, urls[i], statuses[i])
		}
		if !strings.Contains(err.Error(), urls[i]) {
			t.Errorf("message does not name %s: %v", urls[i], err)
		}
	}
	if !strings.Contains(err.Error(), "unexpected status 403") {
		t.Errorf("message does not give the cause: %v", err)
	}
	for _, other := range []error{ErrProviderUnavailable, ErrIssuerMismatch, ErrInvalidMetadata, ErrInvalidConfig} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(err, %v) = true", other)
		}
	}
}

func TestFetchFailures(t *testing.T) {
	big := strings.Repeat(" ", fetch.MaxBody) + "{}"
	tests := []struct {
		name    string
		typ     ServerType
		handler http.HandlerFunc
		want    error
		status  int
		inMsg   string
		tries   int // requests made in Auto mode
	}{
		{"500 stops auto", Auto, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		}, ErrProviderUnavailable, 500, "unexpected status 500", 1},
		{"503", OAuth, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}, ErrProviderUnavailable, 503, "unexpected status 503", 1},
		{"404", OAuth, http.NotFound, ErrNotFound, 404, "unexpected status 404", 1},
		{"wrong content type", OAuth, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(`{"issuer":"x"}`))
		}, ErrNotFound, 200, "is not JSON", 1},
		{"invalid JSON", OAuth, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"issuer":`))
		}, ErrNotFound, 200, "invalid JSON", 1},
		{"JSON array", OAuth, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[{"issuer":"x"}]`))
		}, ErrNotFound, 200, "not a JSON object", 1},
		{"JSON null", OAuth, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`null`))
		}, ErrNotFound, 200, "not a JSON object", 1},
		{"body over 1 MiB", OAuth, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(big))
		}, ErrNotFound, 200, "larger than 1048576 bytes", 1},
		{"member of the wrong type", Auto, jsonHandler(map[string]any{"issuer": 42}),
			ErrInvalidMetadata, 200, `member "issuer"`, 1},
		{"issuer mismatch stops auto", Auto, jsonHandler(goodDoc("https://evil.example")),
			ErrIssuerMismatch, 200, `"https://evil.example"`, 1},
		{"missing issuer", OAuth, jsonHandler(map[string]any{"token_endpoint": "https://x"}),
			ErrIssuerMismatch, 200, `issuer is ""`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			p.handle(OAuthWellKnownPath, tt.handler)
			p.serveDoc(OIDCWellKnownPath, goodDoc(p.URL)) // reached only by a fallback
			_, err := Fetch(context.Background(), p.URL, tt.typ)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var fe *FetchError
			if !errors.As(err, &fe) {
				t.Fatalf("err %T is not a *FetchError", err)
			}
			first := fe.Attempts[0]
			if first.URL != p.URL+OAuthWellKnownPath || first.Status != tt.status {
				t.Errorf("attempt = %s %d, want status %d", first.URL, first.Status, tt.status)
			}
			if !strings.Contains(err.Error(), tt.inMsg) || !strings.Contains(err.Error(), first.URL) {
				t.Errorf("message %q lacks %q or the URL", err, tt.inMsg)
			}
			if got := len(p.requested()); got != tt.tries {
				t.Errorf("%d requests, want %d", got, tt.tries)
			}
		})
	}
}

func TestFetchAutoMovesOnAfterNonDocuments(t *testing.T) {
	// What ends a fixed-type fetch with ErrNotFound moves Auto to the next URL.
	for _, h := range []http.HandlerFunc{
		http.NotFound,
		func(w http.ResponseWriter, r *http.Request) { http.Error(w, "", http.StatusUnauthorized) },
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) },
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`"not an object"`))
		},
	} {
		p := newProvider(t)
		p.handle(OAuthWellKnownPath, h)
		p.serveDoc(OIDCWellKnownPath, goodDoc(p.URL))
		cfg, err := Fetch(context.Background(), p.URL, Auto)
		if err != nil || cfg.Type != OIDC || len(p.requested()) != 2 {
			t.Errorf("Fetch = %+v, %v after %q", cfg, err, p.requested())
		}
	}
}

func TestFetchRedirects(t *testing.T) {
	other := newProvider(t)
	other.serveDoc(OAuthWellKnownPath, goodDoc(other.URL))

	t.Run("to another origin is refused", func(t *testing.T) {
		p := newProvider(t)
		p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+OAuthWellKnownPath, http.StatusFound)
		})
		for _, opt := range []FetchOption{nil, WithHTTPClient(&http.Client{})} {
			_, err := Fetch(context.Background(), p.URL, Auto, opt)
			if !errors.Is(err, ErrProviderUnavailable) || !strings.Contains(err.Error(), "another origin") {
				t.Errorf("err = %v, want ErrProviderUnavailable (redirect refused)", err)
			}
		}
		if n := len(other.requested()); n != 0 {
			t.Errorf("the other origin got %d requests", n)
		}
	})
	t.Run("within the origin is followed", func(t *testing.T) {
		p := newProvider(t)
		p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
		})
		p.serveDoc("/moved", goodDoc(p.URL))
		if _, err := Fetch(context.Background(), p.URL, OAuth); err != nil {
			t.Errorf("Fetch: %v", err)
		}
	})
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	p := newProvider(t)
	t.Cleanup(func() { close(release) }) // runs before p.Close
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})

	t.Run("client timeout", func(t *testing.T) {
		client := &http.Client{Timeout: 50 * time.Millisecond}
		_, err := Fetch(context.Background(), p.URL, Auto, WithHTTPClient(client))
		var ne net.Error
		if !errors.Is(err, ErrProviderUnavailable) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v, want ErrProviderUnavailable with a timeout", err)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := Fetch(ctx, p.URL, Auto)
		if !errors.Is(err, ErrProviderUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrProviderUnavailable and DeadlineExceeded", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Fetch(ctx, p.URL, Auto)
		if !errors.Is(err, ErrProviderUnavailable) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want ErrProviderUnavailable and Canceled", err)
		}
	})
}

// routeTo is a transport that sends every request to addr, whatever the
// URL's host, so that a test can stand in for a remote host.
func routeTo(addr string) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
}

func TestFetchHTTPRefusedExceptLoopback(t *testing.T) {
	p := newProvider(t)
	const issuer = "http://auth.internal"
	p.serveDoc(OAuthWellKnownPath, goodDoc(issuer))
	client := &http.Client{Transport: routeTo(p.Listener.Addr().String())}

	_, err := Fetch(context.Background(), issuer, OAuth, WithHTTPClient(client))
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "https") {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
	if n := len(p.requested()); n != 0 {
		t.Fatalf("%d requests sent for a refused issuer", n)
	}
	cfg, err := Fetch(context.Background(), issuer, OAuth, WithHTTPClient(client), InsecureAllowHTTP())
	if err != nil || cfg.Metadata.Issuer != issuer {
		t.Fatalf("with InsecureAllowHTTP: %+v, %v", cfg, err)
	}
}

func TestFetchInvalidArguments(t *testing.T) {
	tests := []struct {
		name, issuer string
		typ          ServerType
		opts         []FetchOption
	}{
		{"unknown type", "https://a.example", "saml", nil},
		{"query", "https://a.example?x", OAuth, nil},
		{"fragment", "https://a.example#x", OAuth, nil},
		{"not a URL", "a.example", OAuth, nil},
		{"http", "http://a.example", OAuth, nil},
		{"conflicting expected issuer", "https://a.example", OAuth, []FetchOption{WithExpectedIssuer("https://b.example")}},
		{"invalid expected issuer", "https://a.example", OAuth, []FetchOption{WithExpectedIssuer("b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Fetch(context.Background(), tt.issuer, tt.typ, tt.opts...); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Fetch: %v, want ErrInvalidConfig", err)
			}
			if _, err := NewLazy(tt.issuer, tt.typ, tt.opts...); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("NewLazy: %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestFetchIssuerIsExact(t *testing.T) {
	p := newProvider(t)
	p.serveDoc(OAuthWellKnownPath, goodDoc(p.URL+"/")) // trailing slash in the document
	_, err := Fetch(context.Background(), p.URL, OAuth)
	if !errors.Is(err, ErrIssuerMismatch) {
		t.Fatalf("err = %v, want ErrIssuerMismatch", err)
	}
	// The configured issuer with the slash matches.
	if _, err := Fetch(context.Background(), p.URL+"/", OAuth); err != nil {
		t.Fatalf("Fetch(issuer/): %v", err)
	}
}

func TestFetchTransform(t *testing.T) {
	p := newProvider(t)
	doc := goodDoc(p.URL)
	delete(doc, "code_challenge_methods_supported")
	p.serveDoc(OAuthWellKnownPath, doc)

	addPKCE := func(m *Metadata) error {
		m.CodeChallengeMethodsSupported = []string{"S256"}
		return nil
	}
	cfg, err := Fetch(context.Background(), p.URL, OAuth, WithTransform(addPKCE), WithTransform(nil))
	if err != nil || !cfg.Validate().Valid() {
		t.Fatalf("Fetch = %+v, %v", cfg, err)
	}

	boom := errors.New("boom")
	_, err = Fetch(context.Background(), p.URL, OAuth, WithTransform(func(*Metadata) error { return boom }))
	if !errors.Is(err, ErrInvalidMetadata) || !errors.Is(err, boom) {
		t.Errorf("err = %v, want ErrInvalidMetadata wrapping boom", err)
	}

	// The transform runs before the issuer check.
	_, err = Fetch(context.Background(), p.URL, OAuth, WithTransform(func(m *Metadata) error {
		m.Issuer = "https://else.example"
		return nil
	}))
	if !errors.Is(err, ErrIssuerMismatch) {
		t.Errorf("err = %v, want ErrIssuerMismatch", err)
	}
}

func TestFetchSendsAcceptJSON(t *testing.T) {
	p := newProvider(t)
	doc := goodDoc(p.URL)
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Accept") != "application/json" || r.Header.Get("Authorization") != "" {
			http.Error(w, "bad request shape", http.StatusBadRequest)
			return
		}
		jsonHandler(doc)(w, r)
	})
	if _, err := Fetch(context.Background(), p.URL, OAuth); err != nil {
		t.Fatal(err)
	}
}

func TestFetchByWellKnownURL(t *testing.T) {
	p := newProvider(t)
	p.serveDoc(OAuthWellKnownPath+"/tenant", goodDoc(p.URL+"/tenant"))
	p.serveDoc(OIDCWellKnownPath+"/slash", goodDoc(p.URL+"/slash/"))
	p.serveDoc("/tenant"+OIDCWellKnownPath, goodDoc(p.URL+"/tenant"))
	p.serveDoc("/custom/metadata.json", goodDoc(p.URL+"/custom"))
	p.serveDoc("/wrong"+OIDCWellKnownPath, goodDoc(p.URL+"/right"))

	tests := []struct {
		name     string
		path     string
		typ      ServerType
		opts     []FetchOption
		wantType ServerType
		wantErr  error
	}{
		{"oauth path", OAuthWellKnownPath + "/tenant", OAuth, nil, OAuth, nil},
		{"auto infers oauth", OAuthWellKnownPath + "/tenant", Auto, nil, OAuth, nil},
		{"oidc appended", "/tenant" + OIDCWellKnownPath, OIDC, nil, OIDC, nil},
		{"auto infers oidc", "/tenant" + OIDCWellKnownPath, Auto, nil, OIDC, nil},
		{"oidc inserted, issuer with slash", OIDCWellKnownPath + "/slash", Auto, nil, OIDC, nil},
		{"type disagrees with the URL", OAuthWellKnownPath + "/tenant", OIDC, nil, "", ErrIssuerMismatch},
		{"issuer leads elsewhere", "/wrong" + OIDCWellKnownPath, OIDC, nil, "", ErrIssuerMismatch},
		{"custom URL needs an issuer", "/custom/metadata.json", OAuth, nil, "", ErrIssuerMismatch},
		{"custom URL with issuer", "/custom/metadata.json", OAuth,
			[]FetchOption{WithExpectedIssuer(p.URL + "/custom")}, OAuth, nil},
		{"custom URL with wrong issuer", "/custom/metadata.json", OAuth,
			[]FetchOption{WithExpectedIssuer(p.URL + "/other")}, "", ErrIssuerMismatch},
		{"custom URL in auto mode", "/custom/metadata.json", Auto, nil, "", ErrInvalidConfig},
		{"query never matches", OAuthWellKnownPath + "/tenant?x=1", OAuth, nil, "", ErrIssuerMismatch},
		{"missing", OAuthWellKnownPath + "/nothing", OAuth, nil, "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := FetchByWellKnownURL(context.Background(), p.URL+tt.path, tt.typ, tt.opts...)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Type != tt.wantType {
				t.Errorf("Type = %q, want %q", cfg.Type, tt.wantType)
			}
		})
	}
	for _, bad := range []string{"http://a.example" + OAuthWellKnownPath, "https://a.example/x#f", "nope", "https://u:secret@a.example" + OAuthWellKnownPath, "http://u:secret@a.example" + OAuthWellKnownPath} {
		_, err := FetchByWellKnownURL(context.Background(), bad, OAuth)
		if !errors.Is(err, ErrInvalidConfig) || strings.Contains(err.Error(), "secret") {
			t.Errorf("FetchByWellKnownURL(%q) = %v, want ErrInvalidConfig without the password", bad, err)
		}
	}
	if _, err := FetchByWellKnownURL(context.Background(), p.URL+OAuthWellKnownPath, "x"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("unknown type: %v", err)
	}
}

func TestFetchWithValidation(t *testing.T) {
	p := newProvider(t)
	doc := goodDoc(p.URL)
	doc["code_challenge_methods_supported"] = []string{"plain"}
	delete(doc, "registration_endpoint")
	p.serveDoc(OAuthWellKnownPath, doc)

	// Without the option the document is returned as found.
	if _, err := Fetch(context.Background(), p.URL, OAuth); err != nil {
		t.Fatal(err)
	}
	_, err := Fetch(context.Background(), p.URL, Auto, WithValidation())
	if !errors.Is(err, ErrInvalidMetadata) {
		t.Fatalf("err = %v, want ErrInvalidMetadata", err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Issues) != 1 || ve.Issues[0].Code != CodeS256CodeChallengeMethodNotSupported {
		t.Errorf("ValidationError = %+v", ve)
	}
	if n := len(p.requested()); n != 2 { // one plain fetch before, one here: no fallback
		t.Errorf("%d requests, want 2", n)
	}
	// A warning (no registration endpoint) does not fail.
	fix := WithTransform(func(m *Metadata) error {
		m.CodeChallengeMethodsSupported = []string{"S256"}
		return nil
	})
	if _, err := Fetch(context.Background(), p.URL, OAuth, fix, WithValidation()); err != nil {
		t.Errorf("with the fix: %v", err)
	}
}

func TestFetchErrorZeroValue(t *testing.T) {
	var fe FetchError
	if fe.Error() == "" || fe.Unwrap() != nil || fe.Is(ErrNotFound) {
		t.Errorf("zero FetchError: %q", fe.Error())
	}
}

// An answer that says "try later" (429, 408) or a body cut short is an
// outage, not an absent document: Auto discovery must stop there rather
// than settle for the next location's document.
func TestAutoStopsOnTransientFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }},
		{"408", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusRequestTimeout) }},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(`{"issuer":`))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var oidcCalls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == OIDCWellKnownPath {
					oidcCalls.Add(1)
				}
				tc.handler(w, r)
			}))
			defer srv.Close()
			_, err := Fetch(context.Background(), srv.URL, Auto)
			if !errors.Is(err, ErrProviderUnavailable) || oidcCalls.Load() != 0 {
				t.Errorf("err = %v, OIDC calls %d; want ErrProviderUnavailable and no OIDC call", err, oidcCalls.Load())
			}
		})
	}
}
