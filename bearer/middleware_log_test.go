package bearer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// mwLogger returns a logger that writes JSON lines at every level to buf.
func mwLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// mwKinds are every verifier outcome mwVerifier knows.
var mwKinds = []string{
	"good", "admin", "noscope", "expired", "inleeway", "noexp", "otheriss", "noiss",
	"otheraud", "manyaud", "emptyaud", "nilaud", "slashaud", "bad", "badwrapped",
	"badissuer", "down", "downwrapped", "downandbad", "canceled", "deadline", "boom",
	"misconfigured", "nil", "leaky", "unknown",
}

func TestMiddlewareLogLines(t *testing.T) {
	tests := []struct {
		name   string
		auth   []string
		level  string
		code   string
		status float64
		sub    string
	}{
		{"accepted", []string{"Bearer " + mwTok("good")}, "DEBUG", "", 200, "alice"},
		{"no header", nil, "DEBUG", "missing_auth_header", 401, ""},
		{"basic", []string{"Basic " + mwTok("good")}, "DEBUG", "invalid_auth_header_format", 401, ""},
		{"malformed", []string{"Bearer " + mwTok("good") + " x"}, "INFO", "invalid_request", 400, ""},
		{"rejected", []string{"Bearer " + mwTok("bad")}, "INFO", "invalid_token", 401, ""},
		{"wrong audience", []string{"Bearer " + mwTok("otheraud")}, "INFO", "invalid_audience", 401, "alice"},
		{"missing scope", []string{"Bearer " + mwTok("noscope")}, "INFO", "missing_required_scopes", 403, "alice"},
		{"provider down", []string{"Bearer " + mwTok("down")}, "WARN", "provider_unavailable", 503, ""},
		{"verifier failed", []string{"Bearer " + mwTok("boom")}, "ERROR", "server_error", 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			a := mwNew(t, WithLogger(mwLogger(&buf)))
			mwDo(a, http.MethodGet, tt.auth...)
			lines := decisionLines(buf.String())
			if len(lines) != 1 {
				t.Fatalf("%d log lines; want 1:\n%s", len(lines), buf.String())
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
				t.Fatal(err)
			}
			if rec["level"] != tt.level || rec["status"] != tt.status {
				t.Errorf("level %v status %v; want %s %v", rec["level"], rec["status"], tt.level, tt.status)
			}
			if code, _ := rec["code"].(string); code != tt.code {
				t.Errorf("code = %q; want %q", code, tt.code)
			}
			if sub, _ := rec["sub"].(string); sub != tt.sub {
				t.Errorf("sub = %q; want %q", sub, tt.sub)
			}
			if tt.sub != "" && rec["client_id"] != "agent-42" {
				t.Errorf("client_id = %v", rec["client_id"])
			}
			if len(tt.auth) == 1 && strings.HasPrefix(tt.auth[0], "Bearer ") && tt.code != "invalid_request" {
				sum := sha256.Sum256([]byte(strings.TrimPrefix(tt.auth[0], "Bearer ")))
				if want := hex.EncodeToString(sum[:4]); rec["token_fp"] != want {
					t.Errorf("token_fp = %v; want %s", rec["token_fp"], want)
				}
			}
		})
	}
	t.Run("level filtered", func(t *testing.T) {
		var buf bytes.Buffer
		l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		a := mwNew(t, WithLogger(l))
		mwDo(a, http.MethodGet, "Bearer "+mwTok("good"))
		if buf.Len() != 0 {
			t.Fatalf("acceptance logged above Debug: %s", buf.String())
		}
	})
	t.Run("preflight not logged", func(t *testing.T) {
		var buf bytes.Buffer
		mwDo(mwNew(t, WithLogger(mwLogger(&buf))), http.MethodOptions)
		if buf.Len() != 0 {
			t.Fatalf("preflight logged: %s", buf.String())
		}
	})
}

