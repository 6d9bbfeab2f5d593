package tokencache

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func TestGetSetExpiry(t *testing.T) {
	clk := newFakeClock()
	c := New[string](10, clk.Now)
	c.Set("tok", "v", clk.Now().Add(time.Minute))

	tests := []struct {
		name    string
		advance time.Duration
		wantOK  bool
	}{
		{"fresh", 0, true},
		{"just before expiry", 59*time.Second + 999*time.Millisecond, true},
		{"at expiry", time.Millisecond, false},
		{"after expiry", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Advance(tt.advance)
			v, ok := c.Get("tok")
			if ok != tt.wantOK || (ok && v != "v") {
				t.Fatalf("Get = %q, %v; want ok=%v", v, ok, tt.wantOK)
			}
		})
	}
	if n := c.Len(); n != 0 {
		t.Errorf("Len after reading an expired entry = %d, want 0 (lazy eviction)", n)
	}
}

func TestSetIgnoresPastExpiry(t *testing.T) {
	clk := newFakeClock()
	c := New[int](10, clk.Now)
	for name, exp := range map[string]time.Time{
		"now":  clk.Now(),
		"past": clk.Now().Add(-time.Second),
		"zero": {},
	} {
		t.Run(name, func(t *testing.T) {
			c.Set("tok", 1, exp)
			if _, ok := c.Get("tok"); ok {
				t.Fatal("an entry that is already expired was stored")
			}
			if n := c.Len(); n != 0 {
				t.Fatalf("Len = %d, want 0", n)
			}
		})
	}
}

func TestSetReplaces(t *testing.T) {
	clk := newFakeClock()
	c := New[int](10, clk.Now)
	c.Set("tok", 1, clk.Now().Add(time.Minute))
	c.Set("tok", 2, clk.Now().Add(2*time.Minute))
	clk.Advance(90 * time.Second)
	if v, ok := c.Get("tok"); !ok || v != 2 {
		t.Fatalf("Get = %d, %v; want 2, true", v, ok)
	}
	if n := c.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
}

func TestBoundedLRU(t *testing.T) {
	clk := newFakeClock()
	c := New[int](3, clk.Now)
	exp := clk.Now().Add(time.Hour)
	c.Set("a", 1, exp)
	c.Set("b", 2, exp)
	c.Set("c", 3, exp)
	c.Get("a")         // a is now the most recently used; b the least
	c.Set("d", 4, exp) // evicts b
	if n := c.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
	for _, tc := range []struct {
		tok  string
		want bool
	}{{"a", true}, {"b", false}, {"c", true}, {"d", true}} {
		if _, ok := c.Get(tc.tok); ok != tc.want {
			t.Errorf("Get(%q) ok = %v, want %v", tc.tok, ok, tc.want)
		}
	}
	// The reads above touched a, c, d in that order: a is now the least
	// recently used.
	c.Set("e", 5, exp)
	if _, ok := c.Get("a"); ok {
		t.Error("a should have been evicted as least recently used")
	}
	for i := range 100 {
		c.Set(fmt.Sprint("bulk", i), i, exp)
	}
	if n := c.Len(); n != 3 {
		t.Fatalf("Len after 100 inserts = %d, want 3", n)
	}
}

func TestZeroSizeStoresNothing(t *testing.T) {
	for _, size := range []int{0, -5} {
		c := New[int](size, nil)
		c.Set("tok", 1, time.Now().Add(time.Hour))
		if _, ok := c.Get("tok"); ok || c.Len() != 0 {
			t.Errorf("size %d: the cache stored a value", size)
		}
	}
}

