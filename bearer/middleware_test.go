package bearer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	mwResource = "https://mcp.example.com/mcp"
	mwRM       = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	mwIssuer   = "https://auth.example.com/oidc"
	// mwSecret starts every test token, so that a leak is easy to find.
	mwSecret = "mwSECRET"
)

var mwNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// mwTok returns the test token for a verifier outcome.
func mwTok(kind string) string { return mwSecret + "-" + kind + "-9f8e7d6c" }

// mwGood is the identity behind a good token.
func mwGood() *AuthInfo {
	return &AuthInfo{
		Issuer:    mwIssuer,
		Subject:   "alice",
		ClientID:  "agent-42",
		Audience:  []string{mwResource},
		Scopes:    []string{"whoami:read"},
		ExpiresAt: mwNow.Add(time.Hour),
	}
}

// mwVerifier answers by token kind (see mwTok).
var mwVerifier = VerifierFunc(func(ctx context.Context, token string) (*AuthInfo, error) {
	kind, _, _ := strings.Cut(strings.TrimPrefix(token, mwSecret+"-"), "-")
	info := mwGood()
	switch kind {
	case "good":
	case "admin":
		info.Scopes = []string{"whoami:admin"}
	case "noscope":
		info.Scopes = nil
	case "expired":
		info.ExpiresAt = mwNow.Add(-61 * time.Second)
	case "inleeway":
		info.ExpiresAt = mwNow.Add(-59 * time.Second)
	case "noexp":
		info.ExpiresAt = time.Time{}
	case "otheriss":
		info.Issuer = "https://evil.example.com"
	case "noiss":
		info.Issuer = ""
	case "otheraud":
		info.Audience = []string{"https://other.example.com/mcp"}
	case "manyaud":
		info.Audience = []string{"https://other.example.com/mcp", mwResource}
	case "emptyaud":
		info.Audience = []string{}
	case "nilaud":
		info.Audience = nil
	case "slashaud":
		info.Audience = []string{mwResource + "/"}
	case "bad":
		return nil, InvalidToken("signature mismatch", nil)
	case "badwrapped":
		return nil, fmt.Errorf("jwt: %w", ErrInvalidToken)
	case "badissuer":
		return nil, NewError(CodeInvalidIssuer, "issuer rejected by verifier", nil)
	case "down":
		return nil, ProviderUnavailable("userinfo unreachable", errors.New("dial tcp 127.0.0.1:1: connection refused"))
	case "downwrapped":
		return nil, fmt.Errorf("jwks: %w", ErrProviderUnavailable)
	case "downandbad":
		return nil, errors.Join(ErrInvalidToken, ErrProviderUnavailable)
	case "canceled":
		return nil, context.Canceled
	case "deadline":
		return nil, fmt.Errorf("fetch: %w", context.DeadlineExceeded)
	case "boom":
		return nil, errors.New("boom")
	case "misconfigured":
		return nil, NewError(CodeServerError, "no keys", nil)
	case "nil":
		return nil, nil
	case "leaky":
		return nil, InvalidToken("token "+token+" is bad", fmt.Errorf("rejected %s", token))
	default:
		return nil, InvalidToken("unknown token", nil)
	}
	return info, nil
})

// mwBaseOptions is the configuration most tests use.
func mwBaseOptions() []Option {
	return []Option{
		WithIssuers(mwIssuer),
		WithAudience(mwResource),
		WithResourceMetadataURL(mwRM),
		WithRequiredScopes("whoami:read"),
		WithScopeHierarchy(map[string][]string{"whoami:admin": {"whoami:read"}}),
		WithClock(func() time.Time { return mwNow }),
	}
}

