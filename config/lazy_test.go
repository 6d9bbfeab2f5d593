package config

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for Lazy.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTestLazy(t *testing.T, issuer string) (*Lazy, *fakeClock) {
	t.Helper()
	l, err := NewLazy(issuer, OAuth)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l.now = clock.Now
	return l, clock
}

func TestLazyCoalescesConcurrentCallers(t *testing.T) {
	const n = 20
	var requests atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	p := newProvider(t)
	doc := jsonHandler(goodDoc(p.URL))
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			close(entered)
		}
		<-release
		doc(w, r)
	})
	l, _ := newTestLazy(t, p.URL)
	var waiting sync.WaitGroup
	waiting.Add(n - 1)
	l.onWait = waiting.Done

	results := make(chan error, n)
	get := func() {
		cfg, err := l.Get(context.Background())
		if err == nil && cfg.Metadata.Issuer != p.URL {
			err = errors.New("wrong document")
		}
		results <- err
	}
	go get() // the leader
	<-entered
	for range n - 1 {
		go get()
	}
	waiting.Wait() // every other caller waits for the leader's fetch
	close(release)
	for range n {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
	// Cached forever: no further request.
	if _, err := l.Get(context.Background()); err != nil || requests.Load() != 1 {
		t.Errorf("Get after success: %v, %d requests", err, requests.Load())
	}
}

func TestLazyBacksOffAfterFailures(t *testing.T) {
	var requests atomic.Int32
	var healthy atomic.Bool
	p := newProvider(t)
	doc := jsonHandler(goodDoc(p.URL))
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if !healthy.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		doc(w, r)
	})
	l, clock := newTestLazy(t, p.URL)
	ctx := context.Background()
	start := clock.Now()

	step := func(advance time.Duration, wantRequests int32, wantBackoff bool, wantRetryAt time.Duration) {
		t.Helper()
		clock.Advance(advance)
		cfg, err := l.Get(ctx)
		if got := requests.Load(); got != wantRequests {
			t.Fatalf("%d requests, want %d", got, wantRequests)
		}
		if wantRetryAt == 0 && !wantBackoff {
			if err != nil || cfg == nil {
				t.Fatalf("Get = %v, want success", err)
			}
			return
		}
		if !errors.Is(err, ErrProviderUnavailable) {
			t.Fatalf("err = %v, want ErrProviderUnavailable", err)
		}
		var be *BackoffError
		if isBackoff := errors.As(err, &be); isBackoff != wantBackoff {
			t.Fatalf("err = %v; BackoffError: %v, want %v", err, isBackoff, wantBackoff)
		}
		if wantBackoff && !be.RetryAt.Equal(start.Add(wantRetryAt)) {
			t.Fatalf("RetryAt = %v, want start+%v", be.RetryAt, wantRetryAt)
		}
	}
	step(0, 1, false, time.Second)                   // first failure: fetched, backoff 1s
	step(0, 1, true, time.Second)                    // inside the window: no request
	step(999*time.Millisecond, 1, true, time.Second) // still inside
	step(time.Millisecond, 2, false, time.Second)    // window over at 1s: second failure, backoff 2s
	step(time.Second, 2, true, 3*time.Second)        // at 2s: waits until 3s
	step(time.Second, 3, false, time.Second)         // at 3s: third failure, backoff 4s
	healthy.Store(true)
	step(3*time.Second, 3, true, 7*time.Second) // healthy, but the window holds until 7s
	step(time.Second, 4, false, 0)              // at 7s: success
	step(time.Hour, 4, false, 0)                // kept forever
}

