package bearer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mcp-auth/go/bearer"
)

// Challenge injection: nothing a client controls, and nothing a verifier
// puts in an error, may break out of the WWW-Authenticate quoted-strings or
// the JSON body. Every response is checked with the strict challenge parser
// of attack_test.go (exactly one Bearer challenge, each parameter once,
// well-formed quoted-strings, only %x20-7E) and the strict body check
// (one JSON object, exactly "error" and "error_description").

// injectionTexts are hostile strings: quotes, backslashes, CR/LF, an
// attribute of their own, non-ASCII, NUL, DEL, a second challenge.
var injectionTexts = []string{
	`plain"quote`,
	`back\slash\`,
	"cr\rlf\nheader-split\r\nX-Injected: 1",
	`", error="x`,
	`x", error="insufficient_scope", scope="admin`,
	`\", resource_metadata=\"https://evil.example.com`,
	"non-ASCII: café ☃ \u202e",
	"nul\x00del\x7f",
	`", Basic realm="evil`,
	`</script><script>alert(1)</script>`,
	`{"error":"x"}`,
}

// injectionRequest builds a request whose client-controlled parts (path,
// query, Host, Origin, User-Agent, forwarding headers) carry text.
func injectionRequest(text, auth string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", strings.NewReader(text))
	r.URL.Path = "/mcp/" + text
	r.URL.RawQuery = "q=" + strings.ReplaceAll(text, " ", "+") + "&error=" + text
	r.Host = text
	r.Header.Set("Origin", text)
	r.Header.Set("User-Agent", text)
	r.Header.Set("X-Forwarded-Host", text)
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

func TestChallengeInjection(t *testing.T) {
	type verifierCase struct {
		name    string
		make    func(text string) bearer.Verifier
		status  int
		errAttr string // "" for 500/503, which have no challenge
		body    string // the body's "error"
	}
	errVerifier := func(e func(text string) *bearer.Error) func(string) bearer.Verifier {
		return func(text string) bearer.Verifier {
			return bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) { return nil, e(text) })
		}
	}
	verifiers := []verifierCase{
		{name: "invalid token with a hostile description", status: 401, errAttr: "invalid_token", body: "invalid_token",
			make: errVerifier(func(s string) *bearer.Error { return bearer.InvalidToken(s, nil) })},
		{name: "hand-built Error with a hostile code and description", status: 401, errAttr: "invalid_token", body: "invalid_token",
			make: errVerifier(func(s string) *bearer.Error {
				return &bearer.Error{Code: bearer.Code(s), Status: 200, Description: s}
			})},
		{name: "insufficient scope with hostile scopes", status: 403, errAttr: "insufficient_scope", body: "insufficient_scope",
			make: errVerifier(func(s string) *bearer.Error {
				e := bearer.NewError(bearer.CodeMissingRequiredScopes, s, nil)
				e.Scopes = []string{s, "mcp:read", s + " two"}
				return e
			})},
		{name: "provider unavailable with a hostile description", status: 503, body: "temporarily_unavailable",
			make: errVerifier(func(s string) *bearer.Error { return bearer.ProviderUnavailable(s, nil) })},
		{name: "accepted token with a hostile subject and scopes", status: 403, errAttr: "insufficient_scope", body: "insufficient_scope",
			make: func(s string) bearer.Verifier {
				return bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
					return &bearer.AuthInfo{Issuer: atkIssuer, Subject: s, Scopes: []string{s}, Audience: []string{atkResource}}, nil
				})
			}},
	}
	for _, show := range []bool{false, true} {
		for _, vc := range verifiers {
			for i, text := range injectionTexts {
				name := vc.name
				if show {
					name += ", details shown"
				}
				t.Run(name+"/"+string(rune('a'+i)), func(t *testing.T) {
					a, err := bearer.New(vc.make(text), bearer.WithAudience(atkResource), bearer.WithIssuers(atkIssuer),
						bearer.WithResourceMetadataURL(atkMetadataURL), bearer.WithRequiredScopes("mcp:read"),
						bearer.WithShowErrorDetails(show))
					if err != nil {
						t.Fatal(err)
					}
					h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						t.Error("the handler was called")
					}))
					hostile := httptest.NewRecorder()
					h.ServeHTTP(hostile, injectionRequest(text, "Bearer opaque-token-abc"))
					clean := httptest.NewRecorder()
					h.ServeHTTP(clean, httptest.NewRequest(http.MethodGet, "/mcp", nil))
					checkInjectionResponse(t, hostile, vc.status, vc.errAttr, vc.body)
					if vc.errAttr != "" && hostile.Header().Get("WWW-Authenticate") == "" {
						t.Fatal("no challenge")
					}
					// What the client controls changes nothing in the challenge.
					noToken := httptest.NewRecorder()
					h.ServeHTTP(noToken, injectionRequest(text, ""))
					if got, want := noToken.Header().Get("WWW-Authenticate"), clean.Header().Get("WWW-Authenticate"); got != want {
						t.Errorf("challenge without a token differs with hostile request parts:\n got %q\nwant %q", got, want)
					}
					checkInjectionResponse(t, noToken, 401, "", "") // no credentials: no error code (RFC 6750 3.1)
				})
			}
		}
	}
}

