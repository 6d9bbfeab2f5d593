package bearer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const introIssuer = "https://issuer.example.com"

var introCreds = ClientCredentials{ClientID: "rs-client", ClientSecret: "rs-secret"}

func introNew(t testing.TB, p *uiProvider, creds ClientCredentials, opts ...Option) *IntrospectionVerifier {
	t.Helper()
	v, err := NewIntrospectionVerifier(introIssuer, p.URL+"/introspect", creds, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// introActive answers an active response with the members of extra, exp
// relative to clk.
func introActive(clk *uiClock, expIn time.Duration, extra string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := fmt.Sprintf(`{"active":true,"sub":"user-1","exp":%d%s}`, clk.Now().Add(expIn).Unix(), extra)
		uiJSON(200, body)(w, r)
	}
}

func TestIntrospectionVerifySuccess(t *testing.T) {
	clk := uiNewClock()
	p := uiNewProvider(t, introActive(clk, time.Hour,
		`,"iss":"https://issuer.example.com","client_id":"agent","scope":"openid whoami:read","aud":["https://mcp.example.com/mcp","other"],"token_type":"Bearer","iat":1,"nbf":2,"username":"ann"`))
	v := introNew(t, p, introCreds, WithClock(clk.Now))
	info, err := v.Verify(t.Context(), uiToken)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%+v", AuthInfo{
		Issuer: introIssuer, Subject: "user-1", ClientID: "agent",
		Audience: []string{"https://mcp.example.com/mcp", "other"}, Scopes: []string{"openid", "whoami:read"},
		ExpiresAt: clk.Now().Add(time.Hour),
		Identity:  Identity{Claims: map[string]any{"username": "ann"}, Sources: []string{"token"}},
	})
	got := *info
	got.Claims = nil
	if fmt.Sprintf("%+v", got) != want {
		t.Errorf("info = %+v\nwant   %s", got, want)
	}
	if info.Claims["username"] != "ann" || info.Claims["token_type"] != "Bearer" {
		t.Errorf("Claims = %v", info.Claims)
	}

	req, body := p.lastRequest()
	if req.Method != http.MethodPost {
		t.Errorf("method = %s", req.Method)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", ct)
	}
	if a := req.Header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept = %q", a)
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	if form.Get("token") != uiToken || form.Get("token_type_hint") != "access_token" || form.Has("client_secret") {
		t.Errorf("form = %v", form)
	}
}

func TestIntrospectionClientAuth(t *testing.T) {
	special := ClientCredentials{ClientID: "my client:1&é", ClientSecret: "p@ss w/rd+%:="}
	tests := []struct {
		name   string
		method string
	}{
		{"default is basic", ""},
		{"basic", ClientSecretBasic},
		{"post", ClientSecretPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := uiNewClock()
			p := uiNewProvider(t, introActive(clk, time.Hour, ""))
			creds := special
			creds.Method = tt.method
			if _, err := introNew(t, p, creds, WithClock(clk.Now)).Verify(t.Context(), uiToken); err != nil {
				t.Fatal(err)
			}
			req, body := p.lastRequest()
			form, _ := url.ParseQuery(body)
			auth := req.Header.Get("Authorization")
			if tt.method == ClientSecretPost {
				if auth != "" {
					t.Errorf("Authorization = %q, want none with client_secret_post", auth)
				}
				if form.Get("client_id") != special.ClientID || form.Get("client_secret") != special.ClientSecret {
					t.Errorf("form credentials = %q, %q", form.Get("client_id"), form.Get("client_secret"))
				}
				return
			}
			if form.Has("client_id") || form.Has("client_secret") {
				t.Errorf("credentials in the form with client_secret_basic: %v", form)
			}
			// RFC 6749 2.3.1: form-encode each part, then base64 "id:secret".
			wantPair := "my+client%3A1%26%C3%A9:p%40ss+w%2Frd%2B%25%3A%3D"
			if auth != "Basic "+base64.StdEncoding.EncodeToString([]byte(wantPair)) {
				t.Errorf("Authorization = %q, want the encoding of %q", auth, wantPair)
			}
			id, secret, ok := req.BasicAuth()
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
			if !ok || id != special.ClientID || secret != special.ClientSecret {
				t.Errorf("provider decoded %q, %q", id, secret)
			}
		})
	}
}

