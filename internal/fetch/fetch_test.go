package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serve starts a loopback server answering every request with h.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func reply(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

func TestDo(t *testing.T) {
	const doc = `{"keys":[]}`
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int    // Error.Status wanted; 0 with wantErr "" means success
		wantErr string // substring of the error, "" for success
	}{
		{"json", reply(200, "application/json", doc), 0, ""},
		{"json with charset", reply(200, "application/json; charset=utf-8", doc), 0, ""},
		{"jwk-set+json", reply(200, "application/jwk-set+json", doc), 0, ""},
		{"introspection+json", reply(200, "application/token-introspection+json", doc), 0, ""},
		{"upper-case media type", reply(200, "Application/JSON", doc), 0, ""},
		{"text/plain", reply(200, "text/plain", doc), 200, `content type "text/plain" is not JSON`},
		{"text/html", reply(200, "text/html; charset=utf-8", "<html>"), 200, "is not JSON"},
		{"jwt", reply(200, "application/jwt", doc), 200, "is not JSON"},
		{"json-seq is not json", reply(200, "application/json-seq", doc), 200, "is not JSON"},
		{"no content type", reply(200, "", doc), 200, `content type "" is not JSON`},
		{"malformed content type", reply(200, "application/json; =", doc), 200, "is not JSON"},
		{"201", reply(201, "application/json", doc), 201, "unexpected status 201"},
		{"204", reply(204, "application/json", ""), 204, "unexpected status 204"},
		{"304", reply(304, "application/json", ""), 304, "unexpected status 304"},
		{"401", reply(401, "application/json", `{"error":"invalid_token"}`), 401, "unexpected status 401"},
		{"404", reply(404, "text/plain", "not found"), 404, "unexpected status 404"},
		{"500", reply(500, "application/json", doc), 500, "unexpected status 500"},
		{"503", reply(503, "text/plain", ""), 503, "unexpected status 503"},
		{"invalid json", reply(200, "application/json", `{"keys":`), 200, "invalid JSON"},
		{"wrong json shape", reply(200, "application/json", `[1]`), 200, "invalid JSON"},
		{"body exactly at the cap", reply(200, "application/json", `{"keys":[]}`+strings.Repeat(" ", MaxBody-len(doc))), 0, ""},
		{"body one byte over", reply(200, "application/json", `{"keys":[]}`+strings.Repeat(" ", MaxBody-len(doc)+1)), 200, "larger than 1048576 bytes"},
		{"huge body", reply(200, "application/json", strings.Repeat("x", 4*MaxBody)), 200, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.handler)
			var dst struct{ Keys []any }
			err := Do(nil, get(t, srv.URL+"/jwks?x=1"), "JWKS", &dst)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if dst.Keys == nil {
					t.Error("body not decoded")
				}
				return
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if fe.Status != tt.status || fe.Op != "JWKS" || fe.URL != srv.URL+"/jwks?x=1" {
				t.Errorf("Error = %+v", fe)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "JWKS: "+srv.URL) {
				t.Errorf("message %q, want it to name the operation, the URL and %q", err, tt.wantErr)
			}
		})
	}
}

func TestDoSendsAcceptJSON(t *testing.T) {
	var accept string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		reply(200, "application/json", "{}")(w, r)
	})
	if err := Do(nil, get(t, srv.URL), "x", new(map[string]any)); err != nil {
		t.Fatal(err)
	}
	if accept != "application/json" {
		t.Errorf("Accept = %q", accept)
	}
}

func TestDoRedactsURL(t *testing.T) {
	srv := serve(t, reply(404, "", ""))
	u := strings.Replace(srv.URL, "http://", "http://user:secret@", 1)
	err := Do(nil, get(t, u), "userinfo", new(any))
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v, want the password redacted", err)
	}
}

func TestDoNetworkErrors(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		err = Do(nil, get(t, "http://"+addr+"/x"), "discovery", new(any))
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != 0 || !strings.HasPrefix(err.Error(), "discovery: http://"+addr+"/x: dial tcp") {
			t.Errorf("err = %v, want *Error with status 0 naming the URL, then the dial error", err)
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		client := &http.Client{Timeout: 50 * time.Millisecond}
		err := Do(client, get(t, srv.URL), "discovery", new(any))
		var ne net.Error
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != 0 || !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("err = %v, want a timeout *Error", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		srv := serve(t, reply(200, "application/json", "{}"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err := Do(nil, req, "x", new(any)); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want Canceled", err)
		}
	})
}

func TestDefaultClientRedirects(t *testing.T) {
	other := serve(t, reply(200, "application/json", `{"from":"other"}`))
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cross":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/doc", http.StatusTemporaryRedirect)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/doc":
			reply(200, "application/json", `{"from":"same"}`)(w, r)
		}
	})
	c := DefaultClient()
	if c.Timeout != DefaultTimeout || c.CheckRedirect == nil {
		t.Fatalf("DefaultClient = %+v", c)
	}
	var doc struct{ From string }
	if err := Do(c, get(t, srv.URL+"/same"), "x", &doc); err != nil || doc.From != "same" {
		t.Errorf("same-origin redirect: %v, %q", err, doc.From)
	}
	if err := Do(c, get(t, srv.URL+"/cross"), "x", &doc); err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("cross-origin redirect: %v", err)
	}
	if err := Do(c, get(t, srv.URL+"/loop"), "x", &doc); err == nil || !strings.Contains(err.Error(), "5 redirects") {
		t.Errorf("redirect loop: %v", err)
	}
}