func mwNew(t testing.TB, opts ...Option) *Authenticator {
	t.Helper()
	a, err := New(mwVerifier, append(mwBaseOptions(), opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// mwNext is the protected handler: it records that it ran and answers 200
// with the subject.
type mwNext struct {
	called bool
	info   *AuthInfo
}

func (n *mwNext) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.called = true
	n.info, _ = FromContext(r.Context())
	if n.info != nil {
		fmt.Fprint(w, "hello "+n.info.Subject)
	}
}

// mwDo sends a request with the given Authorization values through a's
// handler.
func mwDo(a *Authenticator, method string, auth ...string) (*httptest.ResponseRecorder, *mwNext) {
	r := httptest.NewRequest(method, mwResource, nil)
	for _, v := range auth {
		r.Header.Add("Authorization", v)
	}
	next := &mwNext{}
	w := httptest.NewRecorder()
	a.Handler(next).ServeHTTP(w, r)
	return w, next
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mwBody decodes a refusal body.
func mwBody(t *testing.T, w *httptest.ResponseRecorder) map[string]string {
	t.Helper()
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	// A request without credentials gets no "error", as its challenge has
	// none (RFC 6750 section 3.1); every other refusal names one.
	_, hasError := body["error"]
	if len(body) != 1+btoi(hasError) || body["error_description"] == "" || hasError && body["error"] == "" {
		t.Fatalf("body %q: want error_description, and error but for a request without credentials", w.Body.String())
	}
	return body
}

func TestMiddlewareResponses(t *testing.T) {
	const (
		noCreds      = `Bearer scope="whoami:read", resource_metadata="` + mwRM + `"`
		invalidToken = `Bearer error="invalid_token", scope="whoami:read", resource_metadata="` + mwRM + `"`
		invalidReq   = `Bearer error="invalid_request", scope="whoami:read", resource_metadata="` + mwRM + `"`
		insufficient = `Bearer error="insufficient_scope", scope="whoami:read", resource_metadata="` + mwRM + `"`
	)
	tests := []struct {
		name      string
		auth      []string
		status    int
		challenge string // "" for no WWW-Authenticate
		bodyError string // "" for a success
		code      Code
	}{
		{"no header", nil, 401, noCreds, "", CodeMissingAuthHeader},
		{"empty header", []string{""}, 401, noCreds, "", CodeMissingAuthHeader},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, 401, noCreds, "", CodeInvalidAuthHeaderFormat},
		{"scheme without token", []string{"Bearer"}, 401, noCreds, "", CodeMissingBearerToken},
		{"scheme and blanks", []string{"Bearer   "}, 401, noCreds, "", CodeMissingBearerToken},
		{"two headers", []string{"Bearer " + mwTok("good"), "Bearer " + mwTok("good")}, 400, invalidReq, "invalid_request", CodeInvalidRequest},
		{"tab", []string{"Bearer\t" + mwTok("good")}, 400, invalidReq, "invalid_request", CodeInvalidRequest},
		{"two tokens", []string{"Bearer " + mwTok("good") + " " + mwTok("good")}, 400, invalidReq, "invalid_request", CodeInvalidRequest},
		{"control character", []string{"Bearer " + mwTok("good") + "\x01"}, 400, invalidReq, "invalid_request", CodeInvalidRequest},
		{"non-ASCII", []string{"Bearer " + mwTok("good") + "é"}, 400, invalidReq, "invalid_request", CodeInvalidRequest},
		{"oversized", []string{"Bearer " + strings.Repeat("a", DefaultMaxTokenLength+1)}, 401, invalidToken, "invalid_token", CodeInvalidToken},
		{"rejected by verifier", []string{"Bearer " + mwTok("bad")}, 401, invalidToken, "invalid_token", CodeInvalidToken},
		{"wrapped ErrInvalidToken", []string{"Bearer " + mwTok("badwrapped")}, 401, invalidToken, "invalid_token", CodeInvalidToken},
		{"verifier issuer code kept", []string{"Bearer " + mwTok("badissuer")}, 401, invalidToken, "invalid_token", CodeInvalidIssuer},
		{"expired", []string{"Bearer " + mwTok("expired")}, 401, invalidToken, "invalid_token", CodeInvalidToken},
		{"untrusted issuer", []string{"Bearer " + mwTok("otheriss")}, 401, invalidToken, "invalid_token", CodeInvalidIssuer},
		{"no issuer", []string{"Bearer " + mwTok("noiss")}, 401, invalidToken, "invalid_token", CodeInvalidIssuer},
		{"wrong audience", []string{"Bearer " + mwTok("otheraud")}, 401, invalidToken, "invalid_token", CodeInvalidAudience},
		{"empty audience", []string{"Bearer " + mwTok("emptyaud")}, 401, invalidToken, "invalid_token", CodeInvalidAudience},
		{"trailing-slash audience", []string{"Bearer " + mwTok("slashaud")}, 401, invalidToken, "invalid_token", CodeInvalidAudience},
		{"missing scope", []string{"Bearer " + mwTok("noscope")}, 403, insufficient, "insufficient_scope", CodeMissingRequiredScopes},
		{"provider down", []string{"Bearer " + mwTok("down")}, 503, "", "temporarily_unavailable", CodeProviderUnavailable},
		{"provider down wrapped", []string{"Bearer " + mwTok("downwrapped")}, 503, "", "temporarily_unavailable", CodeProviderUnavailable},
		{"provider down and invalid", []string{"Bearer " + mwTok("downandbad")}, 503, "", "temporarily_unavailable", CodeProviderUnavailable},
		{"verifier canceled", []string{"Bearer " + mwTok("canceled")}, 503, "", "temporarily_unavailable", CodeProviderUnavailable},
		{"verifier deadline", []string{"Bearer " + mwTok("deadline")}, 503, "", "temporarily_unavailable", CodeProviderUnavailable},
		{"verifier other error", []string{"Bearer " + mwTok("boom")}, 500, "", "server_error", CodeServerError},
		{"verifier server error", []string{"Bearer " + mwTok("misconfigured")}, 500, "", "server_error", CodeServerError},
		{"verifier nil nil", []string{"Bearer " + mwTok("nil")}, 500, "", "server_error", CodeServerError},
		{"good", []string{"Bearer " + mwTok("good")}, 200, "", "", ""},
		{"lower-case scheme", []string{"bearer " + mwTok("good")}, 200, "", "", ""},
		{"upper-case scheme, spaces", []string{"BEARER   " + mwTok("good")}, 200, "", "", ""},
		{"implied scope", []string{"Bearer " + mwTok("admin")}, 200, "", "", ""},
		{"expired within leeway", []string{"Bearer " + mwTok("inleeway")}, 200, "", "", ""},
		{"no expiry known", []string{"Bearer " + mwTok("noexp")}, 200, "", "", ""},
		{"audience unknown (nil): not bound to this resource", []string{"Bearer " + mwTok("nilaud")}, 401, invalidToken, "invalid_token", CodeInvalidAudience},
		{"several audiences", []string{"Bearer " + mwTok("manyaud")}, 200, "", "", ""},
	}
	a := mwNew(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, next := mwDo(a, http.MethodPost, tt.auth...)
			if w.Code != tt.status {
				t.Fatalf("status = %d; want %d (body %s)", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Values("WWW-Authenticate"); tt.challenge == "" && len(got) != 0 || tt.challenge != "" && (len(got) != 1 || got[0] != tt.challenge) {
				t.Errorf("WWW-Authenticate = %q\nwant              %q", got, tt.challenge)
			}
			if got := w.Header().Get("Access-Control-Expose-Headers"); got != "WWW-Authenticate" {
				t.Errorf("Access-Control-Expose-Headers = %q", got)
			}
			wantRetry := ""
			if tt.status == 503 {
				wantRetry = "5"
			}
			if got := w.Header().Get("Retry-After"); got != wantRetry {
				t.Errorf("Retry-After = %q; want %q", got, wantRetry)
			}
			if tt.status == 200 {
				if !next.called || next.info == nil || next.info.Subject != "alice" || w.Body.String() != "hello alice" {
					t.Fatalf("next called %v with %+v, body %q", next.called, next.info, w.Body)
				}
				return
			}
			if next.called {
				t.Fatal("next was called on a refusal")
			}
			if got := w.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			body := mwBody(t, w)
			if body["error"] != tt.bodyError || body["error_description"] != fixedDescription(tt.code) {
				t.Errorf("body = %q; want error %q, description %q", body, tt.bodyError, fixedDescription(tt.code))
			}

			// The decision alone gives the same answer.
			r := httptest.NewRequest(http.MethodPost, mwResource, nil)
			for _, v := range tt.auth {
				r.Header.Add("Authorization", v)
			}
			info, err := a.Authenticate(r)
			var e *Error
			if info != nil || !errors.As(err, &e) || e.Code != tt.code || e.Code.Status() != tt.status {
				t.Fatalf("Authenticate = %v, %v; want code %s", info, err, tt.code)
			}
		})
	}
}

func TestAuthenticateCategories(t *testing.T) {
	a := mwNew(t)
	tests := []struct {
		kind   string
		target error
	}{
		{"bad", ErrInvalidToken},
		{"expired", ErrInvalidToken},
		{"otheriss", ErrInvalidToken},
		{"otheraud", ErrInvalidToken},
		{"noscope", ErrInsufficientScope},
		{"down", ErrProviderUnavailable},
		{"canceled", ErrProviderUnavailable},
		{"boom", ErrMisconfigured},
		{"nil", ErrMisconfigured},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, mwResource, nil)
			r.Header.Set("Authorization", "Bearer "+mwTok(tt.kind))
			_, err := a.Authenticate(r)
			if !errors.Is(err, tt.target) {
				t.Fatalf("Authenticate = %v; want %v", err, tt.target)
			}
		})
	}
	t.Run("cause kept", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, mwResource, nil)
		r.Header.Set("Authorization", "Bearer "+mwTok("canceled"))
		if _, err := a.Authenticate(r); !errors.Is(err, context.Canceled) {
			t.Fatalf("Authenticate = %v; want the context.Canceled cause", err)
		}
	})
	t.Run("request context reaches the verifier", func(t *testing.T) {
		type key struct{}
		var got any
		a, err := New(VerifierFunc(func(ctx context.Context, _ string) (*AuthInfo, error) {
			got = ctx.Value(key{})
			return &AuthInfo{}, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, mwResource, nil)
		r = r.WithContext(context.WithValue(r.Context(), key{}, "v"))
		r.Header.Set("Authorization", "Bearer x")
		if _, err := a.Authenticate(r); err != nil || got != "v" {
			t.Fatalf("Authenticate = %v, context value %v", err, got)
		}
	})
}

func TestMiddlewareTokenNeverFromQueryOrForm(t *testing.T) {
	a := mwNew(t)
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodGet, mwResource+"?access_token="+mwTok("good"), nil),
		func() *http.Request {
			form := url.Values{"access_token": {mwTok("good")}}
			r := httptest.NewRequest(http.MethodPost, mwResource, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}(),
	} {
		t.Run(r.Method, func(t *testing.T) {
			next := &mwNext{}
			w := httptest.NewRecorder()
			a.Handler(next).ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized || next.called {
				t.Fatalf("status %d, next called %v; want 401 and no call", w.Code, next.called)
			}
			if r.Form != nil || r.PostForm != nil {
				t.Fatal("the middleware parsed the form")
			}
		})
	}
}