func TestLoadCachesValue(t *testing.T) {
	clk := newFakeClock()
	c := New[string](10, clk.Now)
	var calls atomic.Int32
	load := func(context.Context) (string, time.Time, error) {
		calls.Add(1)
		return "v", clk.Now().Add(time.Minute), nil
	}
	for i := range 3 {
		v, err := c.Load(t.Context(), "tok", load)
		if err != nil || v != "v" {
			t.Fatalf("Load #%d = %q, %v", i, v, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("load called %d times, want 1", n)
	}
	clk.Advance(time.Minute)
	if _, err := c.Load(t.Context(), "tok", load); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("after expiry load called %d times, want 2", n)
	}
}

func TestLoadErrorNotCached(t *testing.T) {
	c := New[string](10, nil)
	boom := errors.New("boom")
	var calls int
	load := func(context.Context) (string, time.Time, error) {
		calls++
		return "", time.Now().Add(time.Hour), boom
	}
	for range 2 {
		if _, err := c.Load(t.Context(), "tok", load); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
	}
	if calls != 2 {
		t.Fatalf("load called %d times, want 2: errors must not be cached", calls)
	}
	if c.Len() != 0 {
		t.Fatal("an error was cached")
	}
}

// TestLoadCoalesces starts n concurrent Loads of one token and releases the
// load only once all n wait for it; without caching (size 0) a second load
// would show that a caller did not join the shared one.
func TestLoadCoalesces(t *testing.T) {
	for _, size := range []int{10, 0} { // with and without caching
		t.Run(fmt.Sprint("size=", size), func(t *testing.T) {
			const n = 50
			c := New[int](size, nil)
			var waiting sync.WaitGroup
			waiting.Add(n)
			c.onWait = waiting.Done
			release := make(chan struct{})
			var calls atomic.Int32
			load := func(context.Context) (int, time.Time, error) {
				calls.Add(1)
				<-release
				return 42, time.Now().Add(time.Hour), nil
			}
			var done sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				done.Go(func() {
					v, err := c.Load(context.Background(), "tok", load)
					if err == nil && v != 42 {
						err = fmt.Errorf("v = %d", v)
					}
					errs <- err
				})
			}
			waiting.Wait()
			close(release)
			done.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := calls.Load(); got != 1 {
				t.Fatalf("load called %d times for %d concurrent callers, want 1", got, n)
			}
		})
	}
}

func TestLoadWaiterCancel(t *testing.T) {
	baseline := runtime.NumGoroutine()
	c := New[int](10, nil)
	var waiting sync.WaitGroup
	waiting.Add(2)
	c.onWait = waiting.Done
	release := make(chan struct{})
	loadCtxErr := make(chan error, 1)
	load := func(ctx context.Context) (int, time.Time, error) {
		<-release
		loadCtxErr <- ctx.Err()
		return 7, time.Now().Add(time.Hour), nil
	}

	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() {
		_, err := c.Load(ctxA, "tok", load)
		errA <- err
	}()
	resB := make(chan error, 1)
	go func() {
		v, err := c.Load(context.Background(), "tok", load)
		if err == nil && v != 7 {
			err = fmt.Errorf("v = %d", v)
		}
		resB <- err
	}()
	waiting.Wait()
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-resB; err != nil {
		t.Fatalf("other waiter: %v", err)
	}
	if err := <-loadCtxErr; err != nil {
		t.Fatalf("the shared load saw its context end (%v) because one waiter left", err)
	}
	if v, ok := c.Get("tok"); !ok || v != 7 {
		t.Fatalf("value not cached after the shared load: %d, %v", v, ok)
	}
	waitGoroutines(t, baseline)
}

func TestLoadDoneContext(t *testing.T) {
	c := New[int](10, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, err := c.Load(ctx, "tok", func(context.Context) (int, time.Time, error) {
		called = true
		return 1, time.Now().Add(time.Hour), nil
	})
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err = %v, called = %v; want context.Canceled without a load", err, called)
	}
	// A cached value is still returned to a caller whose context is done.
	c.Set("tok", 2, time.Now().Add(time.Hour))
	if v, err := c.Load(ctx, "tok", nil); err != nil || v != 2 {
		t.Fatalf("Load = %d, %v; want the cached 2", v, err)
	}
}

