package faults

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

const (
	// clientTimeout is the verifiers' HTTP client timeout in these tests.
	clientTimeout = 500 * time.Millisecond
	// requestBound bounds one request to the protected handler. It is a
	// test timeout, not an assertion on latency: a request that has not
	// finished by then is reported as hanging.
	requestBound = 15 * time.Second
	// resourceMetadataURL is what challenges point to.
	resourceMetadataURL = "http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp"
)

// newClient returns the verifiers' client: its own transport (so that a
// test can close its idle connections) and the short timeout.
func newClient() *http.Client {
	return &http.Client{Timeout: clientTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
}

// newProxy starts a proxy to u, closed at the end of the test (tests that
// check goroutines close it earlier themselves).
func newProxy(t *testing.T, u *upstream) *Proxy {
	t.Helper()
	p, err := NewProxy(u.origin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// protect puts the bearer middleware in front of a trivial handler that
// answers 200 with the subject.
func protect(t *testing.T, v bearer.Verifier, opts ...bearer.Option) http.Handler {
	t.Helper()
	a, err := bearer.New(v, append([]bearer.Option{bearer.WithResourceMetadataURL(resourceMetadataURL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := bearer.FromContext(r.Context())
		w.Write([]byte("hello " + info.Subject))
	}))
}

// result is one request to the protected handler.
type result struct {
	status  int
	header  http.Header
	body    string
	latency time.Duration
}

// do sends token to h in process, bounded by requestBound; it fails the
// test if the request has not finished by then.
func do(t *testing.T, h http.Handler, token string) result {
	t.Helper()
	return doWithin(t, h, token, requestBound)
}

// doWithin is do with the request's own deadline d, as a server's request
// timeout or a client that gives up would set it.
func doWithin(t *testing.T, h http.Handler, token string, d time.Duration) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:3001/mcp", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	r := result{status: rec.Code, header: rec.Header(), body: rec.Body.String(), latency: time.Since(start)}
	if d == requestBound && ctx.Err() != nil {
		t.Errorf("the request was still running at the test's bound (%v): status %d", requestBound, r.status)
	}
	return r
}

// check503 asserts the answer to a provider failure: 503 with
// Retry-After, no invalid_token challenge, and no token in the body.
func check503(t *testing.T, r result, token string) {
	t.Helper()
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503; body %s", r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After on the 503")
	}
	if wa := r.header.Values("WWW-Authenticate"); strings.Contains(strings.Join(wa, " "), "invalid_token") {
		t.Errorf("WWW-Authenticate %q names invalid_token for a provider failure", wa)
	}
	if token != "" && strings.Contains(r.body, token) {
		t.Errorf("the body contains the token")
	}
}

// check200 asserts that the token was accepted.
func check200(t *testing.T, r result) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Errorf("status %d, want 200; WWW-Authenticate %q; body %s", r.status, r.header.Values("WWW-Authenticate"), r.body)
	}
}

// goroutineBaseline returns the number of goroutines now, for
// checkGoroutines.
func goroutineBaseline() int { return runtime.NumGoroutine() }

// checkGoroutines waits, polling and yielding, until no more goroutines
// run than at base; it fails the test with every stack if that does not
// happen within a generous bound (connections close asynchronously).
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Errorf("%d goroutines left, %d before the test:\n%s", runtime.NumGoroutine(), base, buf[:n])
			return
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond) // poll; not a wait for anything in particular
	}
}

// clock is a settable clock for the verifiers: the real time plus an
// offset the test advances, so that intervals pass without sleeping.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }
