package faults

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
)

// TestProxyFaults checks that each fault does what it says, seen by a plain
// HTTP client, so that the verifier tests rest on a proxy that works.
func TestProxyFaults(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"sub":"backend","path":"` + r.URL.Path + `"}`))
	}))
	defer backend.Close()

	type outcome struct {
		status      int    // 0: no response
		contentType string // prefix
		bodyErr     bool   // reading the body fails
		minBody     int
	}
	cases := []struct {
		fault Fault
		want  outcome
	}{
		{Pass, outcome{status: 200, contentType: "application/json"}},
		{Status500, outcome{status: 500, contentType: "application/json"}},
		{Status502, outcome{status: 502, contentType: "application/json"}},
		{Status503, outcome{status: 503, contentType: "application/json"}},
		{Status429, outcome{status: 429, contentType: "application/json"}},
		{Slow, outcome{}},
		{SlowBody, outcome{status: 200, contentType: "application/json", bodyErr: true}},
		{Hang, outcome{}},
		{Reset, outcome{}},
		{Truncated, outcome{status: 200, contentType: "application/json", bodyErr: true}},
		{InvalidJSON, outcome{status: 200, contentType: "application/json"}},
		{WrongContentType, outcome{status: 200, contentType: "text/html"}},
		{Oversize, outcome{status: 200, contentType: "application/json", minBody: 1<<20 + 1}},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String(), func(t *testing.T) {
			base := goroutineBaseline()
			p, err := NewProxy(backend.URL)
			if err != nil {
				t.Fatal(err)
			}
			client := newClient()
			p.Set("/x", tc.fault)
			resp, err := client.Get(p.URL() + "/x")
			var got outcome
			var body []byte
			if err == nil {
				got.status, got.contentType = resp.StatusCode, resp.Header.Get("Content-Type")
				body, err = io.ReadAll(resp.Body)
				got.bodyErr = err != nil
				resp.Body.Close()
			}
			if got.status != tc.want.status || !strings.HasPrefix(got.contentType, tc.want.contentType) || got.bodyErr != tc.want.bodyErr || len(body) < tc.want.minBody {
				t.Errorf("got status %d, type %q, body error %v (%v), %d bytes; want %+v", got.status, got.contentType, got.bodyErr, err, len(body), tc.want)
			}
			if tc.fault == Reset && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("reset: error %v, want ECONNRESET", err)
			}
			// Other paths pass, and every request was counted.
			resp, err = client.Get(p.URL() + "/y")
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("/y: %v", err)
			} else {
				resp.Body.Close()
			}
			if p.Count("/x") != 1 || p.Count("/y") != 1 {
				t.Errorf("counts /x %d /y %d, want 1 and 1", p.Count("/x"), p.Count("/y"))
			}
			p.Close()
			client.CloseIdleConnections()
			checkGoroutines(t, base)
		})
	}
}

// TestProxyDown checks that SetDown refuses connections and that the proxy
// serves again on the same address afterwards.
func TestProxyDown(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	defer backend.Close()
	base := goroutineBaseline()
	p, err := NewProxy(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	client := newClient()
	get := func() error {
		resp, err := client.Get(p.URL() + "/")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
	if err := p.SetDown(true); err != nil {
		t.Fatal(err)
	}
	if err := get(); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("down: %v, want connection refused", err)
	}
	if err := p.SetDown(false); err != nil {
		t.Fatal(err)
	}
	if err := get(); err != nil {
		t.Errorf("up again: %v", err)
	}
	p.Close()
	client.CloseIdleConnections()
	checkGoroutines(t, base)
}