func TestLoadNilInterfaceValue(t *testing.T) {
	c := New[error](10, nil)
	v, err := c.Load(t.Context(), "tok", func(context.Context) (error, time.Time, error) {
		return nil, time.Now().Add(time.Hour), nil
	})
	if v != nil || err != nil {
		t.Fatalf("Load = %v, %v", v, err)
	}
}

func TestKeysAreDigests(t *testing.T) {
	c := New[int](10, nil)
	tok := "secret-token-value"
	c.Set(tok, 1, time.Now().Add(time.Hour))
	for k := range c.items {
		if strings.Contains(string(k[:]), tok) {
			t.Fatal("the token appears in a cache key")
		}
		if k != Digest(tok) {
			t.Fatal("the key is not the token's SHA-256 digest")
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	clk := newFakeClock()
	c := New[int](16, clk.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				tok := fmt.Sprint("tok", (g*7+i)%40)
				switch i % 4 {
				case 0:
					c.Set(tok, i, clk.Now().Add(time.Duration(i%5)*time.Second))
				case 1:
					c.Get(tok)
				case 2:
					_, _ = c.Load(context.Background(), tok, func(context.Context) (int, time.Time, error) {
						return i, clk.Now().Add(time.Second), nil
					})
				case 3:
					clk.Advance(time.Millisecond)
					_ = c.Len()
				}
			}
		})
	}
	wg.Wait()
	if n := c.Len(); n > 16 {
		t.Fatalf("Len = %d, above the bound 16", n)
	}
	checkList(t, c)
}

// checkList verifies that the recency list and the map agree.
func checkList(t *testing.T, c *Cache[int]) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for e := c.root.next; e != &c.root; e = e.next {
		if e.next.prev != e {
			t.Fatal("broken back link")
		}
		if c.items[e.key] != e {
			t.Fatal("list entry missing from the map")
		}
		n++
		if n > len(c.items) {
			t.Fatal("list longer than the map")
		}
	}
	if n != len(c.items) {
		t.Fatalf("list has %d entries, map %d", n, len(c.items))
	}
}

// waitGoroutines waits, without sleeping, until no more than baseline
// goroutines run; a goroutine left behind fails the test.
func waitGoroutines(t *testing.T, baseline int) {
	t.Helper()
	for range 10000 {
		if runtime.NumGoroutine() <= baseline {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("%d goroutines still running, want at most %d", runtime.NumGoroutine(), baseline)
}

// BenchmarkGet measures the hit path for a short opaque token and for an
// 800-byte JWT-sized one; SHA-256 of the token dominates the latter.
func BenchmarkGet(b *testing.B) {
	for _, size := range []int{32, 800} {
		b.Run(fmt.Sprint("token=", size), func(b *testing.B) {
			tok := strings.Repeat("x", size)
			c := New[*int](10000, nil)
			v := 1
			c.Set(tok, &v, time.Now().Add(time.Hour))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := c.Get(tok); !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}

func BenchmarkGetParallel(b *testing.B) {
	tok := strings.Repeat("x", 800)
	c := New[*int](10000, nil)
	v := 1
	c.Set(tok, &v, time.Now().Add(time.Hour))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Get(tok)
		}
	})
}

func BenchmarkDigest(b *testing.B) {
	tok := strings.Repeat("x", 800)
	b.ReportAllocs()
	for b.Loop() {
		Digest(tok)
	}
}

// Digest is SHA-256 of the token, whatever its length against the chunk.
func TestDigestIsSHA256(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 1024, 1500, 16 << 10} {
		tok := strings.Repeat("k", n)
		if got, want := Digest(tok), sha256.Sum256([]byte(tok)); got != want {
			t.Errorf("Digest of %d bytes = %x, want %x", n, got, want)
		}
	}
}
