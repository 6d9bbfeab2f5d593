package bearer

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// mwDiscardWriter is a reusable ResponseWriter, so that benchmarks and
// allocation counts measure the middleware rather than the recorder.
type mwDiscardWriter struct {
	h      http.Header
	status int
}

func (w *mwDiscardWriter) Header() http.Header         { return w.h }
func (w *mwDiscardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *mwDiscardWriter) WriteHeader(status int)      { w.status = status }

// mwHotPath returns a handler behind the middleware with a verifier that
// returns a prebuilt AuthInfo, and a request carrying auth (none if empty).
func mwHotPath(tb testing.TB, auth string) (http.Handler, *http.Request, *mwDiscardWriter) {
	tb.Helper()
	info := mwGood()
	v := VerifierFunc(func(context.Context, string) (*AuthInfo, error) { return info, nil })
	a, err := New(v, append(mwBaseOptions(), WithClock(func() time.Time { return mwNow }))...)
	if err != nil {
		tb.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := FromContext(r.Context()); !ok {
			w.WriteHeader(http.StatusTeapot)
		}
	})
	r := httptest.NewRequest(http.MethodPost, mwResource, nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return a.Handler(next), r, &mwDiscardWriter{h: http.Header{}}
}

func BenchmarkMiddleware(b *testing.B) {
	for _, bc := range []struct {
		name   string
		auth   string
		status int
	}{
		{"success", "Bearer " + mwTok("good"), 0},
		{"missing-token", "", http.StatusUnauthorized},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, r, w := mwHotPath(b, bc.auth)
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, r)
			}
			if w.status != bc.status {
				b.Fatalf("status %d; want %d", w.status, bc.status)
			}
		})
	}
}

// TestMiddlewareAllocs pins the allocation budget of the hot path: a
// success through Handler costs at most 6 allocations (the request copy and
// context value among them).
func TestMiddlewareAllocs(t *testing.T) {
	if mwRaceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	tests := []struct {
		name string
		auth string
		max  float64
	}{
		{"success", "Bearer " + mwTok("good"), 6},
		{"missing token", "", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, r, w := mwHotPath(t, tt.auth)
			got := testing.AllocsPerRun(100, func() {
				clear(w.h)
				h.ServeHTTP(w, r)
			})
			if got > tt.max {
				t.Fatalf("%v allocations per request; want at most %v", got, tt.max)
			}
		})
	}
}