func TestMiddlewareOptionsPreflight(t *testing.T) {
	a := mwNew(t)
	w, next := mwDo(a, http.MethodOptions)
	if !next.called || next.info != nil || w.Code != http.StatusOK {
		t.Fatalf("OPTIONS: next called %v with %v, status %d", next.called, next.info, w.Code)
	}
	if got := w.Header().Get("Access-Control-Expose-Headers"); got != "WWW-Authenticate" {
		t.Errorf("Access-Control-Expose-Headers = %q", got)
	}
	if got := w.Header().Get("WWW-Authenticate"); got != "" {
		t.Errorf("WWW-Authenticate = %q on a preflight", got)
	}
}

func TestMiddlewareExposeHeadersMerge(t *testing.T) {
	tests := []struct {
		name   string
		before []string
		want   []string
	}{
		{"none", nil, []string{"WWW-Authenticate"}},
		{"other", []string{"Mcp-Session-Id"}, []string{"Mcp-Session-Id, WWW-Authenticate"}},
		{"list", []string{"Mcp-Session-Id, MCP-Protocol-Version"}, []string{"Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate"}},
		{"already there", []string{"Mcp-Session-Id, www-authenticate"}, []string{"Mcp-Session-Id, www-authenticate"}},
		{"already in another field", []string{"WWW-Authenticate", "Mcp-Session-Id"}, []string{"WWW-Authenticate", "Mcp-Session-Id"}},
		{"two fields", []string{"A", "B"}, []string{"A", "B, WWW-Authenticate"}},
		{"blank", []string{" "}, []string{"WWW-Authenticate"}},
	}
	a := mwNew(t)
	for _, tt := range tests {
		for _, auth := range []string{"", "Bearer " + mwTok("good")} {
			t.Run(tt.name+"/"+auth[:min(len(auth), 6)], func(t *testing.T) {
				outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					for _, v := range tt.before {
						w.Header().Add("Access-Control-Expose-Headers", v)
					}
					a.Handler(&mwNext{}).ServeHTTP(w, r)
				})
				r := httptest.NewRequest(http.MethodGet, mwResource, nil)
				if auth != "" {
					r.Header.Set("Authorization", auth)
				}
				w := httptest.NewRecorder()
				outer.ServeHTTP(w, r)
				got := w.Header().Values("Access-Control-Expose-Headers")
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Fatalf("Access-Control-Expose-Headers = %q; want %q", got, tt.want)
				}
			})
		}
	}
}