func TestIntrospectionStatusMapping(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	cases := uiFailureCases(stop)
	cases = append(cases, []struct {
		name    string
		h       http.HandlerFunc
		client  *http.Client
		wantErr error
		status  int
	}{
		// The endpoint refusing our client credentials is our fault.
		{"401", uiJSON(401, `{"error":"invalid_client"}`), nil, ErrMisconfigured, 500},
		{"403", uiJSON(403, `{}`), nil, ErrMisconfigured, 500},
		{"400", uiJSON(400, `{"error":"invalid_request"}`), nil, ErrProviderUnavailable, 503},
		{"inactive", uiJSON(200, `{"active":false}`), nil, ErrInvalidToken, 401},
		{"missing active", uiJSON(200, `{"sub":"u"}`), nil, ErrProviderUnavailable, 503},
		{"string active", uiJSON(200, `{"active":"true"}`), nil, ErrProviderUnavailable, 503},
		{"token media type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/token-introspection+json")
			w.Write([]byte(`{"active":false}`))
		}, nil, ErrInvalidToken, 401},
	}...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := uiNewProvider(t, tc.h)
			var opts []Option
			if tc.client != nil {
				opts = append(opts, WithHTTPClient(tc.client))
			}
			v := introNew(t, p, introCreds, opts...)
			info, err := v.Verify(t.Context(), uiToken)
			if info != nil {
				t.Fatalf("info = %+v, want nil", info)
			}
			uiCheckErr(t, err, tc.wantErr, tc.status)
			_, _ = v.Verify(t.Context(), uiToken)
			// A refusal is remembered (WithRefusalTTL); a failure of the
			// provider or of the configuration is not: a second call asks again.
			want := int32(2)
			if errors.Is(tc.wantErr, ErrInvalidToken) {
				want = 1
			}
			if n := p.requests.Load(); n != want {
				t.Errorf("provider saw %d requests for two calls, want %d", n, want)
			}
		})
	}
}

