package main

import (
	"net/http"
	"strings"
	"testing"
)

// A browser's CORS preflight is never authenticated (it cannot carry a
// token), and the answer lets the real request carry one and read the
// challenge (SPEC-CHECKLIST RS-16).
func TestPreflightIsNotAuthenticated(t *testing.T) {
	a := startWhoami(t, options{issuer: startIssuer(t).URL()})
	for _, url := range []string{a.resource, a.sseResource} {
		req, _ := http.NewRequest(http.MethodOptions, url, nil)
		req.Header.Set("Origin", "https://client.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("%s preflight: status %d", url, resp.StatusCode)
		}
		allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
		for _, h := range []string{"authorization", "mcp-protocol-version", "mcp-session-id"} {
			if !strings.Contains(allowed, h) {
				t.Errorf("%s preflight: Access-Control-Allow-Headers %q lacks %s", url, allowed, h)
			}
		}
	}
	// The 401 itself lets a browser read the challenge.
	req, _ := http.NewRequest(http.MethodPost, a.resource, strings.NewReader(`{}`))
	req.Header.Set("Origin", "https://client.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
		t.Errorf("401 for a browser: status %d, allow-origin %q, expose %q", resp.StatusCode,
			resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Expose-Headers"))
	}
}