func TestLazyBackoffIsCapped(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 9: 256 * time.Second, 10: LazyMaxBackoff, 1000: LazyMaxBackoff} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestLazyCanceledLeaderIsNotAFailure(t *testing.T) {
	var requests atomic.Int32
	entered := make(chan struct{})
	p := newProvider(t)
	doc := jsonHandler(goodDoc(p.URL))
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			close(entered)
			<-r.Context().Done() // hang until the leader gives up
			return
		}
		doc(w, r)
	})
	l, _ := newTestLazy(t, p.URL)
	waiting := make(chan struct{})
	l.onWait = func() { close(waiting) }

	ctx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := l.Get(ctx)
		leaderErr <- err
	}()
	<-entered
	waiterErr := make(chan error, 1)
	go func() {
		_, err := l.Get(context.Background())
		waiterErr <- err
	}()
	<-waiting
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v, want Canceled", err)
	}
	if err := <-waiterErr; err != nil {
		t.Errorf("waiter should have taken over and succeeded: %v", err)
	}
	if got := requests.Load(); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

func TestLazyWaiterContext(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	p := newProvider(t)
	t.Cleanup(func() { close(release) })
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	})
	l, _ := newTestLazy(t, p.URL)
	waiting := make(chan struct{})
	l.onWait = func() { close(waiting) }
	leaderCtx, stopLeader := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Get(leaderCtx)
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := l.Get(ctx)
		errc <- err
	}()
	<-waiting
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("waiter: %v, want Canceled", err)
	}
	stopLeader()
	<-done
}

// roundTripFunc is an in-memory transport: no connection, no goroutine.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestLazyLeavesNoGoroutine(t *testing.T) {
	const issuer = "https://auth.example.com"
	body, err := json.Marshal(goodDoc(issuer))
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int32
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n := requests.Add(1)
		rec := httptest.NewRecorder()
		if n == 1 {
			http.Error(rec, "starting", http.StatusBadGateway)
		} else {
			rec.Header().Set("Content-Type", "application/json")
			rec.Write(body)
		}
		return rec.Result(), nil
	})}
	before := runtime.NumGoroutine()
	l, err := NewLazy(issuer, OAuth, WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Unix(0, 0)}
	l.now = clock.Now
	if _, err := l.Get(context.Background()); !errors.Is(err, ErrProviderUnavailable) {
		t.Fatalf("first Get: %v", err)
	}
	clock.Advance(LazyMinBackoff)
	for range 3 {
		if _, err := l.Get(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// net/http's client runs a short-lived timer goroutine per request on a
	// custom transport; it ends once the body is closed. Let it finish.
	for i := 0; i < 10000 && runtime.NumGoroutine() > before; i++ {
		runtime.Gosched()
	}
	if after := runtime.NumGoroutine(); after > before || requests.Load() != 2 {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines %d before, %d after; %d requests\n%s", before, after, requests.Load(), buf[:runtime.Stack(buf, true)])
	}
}

func TestLazyIssuer(t *testing.T) {
	l, err := NewLazy("https://auth.example.com/oidc", OIDC)
	if err != nil || l.Issuer() != "https://auth.example.com/oidc" {
		t.Fatalf("NewLazy = %v, %v", l, err)
	}
}

func TestLazyInvalidDocumentIsRetried(t *testing.T) {
	var requests atomic.Int32
	var fixed atomic.Bool
	p := newProvider(t)
	good := goodDoc(p.URL)
	bad := goodDoc(p.URL)
	delete(bad, "code_challenge_methods_supported")
	p.handle(OAuthWellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if fixed.Load() {
			jsonHandler(good)(w, r)
		} else {
			jsonHandler(bad)(w, r)
		}
	})
	l, err := NewLazy(p.URL, OAuth, WithValidation())
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Unix(0, 0)}
	l.now = clock.Now
	if _, err := l.Get(context.Background()); !errors.Is(err, ErrInvalidMetadata) {
		t.Fatalf("first Get: %v", err)
	}
	fixed.Store(true)
	var be *BackoffError
	if _, err := l.Get(context.Background()); !errors.As(err, &be) || !errors.Is(err, ErrInvalidMetadata) {
		t.Fatalf("Get inside the backoff: %v", err)
	}
	clock.Advance(LazyMinBackoff)
	if cfg, err := l.Get(context.Background()); err != nil || cfg.Metadata.CodeChallengeMethodsSupported[0] != "S256" {
		t.Fatalf("Get after the backoff: %v", err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}