func TestMiddlewareMaxTokenLength(t *testing.T) {
	a := mwNew(t, WithMaxTokenLength(len(mwTok("good"))))
	if w, next := mwDo(a, http.MethodGet, "Bearer "+mwTok("good")); w.Code != 200 || !next.called {
		t.Fatalf("token at the limit: status %d", w.Code)
	}
	w, next := mwDo(a, http.MethodGet, "Bearer "+mwTok("good")+"x")
	if w.Code != 401 || next.called || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("token over the limit: status %d, %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	// Checked before parsing: even a malformed header over the limit is
	// invalid_token, not invalid_request.
	w, _ = mwDo(a, http.MethodGet, "Bearer a b "+strings.Repeat("c", 100))
	if w.Code != 401 {
		t.Fatalf("malformed header over the limit: status %d", w.Code)
	}
}

func TestMiddlewareAudience(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		kind  string
		allow bool
	}{
		{"exact", nil, "good", true},
		{"one of several", nil, "manyaud", true},
		{"other", nil, "otheraud", false},
		{"empty", nil, "emptyaud", false},
		// MCP: a server MUST accept only tokens issued for it.
		{"unknown refused", nil, "nilaud", false},
		{"unknown accepted knowingly", []Option{InsecureAcceptUnboundTokens()}, "nilaud", true},
		{"accepting unbound keeps wrong ones out", []Option{InsecureAcceptUnboundTokens()}, "otheraud", false},
		{"trailing slash refused by default", nil, "slashaud", false},
		{"trailing slash opt-in", []Option{InsecureAllowTrailingSlashAudience()}, "slashaud", true},
		{"opt-in keeps others out", []Option{InsecureAllowTrailingSlashAudience()}, "otheraud", false},
		{"second resource", []Option{WithAudience("https://other.example.com/mcp")}, "otheraud", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mwNew(t, tt.opts...)
			w, next := mwDo(a, http.MethodGet, "Bearer "+mwTok(tt.kind))
			if next.called != tt.allow || tt.allow && w.Code != 200 || !tt.allow && w.Code != 401 {
				t.Fatalf("status %d, next called %v; want allowed=%v", w.Code, next.called, tt.allow)
			}
		})
	}
	t.Run("no audience configured", func(t *testing.T) {
		a, err := New(mwVerifier, WithClock(func() time.Time { return mwNow }))
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"otheraud", "emptyaud", "nilaud"} {
			if w, _ := mwDo(a, http.MethodGet, "Bearer "+mwTok(kind)); w.Code != 200 {
				t.Errorf("%s: status %d; want 200 without an audience check", kind, w.Code)
			}
		}
	})
}

