package hydra_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mcp-auth/go/examples/internal/hydra"
)

// TestStartStops checks that Start's cleanup stops Hydra: once the test
// that started it is over, its ports no longer answer.
func TestStartStops(t *testing.T) {
	var h *hydra.Hydra
	t.Run("started", func(t *testing.T) {
		h = hydra.Start(t, hydra.Options{})
		resp, err := http.Get(h.AdminURL + "/health/ready")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("ready: %d", resp.StatusCode)
		}
	})
	if h == nil {
		t.FailNow()
	}
	for _, u := range []string{h.AdminURL + "/health/ready", h.PublicURL + "/health/ready", h.LoginURL()} {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("GET %s after cleanup: %d, want a refused connection", u, resp.StatusCode)
		}
	}
}

// TestFormLogin drives the login form as a browser would: the page, a
// wrong password (401 and the form again), the right one.
func TestFormLogin(t *testing.T) {
	h := shared(t, opaqueOptions)
	client := h.PublicClient(t, hydra.ClientOptions{})
	authURL := h.PublicURL + "/oauth2/auth?" + url.Values{
		"response_type": {"code"}, "client_id": {client.ID}, "redirect_uri": {client.RedirectURIs[0]},
		"scope": {"openid"}, "state": {"state-0123456789"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
	}.Encode()

	// Hydra sends the browser to the login app, which shows a form with
	// the challenge.
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	login, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(login.String(), h.LoginURL()+"?") || login.Query().Get("login_challenge") == "" {
		t.Fatalf("Hydra redirected to %q, want the login app with a login_challenge", resp.Header.Get("Location"))
	}
	resp, err = http.Get(login.String())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	for _, want := range []string{`<form method="post"`, `name="login_challenge" value="` + login.Query().Get("login_challenge") + `"`, `name="password" type="password"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("login page lacks %s", want)
		}
	}

	if _, err := h.Authorize(t.Context(), nil, authURL, h.User.Username, "wrong"); !errors.Is(err, hydra.ErrLoginFailed) {
		t.Fatalf("wrong password: %v, want ErrLoginFailed", err)
	}
	back, err := h.Authorize(t.Context(), nil, authURL, h.User.Username, h.User.Password)
	if err != nil {
		t.Fatal(err)
	}
	if back.Query().Get("code") == "" || back.Query().Get("state") != "state-0123456789" {
		t.Fatalf("redirect %s lacks code or state", back.Redacted())
	}
	// No RFC 9207 "iss" (discovery does not claim it either).
	var params []string
	for name := range back.Query() {
		params = append(params, name)
	}
	sort.Strings(params)
	if !slices.Equal(params, []string{"code", "scope", "state"}) {
		t.Errorf("authorization response parameters %q, want [code scope state]", params)
	}
}
