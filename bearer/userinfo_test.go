package bearer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// uiToken is the token the tests send; no error string may contain it.
const uiToken = "uiTOKEN-s3cr3t-9f8e7d6c5b4a"

// uiClock is a settable clock, safe for concurrent use.
type uiClock struct {
	mu sync.Mutex
	t  time.Time
}

func uiNewClock() *uiClock { return &uiClock{t: time.Unix(1_750_000_000, 0)} }

func (c *uiClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *uiClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// uiProvider is a test authorization server endpoint that counts requests
// and records the last one.
type uiProvider struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	last     *http.Request
	lastBody string
}

// uiNewProvider starts a loopback server answering with h; it is closed
// when the test ends.
func uiNewProvider(t testing.TB, h http.HandlerFunc) *uiProvider {
	t.Helper()
	p := &uiProvider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.last, p.lastBody = r.Clone(context.Background()), string(body)
		p.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *uiProvider) lastRequest() (*http.Request, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.lastBody
}

// uiJSON answers status with body as application/json.
func uiJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// uiFailureCases are provider misbehaviours common to userinfo and
// introspection, with the category and status each must map to. stop is
// closed at the end of the test to release hanging handlers.
func uiFailureCases(stop <-chan struct{}) []struct {
	name    string
	h       http.HandlerFunc
	client  *http.Client
	wantErr error
	status  int
} {
	short := &http.Client{Timeout: 50 * time.Millisecond}
	return []struct {
		name    string
		h       http.HandlerFunc
		client  *http.Client
		wantErr error
		status  int
	}{
		{"500", uiJSON(500, `{"error":"server_error"}`), nil, ErrProviderUnavailable, 503},
		{"502", uiJSON(502, `bad gateway`), nil, ErrProviderUnavailable, 503},
		{"429", uiJSON(429, `{}`), nil, ErrProviderUnavailable, 503},
		{"404", uiJSON(404, `{}`), nil, ErrProviderUnavailable, 503},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		}, short, ErrProviderUnavailable, 503},
		{"connection reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}, nil, ErrProviderUnavailable, 503},
		{"invalid JSON", uiJSON(200, `{"sub":`), nil, ErrProviderUnavailable, 503},
		{"JSON array", uiJSON(200, `["sub"]`), nil, ErrProviderUnavailable, 503},
		{"JSON null", uiJSON(200, `null`), nil, ErrProviderUnavailable, 503},
		{"wrong content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `{"sub":"u1","active":true}`)
		}, nil, ErrProviderUnavailable, 503},
		{"signed userinfo", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/jwt")
			io.WriteString(w, `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln`)
		}, nil, ErrProviderUnavailable, 503},
		{"body over 1 MiB", uiJSON(200, `{"sub":"u1","active":true,"pad":"`+strings.Repeat("x", 1<<20)+`"}`), nil, ErrProviderUnavailable, 503},
	}
}

// uiCheckErr asserts err's category, its status, and that it does not
// contain the token.
func uiCheckErr(t *testing.T, err error, want error, status int) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want category %v", err, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %T, want *Error", err)
	}
	if e.Status != status {
		t.Errorf("status = %d, want %d", e.Status, status)
	}
	if strings.Contains(err.Error(), uiToken) || strings.Contains(e.Description, uiToken) {
		t.Errorf("the error reveals the token: %v", err)
	}
}