func TestSameOriginRedirects(t *testing.T) {
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := req("https://a.example/x")
	tests := []struct {
		name string
		to   string
		hops int
		ok   bool
	}{
		{"same origin", "https://a.example/y", 1, true},
		{"host case", "https://A.EXAMPLE/y", 1, true},
		{"fourth hop", "https://a.example/y", 4, true},
		{"fifth hop", "https://a.example/y", 5, false},
		{"other host", "https://b.example/y", 1, false},
		{"subdomain", "https://x.a.example/y", 1, false},
		{"other port", "https://a.example:8443/y", 1, false},
		{"https to http", "http://a.example/y", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			via := make([]*http.Request, tt.hops)
			for i := range via {
				via[i] = first
			}
			err := SameOriginRedirects(req(tt.to), via)
			if (err == nil) != tt.ok {
				t.Errorf("SameOriginRedirects(%s, %d hops) = %v, want ok=%v", tt.to, tt.hops, err, tt.ok)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		raw      string
		insecure bool
		ok       bool
	}{
		{"https://a.example", false, true},
		{"https://a.example/p?q=1", false, true},
		{"HTTPS://a.example/p", false, true},
		{"http://a.example", false, false},
		{"http://a.example", true, true},
		{"http://localhost:3000/x", false, true},
		{"http://LOCALHOST/x", false, true},
		{"http://app.localhost/x", false, true},
		{"http://127.0.0.1:8080", false, true},
		{"http://127.1.2.3", false, true},
		{"http://[::1]:9000/x", false, true},
		{"http://localhost.evil.example", false, false},
		{"http://127.0.0.1.nip.io", false, false},
		{"http://[::ffff:127.0.0.1]", false, true},
		{"http://0.0.0.0", false, false},
		{"http://10.0.0.1", false, false},
		{"ftp://a.example", true, false},
		{"javascript:alert(1)", true, false},
		{"//a.example/x", false, false},
		{"/relative", false, false},
		{"https://", false, false},
		// A port without a host: the metadata check refused it, the fetch
		// check did not, until both became this one rule.
		{"https://:443/me", false, false},
		{"http://:80", true, false},
		{"https://a.example/#frag", false, false},
		{"https://a.example/#", false, false},
		{"https://a.example/%zz", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := CheckURL(tt.raw, "issuer", tt.insecure)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckURL(%q, insecure=%v) = %v, want ok=%v", tt.raw, tt.insecure, err, tt.ok)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "issuer ") {
				t.Errorf("error %q does not name the URL's role", err)
			}
			if err == nil && u == nil {
				t.Error("nil URL without error")
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"localhost.", true},
		{"api.localhost", true},
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"[::1]", true},
		{"::ffff:127.0.0.1", true},
		{"", false},
		{"localhost.example", false},
		{"mylocalhost", false},
		{"128.0.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"192.168.1.1", false},
		{"example.com", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.host); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestDoErrorCauses(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        error
	}{
		{"status", http.StatusBadGateway, "application/json", `{}`, ErrStatus},
		{"media type", http.StatusOK, "text/html", `{}`, ErrNotJSON},
		{"parse", http.StatusOK, "application/json", `{`, ErrInvalidJSON},
		{"size", http.StatusOK, "application/json", `"` + strings.Repeat("a", MaxBody) + `"`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			var v any
			err := Do(srv.Client(), req, "test", &v)
			var fe *Error
			if !errors.Is(err, tt.want) || !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *Error wrapping %v", err, tt.want)
			}
			if fe.ContentType != tt.contentType || fe.Status != tt.status {
				t.Errorf("ContentType %q Status %d, want %q %d", fe.ContentType, fe.Status, tt.contentType, tt.status)
			}
		})
	}
}

func TestCheckURLHidesUserInformation(t *testing.T) {
	_, err := CheckURL("https://user:s3cret@as.example/", "issuer", false)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v: want an error without the password", err)
	}
}
