// Package faults tests how the library behaves when the authorization server
// misbehaves: a [Proxy] sits between the verifiers (and discovery) and a real
// provider, and injects a [Fault] per path at run time. The tests in this
// package hold the library to its promise: a provider failure is answered
// with 503 and Retry-After, never with 401; promptly; and the same token is
// accepted again as soon as the provider recovers, without a restart.
//
// The package is test support: nothing outside its tests uses it.
package faults

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does with a request for a path.
type Fault int

// The faults. The whole proxy can also be taken down ([Proxy.SetDown]):
// connection refused is a property of the listener, not of a path.
const (
	// Pass forwards the request to the provider and its answer back.
	Pass Fault = iota
	// Status500, Status502, Status503 and Status429 answer with that
	// status and a small JSON error body, without asking the provider.
	Status500
	Status502
	Status503
	Status429
	// Slow answers (by forwarding) only after [SlowDelay], far beyond any
	// client timeout a test uses, or gives up when the request ends.
	Slow
	// SlowBody sends "200 application/json" at once, then a body one byte
	// per [SlowBodyTick]: the headers arrive in time, the body does not.
	SlowBody
	// Hang never answers: it holds the request until the client gives up,
	// or aborts the connection when the proxy closes.
	Hang
	// Reset closes the connection with a TCP RST before any response.
	Reset
	// Truncated sends "200 application/json" and part of the body its
	// Content-Length announces, then closes the connection (the client
	// reads the headers, then meets an unexpected EOF).
	Truncated
	// InvalidJSON answers 200 application/json with a truncated document.
	InvalidJSON
	// WrongContentType forwards the provider's answer with its
	// Content-Type replaced by text/html.
	WrongContentType
	// Oversize answers 200 application/json with a well-formed document
	// larger than 1 MiB that would pass as a userinfo or introspection
	// answer if its size were not checked.
	Oversize
)

// Delays of the slow faults.
const (
	SlowDelay    = 3 * time.Second
	SlowBodyTick = 50 * time.Millisecond
)

var faultNames = [...]string{
	Pass: "pass", Status500: "500", Status502: "502", Status503: "503", Status429: "429",
	Slow: "slow", SlowBody: "slow-body", Hang: "hang", Reset: "reset", Truncated: "truncated",
	InvalidJSON: "invalid-json", WrongContentType: "wrong-content-type", Oversize: "oversize",
}

// String names f.
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Proxy is a reverse proxy to one provider that injects faults per path.
// Its methods are safe for concurrent use.
type Proxy struct {
	target    *url.URL
	addr      string // host:port, kept across SetDown
	rp        *httputil.ReverseProxy
	transport *http.Transport
	stop      chan struct{} // closed by Close: ends held requests
	handlers  sync.WaitGroup

	mu     sync.Mutex
	faults map[string]Fault
	counts map[string]int
	srv    *http.Server
	served chan struct{} // closed when srv's Serve returns
	closed bool
}

// NewProxy starts a proxy to target (scheme and host of the provider; the
// request path is kept) on a free loopback port.
func NewProxy(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("faults: bad target %q", target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}
	p := &Proxy{
		target:    u,
		addr:      ln.Addr().String(),
		transport: tr,
		stop:      make(chan struct{}),
		faults:    make(map[string]Fault),
		counts:    make(map[string]int),
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(u) },
		Transport: tr,
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	p.serve(ln)
	return p, nil
}

// URL returns the proxy's base URL, "http://127.0.0.1:<port>".
func (p *Proxy) URL() string { return "http://" + p.addr }

// Set makes requests for path (exact match of the URL path) meet f.
func (p *Proxy) Set(path string, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f == Pass {
		delete(p.faults, path)
		return
	}
	p.faults[path] = f
}

// PassAll removes every fault (not SetDown).
func (p *Proxy) PassAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.faults)
}

// Count returns how many requests for path reached the proxy, faulted or
// not. Requests refused while the proxy is down never reach it.
func (p *Proxy) Count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[path]
}

