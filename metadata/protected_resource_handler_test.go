package metadata

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const wk = WellKnownPath

// serveRequest sends one request to h and returns the recorded response.
func serveRequest(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// mustMarshal is the document as the handler serves it.
func mustMarshal(t *testing.T, p ProtectedResource) string {
	t.Helper()
	doc, err := newDocument(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc.body)
}

// docWith returns validDoc with resource set.
func docWith(resource string) ProtectedResource {
	p := validDoc()
	p.Resource = resource
	return p
}

// checkHeaders compares the listed headers exactly ("" means absent).
func checkHeaders(t *testing.T, got http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got.Get(k) != v || (v == "" && len(got.Values(k)) != 0) {
			t.Errorf("header %s = %q, want %q", k, got.Values(k), v)
		}
	}
}

func TestProtectedResourceHandlerSingle(t *testing.T) {
	p := validDoc() // https://mcp.example.com/mcp
	h, err := NewProtectedResourceHandler([]ProtectedResource{p})
	if err != nil {
		t.Fatal(err)
	}
	body := mustMarshal(t, p)
	okHeaders := map[string]string{
		"Content-Type":                "application/json",
		"Content-Length":              itoa(len(body)),
		"Cache-Control":               "public, max-age=3600",
		"Access-Control-Allow-Origin": "*",
		"X-Content-Type-Options":      "nosniff",
		"Location":                    "",
		"Www-Authenticate":            "",
	}
	notFound := map[string]string{
		"Content-Type":                "application/json",
		"Cache-Control":               "no-store",
		"Access-Control-Allow-Origin": "*",
	}
	tests := []struct {
		name, method, target string
		header               map[string]string
		status               int
		body                 string
		headers              map[string]string
	}{
		{"path-suffixed", "GET", wk + "/mcp", nil, 200, body, okHeaders},
		{"path-suffixed with trailing slash", "GET", wk + "/mcp/", nil, 200, body, okHeaders},
		{"path-suffixed with query", "GET", wk + "/mcp?x=1", nil, 200, body, okHeaders},
		{"path-suffixed with slash and query", "GET", wk + "/mcp/?x=1&y", nil, 200, body, okHeaders},
		{"root falls back to the only resource", "GET", wk, nil, 200, body, okHeaders},
		{"root with trailing slash", "GET", wk + "/", nil, 200, body, okHeaders},
		{"root with query", "GET", wk + "?x=1", nil, 200, body, okHeaders},
		{"absolute-form target", "GET", "https://mcp.example.com" + wk + "/mcp", nil, 200, body, okHeaders},
		{"any MCP-Protocol-Version", "GET", wk + "/mcp", map[string]string{"MCP-Protocol-Version": "1999-01-01"}, 200, body, okHeaders},
		{"an Authorization header is ignored", "GET", wk + "/mcp", map[string]string{"Authorization": "Bearer whatever"}, 200, body, okHeaders},
		{"HEAD has headers but no body", "HEAD", wk + "/mcp", nil, 200, "", okHeaders},
		{"HEAD at the root", "HEAD", wk, nil, 200, "", okHeaders},
		{"preflight", "OPTIONS", wk + "/mcp", map[string]string{
			"Origin": "https://app.example", "Access-Control-Request-Method": "GET",
			"Access-Control-Request-Headers": "mcp-protocol-version",
		}, 204, "", map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
			"Access-Control-Allow-Headers": "Authorization, Content-Type, MCP-Protocol-Version",
			"Access-Control-Max-Age":       "86400",
			"Allow":                        "GET, HEAD, OPTIONS",
			"Content-Type":                 "",
		}},
		{"preflight at the root", "OPTIONS", wk + "/", nil, 204, "", map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"POST", "POST", wk + "/mcp", nil, 405, `{"error":"method_not_allowed"}`, map[string]string{
			"Allow": "GET, HEAD, OPTIONS", "Access-Control-Allow-Origin": "*", "Content-Type": "application/json", "Cache-Control": "no-store",
		}},
		{"PUT", "PUT", wk + "/mcp", nil, 405, `{"error":"method_not_allowed"}`, map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"DELETE at the root", "DELETE", wk, nil, 405, `{"error":"method_not_allowed"}`, map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"lowercase method", "get", wk + "/mcp", nil, 405, `{"error":"method_not_allowed"}`, map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"unknown resource", "GET", wk + "/other", nil, 404, `{"error":"not_found"}`, notFound},
		{"paths are case-sensitive", "GET", wk + "/MCP", nil, 404, `{"error":"not_found"}`, notFound},
		{"two trailing slashes", "GET", wk + "/mcp//", nil, 404, `{"error":"not_found"}`, notFound},
		{"below the resource", "GET", wk + "/mcp/x", nil, 404, `{"error":"not_found"}`, notFound},
		{"prefix without separator", "GET", wk + "mcp", nil, 404, `{"error":"not_found"}`, notFound},
		{"the MCP endpoint itself", "GET", "/mcp", nil, 404, `{"error":"not_found"}`, notFound},
		{"authorization server path", "GET", AuthorizationServerWellKnownPath, nil, 404, `{"error":"not_found"}`, notFound},
		{"escaped slash is not a separator", "GET", wk + "%2Fmcp", nil, 404, `{"error":"not_found"}`, notFound},
		{"404 wins over 405", "POST", wk + "/other", nil, 404, `{"error":"not_found"}`, notFound},
		{"HEAD 404 has no body", "HEAD", wk + "/other", nil, 404, "", notFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveRequest(h, tt.method, tt.target, tt.header)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("%s %s = %d %q; want %d %q", tt.method, tt.target, w.Code, w.Body, tt.status, tt.body)
			}
			checkHeaders(t, w.Header(), tt.headers)
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// servedResource GETs target and returns the status and the resource member
// of the document, as raw JSON bytes.
func servedResource(t *testing.T, h http.Handler, target string) (int, string) {
	t.Helper()
	w := serveRequest(h, "GET", target, nil)
	if w.Code != http.StatusOK {
		return w.Code, ""
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("GET %s: invalid JSON %q: %v", target, w.Body, err)
	}
	return w.Code, string(m["resource"])
}

func TestProtectedResourceHandlerSeveral(t *testing.T) {
	quote := func(s string) string { return `"` + s + `"` } // the resources below need no escaping
	type want struct {
		target   string
		status   int
		resource string // served resource, byte for byte, unquoted
	}
	tests := []struct {
		name      string
		resources []string
		opts      []HandlerOption
		want      []want
		paths     []string
	}{
		{
			name:      "each resource its own document, root to the resource without a path",
			resources: []string{"https://h.example/mcp", "https://h.example/tenants/a/mcp?x=1&y=2", "https://h.example"},
			want: []want{
				{wk + "/mcp", 200, "https://h.example/mcp"},
				{wk + "/mcp/", 200, "https://h.example/mcp"},
				{wk + "/tenants/a/mcp", 200, "https://h.example/tenants/a/mcp?x=1&y=2"},
				{wk + "/tenants/a/mcp?x=1&y=2", 200, "https://h.example/tenants/a/mcp?x=1&y=2"},
				{wk + "/tenants/a", 404, ""},
				{wk, 200, "https://h.example"},
				{wk + "/", 200, "https://h.example"},
			},
			paths: []string{wk, wk + "/mcp", wk + "/tenants/a/mcp"},
		},
		{
			name:      "root resource with a trailing slash",
			resources: []string{"https://h.example/", "https://h.example/mcp"},
			want:      []want{{wk, 200, "https://h.example/"}, {wk + "/mcp", 200, "https://h.example/mcp"}},
			paths:     []string{wk, wk + "/mcp"},
		},
		{
			name:      "several resources with paths: no root document",
			resources: []string{"https://h.example/a", "https://h.example/b"},
			want:      []want{{wk + "/a", 200, "https://h.example/a"}, {wk + "/b", 200, "https://h.example/b"}, {wk, 404, ""}, {wk + "/", 404, ""}},
			paths:     []string{wk + "/a", wk + "/b"},
		},
		{
			name:      "WithRootResource picks the root document",
			resources: []string{"https://h.example/a", "https://h.example/b"},
			opts:      []HandlerOption{WithRootResource("https://h.example/b")},
			want:      []want{{wk, 200, "https://h.example/b"}, {wk + "/a", 200, "https://h.example/a"}, {wk + "/b", 200, "https://h.example/b"}},
			paths:     []string{wk, wk + "/a", wk + "/b"},
		},
		{
			name:      "WithRootResource naming the resource without a path",
			resources: []string{"https://h.example", "https://h.example/b"},
			opts:      []HandlerOption{WithRootResource("https://h.example")},
			want:      []want{{wk, 200, "https://h.example"}},
			paths:     []string{wk, wk + "/b"},
		},
		{
			name:      "escaped path",
			resources: []string{"https://h.example/a%2Fb", "https://h.example/a/b"},
			want:      []want{{wk + "/a%2Fb", 200, "https://h.example/a%2Fb"}, {wk + "/a/b", 200, "https://h.example/a/b"}, {wk + "/a%2fb", 404, ""}},
			paths:     []string{wk + "/a%2Fb", wk + "/a/b"},
		},
		{
			name:      "loopback",
			resources: []string{"http://127.0.0.1:8080/mcp"},
			want:      []want{{wk + "/mcp", 200, "http://127.0.0.1:8080/mcp"}, {wk, 200, "http://127.0.0.1:8080/mcp"}},
			paths:     []string{wk, wk + "/mcp"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []ProtectedResource
			for _, r := range tt.resources {
				docs = append(docs, docWith(r))
			}
			h, err := NewProtectedResourceHandler(docs, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				status, resource := servedResource(t, h, w.target)
				wantResource := ""
				if w.resource != "" {
					wantResource = quote(w.resource)
				}
				if status != w.status || resource != wantResource {
					t.Errorf("GET %s = %d, resource %s; want %d, %s", w.target, status, resource, w.status, wantResource)
				}
			}
			if got := h.servedPaths(); !slices.Equal(got, tt.paths) {
				t.Errorf("served paths %q, want %q", got, tt.paths)
			}
		})
	}
}

func TestProtectedResourceHandlerDocumentsAreCopied(t *testing.T) {
	docs := []ProtectedResource{validDoc()}
	h, err := NewProtectedResourceHandler(docs)
	if err != nil {
		t.Fatal(err)
	}
	docs[0].Resource = "https://changed.example/mcp"
	docs[0].ScopesSupported[0] = "changed"
	want := mustMarshal(t, validDoc())
	if w := serveRequest(h, "GET", wk+"/mcp", nil); w.Body.String() != want {
		t.Fatalf("after editing the input, served %s; want %s", w.Body, want)
	}
}

func TestProtectedResourceHandlerCacheControl(t *testing.T) {
	tests := []struct {
		name string
		opts []HandlerOption
		want []string
	}{
		{"default", nil, []string{"public, max-age=3600"}},
		{"custom", []HandlerOption{WithCacheControl("no-cache")}, []string{"no-cache"}},
		{"none", []HandlerOption{WithCacheControl("")}, nil},
		{"last option wins", []HandlerOption{WithCacheControl(""), nil, WithCacheControl("max-age=60")}, []string{"max-age=60"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewProtectedResourceHandler([]ProtectedResource{validDoc()}, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, method := range []string{"GET", "HEAD"} {
				w := serveRequest(h, method, wk+"/mcp", nil)
				if got := w.Header().Values("Cache-Control"); w.Code != 200 || !slices.Equal(got, tt.want) {
					t.Errorf("%s: %d, Cache-Control %q; want 200, %q", method, w.Code, got, tt.want)
				}
			}
		})
	}
}

func TestNewProtectedResourceHandlerErrors(t *testing.T) {
	withScopes := func(resource string, scopes ...string) ProtectedResource {
		p := docWith(resource)
		p.ScopesSupported = scopes
		return p
	}
	noServers := validDoc()
	noServers.AuthorizationServers = []string{}
	tests := []struct {
		name      string
		resources []ProtectedResource
		opts      []HandlerOption
		want      []string // "field value" of each problem
	}{
		{"no resources", nil, nil, []string{"resources "}},
		{"duplicate path: trailing slash", []ProtectedResource{docWith("https://h.example/mcp"), docWith("https://h.example/mcp/")}, nil,
			[]string{"resource https://h.example/mcp/"}},
		{"duplicate path: query", []ProtectedResource{docWith("https://h.example/mcp"), docWith("https://h.example/mcp?t=1")}, nil,
			[]string{"resource https://h.example/mcp?t=1"}},
		{"duplicate path: other host", []ProtectedResource{docWith("https://a.example/mcp"), docWith("https://b.example/mcp")}, nil,
			[]string{"resource https://b.example/mcp"}},
		{"duplicate path: root", []ProtectedResource{docWith("https://h.example"), docWith("https://h.example/")}, nil,
			[]string{"resource https://h.example/"}},
		{"same resource twice", []ProtectedResource{validDoc(), validDoc()}, nil, []string{"resource https://mcp.example.com/mcp"}},
		{"http on a public host", []ProtectedResource{docWith("http://mcp.example.com/mcp")}, nil, []string{"resource http://mcp.example.com/mcp"}},
		{"fragment", []ProtectedResource{docWith("https://mcp.example.com/mcp#a")}, nil, []string{"resource https://mcp.example.com/mcp#a"}},
		{"offline_access", []ProtectedResource{withScopes("https://h.example/mcp", "offline_access")}, nil,
			[]string{"scopes_supported offline_access"}},
		{"bad scope tokens", []ProtectedResource{withScopes("https://h.example/mcp", "read write", `x"`, "", "ok")}, nil,
			[]string{"scopes_supported ", "scopes_supported read write", `scopes_supported x"`}},
		{"empty authorization_servers", []ProtectedResource{noServers}, nil, []string{"authorization_servers "}},
		{"every document checked", []ProtectedResource{docWith("ftp://a"), validDoc(), withScopes("https://b.example", "offline_access")}, nil,
			[]string{"resource ftp://a", "scopes_supported offline_access"}},
		{"unknown root resource", []ProtectedResource{docWith("https://h.example/a"), docWith("https://h.example/b")},
			[]HandlerOption{WithRootResource("https://h.example/c")}, []string{"WithRootResource https://h.example/c"}},
		{"root resource differs only by a slash", []ProtectedResource{docWith("https://h.example/a")},
			[]HandlerOption{WithRootResource("https://h.example/a/")}, []string{"WithRootResource https://h.example/a/"}},
		{"root resource conflicts with the pathless resource", []ProtectedResource{docWith("https://h.example"), docWith("https://h.example/b")},
			[]HandlerOption{WithRootResource("https://h.example/b")}, []string{"WithRootResource https://h.example/b"}},
		{"header injection in Cache-Control", []ProtectedResource{validDoc()},
			[]HandlerOption{WithCacheControl("max-age=1\r\nSet-Cookie: a=b")}, []string{"WithCacheControl max-age=1\r\nSet-Cookie: a=b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewProtectedResourceHandler(tt.resources, tt.opts...)
			if h != nil || err == nil {
				t.Fatalf("NewProtectedResourceHandler = %v, %v; want nil and an error", h, err)
			}
			if !errors.Is(err, ErrInvalidMetadata) {
				t.Errorf("errors.Is(%v, ErrInvalidMetadata) = false", err)
			}
			if got := problems(err); !slices.Equal(got, tt.want) {
				t.Errorf("error %v\nproblems %q\nwant     %q", err, got, tt.want)
			}
		})
	}
}

func TestNewProtectedResourceHandlerRelaxed(t *testing.T) {
	p := docWith("http://mcp.internal/mcp")
	p.AuthorizationServers = []string{"http://auth.internal"}
	p.ScopesSupported = []string{"mcp", "offline_access"}
	if _, err := NewProtectedResourceHandler([]ProtectedResource{p}, SkipOfflineAccessCheck()); err == nil {
		t.Fatal("http on a private name accepted without InsecureAllowHTTP")
	}
	h, err := NewProtectedResourceHandler([]ProtectedResource{p}, InsecureAllowHTTP(), SkipOfflineAccessCheck())
	if err != nil {
		t.Fatal(err)
	}
	if status, resource := servedResource(t, h, wk+"/mcp"); status != 200 || resource != `"http://mcp.internal/mcp"` {
		t.Fatalf("GET = %d %s", status, resource)
	}
}

func TestProtectedResourceHandlerZeroValue(t *testing.T) {
	var h ProtectedResourceHandler
	if w := serveRequest(&h, "GET", wk, nil); w.Code != 404 {
		t.Fatalf("zero value: GET root = %d, want 404", w.Code)
	}
}

func TestProtectedResourceHandlerRegister(t *testing.T) {
	h, err := NewProtectedResourceHandler([]ProtectedResource{validDoc()})
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{"GET " + wk, "GET " + wk + "/", "OPTIONS " + wk, "OPTIONS " + wk + "/"}
	if got := h.Paths(); !slices.Equal(got, wantPaths) {
		t.Fatalf("Paths() = %q, want %q", got, wantPaths)
	}
	mark := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, name)
		})
	}
	body := mustMarshal(t, validDoc())
	tests := []struct {
		name   string
		others map[string]string // pattern -> marker
		method string
		target string
		status int
		body   string
		allow  string
	}{
		{"root, no redirect", nil, "GET", wk, 200, body, ""},
		{"root slash", nil, "GET", wk + "/", 200, body, ""},
		{"suffixed", nil, "GET", wk + "/mcp?x=1", 200, body, ""},
		{"HEAD", nil, "HEAD", wk + "/mcp", 200, "", ""},
		{"OPTIONS", nil, "OPTIONS", wk + "/mcp", 204, "", "GET, HEAD, OPTIONS"},
		{"unknown suffix is ours", map[string]string{"/": "catch-all"}, "GET", wk + "/nope", 404, `{"error":"not_found"}`, ""},
		{"POST gets ServeMux's 405", nil, "POST", wk + "/mcp", 405, "Method Not Allowed\n", "GET, HEAD, OPTIONS"},
		{"beside GET / and POST /mcp", map[string]string{"GET /": "home", "POST /mcp": "mcp"}, "GET", wk + "/mcp", 200, body, ""},
		{"GET / still serves the rest", map[string]string{"GET /": "home", "POST /mcp": "mcp"}, "GET", "/index.html", 418, "home", ""},
		{"beside GET /{path...}", map[string]string{"GET /{path...}": "any"}, "GET", wk, 200, body, ""},
		{"beside /.well-known/", map[string]string{"/.well-known/": "wk"}, "GET", "/.well-known/openid-configuration", 418, "wk", ""},
		{"POST goes to a method-less catch-all", map[string]string{"/": "catch-all"}, "POST", wk, 418, "catch-all", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			for pattern, name := range tt.others {
				mux.Handle(pattern, mark(name))
			}
			h.Register(mux)
			w := serveRequest(mux, tt.method, tt.target, nil)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("%s %s = %d %q; want %d %q", tt.method, tt.target, w.Code, w.Body, tt.status, tt.body)
			}
			if got := w.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

// TestProtectedResourceHandlerOverHTTP runs the handler behind a real server,
// where net/http itself handles HEAD and Content-Length.
func TestProtectedResourceHandlerOverHTTP(t *testing.T) {
	h, err := NewProtectedResourceHandler([]ProtectedResource{validDoc()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	want := mustMarshal(t, validDoc())
	for _, method := range []string{"GET", "HEAD"} {
		req, err := http.NewRequest(method, srv.URL+wk+"/mcp?x=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantBody := want
		if method == "HEAD" {
			wantBody = ""
		}
		if resp.StatusCode != 200 || string(b) != wantBody || resp.ContentLength != int64(len(want)) ||
			resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d, length %d, headers %v, body %q; want 200, %d, %q", method, resp.StatusCode, resp.ContentLength, resp.Header, b, len(want), wantBody)
		}
	}
	if !strings.HasPrefix(want, `{"resource":"https://mcp.example.com/mcp",`) {
		t.Fatalf("document %s does not start with the configured resource", want)
	}
}

// FuzzProtectedResourceHandler sends arbitrary methods and targets: the
// handler never panics, answers only 200, 204, 404 or 405, and a 200 always
// carries one of the configured documents, unchanged.
func FuzzProtectedResourceHandler(f *testing.F) {
	docs := []ProtectedResource{docWith("https://h.example/mcp"), docWith("https://h.example/a%2Fb"), docWith("https://h.example/x/y?q=1")}
	h, err := NewProtectedResourceHandler(docs)
	if err != nil {
		f.Fatal(err)
	}
	bodies := map[string]bool{}
	for _, d := range docs {
		doc, err := newDocument(d)
		if err != nil {
			f.Fatal(err)
		}
		bodies[string(doc.body)] = true
	}
	for _, s := range []string{wk, wk + "/", wk + "/mcp", wk + "/mcp/", wk + "/a%2Fb", wk + "/x/y?q=2", wk + "/%zz", wk + "//", "/", "*"} {
		f.Add("GET", s)
	}
	f.Add("OPTIONS", wk+"/mcp")
	f.Add("BREW", wk+"/mcp")
	f.Fuzz(func(t *testing.T, method, path string) {
		r, err := http.NewRequest(method, "http://h.example", nil)
		if err != nil {
			return
		}
		r.URL.Path, r.URL.RawPath = path, ""
		if strings.Contains(path, "%") { // let EscapedPath consider it as written
			r.URL.RawPath = path
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case 200:
			if method == "GET" && !bodies[w.Body.String()] {
				t.Fatalf("%s %q served %q, not a configured document", method, path, w.Body)
			}
		case 204, 404, 405:
		default:
			t.Fatalf("%s %q = %d", method, path, w.Code)
		}
		if w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("%s %q: no Access-Control-Allow-Origin", method, path)
		}
	})
}