func TestIntrospectionMapping(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	at := func(d time.Duration) string { return fmt.Sprint(now.Add(d).Unix()) }
	v, err := NewIntrospectionVerifier(introIssuer, "https://issuer.example.com/introspect", introCreds)
	if err != nil {
		t.Fatal(err)
	}
	// vAud is a verifier behind the middleware's audience rule (audAuthn).
	vAud, err := NewIntrospectionVerifier(introIssuer, "https://issuer.example.com/introspect", introCreds, WithLeeway(0))
	if err != nil {
		t.Fatal(err)
	}
	audAuthn, err := New(vAud, WithAudience("https://mcp.example.com/mcp"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		v       *IntrospectionVerifier
		body    string
		wantErr error
		code    Code
		check   func(*AuthInfo) bool
	}{
		{"minimal", v, `{"active":true}`, nil, "", func(i *AuthInfo) bool {
			return i.Issuer == introIssuer && i.Audience == nil && i.Scopes == nil && i.ExpiresAt.IsZero() && i.Subject == ""
		}},
		{"aud string", v, `{"active":true,"aud":"https://mcp.example.com/mcp"}`, nil, "", func(i *AuthInfo) bool {
			return len(i.Audience) == 1 && i.Audience[0] == "https://mcp.example.com/mcp"
		}},
		{"aud empty array is known and empty", v, `{"active":true,"aud":[]}`, nil, "", func(i *AuthInfo) bool {
			return i.Audience != nil && len(i.Audience) == 0
		}},
		{"scope array", v, `{"active":true,"scope":["a","b"]}`, nil, "", func(i *AuthInfo) bool {
			return len(i.Scopes) == 2 && i.Scopes[1] == "b"
		}},
		{"scope spaces", v, `{"active":true,"scope":"  a   b "}`, nil, "", func(i *AuthInfo) bool {
			return len(i.Scopes) == 2 && i.Scopes[0] == "a"
		}},
		{"fractional exp", v, `{"active":true,"exp":` + at(time.Hour) + `.5}`, nil, "", func(i *AuthInfo) bool {
			return i.ExpiresAt.Equal(now.Add(time.Hour + 500*time.Millisecond))
		}},
		{"iss matches", v, `{"active":true,"iss":"https://issuer.example.com"}`, nil, "", nil},
		{"iss differs", v, `{"active":true,"iss":"https://evil.example.com"}`, ErrInvalidToken, CodeInvalidIssuer, nil},
		{"iss with trailing slash", v, `{"active":true,"iss":"https://issuer.example.com/"}`, ErrInvalidToken, CodeInvalidIssuer, nil},
		{"iss not a string", v, `{"active":true,"iss":1}`, ErrInvalidToken, CodeInvalidIssuer, nil},
		{"expired", v, `{"active":true,"exp":` + at(-2*time.Minute) + `}`, ErrInvalidToken, CodeInvalidToken, nil},
		{"expired within leeway", v, `{"active":true,"exp":` + at(-30*time.Second) + `}`, nil, "", nil},
		{"expired, no leeway", vAud, `{"active":true,"aud":"https://mcp.example.com/mcp","exp":` + at(0) + `}`, ErrInvalidToken, CodeInvalidToken, nil},
		{"not yet valid", v, `{"active":true,"nbf":` + at(2*time.Minute) + `}`, ErrInvalidToken, CodeInvalidToken, nil},
		{"nbf within leeway", v, `{"active":true,"nbf":` + at(30*time.Second) + `}`, nil, "", nil},
		{"refresh token", v, `{"active":true,"token_type":"refresh_token"}`, ErrInvalidToken, CodeInvalidToken, nil},
		{"refresh token, Hydra style", v, `{"active":true,"token_type":"Bearer","token_use":"refresh_token"}`, ErrInvalidToken, CodeInvalidToken, nil},
		{"malformed token_use", v, `{"active":true,"token_use":7}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"audience matches", vAud, `{"active":true,"aud":["x","https://mcp.example.com/mcp"]}`, nil, "", nil},
		{"audience absent", vAud, `{"active":true}`, ErrInvalidToken, CodeInvalidAudience, nil},
		{"audience other", vAud, `{"active":true,"aud":"https://other.example.com/mcp"}`, ErrInvalidToken, CodeInvalidAudience, nil},
		{"audience case differs", vAud, `{"active":true,"aud":"https://MCP.example.com/mcp"}`, ErrInvalidToken, CodeInvalidAudience, nil},
		{"exp string", v, `{"active":true,"exp":"soon"}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"exp huge", v, `{"active":true,"exp":1e300}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"nbf bool", v, `{"active":true,"nbf":true}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"iat object", v, `{"active":true,"iat":{}}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"aud number", v, `{"active":true,"aud":5}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"aud mixed array", v, `{"active":true,"aud":["a",5]}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"scope number", v, `{"active":true,"scope":5}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"sub number", v, `{"active":true,"sub":5}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"client_id array", v, `{"active":true,"client_id":["a"]}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
		{"token_type number", v, `{"active":true,"token_type":1}`, ErrProviderUnavailable, CodeProviderUnavailable, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(tt.body), &doc); err != nil {
				t.Fatal(err)
			}
			info, err := tt.v.mapResponse(doc, uiToken, now)
			if tt.v == vAud && err == nil {
				if e := audAuthn.check(context.Background(), info); e != nil {
					info, err = nil, e
				}
			}
			if tt.wantErr != nil {
				var e *Error
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &e) || e.Code != tt.code {
					t.Fatalf("err = %v, want %v with code %s", err, tt.wantErr, tt.code)
				}
				if info != nil {
					t.Fatalf("info = %+v with an error", info)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Claims == nil {
				t.Errorf("info = %+v", info)
			}
			if tt.check != nil && !tt.check(info) {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestIntrospectionCache(t *testing.T) {
	clk := uiNewClock()
	p := uiNewProvider(t, introActive(clk, time.Hour, ""))
	v := introNew(t, p, introCreds, WithClock(clk.Now))
	steps := []struct {
		name     string
		advance  time.Duration
		requests int32
	}{
		{"first call asks", 0, 1},
		{"second call is cached", 0, 1},
		{"cached until the 5-minute default TTL", 5*time.Minute - time.Second, 1},
		{"asks again after the TTL", time.Second, 2},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		if _, err := v.Verify(t.Context(), uiToken); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n := p.requests.Load(); n != s.requests {
			t.Fatalf("%s: %d requests, want %d", s.name, n, s.requests)
		}
	}
}

func TestIntrospectionCacheNeverPastExp(t *testing.T) {
	clk := uiNewClock()
	exp := clk.Now().Add(30 * time.Second)
	p := uiNewProvider(t, func(w http.ResponseWriter, r *http.Request) {
		uiJSON(200, fmt.Sprintf(`{"active":true,"sub":"u","exp":%d}`, exp.Unix()))(w, r)
	})
	v := introNew(t, p, introCreds, WithClock(clk.Now), WithCacheTTL(time.Hour))
	if _, err := v.Verify(t.Context(), uiToken); err != nil {
		t.Fatal(err)
	}
	clk.Advance(29 * time.Second)
	if _, err := v.Verify(t.Context(), uiToken); err != nil || p.requests.Load() != 1 {
		t.Fatalf("before exp: err %v, %d requests; want a cache hit", err, p.requests.Load())
	}
	clk.Advance(time.Second) // now == exp: the cached result is gone
	if _, err := v.Verify(t.Context(), uiToken); err != nil {
		t.Fatal(err) // still within the leeway, as the provider says active
	}
	if n := p.requests.Load(); n != 2 {
		t.Fatalf("at exp: %d requests, want 2 (a result is never cached past exp)", n)
	}
}

// An inactive token is remembered as refused for WithRefusalTTL, and asked
// about again after it.
func TestIntrospectionInactiveRemembered(t *testing.T) {
	clk := uiNewClock()
	p := uiNewProvider(t, uiJSON(200, `{"active":false}`))
	v := introNew(t, p, introCreds, WithClock(clk.Now), WithRefusalTTL(5*time.Second))
	verify := func() {
		t.Helper()
		if _, err := v.Verify(t.Context(), uiToken); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("err = %v, want ErrInvalidToken", err)
		}
	}
	verify()
	verify()
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("%d requests within the refusal TTL, want 1", n)
	}
	clk.Advance(5 * time.Second)
	verify()
	if n := p.requests.Load(); n != 2 {
		t.Fatalf("%d requests after the refusal TTL, want 2", n)
	}
	v = introNew(t, p, introCreds, WithRefusalTTL(0))
	before := p.requests.Load()
	for range 2 {
		if _, err := v.Verify(t.Context(), uiToken); !errors.Is(err, ErrInvalidToken) {
			t.Fatal(err)
		}
	}
	if n := p.requests.Load() - before; n != 2 {
		t.Fatalf("WithRefusalTTL(0): %d requests for two calls, want 2", n)
	}
}

func TestIntrospectionCoalesces(t *testing.T) {
	const n = 20
	clk := uiNewClock()
	release := make(chan struct{})
	answer := introActive(clk, time.Hour, "")
	p := uiNewProvider(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		answer(w, r)
	})
	v := introNew(t, p, introCreds, WithClock(clk.Now))
	var started, done sync.WaitGroup
	started.Add(n)
	errs := make(chan error, n)
	for range n {
		done.Go(func() {
			started.Done()
			_, err := v.Verify(context.Background(), uiToken)
			errs <- err
		})
	}
	started.Wait()
	close(release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := p.requests.Load(); got != 1 {
		t.Fatalf("%d concurrent calls made %d requests, want 1", n, got)
	}
}

func TestNewIntrospectionVerifierConfig(t *testing.T) {
	const ep = "https://id.example.com/introspect"
	tests := []struct {
		name             string
		issuer, endpoint string
		creds            ClientCredentials
		opts             []Option
		ok               bool
	}{
		{"ok", introIssuer, ep, introCreds, nil, true},
		{"post", introIssuer, ep, ClientCredentials{ClientID: "a", ClientSecret: "sekr1t-xyz", Method: ClientSecretPost}, nil, true},
		{"unknown method", introIssuer, ep, ClientCredentials{ClientID: "a", ClientSecret: "sekr1t-xyz", Method: "private_key_jwt"}, nil, false},
		{"no id", introIssuer, ep, ClientCredentials{ClientSecret: "sekr1t-xyz"}, nil, false},
		{"no secret", introIssuer, ep, ClientCredentials{ClientID: "a"}, nil, false},
		{"http remote", introIssuer, "http://id.example.com/introspect", introCreds, nil, false},
		{"http remote allowed", introIssuer, "http://id.example.com/introspect", introCreds, []Option{InsecureAllowHTTP()}, true},
		{"http loopback", "http://localhost:3001", "http://127.0.0.1:3001/introspect", introCreds, nil, true},
		{"bad issuer", "issuer", ep, introCreds, nil, false},
		{"negative leeway", introIssuer, ep, introCreds, []Option{WithLeeway(-time.Second)}, false},
		{"zero leeway", introIssuer, ep, introCreds, []Option{WithLeeway(0)}, true},
		{"an option of the middleware", introIssuer, ep, introCreds, []Option{WithAudience("https://mcp.example.com/mcp")}, false},
		{"negative TTL", introIssuer, ep, introCreds, []Option{WithCacheTTL(-1)}, false},
		{"negative size", introIssuer, ep, introCreds, []Option{WithCacheSize(-1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewIntrospectionVerifier(tt.issuer, tt.endpoint, tt.creds, tt.opts...)
			if (err == nil) != tt.ok || (v != nil) != tt.ok {
				t.Fatalf("NewIntrospectionVerifier = %v, %v; want ok=%v", v, err, tt.ok)
			}
			if err != nil && tt.creds.ClientSecret != "" && strings.Contains(err.Error(), tt.creds.ClientSecret) {
				t.Errorf("the error reveals the client secret: %v", err)
			}
		})
	}
}

func TestIntrospectionSecretNotPrinted(t *testing.T) {
	creds := ClientCredentials{ClientID: "rs", ClientSecret: "top-secret-value"}
	v, err := NewIntrospectionVerifier(introIssuer, "https://issuer.example.com/introspect", creds)
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("rs:top-secret-value"))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, x := range []any{creds, &creds, v, struct{ C ClientCredentials }{creds}} {
			out := fmt.Sprintf(verb, x)
			if strings.Contains(out, creds.ClientSecret) || strings.Contains(out, basic) {
				t.Errorf("fmt %s of %T shows the secret: %s", verb, x, out)
			}
		}
	}
}

// FuzzIntrospectionResponse feeds arbitrary JSON bodies to the response
// mapping: it must never panic, and must return either a typed error of a
// known category or an AuthInfo consistent with the body.
func FuzzIntrospectionResponse(f *testing.F) {
	for _, seed := range []string{
		`{"active":true}`,
		`{"active":false}`,
		`{"active":true,"sub":"u","scope":"a b","aud":["x","https://mcp.example.com/mcp"],"exp":1750003600,"nbf":1,"iat":1,"iss":"https://issuer.example.com","client_id":"c","token_type":"Bearer"}`,
		`{"active":true,"aud":"https://mcp.example.com/mcp","exp":1e300}`,
		`{"active":true,"aud":[1,2],"scope":[null]}`,
		`{"active":"yes"}`,
		`null`, `[]`, `{}`, `{"exp":-1e20,"active":true,"aud":"https://mcp.example.com/mcp"}`,
	} {
		f.Add([]byte(seed))
	}
	now := time.Unix(1_750_000_000, 0)
	v, err := NewIntrospectionVerifier(introIssuer, "https://issuer.example.com/introspect", introCreds)
	if err != nil {
		f.Fatal(err)
	}
	// The audience is the middleware's rule: every response goes through it.
	authn, err := New(v, WithAudience("https://mcp.example.com/mcp"), WithClock(func() time.Time { return now }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var doc map[string]any
		if json.Unmarshal(body, &doc) != nil || doc == nil {
			return // fetch rejects these before the mapping
		}
		info, err := v.mapResponse(doc, "tok", now)
		if err == nil {
			if e := authn.check(context.Background(), info); e != nil {
				info, err = nil, e
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || info != nil {
				t.Fatalf("untyped error %v or info with an error", err)
			}
			if !errors.Is(err, ErrInvalidToken) && !errors.Is(err, ErrProviderUnavailable) {
				t.Fatalf("unexpected category: %v", err)
			}
			return
		}
		if doc["active"] != true || info.Issuer != introIssuer {
			t.Fatalf("accepted %s as %+v", body, info)
		}
		found := false
		for _, a := range info.Audience {
			found = found || a == "https://mcp.example.com/mcp"
		}
		if !found {
			t.Fatalf("accepted %s without the configured audience", body)
		}
		if !info.ExpiresAt.IsZero() && !now.Before(info.ExpiresAt.Add(time.Minute)) {
			t.Fatalf("accepted an expired token: %s", body)
		}
	})
}
