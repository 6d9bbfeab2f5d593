package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// find returns the result of check in section (any section when "").
func find(r *Report, check string) (Result, bool) {
	for _, res := range r.Results {
		if res.Check == check {
			return res, true
		}
	}
	return Result{}, false
}

// failing returns the names of the failed checks, in order.
func failing(r *Report) []string {
	var out []string
	for _, res := range r.Results {
		if res.Status == Fail {
			out = append(out, res.Check)
		}
	}
	return out
}

func TestCorrectSetupPasses(t *testing.T) {
	f := newFixture(t)
	r := f.run("", Options{})
	if r.Kind != KindMCP {
		t.Errorf("kind = %s, want mcp", r.Kind)
	}
	for _, res := range r.Results {
		if res.Status != Pass {
			t.Errorf("%s %s: %s | fix: %s", res.Status, res.Check, res.Detail, res.Fix)
		}
	}
	if r.ExitCode() != ExitOK {
		t.Errorf("exit code = %d, want 0", r.ExitCode())
	}
	// Every area was covered: the endpoint, its metadata, the
	// authorization server and its keys.
	for _, c := range []string{"mcp.challenge", "mcp.cors.preflight", "prm.resource", "prm.root", "prm.preflight",
		"as.issuer", "as.pkce", "as.oidc", "as.jwks", "as.userinfo", "as.introspection"} {
		if _, ok := find(r, c); !ok {
			t.Errorf("no %s result\n%s", c, r)
		}
	}
	if t.Failed() {
		t.Log(r)
	}
}

func TestCorrectIssuerPasses(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.issuer, Options{})
	if r.Kind != KindIssuer {
		t.Errorf("kind = %s, want issuer", r.Kind)
	}
	for _, res := range r.Results {
		if res.Status != Pass {
			t.Errorf("%s %s: %s", res.Status, res.Check, res.Detail)
		}
		if strings.HasPrefix(res.Check, "mcp.") || strings.HasPrefix(res.Check, "prm.") {
			t.Errorf("an issuer got the MCP check %s", res.Check)
		}
	}
}

