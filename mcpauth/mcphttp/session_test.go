package mcphttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// fakeClock is a settable clock for the store.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestSessionStore(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	s := newSessionStore(3, time.Hour, clock.now)
	type step struct {
		do    string // "bind", "lookup", "remove", "advance"
		id    string
		owner string
		d     time.Duration
		want  any // bool for bind, lookupResult for lookup
	}
	steps := []step{
		{do: "bind", id: "s1", owner: "alice", want: true},
		{do: "bind", id: "s1", owner: "bob", want: false},
		{do: "bind", id: "s1", owner: "alice", want: true},
		{do: "lookup", id: "s1", owner: "alice", want: sessionOwned},
		{do: "lookup", id: "s1", owner: "bob", want: sessionForeign},
		{do: "lookup", id: "s9", owner: "alice", want: sessionUnknown},
		{do: "bind", id: "s2", owner: "bob", want: true},
		{do: "bind", id: "s3", owner: "carol", want: true},
		{do: "lookup", id: "s1", owner: "alice", want: sessionOwned}, // s1 is now the most recent
		{do: "bind", id: "s4", owner: "dave", want: true},            // full: evicts s2, the least recent
		{do: "lookup", id: "s2", owner: "bob", want: sessionUnknown},
		{do: "lookup", id: "s1", owner: "alice", want: sessionOwned},
		{do: "remove", id: "s1", owner: "bob"}, // not bob's: kept
		{do: "lookup", id: "s1", owner: "alice", want: sessionOwned},
		{do: "remove", id: "s1", owner: "alice"},
		{do: "lookup", id: "s1", owner: "alice", want: sessionUnknown},
		{do: "advance", d: 59 * time.Minute},
		{do: "lookup", id: "s3", owner: "carol", want: sessionOwned}, // touched: lives on
		{do: "lookup", id: "s4", owner: "eve", want: sessionForeign}, // a foreign look does not touch
		{do: "advance", d: 2 * time.Minute},
		{do: "lookup", id: "s4", owner: "dave", want: sessionUnknown}, // idled out
		{do: "lookup", id: "s3", owner: "carol", want: sessionOwned},
		{do: "advance", d: 2 * time.Hour},
		{do: "bind", id: "s5", owner: "alice", want: true}, // drops the idle s3 on the way
	}
	for i, st := range steps {
		var got any
		switch st.do {
		case "bind":
			got = s.bind(st.id, st.owner)
		case "lookup":
			got = s.lookup(st.id, st.owner)
		case "remove":
			s.remove(st.id, st.owner)
		case "advance":
			clock.t = clock.t.Add(st.d)
		}
		if st.want != nil && got != st.want {
			t.Fatalf("step %d (%s %s as %s) = %v, want %v", i, st.do, st.id, st.owner, got, st.want)
		}
	}
	if n := s.len(); n != 1 {
		t.Errorf("len = %d, want 1", n)
	}
}

// TestSessionStoreBound: however many sessions are opened, the store holds
// at most its maximum.
func TestSessionStoreBound(t *testing.T) {
	s := newSessionStore(100, time.Hour, time.Now)
	for i := range 10_000 {
		s.bind(fmt.Sprint("s", i), "alice")
	}
	if n := s.len(); n != 100 {
		t.Fatalf("len = %d, want 100", n)
	}
	if got := s.lookup("s9999", "alice"); got != sessionOwned {
		t.Errorf("newest session: %v", got)
	}
	if got := s.lookup("s0", "alice"); got != sessionUnknown {
		t.Errorf("oldest session: %v", got)
	}
}

func TestNewSessionBindingConfig(t *testing.T) {
	tests := []struct {
		name string
		w    ErrorWriter
		opts []SessionOption
	}{
		{"nil writer", nil, nil},
		{"nil option", &fakeWriter{}, []SessionOption{nil}},
		{"zero max", &fakeWriter{}, []SessionOption{WithMaxSessions(0)}},
		{"negative max", &fakeWriter{}, []SessionOption{WithMaxSessions(-1)}},
		{"zero TTL", &fakeWriter{}, []SessionOption{WithSessionIdleTTL(0)}},
		{"nil owner", &fakeWriter{}, []SessionOption{WithSessionOwner(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewSessionBinding(tt.w, tt.opts...)
			if err == nil || b != nil || !errors.Is(err, bearer.ErrMisconfigured) {
				t.Fatalf("NewSessionBinding = %v, %v; want an ErrMisconfigured error", b, err)
			}
		})
	}
	b, err := NewSessionBinding(&fakeWriter{})
	if err != nil || b.store.max != DefaultMaxSessions || b.store.ttl != DefaultSessionIdleTTL {
		t.Fatalf("defaults: %v, %v", b, err)
	}
}

// sessionHandler is a stand-in transport: it answers with the status in
// the X-Status request header (200 without), and sets Mcp-Session-Id to the
// X-New-Session request header when there is one.
func sessionHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-New-Session"); id != "" {
			w.Header().Set("Mcp-Session-Id", id)
		}
		code := http.StatusOK
		if s := r.Header.Get("X-Status"); s != "" {
			_, _ = fmt.Sscan(s, &code)
		}
		w.WriteHeader(code)
	})
}