// TestChallengeInjectionThroughTheToken: a token carrying quotes, commas
// or CR/LF never reaches a verifier; the refusal is well-formed.
func TestChallengeInjectionThroughTheToken(t *testing.T) {
	called := false
	a, err := bearer.New(bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
		called = true
		return nil, bearer.InvalidToken("no", nil)
	}), bearer.WithResourceMetadataURL(atkMetadataURL), bearer.WithShowErrorDetails(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range injectionTexts {
		rec := httptest.NewRecorder()
		a.Handler(http.NotFoundHandler()).ServeHTTP(rec, injectionRequest(text, "Bearer abc"+text))
		checkInjectionResponse(t, rec, 400, "invalid_request", "invalid_request")
	}
	if called {
		t.Error("a token with illegal characters reached the verifier")
	}
}

// checkInjectionResponse asserts the status, that every response header
// is %x20-7E only, that the challenge (if the status has one) parses as
// exactly one Bearer challenge with only the four known attributes and the
// expected error and resource_metadata, and that the body is the expected
// JSON object.
func checkInjectionResponse(t *testing.T, rec *httptest.ResponseRecorder, status int, errAttr, bodyErr string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	for k, vs := range rec.Header() {
		for _, v := range vs {
			for i := 0; i < len(v); i++ {
				if v[i] < 0x20 || v[i] > 0x7e {
					t.Fatalf("header %s: byte %#x in %q", k, v[i], v)
				}
			}
		}
	}
	if status == 400 || status == 401 || status == 403 {
		values := rec.Header().Values("WWW-Authenticate")
		if len(values) != 1 {
			t.Fatalf("%d WWW-Authenticate headers, want 1", len(values))
		}
		chs, err := atkParseChallenges(values[0])
		if err != nil {
			t.Fatalf("challenge %q: %v", values[0], err)
		}
		if len(chs) != 1 || chs[0].scheme != "Bearer" {
			t.Fatalf("challenge %q: want exactly one Bearer challenge, got %d", values[0], len(chs))
		}
		for name := range chs[0].params {
			switch name {
			case "error", "error_description", "scope", "resource_metadata":
			default:
				t.Fatalf("challenge %q: unexpected attribute %q", values[0], name)
			}
		}
		if got := chs[0].params["error"]; got != errAttr {
			t.Fatalf("challenge %q: error=%q, want %q", values[0], got, errAttr)
		}
		if got := chs[0].params["resource_metadata"]; got != atkMetadataURL {
			t.Fatalf("challenge %q: resource_metadata=%q", values[0], got)
		}
	} else if c := rec.Header().Get("WWW-Authenticate"); c != "" {
		t.Fatalf("status %d with a challenge %q", status, c)
	}
	got, err := atkCheckBody(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got["error"] != bodyErr {
		t.Fatalf("body error %q, want %q", got["error"], bodyErr)
	}
}

// TestChallengeInjectionLegacyCodes: with mcp-auth's legacy codes the
// body's "error" is the verifier's own code, hostile here; it stays a
// well-formed JSON string and the challenge keeps the RFC 6750 code.
func TestChallengeInjectionLegacyCodes(t *testing.T) {
	for _, text := range injectionTexts {
		a, err := bearer.New(bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
			return nil, &bearer.Error{Code: bearer.Code(text), Description: text}
		}), bearer.WithResourceMetadataURL(atkMetadataURL), bearer.WithLegacyErrorCodes(), bearer.WithShowErrorDetails(true))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		a.Handler(http.NotFoundHandler()).ServeHTTP(rec, injectionRequest(text, "Bearer abc"))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", rec.Code)
		}
		if _, err := atkCheckBody(rec.Body.Bytes()); err != nil {
			t.Fatal(err)
		}
		chs, err := atkParseChallenges(rec.Header().Get("WWW-Authenticate"))
		if err != nil || len(chs) != 1 || chs[0].params["error"] != "invalid_token" {
			t.Fatalf("challenge %q: %v", rec.Header().Get("WWW-Authenticate"), err)
		}
	}
}
