package metadata

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is a ResponseWriter that reuses its header map, so that the
// benchmark counts the handler's allocations only.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func BenchmarkProtectedResourceHandler(b *testing.B) {
	h, err := NewProtectedResourceHandler([]ProtectedResource{
		validDoc(), docWith("https://mcp.example.com/a"), docWith("https://mcp.example.com/b/c"),
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, target := range []string{WellKnownPath + "/mcp", WellKnownPath + "/b/c/?x=1"} {
		b.Run(target, func(b *testing.B) {
			r := httptest.NewRequest("GET", target, nil)
			w := &discardWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
	b.Run("recorder", func(b *testing.B) {
		r := httptest.NewRequest("GET", WellKnownPath+"/mcp", nil)
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
	})
}