func TestSessionBindingHandler(t *testing.T) {
	fw := &fakeWriter{}
	b, err := NewSessionBinding(fw, WithSessionOwner(func(a *bearer.AuthInfo) string { return a.Subject }))
	if err != nil {
		t.Fatal(err)
	}
	h := withInfo(b.Handler(sessionHandler()))
	type req struct {
		name       string
		method     string
		target     string
		user       string // "" = no AuthInfo
		headers    []string
		wantStatus int
	}
	steps := []req{
		{name: "alice opens s1", method: http.MethodPost, target: "/mcp", user: "alice", headers: []string{"X-New-Session: s1"}, wantStatus: 200},
		{name: "a failed open binds nothing", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"X-New-Session: s9", "X-Status: 400"}, wantStatus: 400},
		{name: "s9 is unknown", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"Mcp-Session-Id: s9"}, wantStatus: 404},
		{name: "alice uses s1", method: http.MethodPost, target: "/mcp", user: "alice", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 200},
		{name: "bob uses s1", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 403},
		{name: "bob hides s1 in a second header", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"Mcp-Session-Id: s2", "Mcp-Session-Id: s1"}, wantStatus: 403},
		{name: "bob opens s2", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"X-New-Session: s2"}, wantStatus: 200},
		{name: "bob re-mints alice's s1", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"X-New-Session: s1"}, wantStatus: 200},
		{name: "s1 is still alice's", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 403},
		{name: "bob uses s1 in the query", method: http.MethodPost, target: "/message?sessionId=s1", user: "bob", wantStatus: 403},
		{name: "bob appends s1 to his own", method: http.MethodPost, target: "/message?sessionId=s2&sessionId=s1", user: "bob", wantStatus: 403},
		{name: "bob's own in the query", method: http.MethodPost, target: "/message?sessionId=s2", user: "bob", wantStatus: 200},
		{name: "a request on a session opens none", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"Mcp-Session-Id: s2", "X-New-Session: s3"}, wantStatus: 200},
		{name: "so s3 is unknown", method: http.MethodPost, target: "/mcp", user: "bob", headers: []string{"Mcp-Session-Id: s3"}, wantStatus: 404},
		{name: "unknown id", method: http.MethodPost, target: "/mcp", user: "alice", headers: []string{"Mcp-Session-Id: nope"}, wantStatus: 404},
		{name: "empty id is no id", method: http.MethodPost, target: "/mcp?sessionId=", user: "alice", headers: []string{"Mcp-Session-Id: "}, wantStatus: 200},
		{name: "OPTIONS passes", method: http.MethodOptions, target: "/mcp", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 200},
		{name: "no AuthInfo", method: http.MethodPost, target: "/mcp", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 500},
		{name: "no subject", method: http.MethodPost, target: "/mcp", user: "", headers: []string{"X-Test-Scopes: a"}, wantStatus: 500},
		{name: "DELETE the transport refuses", method: http.MethodDelete, target: "/mcp", user: "alice", headers: []string{"Mcp-Session-Id: s1", "X-Status: 405"}, wantStatus: 405},
		{name: "s1 kept", method: http.MethodPost, target: "/mcp", user: "alice", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 200},
		{name: "DELETE s1", method: http.MethodDelete, target: "/mcp", user: "alice", headers: []string{"Mcp-Session-Id: s1", "X-Status: 204"}, wantStatus: 204},
		{name: "s1 gone", method: http.MethodPost, target: "/mcp", user: "alice", headers: []string{"Mcp-Session-Id: s1"}, wantStatus: 404},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := httptest.NewRequest(st.method, st.target, nil)
			if st.user != "" {
				r.Header.Set("X-Test-Scopes", "")
				r.Header.Set("X-Test-User", st.user)
			}
			for _, hl := range st.headers {
				name, value, _ := strings.Cut(hl, ":")
				r.Header.Add(name, strings.TrimSpace(value))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != st.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, st.wantStatus, w.Body)
			}
		})
	}
	if n := b.Len(); n != 1 {
		t.Errorf("Len = %d, want 1 (s2)", n)
	}
}

// TestSessionBindingConcurrent opens and uses sessions from many goroutines
// (run with -race).
func TestSessionBindingConcurrent(t *testing.T) {
	b, err := NewSessionBinding(&fakeWriter{}, WithMaxSessions(50))
	if err != nil {
		t.Fatal(err)
	}
	h := withInfo(b.Handler(sessionHandler()))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				user := fmt.Sprint("u", g)
				id := fmt.Sprint("s", g, "-", i)
				for _, hdr := range []string{"X-New-Session", "Mcp-Session-Id"} {
					r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
					r.Header.Set("X-Test-Scopes", "")
					r.Header.Set("X-Test-User", user)
					r.Header.Set(hdr, id)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusOK && w.Code != http.StatusNotFound { // 404: evicted by another goroutine
						t.Errorf("%s %s: status %d", hdr, id, w.Code)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := b.Len(); n > 50 {
		t.Errorf("Len = %d, above the bound", n)
	}
}