// SetDown closes the listener and every connection (clients then get
// "connection refused"), or listens again on the same address.
func (p *Proxy) SetDown(down bool) error {
	p.mu.Lock()
	srv, served, closed := p.srv, p.served, p.closed
	p.mu.Unlock()
	if closed {
		return errors.New("faults: proxy closed")
	}
	if down {
		if srv == nil {
			return nil
		}
		srv.Close()
		<-served
		p.mu.Lock()
		p.srv = nil
		p.mu.Unlock()
		return nil
	}
	if srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("faults: listening again on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

// Close stops the proxy: it aborts held requests, closes the listener
// and every connection, and returns once every handler has returned.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	srv, served := p.srv, p.served
	p.srv = nil
	p.mu.Unlock()
	close(p.stop)
	if srv != nil {
		srv.Close()
		<-served
	}
	p.handlers.Wait()
	p.transport.CloseIdleConnections()
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(p.handle), ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	p.mu.Lock()
	p.srv, p.served = srv, served
	p.mu.Unlock()
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
}

func (p *Proxy) handle(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		http.Error(w, "proxy closed", http.StatusServiceUnavailable)
		return
	}
	p.handlers.Add(1) // under mu, so never concurrent with Close's Wait
	f := p.faults[r.URL.Path]
	p.counts[r.URL.Path]++
	p.mu.Unlock()
	defer p.handlers.Done()

	switch f {
	case Status500, Status502, Status503, Status429:
		status := map[Fault]int{Status500: 500, Status502: 502, Status503: 503, Status429: 429}[f]
		if f == Status429 || f == Status503 {
			w.Header().Set("Retry-After", "1")
		}
		writeJSON(w, status, []byte(`{"error":"server_error","error_description":"injected fault"}`))
	case Slow:
		t := time.NewTimer(SlowDelay)
		defer t.Stop()
		select {
		case <-t.C:
			p.rp.ServeHTTP(w, r)
		case <-r.Context().Done():
		case <-p.stop:
			panic(http.ErrAbortHandler) // no answer at all, not an empty 200
		}
	case SlowBody:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		rc.Flush()
		// No member any caller would accept, should it ever complete.
		body := []byte(`{"padding":"` + strings.Repeat(".", 80) + `"}`)
		tick := time.NewTicker(SlowBodyTick)
		defer tick.Stop()
		for _, b := range body {
			select {
			case <-tick.C:
			case <-r.Context().Done():
				return
			case <-p.stop:
				panic(http.ErrAbortHandler) // cut the body short
			}
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			rc.Flush()
		}
	case Hang:
		select {
		case <-r.Context().Done():
		case <-p.stop:
			panic(http.ErrAbortHandler) // no answer at all, not an empty 200
		}
	case Reset, Truncated:
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot hijack", http.StatusInternalServerError)
			return
		}
		if f == Truncated {
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"sub\":\"inj")
			buf.Flush()
		} else if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close sends RST, not FIN
		}
		conn.Close()
	case InvalidJSON:
		writeJSON(w, http.StatusOK, []byte(`{"sub":"injected","active":true,"keys":[{"kty":`))
	case WrongContentType:
		p.rp.ServeHTTP(contentTypeWriter{w}, r)
	case Oversize:
		var b bytes.Buffer
		b.WriteString(`{"sub":"injected","active":true,"padding":"`)
		b.WriteString(strings.Repeat("a", 1<<20))
		b.WriteString(`"}`)
		writeJSON(w, http.StatusOK, b.Bytes())
	default:
		p.rp.ServeHTTP(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// contentTypeWriter replaces the Content-Type of the response with
// text/html when the header is written.
type contentTypeWriter struct{ http.ResponseWriter }

func (w contentTypeWriter) WriteHeader(code int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.ResponseWriter.WriteHeader(code)
}

func (w contentTypeWriter) Write(b []byte) (int, error) { return w.ResponseWriter.Write(b) }

func (w contentTypeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