func uiNew(t testing.TB, p *uiProvider, opts ...Option) *UserinfoVerifier {
	t.Helper()
	v, err := NewUserinfoVerifier("https://issuer.example.com", p.URL+"/userinfo", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestUserinfoVerifySuccess(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"user-1","azp":"client-9","email":"a@example.com"}`))
	v := uiNew(t, p)
	info, err := v.Verify(t.Context(), uiToken)
	if err != nil {
		t.Fatal(err)
	}
	if info.Subject != "user-1" || info.ClientID != "client-9" || info.Issuer != "https://issuer.example.com" ||
		info.Claims["email"] != "a@example.com" {
		t.Errorf("info = %+v", info)
	}
	if info.Audience != nil || info.Scopes != nil || !info.ExpiresAt.IsZero() {
		t.Errorf("userinfo cannot know audience, scopes or expiry: %+v", info)
	}
	req, _ := p.lastRequest()
	if req.Method != http.MethodGet || req.URL.Path != "/userinfo" {
		t.Errorf("request = %s %s", req.Method, req.URL.Path)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer "+uiToken {
		t.Errorf("Authorization = %q", got)
	}
	if got := req.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
}

func TestUserinfoClientID(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"sub":"u","client_id":"c1","azp":"c2"}`, "c1"},
		{`{"sub":"u","azp":"c2"}`, "c2"},
		{`{"sub":"u","client_id":5}`, ""},
		{`{"sub":"u"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			v := uiNew(t, uiNewProvider(t, uiJSON(200, tt.body)))
			info, err := v.Verify(t.Context(), uiToken)
			if err != nil {
				t.Fatal(err)
			}
			if info.ClientID != tt.want {
				t.Errorf("ClientID = %q, want %q", info.ClientID, tt.want)
			}
		})
	}
}

func TestUserinfoStatusMapping(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	cases := uiFailureCases(stop)
	cases = append(cases, []struct {
		name    string
		h       http.HandlerFunc
		client  *http.Client
		wantErr error
		status  int
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(401)
		}, nil, ErrInvalidToken, 401},
		{"403", uiJSON(403, `{"error":"insufficient_scope"}`), nil, ErrInvalidToken, 401},
		{"missing sub", uiJSON(200, `{"name":"Ann"}`), nil, ErrProviderUnavailable, 503},
		{"empty sub", uiJSON(200, `{"sub":""}`), nil, ErrProviderUnavailable, 503},
		{"non-string sub", uiJSON(200, `{"sub":42}`), nil, ErrProviderUnavailable, 503},
	}...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := uiNewProvider(t, tc.h)
			var opts []Option
			if tc.client != nil {
				opts = append(opts, WithHTTPClient(tc.client))
			}
			v := uiNew(t, p, opts...)
			info, err := v.Verify(t.Context(), uiToken)
			if info != nil {
				t.Fatalf("info = %+v, want nil", info)
			}
			uiCheckErr(t, err, tc.wantErr, tc.status)
			// A refusal is remembered (WithRefusalTTL); a failure of the
			// provider is not: a second call asks again.
			_, _ = v.Verify(t.Context(), uiToken)
			want := int32(2)
			if errors.Is(tc.wantErr, ErrInvalidToken) {
				want = 1
			}
			if n := p.requests.Load(); n != want {
				t.Errorf("provider saw %d requests for two calls, want %d", n, want)
			}
		})
	}
}

func TestUserinfoSignedUserinfoDescription(t *testing.T) {
	p := uiNewProvider(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwt")
		io.WriteString(w, "a.b.c")
	})
	_, err := uiNew(t, p).Verify(t.Context(), uiToken)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Description, "application/jwt") {
		t.Fatalf("err = %v, want a description naming application/jwt", err)
	}
}

func TestUserinfoMalformedTokenNoRequest(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"u"}`))
	v := uiNew(t, p)
	for _, tok := range []string{"", "a b", "tok\r\nX-Injected: 1", "=", "tök", "abc=def"} {
		_, err := v.Verify(t.Context(), tok)
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("Verify(%q) err = %v, want ErrInvalidToken", tok, err)
		}
	}
	if n := p.requests.Load(); n != 0 {
		t.Errorf("malformed tokens reached the provider (%d requests)", n)
	}
}

func TestUserinfoCache(t *testing.T) {
	clk := uiNewClock()
	p := uiNewProvider(t, uiJSON(200, `{"sub":"u1"}`))
	v := uiNew(t, p, WithClock(clk.Now), WithCacheTTL(30*time.Second))

	steps := []struct {
		name     string
		advance  time.Duration
		token    string
		requests int32
	}{
		{"first call asks", 0, uiToken, 1},
		{"second call is cached", 0, uiToken, 1},
		{"still cached before the TTL", 29 * time.Second, uiToken, 1},
		{"asks again after the TTL", time.Second, uiToken, 2},
		{"another token asks", 0, uiToken + "2", 3},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		if _, err := v.Verify(t.Context(), s.token); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n := p.requests.Load(); n != s.requests {
			t.Fatalf("%s: %d requests, want %d", s.name, n, s.requests)
		}
	}
}