// TestMiddlewareNoTokenLeak sends every kind of token, in every output
// mode, and looks for the token in the logs, the response headers and
// bodies, and the error strings of Authenticate.
func TestMiddlewareNoTokenLeak(t *testing.T) {
	modes := map[string][]Option{
		"default": nil,
		"details": {WithShowErrorDetails(true)},
		"legacy":  {WithLegacyErrorCodes(), WithShowErrorDetails(true)},
		"small":   {WithMaxTokenLength(10)},
	}
	var auths [][]string
	for _, k := range mwKinds {
		tok := mwTok(k)
		auths = append(auths,
			[]string{"Bearer " + tok},
			[]string{"Bearer " + tok + " " + tok},
			[]string{"Bearer\t" + tok},
			[]string{"Bearer " + tok, "Bearer " + tok},
			[]string{"Basic " + tok},
			[]string{"Bearer " + tok + "\x00"},
		)
	}
	for name, opts := range modes {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			a := mwNew(t, append(opts, WithLogger(mwLogger(&buf)))...)
			for _, auth := range auths {
				w, _ := mwDo(a, http.MethodGet, auth...)
				var hdr strings.Builder
				_ = w.Header().Write(&hdr)
				if strings.Contains(hdr.String(), mwSecret) {
					t.Errorf("%q: token in response headers:\n%s", auth, hdr.String())
				}
				if w.Code != 200 && strings.Contains(w.Body.String(), mwSecret) {
					t.Errorf("%q: token in body %s", auth, w.Body)
				}
				r := httptest.NewRequest(http.MethodGet, mwResource, nil)
				for _, v := range auth {
					r.Header.Add("Authorization", v)
				}
				if _, err := a.Authenticate(r); err != nil && !strings.Contains(auth[0], "leaky") && strings.Contains(err.Error(), mwSecret) {
					t.Errorf("%q: token in error %q", auth, err)
				}
			}
			if strings.Contains(buf.String(), mwSecret) {
				t.Errorf("token in logs:\n%s", buf.String())
			}
			if got, want := len(decisionLines(buf.String())), len(auths); got != want {
				t.Errorf("%d log lines for %d requests", got, want)
			}
		})
	}
}

// decisionLines returns the log lines that record a decision, one per
// request; configuration warnings (logged once each) are left out.
func decisionLines(log string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if strings.Contains(l, `"msg":"bearer: request `) {
			out = append(out, l)
		}
	}
	return out
}

// A configuration that refuses every request says why, once, at warning
// level: to the configured logger, or to slog.Default when there is none.
func TestMiddlewareWarnsOnce(t *testing.T) {
	tests := []struct {
		kind, want string
		opts       []Option
	}{
		{"noiss", "without Issuer", []Option{WithIssuers(mwIssuer)}},
		{"nilaud", "without Audience", nil},
		{"boom", "neither ErrInvalidToken nor ErrProviderUnavailable", nil},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			var buf bytes.Buffer
			a := mwNew(t, append(tt.opts, WithLogger(mwLogger(&buf)))...)
			for range 3 {
				mwDo(a, http.MethodGet, "Bearer "+mwTok(tt.kind))
			}
			var warnings []string
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if strings.Contains(l, `"level":"WARN"`) {
					warnings = append(warnings, l)
				}
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], tt.want) {
				t.Fatalf("warnings %q; want one mentioning %q", warnings, tt.want)
			}
		})
	}
	t.Run("to slog.Default without a logger", func(t *testing.T) {
		var buf bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(mwLogger(&buf))
		defer slog.SetDefault(prev)
		a := mwNew(t, WithIssuers(mwIssuer))
		mwDo(a, http.MethodGet, "Bearer "+mwTok("noiss"))
		mwDo(a, http.MethodGet, "Bearer "+mwTok("noiss"))
		if n := strings.Count(buf.String(), "without Issuer"); n != 1 {
			t.Fatalf("%d warnings in slog.Default; want 1:\n%s", n, buf.String())
		}
	})
}