func TestMiddlewareExpiryLeeway(t *testing.T) {
	tests := []struct {
		name   string
		leeway time.Duration
		exp    time.Duration // relative to now
		allow  bool
	}{
		{"future, no leeway", 0, time.Second, true},
		{"now, no leeway", 0, 0, false},
		{"past, no leeway", 0, -time.Second, false},
		{"past within leeway", 10 * time.Second, -9 * time.Second, true},
		{"at leeway edge", 10 * time.Second, -10 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := VerifierFunc(func(context.Context, string) (*AuthInfo, error) {
				return &AuthInfo{Subject: "s", ExpiresAt: mwNow.Add(tt.exp)}, nil
			})
			a, err := New(v, WithLeeway(tt.leeway), WithClock(func() time.Time { return mwNow }))
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, mwResource, nil)
			r.Header.Set("Authorization", "Bearer t")
			_, err = a.Authenticate(r)
			if (err == nil) != tt.allow {
				t.Fatalf("Authenticate = %v; want allowed=%v", err, tt.allow)
			}
			if err != nil && !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Authenticate = %v; want ErrInvalidToken", err)
			}
		})
	}
}

func TestMiddlewareChallengeScopes(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"default: required", nil, `Bearer scope="whoami:read", resource_metadata="` + mwRM + `"`},
		{"explicit", []Option{WithChallengeScopes("whoami:read", "whoami:admin")}, `Bearer scope="whoami:read whoami:admin", resource_metadata="` + mwRM + `"`},
		{"last wins", []Option{WithChallengeScopes("a"), WithChallengeScopes("b")}, `Bearer scope="b", resource_metadata="` + mwRM + `"`},
		{"none", []Option{WithChallengeScopes()}, `Bearer resource_metadata="` + mwRM + `"`},
		{"offline_access dropped", []Option{WithChallengeScopes("offline_access", "whoami:read")}, `Bearer scope="whoami:read", resource_metadata="` + mwRM + `"`},
		{"duplicates dropped", []Option{WithChallengeScopes("a", "b", "a")}, `Bearer scope="a b", resource_metadata="` + mwRM + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := mwDo(mwNew(t, tt.opts...), http.MethodGet)
			if got := w.Header().Get("WWW-Authenticate"); got != tt.want {
				t.Fatalf("WWW-Authenticate = %s\nwant              %s", got, tt.want)
			}
		})
	}
	t.Run("no metadata URL, no scopes", func(t *testing.T) {
		a, err := New(mwVerifier)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := mwDo(a, http.MethodGet)
		if got := w.Header().Get("WWW-Authenticate"); w.Code != 401 || got != "Bearer" {
			t.Fatalf("status %d, WWW-Authenticate %q", w.Code, got)
		}
	})
	// Clients replace their scopes with the challenged ones: a 403 keeps
	// the scopes of the 401 challenge, then every required one.
	t.Run("403 lists the challenge and every required scope", func(t *testing.T) {
		a := mwNew(t, WithRequiredScopes("whoami:write", "whoami:read"), WithChallengeScopes("other"))
		w, _ := mwDo(a, http.MethodGet, "Bearer "+mwTok("good"))
		want := `Bearer error="insufficient_scope", scope="other whoami:read whoami:write", resource_metadata="` + mwRM + `"`
		if got := w.Header().Get("WWW-Authenticate"); w.Code != 403 || got != want {
			t.Fatalf("status %d, WWW-Authenticate %s\nwant %s", w.Code, got, want)
		}
	})
}

func TestMiddlewareShowErrorDetails(t *testing.T) {
	a := mwNew(t, WithShowErrorDetails(true))
	tests := []struct {
		kind      string
		challenge string
		desc      string
	}{
		{"bad", `Bearer error="invalid_token", error_description="The access token is invalid or has expired.", scope="whoami:read", resource_metadata="` + mwRM + `"`, "signature mismatch"},
		{"expired", `Bearer error="invalid_token", error_description="The access token is invalid or has expired.", scope="whoami:read", resource_metadata="` + mwRM + `"`, "the access token has expired"},
		{"otheraud", `Bearer error="invalid_token", error_description="The access token was not issued for this resource; request one with the resource parameter (RFC 8707) set to this resource.", scope="whoami:read", resource_metadata="` + mwRM + `"`, "the access token was not issued for this resource: request one with the resource parameter (RFC 8707) set to it"},
		{"noscope", `Bearer error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="whoami:read", resource_metadata="` + mwRM + `"`, "the access token lacks a scope this request needs"},
		// A description that echoes the token is replaced by the fixed text.
		{"leaky", `Bearer error="invalid_token", error_description="The access token is invalid or has expired.", scope="whoami:read", resource_metadata="` + mwRM + `"`, "The access token is invalid or has expired."},
		{"down", "", "userinfo unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			w, next := mwDo(a, http.MethodGet, "Bearer "+mwTok(tt.kind))
			if next.called {
				t.Fatal("next called")
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate = %s\nwant              %s", got, tt.challenge)
			}
			if body := mwBody(t, w); body["error_description"] != tt.desc {
				t.Errorf("error_description = %q; want %q", body["error_description"], tt.desc)
			}
		})
	}
	t.Run("no header", func(t *testing.T) {
		w, _ := mwDo(a, http.MethodGet)
		want := `Bearer error_description="The request has no Authorization header; send a bearer token.", scope="whoami:read", resource_metadata="` + mwRM + `"`
		if got := w.Header().Get("WWW-Authenticate"); got != want {
			t.Errorf("WWW-Authenticate = %s\nwant              %s", got, want)
		}
	})
}

