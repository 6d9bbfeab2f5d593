package devissuer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrLoginFailed is returned by Issuer.Login when the issuer refuses the
// username or password.
var ErrLoginFailed = errors.New("devissuer: login failed")

// maxLoginSteps bounds the redirects Login follows.
const maxLoginSteps = 10

// Login plays the user in a browser, for tests: it opens authURL (an
// authorization request to this issuer), submits the login form with
// username and password, approves the consent page if it is shown, and
// returns the final redirect to the client's redirect URI (carrying code,
// state and iss, or error) without following it. httpClient nil means a
// client with a 30-second timeout; its redirect policy is not used. It
// returns ErrLoginFailed for a wrong password, and an error for anything
// else unexpected (an error page, too many steps).
func (i *Issuer) Login(ctx context.Context, httpClient *http.Client, authURL, username, password string) (*url.URL, error) {
	redirect, _, err := i.login(ctx, httpClient, authURL, username, password, "approve")
	return redirect, err
}

// login is Login with the consent answer, returning the issuer paths it
// visited (for tests).
func (i *Issuer) login(ctx context.Context, httpClient *http.Client, authURL, username, password, consent string) (*url.URL, []string, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	if httpClient != nil {
		cp := *httpClient
		c = &cp
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	base, err := url.Parse(i.issuer)
	if err != nil {
		return nil, nil, err
	}

	var visited []string
	next, err := url.Parse(authURL)
	if err != nil {
		return nil, nil, fmt.Errorf("devissuer: login: bad authorization URL: %w", err)
	}
	method, form := http.MethodGet, url.Values(nil)
	for range maxLoginSteps {
		if next.Scheme != base.Scheme || next.Host != base.Host {
			return next, visited, nil // left the issuer: the authorization response
		}
		visited = append(visited, method+" "+next.Path)
		resp, err := do(ctx, c, method, next.String(), form)
		if err != nil {
			return nil, visited, err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()

		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc, err := next.Parse(resp.Header.Get("Location"))
			if err != nil || resp.Header.Get("Location") == "" {
				return nil, visited, errors.New("devissuer: login: redirect without a valid Location")
			}
			next, method, form = loc, http.MethodGet, nil
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return nil, visited, fmt.Errorf("devissuer: login: %s %s answered %d", method, next.Path, resp.StatusCode)
		}
		id := next.Query().Get("id")
		switch {
		case method == http.MethodPost && next.Path == loginPath:
			return nil, visited, ErrLoginFailed // the form came back with an error
		case next.Path == loginPath:
			method, form = http.MethodPost, url.Values{"id": {id}, "username": {username}, "password": {password}}
		case next.Path == consentPath && method == http.MethodGet:
			method, form = http.MethodPost, url.Values{"id": {id}, "action": {consent}}
		default:
			return nil, visited, fmt.Errorf("devissuer: login: unexpected page %s %s", method, next.Path)
		}
		next = next.ResolveReference(&url.URL{Path: next.Path, RawQuery: "id=" + url.QueryEscape(id)})
	}
	return nil, visited, errors.New("devissuer: login: too many steps")
}

func do(ctx context.Context, c *http.Client, method, target string, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("devissuer: login: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("devissuer: login: %w", err)
	}
	return resp, nil
}