// Each case breaks exactly one thing in a correct deployment; the named
// check must report it with the given status and words, and the failing
// checks must be exactly those listed (none for a warning).
func TestBrokenSetups(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(f *fixture)
		opts   Options
		check  string
		status Status
		detail string   // a substring of the detail
		fails  []string // every failing check; nil means just check when status is Fail
	}{
		{
			name:   "resource with a trailing slash",
			break_: func(f *fixture) { f.prm["resource"] = f.resource + "/" },
			check:  "prm.resource", status: Fail, detail: "differ only by a trailing slash",
		},
		{
			name: "resource localhost instead of 127.0.0.1",
			break_: func(f *fixture) {
				f.prm["resource"] = strings.Replace(f.resource, "127.0.0.1", "localhost", 1)
			},
			check: "prm.resource", status: Fail, detail: "localhost and 127.0.0.1 are different strings",
		},
		{
			name:   "metadata only at the root, not path-suffixed",
			break_: func(f *fixture) { f.prmAtPath = false },
			check:  "prm.path-suffixed", status: Fail, detail: "answered 404",
		},
		{
			name:   "no document at the root",
			break_: func(f *fixture) { f.prmAtRoot = false },
			check:  "prm.root", status: Warn, detail: "no document at",
		},
		{
			name: "root document describes another resource",
			break_: func(f *fixture) {
				f.rootPRM = map[string]any{"resource": f.mcpSrv.URL + "/other", "authorization_servers": []any{f.issuer}}
			},
			check: "prm.root", status: Warn, detail: `describes "` + "http://",
		},
		{
			name:   "challenge without resource_metadata",
			break_: func(f *fixture) { f.challenge = `Bearer scope="mcp:read"` },
			check:  "mcp.challenge.resource_metadata", status: Fail, detail: "no resource_metadata parameter",
		},
		{
			name:   "401 without WWW-Authenticate",
			break_: func(f *fixture) { f.challenge = "" },
			check:  "mcp.challenge", status: Fail, detail: "has no WWW-Authenticate header",
		},
		{
			name:   "another scheme before Bearer",
			break_: func(f *fixture) { f.challenge = `Basic realm="mcp", ` + f.challenge },
			check:  "mcp.challenge", status: Fail, detail: `the "Basic" challenge comes before Bearer`,
		},
		{
			name:   "another scheme after Bearer",
			break_: func(f *fixture) { f.challenge += `, Basic realm="mcp"` },
			check:  "mcp.challenge", status: Warn, detail: "other challenges follow Bearer",
		},
		{
			name:   "two Bearer challenges",
			break_: func(f *fixture) { f.challenge += `, Bearer realm="x"` },
			check:  "mcp.challenge", status: Fail, detail: "2 Bearer challenges",
		},
		{
			name:   "challenge that does not parse",
			break_: func(f *fixture) { f.challenge = `Bearer resource_metadata="` + f.prmURL },
			check:  "mcp.challenge", status: Fail, detail: "unterminated quoted-string",
		},
		{
			name:   "challenge without scope",
			break_: func(f *fixture) { f.challenge = `Bearer resource_metadata="` + f.prmURL + `"` },
			check:  "mcp.challenge.scope", status: Warn, detail: "no scope parameter",
		},
		{
			name: "challenge with offline_access",
			break_: func(f *fixture) {
				f.challenge = `Bearer resource_metadata="` + f.prmURL + `", scope="mcp:read offline_access"`
			},
			check: "mcp.challenge.scope", status: Fail, detail: "asks for offline_access",
		},
		{
			name: "error attribute without a token",
			break_: func(f *fixture) {
				f.challenge = `Bearer error="invalid_token", resource_metadata="` + f.prmURL + `", scope="mcp:read"`
			},
			check: "mcp.challenge.error", status: Warn, detail: `error="invalid_token" although no token was sent`,
		},
		{
			name:   "unquoted resource_metadata",
			break_: func(f *fixture) { f.challenge = `Bearer resource_metadata=` + f.prmURL + `, scope="mcp:read"` },
			check:  "mcp.challenge", status: Fail, detail: `the value of the parameter "resource_metadata" must be a token or a quoted-string`,
		},
		{
			name:   "unquoted scope",
			break_: func(f *fixture) { f.challenge = `Bearer resource_metadata="` + f.prmURL + `", scope=mcp.read` },
			check:  "mcp.challenge.scope", status: Warn, detail: "not a quoted-string",
		},
		{
			name: "relative resource_metadata",
			break_: func(f *fixture) {
				f.challenge = `Bearer resource_metadata="/.well-known/oauth-protected-resource/mcp", scope="mcp:read"`
			},
			check: "mcp.challenge.resource_metadata", status: Fail, detail: "is not an absolute http(s) URL",
		},
		{
			name: "scope challenged but not in scopes_supported",
			break_: func(f *fixture) {
				f.challenge = `Bearer resource_metadata="` + f.prmURL + `", scope="mcp:read mcp:write"`
			},
			check: "prm.scopes_supported", status: Warn, detail: `"mcp:write", which scopes_supported`,
		},
		{
			name:   "offline_access in scopes_supported",
			break_: func(f *fixture) { f.prm["scopes_supported"] = []any{"mcp:read", "offline_access"} },
			check:  "prm.scopes_supported", status: Fail, detail: `"offline_access" should not be listed`,
		},
		{
			name: "no scopes_supported",
			break_: func(f *fixture) {
				delete(f.prm, "scopes_supported")
				f.challenge = `Bearer resource_metadata="` + f.prmURL + `"`
			},
			check: "prm.scopes_supported", status: Warn, detail: "no scopes_supported",
		},
		{
			name:   "tokens accepted in the query",
			break_: func(f *fixture) { f.prm["bearer_methods_supported"] = []any{"header", "query"} },
			check:  "prm.document", status: Fail, detail: "bearer_methods_supported",
		},
		{
			name:   "no CORS on the metadata",
			break_: func(f *fixture) { f.prmCORS = false },
			check:  "prm.cors", status: Fail, detail: "no Access-Control-Allow-Origin",
			fails: []string{"prm.cors", "prm.preflight"},
		},
		{
			name:   "metadata behind auth",
			break_: func(f *fixture) { f.prmStatus = http.StatusUnauthorized },
			check:  "prm.path-suffixed", status: Fail, detail: "answered 401: it requires authentication",
			fails: []string{"prm.path-suffixed", "prm.root"},
		},
		{
			name:   "metadata redirected to another origin",
			break_: func(f *fixture) { f.prmRedirect = f.asSrv.URL + "/.well-known/oauth-protected-resource/mcp" },
			check:  "prm.path-suffixed", status: Fail, detail: "redirected to another origin",
		},
		{
			name:   "metadata redirected within the origin",
			break_: func(f *fixture) { f.prmRedirect = f.mcpSrv.URL + "/.well-known/oauth-protected-resource" },
			check:  "prm.path-suffixed", status: Pass, detail: "after redirects to " + "http://127.0.0.1",
			// Browsers fail a redirected preflight.
			fails: []string{"prm.preflight"},
		},
		{
			name: "challenge pointing to a URL without a document",
			break_: func(f *fixture) {
				f.challenge = `Bearer resource_metadata="` + f.mcpSrv.URL + `/meta", scope="mcp:read"`
			},
			check: "prm.challenge-url", status: Fail, detail: "no document at the challenge's resource_metadata",
		},
		{
			name:   "metadata larger than 1 MiB",
			break_: func(f *fixture) { f.prmPadding = 1 << 20 },
			check:  "prm.path-suffixed", status: Fail, detail: "response larger than",
			fails: []string{"prm.path-suffixed", "prm.root"},
		},
		{
			name:   "no authorization_servers",
			break_: func(f *fixture) { delete(f.prm, "authorization_servers") },
			check:  "prm.authorization_servers", status: Fail, detail: "must list at least one authorization server",
		},
		{
			name:   "http issuer on a host that is not a loopback one",
			break_: func(f *fixture) { f.prm["authorization_servers"] = []any{"http://as.example.test"} },
			check:  "prm.authorization_servers", status: Fail, detail: "must use https",
		},
		{
			name:   "preflight answered 401",
			break_: func(f *fixture) { f.preflightStatus = http.StatusUnauthorized },
			check:  "mcp.cors.preflight", status: Fail, detail: "the preflight answered 401",
		},
		{
			name:   "preflight without Mcp-Session-Id",
			break_: func(f *fixture) { f.preflightAllow = "Authorization, Content-Type, MCP-Protocol-Version" },
			check:  "mcp.cors.preflight", status: Fail, detail: "does not allow the request headers mcp-session-id",
		},
		{
			name:   "preflight with a wildcard, which does not cover Authorization",
			break_: func(f *fixture) { f.preflightAllow = "*" },
			check:  "mcp.cors.preflight", status: Fail, detail: "does not allow the request headers authorization (",
		},
		{
			name:   "401 without CORS",
			break_: func(f *fixture) { f.endpointCORS = false },
			check:  "mcp.cors", status: Fail, detail: "no matching Access-Control-Allow-Origin",
		},
		{
			name:   "challenge not exposed to browsers",
			break_: func(f *fixture) { f.exposeHeaders = "Mcp-Session-Id" },
			check:  "mcp.cors", status: Fail, detail: "lacks WWW-Authenticate",
		},
		{
			name:   "GET stream served without a token",
			break_: func(f *fixture) { f.getStatus = http.StatusOK },
			check:  "mcp.unauthenticated-get", status: Fail, detail: "the stream is served to anyone",
		},
		{
			name:   "MCP endpoint not protected",
			break_: func(f *fixture) { f.postStatus, f.getStatus = http.StatusOK, http.StatusMethodNotAllowed },
			check:  "mcp.unauthenticated-post", status: Fail, detail: "answered 200, not 401",
			fails: []string{"mcp.unauthenticated-post", "mcp.cors"},
		},
		{
			name:   "authorization server issuer mismatch",
			break_: func(f *fixture) { f.asMeta["issuer"] = f.issuer + "/"; f.oidcMeta["issuer"] = f.issuer + "/" },
			check:  "as.issuer", status: Fail, detail: "differ only by a trailing slash",
		},
		{
			name:   "no S256",
			break_: func(f *fixture) { f.asMeta["code_challenge_methods_supported"] = []any{"plain"} },
			check:  "as.pkce", status: Fail, detail: `lacks "S256"`,
		},
		{
			name:   "no PKCE at all",
			break_: func(f *fixture) { delete(f.asMeta, "code_challenge_methods_supported") },
			check:  "as.pkce", status: Fail, detail: "no code_challenge_methods_supported",
		},
		{
			name:   "no code response type",
			break_: func(f *fixture) { f.asMeta["response_types_supported"] = []any{"token"} },
			check:  "as.response_types", status: Fail, detail: `has no "code"`,
		},
		{
			name:   "no authorization_code grant",
			break_: func(f *fixture) { f.asMeta["grant_types_supported"] = []any{"client_credentials"} },
			check:  "as.grant_types", status: Fail, detail: `lacks "authorization_code"`,
		},
		{
			name:   "no registration",
			break_: func(f *fixture) { delete(f.asMeta, "registration_endpoint") },
			check:  "as.registration", status: Warn, detail: "neither registration_endpoint nor client_id_metadata_document_supported",
		},
		{
			name:   "token endpoint without none",
			break_: func(f *fixture) { f.asMeta["token_endpoint_auth_methods_supported"] = []any{"client_secret_basic"} },
			check:  "as.token_endpoint_auth", status: Warn, detail: `lacks "none"`,
		},
		{
			name:   "JWKS unreachable",
			break_: func(f *fixture) { f.jwksStatus = http.StatusInternalServerError },
			check:  "as.jwks", status: Fail, detail: "is unreachable: answered 500",
		},
		{
			name:   "JWKS with only an HMAC key",
			break_: func(f *fixture) { f.jwks = map[string]any{"keys": []any{hmacKey}} },
			check:  "as.jwks", status: Fail, detail: "no usable signature key among 1 keys",
		},
		{
			name:   "JWKS with an HMAC key beside a good one",
			break_: func(f *fixture) { f.jwks = map[string]any{"keys": []any{ecKey(f.t, "ec-2"), hmacKey}} },
			check:  "as.jwks.keys", status: Warn, detail: `key "hs-1" ("HS256"): a symmetric (HMAC) key`,
		},
		{
			name: "JWKS with a short RSA key",
			break_: func(f *fixture) {
				f.jwks = map[string]any{"keys": []any{ecKey(f.t, "ec-2"), rsaKey(f.t, "rsa-1024", 1024)}}
			},
			check: "as.jwks.keys", status: Warn, detail: "an RSA key of 1024 bits",
		},
		{
			name: "JWKS with alg none and an unknown alg",
			break_: func(f *fixture) {
				none, odd := ecKey(f.t, "none"), ecKey(f.t, "odd")
				none["alg"], odd["alg"] = "none", "XS999"
				f.jwks = map[string]any{"keys": []any{ecKey(f.t, "ec-2"), none, odd}}
			},
			check: "as.jwks.keys", status: Warn, detail: `alg "none"`,
		},
		{
			name:   "OIDC document missing subject_types_supported",
			break_: func(f *fixture) { delete(f.oidcMeta, "subject_types_supported") },
			check:  "as.oidc", status: Fail, detail: "lacks subject_types_supported",
		},
		{
			name:   "userinfo advertised but missing",
			break_: func(f *fixture) { f.userinfoCode = http.StatusNotFound },
			check:  "as.userinfo", status: Fail, detail: "answered 404: the endpoint is advertised but not served",
		},
		{
			name:   "introspection answering 403",
			break_: func(f *fixture) { f.introspCode = http.StatusForbidden },
			check:  "as.introspection", status: Warn, detail: "answered 403, not 401 or 400",
		},
		{
			name:   "discovery stopped by a 500 before the OpenID Connect document",
			break_: func(f *fixture) { f.serveOAuth, f.oauthStatus = false, http.StatusInternalServerError },
			check:  "as.discovery", status: Fail, detail: "discovery stops at",
		},
		{
			name:   "no authorization server metadata",
			break_: func(f *fixture) { f.serveOAuth, f.serveOIDC = false, false },
			check:  "as.discovery", status: Fail, detail: "no authorization server metadata at any well-known URL",
		},
		{
			name: "http authorization server allowed by InsecureHTTP",
			break_: func(f *fixture) {
				f.setIssuer("http://as.example.test")
			},
			opts:  Options{InsecureHTTP: true},
			check: "as.issuer-url", status: Warn, detail: "allowed by -insecure-http",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.set(tt.break_)
			r := f.run("", tt.opts)
			res, ok := find(r, tt.check)
			switch {
			case !ok:
				t.Fatalf("no %s result\n%s", tt.check, r)
			case res.Status != tt.status || !strings.Contains(res.Detail, tt.detail):
				t.Errorf("%s = %s %q, want %s containing %q", tt.check, res.Status, res.Detail, tt.status, tt.detail)
			case res.Fix == "" && tt.status != Pass:
				t.Errorf("%s has no fix", tt.check)
			}
			want := tt.fails
			if want == nil && tt.status == Fail {
				want = []string{tt.check}
			}
			if got := failing(r); !slices.Equal(got, want) {
				t.Errorf("failing checks = %v, want %v", got, want)
			}
			wantExit := ExitOK
			if len(want) > 0 {
				wantExit = ExitFailed
			}
			if r.ExitCode() != wantExit {
				t.Errorf("exit code = %d, want %d", r.ExitCode(), wantExit)
			}
			if t.Failed() {
				t.Log(r)
			}
		})
	}
}