func TestMiddlewareLegacyErrorCodes(t *testing.T) {
	a := mwNew(t, WithLegacyErrorCodes())
	tests := []struct {
		auth      []string
		status    int
		bodyError string
		oauth     string
	}{
		{nil, 401, "missing_auth_header", ""},
		{[]string{"Basic x"}, 401, "invalid_auth_header_format", ""},
		{[]string{"Bearer"}, 401, "missing_bearer_token", ""},
		{[]string{"Bearer a b"}, 400, "invalid_request", "invalid_request"},
		{[]string{"Bearer " + mwTok("bad")}, 401, "invalid_token", "invalid_token"},
		{[]string{"Bearer " + mwTok("otheriss")}, 401, "invalid_issuer", "invalid_token"},
		{[]string{"Bearer " + mwTok("otheraud")}, 401, "invalid_audience", "invalid_token"},
		{[]string{"Bearer " + mwTok("noscope")}, 403, "missing_required_scopes", "insufficient_scope"},
		{[]string{"Bearer " + mwTok("down")}, 503, "provider_unavailable", ""},
		{[]string{"Bearer " + mwTok("boom")}, 500, "server_error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.bodyError, func(t *testing.T) {
			w, next := mwDo(a, http.MethodGet, tt.auth...)
			if w.Code != tt.status || next.called {
				t.Fatalf("status %d, next called %v", w.Code, next.called)
			}
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["error"] != tt.bodyError {
				t.Errorf("body %s (%v): error = %v; want %q", w.Body, err, body["error"], tt.bodyError)
			}
			if tt.status == 500 || tt.status == 503 {
				return
			}
			params, _, err := mwParseChallenge(w.Header().Get("WWW-Authenticate"))
			if err != nil || params["error"] != tt.oauth {
				t.Errorf("challenge %q (%v): error = %q; want %q", w.Header().Get("WWW-Authenticate"), err, params["error"], tt.oauth)
			}
		})
	}
}

func TestMiddlewareErrorHandler(t *testing.T) {
	var got *Error
	a := mwNew(t, WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err *Error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, "custom")
	}))
	w, next := mwDo(a, http.MethodGet, "Bearer "+mwTok("otheraud"))
	if next.called || got == nil || got.Code != CodeInvalidAudience {
		t.Fatalf("next called %v, hook got %v", next.called, got)
	}
	if w.Code != http.StatusTeapot || w.Body.String() != "custom" {
		t.Fatalf("status %d body %q; want the hook's response", w.Code, w.Body)
	}
	want := `Bearer error="invalid_token", scope="whoami:read", resource_metadata="` + mwRM + `"`
	if h := w.Header().Get("WWW-Authenticate"); h != want {
		t.Errorf("WWW-Authenticate = %q; want it preset for the hook", h)
	}
	if h := w.Header().Get("Access-Control-Expose-Headers"); h != "WWW-Authenticate" {
		t.Errorf("Access-Control-Expose-Headers = %q", h)
	}

	t.Run("hook falls back to WriteError", func(t *testing.T) {
		var a *Authenticator
		a = mwNew(t, WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err *Error) {
			a.WriteError(w, r, err)
		}))
		w, _ := mwDo(a, http.MethodGet, "Bearer "+mwTok("down"))
		if w.Code != 503 || w.Header().Get("Retry-After") != "5" || mwBody(t, w)["error"] != "temporarily_unavailable" {
			t.Fatalf("status %d, headers %v", w.Code, w.Header())
		}
		if v := w.Header().Values("Access-Control-Expose-Headers"); len(v) != 1 || v[0] != "WWW-Authenticate" {
			t.Fatalf("Access-Control-Expose-Headers = %q", v)
		}
	})
	t.Run("hook not called on success", func(t *testing.T) {
		called := false
		a := mwNew(t, WithErrorHandler(func(http.ResponseWriter, *http.Request, *Error) { called = true }))
		if w, next := mwDo(a, http.MethodGet, "Bearer "+mwTok("good")); called || !next.called || w.Code != 200 {
			t.Fatalf("hook called %v, next called %v", called, next.called)
		}
	})
}