func TestUserinfoCacheDisabled(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"u1"}`))
	v := uiNew(t, p, WithCacheTTL(0))
	for range 3 {
		if _, err := v.Verify(t.Context(), uiToken); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.requests.Load(); n != 3 {
		t.Fatalf("%d requests with the cache disabled, want 3", n)
	}
}

func TestUserinfoCacheSize(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"u1"}`))
	v := uiNew(t, p, WithCacheSize(1))
	for _, tok := range []string{"a", "b", "a"} {
		if _, err := v.Verify(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.requests.Load(); n != 3 {
		t.Fatalf("%d requests, want 3 (a was evicted by b)", n)
	}
}

func TestUserinfoCoalesces(t *testing.T) {
	const n = 20
	release := make(chan struct{})
	p := uiNewProvider(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		uiJSON(200, `{"sub":"u1"}`)(w, r)
	})
	v := uiNew(t, p)
	var started, done sync.WaitGroup
	started.Add(n)
	errs := make(chan error, n)
	for range n {
		done.Go(func() {
			started.Done()
			info, err := v.Verify(context.Background(), uiToken)
			if err == nil && info.Subject != "u1" {
				err = fmt.Errorf("subject %q", info.Subject)
			}
			errs <- err
		})
	}
	started.Wait()
	close(release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := p.requests.Load(); got != 1 {
		t.Fatalf("%d concurrent calls made %d requests, want 1", n, got)
	}
}

func TestUserinfoCallerContextEnds(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"u1"}`))
	v := uiNew(t, p)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := v.Verify(ctx, uiToken)
	uiCheckErr(t, err, ErrProviderUnavailable, 503)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

// TestUserinfoWaiterLeaves checks that a caller who gives up while the
// provider is slow gets a 503 at once, and that the shared request still
// completes and fills the cache for the others.
func TestUserinfoWaiterLeaves(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	p := uiNewProvider(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		uiJSON(200, `{"sub":"u1"}`)(w, r)
	})
	v := uiNew(t, p)
	ctx, cancel := context.WithCancel(t.Context())
	errA := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, uiToken)
		errA <- err
	}()
	<-arrived // the shared request is in flight
	cancel()
	err := <-errA
	uiCheckErr(t, err, ErrProviderUnavailable, 503)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	resB := make(chan error, 1)
	go func() {
		_, err := v.Verify(t.Context(), uiToken)
		resB <- err
	}()
	close(release)
	if err := <-resB; err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), uiToken); err != nil {
		t.Fatal(err)
	}
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("%d requests, want 1: the request the first caller left must serve the others", n)
	}
}

func TestNewUserinfoVerifierConfig(t *testing.T) {
	tests := []struct {
		name             string
		issuer, endpoint string
		opts             []Option
		ok               bool
	}{
		{"https", "https://id.example.com", "https://id.example.com/oidc/me", nil, true},
		{"http loopback", "http://127.0.0.1:3001/oidc", "http://localhost:3001/oidc/me", nil, true},
		{"http remote", "https://id.example.com", "http://id.example.com/me", nil, false},
		{"http remote allowed", "http://id.example.com", "http://id.example.com/me", []Option{InsecureAllowHTTP()}, true},
		{"relative endpoint", "https://id.example.com", "/me", nil, false},
		{"empty issuer", "", "https://id.example.com/me", nil, false},
		{"fragment", "https://id.example.com", "https://id.example.com/me#x", nil, false},
		{"ftp", "https://id.example.com", "ftp://id.example.com/me", nil, false},
		{"negative TTL", "https://id.example.com", "https://id.example.com/me", []Option{WithCacheTTL(-time.Second)}, false},
		{"negative size", "https://id.example.com", "https://id.example.com/me", []Option{WithCacheSize(-1)}, false},
		{"zero option", "https://id.example.com", "https://id.example.com/me", []Option{{}}, false},
		{"an option of the middleware", "https://id.example.com", "https://id.example.com/me", []Option{WithAudience("https://mcp.example.com")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewUserinfoVerifier(tt.issuer, tt.endpoint, tt.opts...)
			if (err == nil) != tt.ok || (v != nil) != tt.ok {
				t.Fatalf("NewUserinfoVerifier = %v, %v; want ok=%v", v, err, tt.ok)
			}
		})
	}
}

// BenchmarkUserinfoVerifyCached measures the cache-hit path of Verify for a
// JWT-sized 800-byte token (SHA-256 of the token dominates).
func BenchmarkUserinfoVerifyCached(b *testing.B) {
	p := uiNewProvider(b, uiJSON(200, `{"sub":"u1"}`))
	v := uiNew(b, p)
	tok := strings.Repeat("a", 800)
	if _, err := v.Verify(b.Context(), tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(b.Context(), tok); err != nil {
			b.Fatal(err)
		}
	}
	if n := p.requests.Load(); n != 1 {
		b.Fatalf("%d requests, want 1", n)
	}
}

func TestUserinfoVerifierRefusesRequiredScopes(t *testing.T) {
	v, err := NewUserinfoVerifier("https://as.example", "https://as.example/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(v, WithRequiredScopes("mcp:read"))
	if !errors.Is(err, ErrMisconfigured) || !strings.Contains(err.Error(), "userinfo") {
		t.Fatalf("New(userinfo, required scopes) = %v, want ErrMisconfigured naming userinfo", err)
	}
	if _, err := New(v); err != nil {
		t.Fatalf("New(userinfo) without scopes: %v", err)
	}
}