func TestInsecureHTTPWarnsEverywhere(t *testing.T) {
	f := newFixture(t)
	f.set(func(f *fixture) { f.setIssuer("http://as.example.test") })
	r := f.run("", Options{InsecureHTTP: true})
	for _, c := range []string{"prm.authorization_servers", "as.issuer-url", "as.insecure-http"} {
		if res, _ := find(r, c); res.Status != Warn {
			t.Errorf("%s = %s %q, want a warning", c, res.Status, res.Detail)
		}
	}
	if r.ExitCode() != ExitOK {
		t.Errorf("exit code = %d, want 0\n%s", r.ExitCode(), r)
	}
	if res, _ := find(r, "as.jwks"); res.Status != Pass {
		t.Errorf("the keys at the http host were not checked: %s %q", res.Status, res.Detail)
	}
}

func TestHTTPTargetOnOtherHost(t *testing.T) {
	f := newFixture(t)
	f.set(func(f *fixture) { f.setIssuer("http://as.example.test") })
	r := f.run("http://as.example.test", Options{})
	if got := failing(r); !slices.Equal(got, []string{"target.url"}) || len(r.Results) != 1 {
		t.Fatalf("failing = %v, want only target.url and nothing requested\n%s", got, r)
	}
	r = f.run("http://as.example.test", Options{InsecureHTTP: true})
	if r.Kind != KindIssuer || r.Failed() {
		t.Fatalf("with InsecureHTTP: kind %s, failed %v\n%s", r.Kind, r.Failed(), r)
	}
}