func TestMiddlewareStepUpGate(t *testing.T) {
	a := mwNew(t)
	// A per-tool gate behind the middleware: admin tools need whoami:admin.
	gate := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := FromContext(r.Context())
		if err := a.CheckScopes(info, "whoami:admin"); err != nil {
			a.WriteError(w, r, err)
			return
		}
		fmt.Fprint(w, "admin ok")
	})
	h := a.Handler(gate)

	r := httptest.NewRequest(http.MethodPost, mwResource, nil)
	r.Header.Set("Authorization", "Bearer "+mwTok("good"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	want := `Bearer error="insufficient_scope", scope="whoami:read whoami:admin", resource_metadata="` + mwRM + `"`
	if w.Code != 403 || w.Header().Get("WWW-Authenticate") != want {
		t.Fatalf("status %d, WWW-Authenticate %s\nwant %s", w.Code, w.Header().Get("WWW-Authenticate"), want)
	}
	if body := mwBody(t, w); body["error"] != "insufficient_scope" {
		t.Fatalf("body %v", body)
	}

	r = httptest.NewRequest(http.MethodPost, mwResource, nil)
	r.Header.Set("Authorization", "Bearer "+mwTok("admin"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || w.Body.String() != "admin ok" {
		t.Fatalf("admin token: status %d body %q", w.Code, w.Body)
	}
}

func TestMiddlewareWriteErrorAnyError(t *testing.T) {
	a := mwNew(t)
	tests := []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"nil", nil, 500, "server_error"},
		{"plain", errors.New("x"), 500, "server_error"},
		{"sentinel", ErrProviderUnavailable, 503, "temporarily_unavailable"},
		{"wrapped *Error", fmt.Errorf("gate: %w", NewError(CodeMissingRequiredScopes, "", nil)), 403, "insufficient_scope"},
		{"canceled", context.Canceled, 503, "temporarily_unavailable"},
		{"missing token", NewError(CodeMissingAuthHeader, "", nil), 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			a.WriteError(w, httptest.NewRequest(http.MethodGet, mwResource, nil), tt.err)
			if w.Code != tt.status || mwBody(t, w)["error"] != tt.body {
				t.Fatalf("status %d body %s; want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
		})
	}
}

func TestMwNewConfiguration(t *testing.T) {
	tests := []struct {
		name string
		v    Verifier
		opts []Option
		ok   bool
	}{
		{"defaults", mwVerifier, nil, true},
		{"nil verifier", nil, nil, false},
		{"nil VerifierFunc", VerifierFunc(nil), nil, false},
		{"zero option", mwVerifier, []Option{{}}, false},
		{"an option of the verifiers", mwVerifier, []Option{WithCacheSize(1)}, false},
		{"negative leeway", mwVerifier, []Option{WithLeeway(-time.Second)}, false},
		{"zero leeway", mwVerifier, []Option{WithLeeway(0)}, true},
		{"zero max token length", mwVerifier, []Option{WithMaxTokenLength(0)}, false},
		{"negative max token length", mwVerifier, []Option{WithMaxTokenLength(-1)}, false},
		{"huge max token length", mwVerifier, []Option{WithMaxTokenLength(1<<20 + 1)}, false},
		{"largest max token length", mwVerifier, []Option{WithMaxTokenLength(1 << 20)}, true},
		{"issuers without issuer", mwVerifier, []Option{WithIssuers()}, false},
		{"empty issuer", mwVerifier, []Option{WithIssuers(mwIssuer, "")}, false},
		{"empty audience", mwVerifier, []Option{WithAudience("")}, false},
		{"bad required scope", mwVerifier, []Option{WithRequiredScopes("a b")}, false},
		{"empty required scope", mwVerifier, []Option{WithRequiredScopes("")}, false},
		{"quote in scope", mwVerifier, []Option{WithRequiredScopes(`a"`)}, false},
		{"bad challenge scope", mwVerifier, []Option{WithChallengeScopes("a\n")}, false},
		{"bad hierarchy key", mwVerifier, []Option{WithScopeHierarchy(map[string][]string{"a b": {"c"}})}, false},
		{"bad hierarchy value", mwVerifier, []Option{WithScopeHierarchy(map[string][]string{"a": {"é"}})}, false},
		{"relative metadata URL", mwVerifier, []Option{WithResourceMetadataURL("/.well-known/oauth-protected-resource")}, false},
		{"ftp metadata URL", mwVerifier, []Option{WithResourceMetadataURL("ftp://h/x")}, false},
		{"metadata URL with fragment", mwVerifier, []Option{WithResourceMetadataURL("https://h/x#f")}, false},
		{"metadata URL with user", mwVerifier, []Option{WithResourceMetadataURL("https://u@h/x")}, false},
		{"metadata URL with quote", mwVerifier, []Option{WithResourceMetadataURL(`https://h/x"`)}, false},
		{"metadata URL with CRLF", mwVerifier, []Option{WithResourceMetadataURL("https://h/x\r\nX: y")}, false},
		{"loopback http metadata URL", mwVerifier, []Option{WithResourceMetadataURL("http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp")}, true},
		{"everything", mwVerifier, append(mwBaseOptions(), WithChallengeScopes("whoami:read", "offline_access"),
			InsecureAllowTrailingSlashAudience(), WithShowErrorDetails(true), WithLegacyErrorCodes(),
			WithMaxTokenLength(4096), WithLeeway(time.Minute), WithLogger(nil),
			WithErrorHandler(nil)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.v, tt.opts...)
			if tt.ok != (err == nil) || (a == nil) == tt.ok {
				t.Fatalf("New = %v, %v; want ok=%v", a, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrMisconfigured) {
				t.Fatalf("New error %v does not match ErrMisconfigured", err)
			}
		})
	}
}

func TestMiddlewarePanicsAtWiring(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
	mustPanic("nil verifier", func() { Middleware(nil) })
	mustPanic("bad option", func() { Middleware(mwVerifier, WithIssuers()) })
	mustPanic("nil next", func() { mwNew(t).Handler(nil) })

	mw := Middleware(mwVerifier, mwBaseOptions()...)
	w := httptest.NewRecorder()
	mw(&mwNext{}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, mwResource, nil))
	if w.Code != 401 {
		t.Fatalf("Middleware: status %d", w.Code)
	}
}

func TestMiddlewareConfigurationIsCopied(t *testing.T) {
	scopes := []string{"whoami:read"}
	h := map[string][]string{"whoami:admin": {"whoami:read"}}
	a, err := New(mwVerifier, WithRequiredScopes(scopes...), WithScopeHierarchy(h), WithClock(func() time.Time { return mwNow }))
	if err != nil {
		t.Fatal(err)
	}
	scopes[0] = "other"
	h["whoami:admin"][0] = "other"
	delete(h, "whoami:admin")
	for _, kind := range []string{"good", "admin"} {
		if w, _ := mwDo(a, http.MethodGet, "Bearer "+mwTok(kind)); w.Code != 200 {
			t.Errorf("%s: status %d after the caller changed its slices", kind, w.Code)
		}
	}
}

func TestMiddlewareConcurrent(t *testing.T) {
	a := mwNew(t)
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := FromContext(r.Context()); !ok {
			t.Error("no AuthInfo")
		}
	}))
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			kinds := []string{"good", "bad", "noscope", "down", ""}
			for j := range 50 {
				r := httptest.NewRequest(http.MethodGet, mwResource, nil)
				if k := kinds[(i+j)%len(kinds)]; k != "" {
					r.Header.Set("Authorization", "Bearer "+mwTok(k))
				}
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// With mcp-auth's codes, the bodies carry what mcp-auth's do: the scopes a
// token lacks (always), and with details the expected and actual values of
// a failed issuer or audience check (the verifier's own audience left out
// when it reported none).
func TestMiddlewareLegacyCompatBodies(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		kind  string
		want  string
		extra []Option
	}{
		{"scope, no details", nil, "noscope",
			`{"error":"missing_required_scopes","error_description":"The access token lacks a scope this request needs.","missing_scopes":["whoami:read"]}`, nil},
		{"scope, details", []Option{WithShowErrorDetails(true)}, "noscope",
			`{"error":"missing_required_scopes","error_description":"the access token lacks a scope this request needs","cause":{"missing_scopes":["whoami:read"]},"missing_scopes":["whoami:read"]}`, nil},
		{"issuer, no details", nil, "otheriss",
			`{"error":"invalid_issuer","error_description":"The access token was issued by an issuer this resource does not trust."}`, nil},
		{"issuer, details", []Option{WithShowErrorDetails(true)}, "otheriss",
			`{"error":"invalid_issuer","error_description":"the access token was issued by an issuer this resource does not accept","cause":{"expected":"` + mwIssuer + `","actual":"https://evil.example.com"}}`, nil},
		{"audience, details", []Option{WithShowErrorDetails(true)}, "otheraud",
			`{"error":"invalid_audience","error_description":"the access token was not issued for this resource: request one with the resource parameter (RFC 8707) set to it","cause":{"expected":"` + mwResource + `","actual":["https://other.example.com/mcp"]}}`, nil},
		{"audience unknown, details", []Option{WithShowErrorDetails(true)}, "nilaud",
			`{"error":"invalid_audience","error_description":"the access token cannot be shown to be issued for this resource: request a token bound to it with the resource parameter (RFC 8707)","cause":{"expected":"` + mwResource + `"}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mwNew(t, append([]Option{WithLegacyErrorCodes()}, tt.opts...)...)
			w, _ := mwDo(a, http.MethodGet, "Bearer "+mwTok(tt.kind))
			if w.Body.String() != tt.want {
				t.Fatalf("body\n got %s\nwant %s", w.Body, tt.want)
			}
		})
	}
	t.Run("not without legacy codes", func(t *testing.T) {
		a := mwNew(t, WithShowErrorDetails(true))
		for _, kind := range []string{"noscope", "otheriss", "otheraud"} {
			w, _ := mwDo(a, http.MethodGet, "Bearer "+mwTok(kind))
			if strings.Contains(w.Body.String(), "cause") || strings.Contains(w.Body.String(), "missing_scopes") {
				t.Errorf("%s: body %s has mcp-auth's members without legacy codes", kind, w.Body)
			}
		}
	})
}