func TestIssuerMismatchInIssuerMode(t *testing.T) {
	f := newFixture(t)
	r := f.run(f.issuer+"/", Options{})
	res, _ := find(r, "as.issuer")
	if res.Status != Fail || !strings.Contains(res.Detail, "trailing slash") || !strings.Contains(res.Fix, "URL you gave") {
		t.Errorf("as.issuer = %s %q fix %q", res.Status, res.Detail, res.Fix)
	}
}

func TestNeither(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	r, err := Run(context.Background(), srv.URL+"/nothing", Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := find(r, "target.kind")
	if r.Kind != KindUnknown || res.Status != Fail || !strings.Contains(res.Detail, "neither an MCP endpoint") ||
		!strings.Contains(res.Detail, "/.well-known/oauth-authorization-server/nothing") {
		t.Errorf("kind %s, target.kind = %s %q", r.Kind, res.Status, res.Detail)
	}
	if r.ExitCode() != ExitFailed {
		t.Errorf("exit code %d", r.ExitCode())
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/mcp"
	srv.Close()
	r, err := Run(context.Background(), u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := find(r, "target.kind"); res.Status != Fail || !strings.Contains(res.Detail, "cannot reach") {
		t.Errorf("target.kind = %s %q", res.Status, res.Detail)
	}
}

// A server that never answers costs one timeout per request, not a hang.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // until the checker gives up, or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the handlers
	r, err := Run(context.Background(), srv.URL+"/mcp", Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := find(r, "target.kind"); res.Status != Fail || !strings.Contains(res.Detail, "deadline exceeded") {
		t.Errorf("target.kind = %s %q", res.Status, res.Detail)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, target := range []string{"", "mcp.example.com/mcp", "ftp://h/x", "https://user:secret@h/mcp", "https://h/mcp#frag", "https:///mcp", ":"} {
		_, err := Run(context.Background(), target, Options{})
		if !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want ErrUsage", target, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
}

// Values read from a hostile server reach the report quoted: no control
// character can reach the terminal.
func TestHostileValuesAreQuoted(t *testing.T) {
	f := newFixture(t)
	f.set(func(f *fixture) {
		// Go's client refuses control characters in header fields, not
		// other Unicode: a right-to-left override could reorder a line.
		f.challenge = "Bearer resource_metadata=\"" + f.prmURL + "\", scope=\"a\u202eb\""
		f.prm["resource"] = "http://x/\x1b]0;owned\x07"
	})
	r := f.run("", Options{})
	var table, js bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{table.String(), js.String()} {
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Fatalf("a control character reached the output:\n%q", out)
		}
	}
	if !strings.Contains(table.String(), `\x1b`) || !strings.Contains(table.String(), `\u202e`) {
		t.Errorf("the escape was dropped rather than shown quoted:\n%s", table.String())
	}
}

func TestOutput(t *testing.T) {
	f := newFixture(t)
	f.set(func(f *fixture) { f.prm["resource"] = f.resource + "/" })
	r := f.run("", Options{})

	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(table.String(), "\n") {
		if strings.Contains(l, "prm.resource") {
			line = l
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(line), "FAIL  prm.resource") || !strings.Contains(line, "| fix: publish resource exactly") {
		t.Errorf("table line = %q", line)
	}
	if !strings.Contains(table.String(), "\nFAILED: ") {
		t.Errorf("no summary line:\n%s", table.String())
	}

	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Target   string   `json:"target"`
		Kind     Kind     `json:"kind"`
		Results  []Result `json:"results"`
		Summary  struct{ Pass, Warn, Fail int }
		ExitCode int `json:"exit_code"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, js.String())
	}
	pass, warn, fail := r.Counts()
	if got.Target != f.resource || got.Kind != KindMCP || len(got.Results) != len(r.Results) || got.ExitCode != ExitFailed ||
		got.Summary.Pass != pass || got.Summary.Warn != warn || got.Summary.Fail != fail || fail == 0 {
		t.Errorf("JSON = %+v", got)
	}
}

// A document naming many authorization servers costs a bounded number of
// requests.
func TestManyAuthorizationServers(t *testing.T) {
	f := newFixture(t)
	f.set(func(f *fixture) {
		var list []any
		for i := range 20 {
			list = append(list, f.asSrv.URL+"/tenant"+strconv.Itoa(i))
		}
		f.prm["authorization_servers"] = list
	})
	r := f.run("", Options{})
	subjects := map[string]bool{}
	for _, res := range r.Results {
		if res.Section == "as" {
			subjects[res.Subject] = true
		}
	}
	if len(subjects) != maxServers {
		t.Errorf("%d authorization servers checked, want %d", len(subjects), maxServers)
	}
	if res, _ := find(r, "prm.authorization_servers.count"); res.Status != Warn || !strings.Contains(res.Detail, "20 authorization servers") {
		t.Errorf("prm.authorization_servers.count = %s %q", res.Status, res.Detail)
	}
}
