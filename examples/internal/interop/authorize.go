package interop

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// maxAuthorizeSteps bounds the redirects and form submissions of one
// Authorize call.
const maxAuthorizeSteps = 20

// maxPage caps the size of a login or consent page read by Authorize.
const maxPage = 1 << 20

var (
	formOpen   = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	formClose  = regexp.MustCompile(`(?i)</form\s*>`)
	control    = regexp.MustCompile(`(?is)<(input|button|textarea|select)\b[^>]*>`)
	attribute  = regexp.MustCompile(`(?s)([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?`)
	errorWords = regexp.MustCompile(`(?i)alert|error|invalid`)
)

// usernameFields are the text field names Authorize fills with the user
// name.
var usernameFields = map[string]bool{"username": true, "user": true, "login": true, "email": true, "identifier": true}

// Authorize plays the browser in an authorization-code flow, headless: it
// requests authURL, follows redirects by hand with a cookie jar, fills the
// first <form> of each page (username-like text fields get username,
// password fields get password, hidden fields keep their values, the first
// submit button is sent) and submits it, until a redirect (or a form_post)
// to redirectURI. It returns that callback's parameters (code, state, iss,
// or error). It works with provider.mjs and with any issuer whose login form
// posts username/password and whose consent page's first form approves.
//
// hc supplies the transport and timeout (nil: a client with a 30 s
// timeout); its Jar and CheckRedirect are not used. The flow is bounded by
// ctx and by 20 steps.
func Authorize(ctx context.Context, hc *http.Client, authURL, redirectURI, username, password string) (url.Values, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{
		Transport:     hc.Transport,
		Timeout:       hc.Timeout,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	redirect, err := url.Parse(redirectURI)
	if err != nil {
		return nil, fmt.Errorf("authorize: redirect URI: %w", err)
	}
	isCallback := func(u *url.URL) bool {
		return u.Scheme == redirect.Scheme && u.Host == redirect.Host && u.Path == redirect.Path
	}

	method, target, body := http.MethodGet, authURL, ""
	lastForm := ""
	for step := 0; step < maxAuthorizeSteps; step++ {
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("authorize: bad URL: %w", err)
		}
		if isCallback(u) {
			if method == http.MethodPost {
				return url.ParseQuery(body)
			}
			return u.Query(), nil
		}
		req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("authorize: %s %s: %w", method, u.Path, err)
		}
		page, err := io.ReadAll(io.LimitReader(resp.Body, maxPage))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("authorize: reading %s: %w", u.Path, err)
		}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc, err := resp.Location()
			if err != nil {
				return nil, fmt.Errorf("authorize: %d at %s without Location", resp.StatusCode, u.Path)
			}
			method, target, body = http.MethodGet, loc.String(), ""
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("authorize: HTTP %d at %s: %.200s", resp.StatusCode, u.Path, pageText(page))
		}
		f, ok := firstForm(string(page), u, username, password)
		if !ok {
			return nil, fmt.Errorf("authorize: no form on page %s: %.200s", u.Path, pageText(page))
		}
		signature := f.method + " " + f.action.String() + " " + strings.Join(keys(f.fields), ",")
		if signature == lastForm && errorWords.Match(page) {
			return nil, fmt.Errorf("authorize: the form at %s was rejected: %.200s", u.Path, pageText(page))
		}
		lastForm = signature
		if f.method == http.MethodPost {
			method, target, body = http.MethodPost, f.action.String(), f.fields.Encode()
		} else {
			a := *f.action
			q := a.Query()
			for k, vs := range f.fields {
				for _, v := range vs {
					q.Add(k, v)
				}
			}
			a.RawQuery = q.Encode()
			method, target, body = http.MethodGet, a.String(), ""
		}
	}
	return nil, errors.New("authorize: no redirect to the client after 20 steps")
}

type form struct {
	method string
	action *url.URL
	fields url.Values
}

func firstForm(page string, base *url.URL, username, password string) (form, bool) {
	loc := formOpen.FindStringIndex(page)
	if loc == nil {
		return form{}, false
	}
	rest := page[loc[0]:]
	if end := formClose.FindStringIndex(rest); end != nil {
		rest = rest[:end[0]]
	}
	fa := attrs(page[loc[0]:loc[1]])
	action := base
	if a := fa["action"]; a != "" {
		ref, err := base.Parse(a)
		if err != nil {
			return form{}, false
		}
		action = ref
	}
	f := form{method: strings.ToUpper(fa["method"]), action: action, fields: url.Values{}}
	if f.method != http.MethodPost {
		f.method = http.MethodGet
	}
	submitted := false
	for _, m := range control.FindAllStringSubmatch(rest, -1) {
		a := attrs(m[0])
		kind := strings.ToLower(m[1])
		typ := strings.ToLower(a["type"])
		if typ == "" {
			typ = "text"
			if kind == "button" {
				typ = "submit"
			}
		}
		name := a["name"]
		if _, disabled := a["disabled"]; disabled {
			continue
		}
		switch {
		case typ == "submit" || typ == "image":
			if !submitted && name != "" {
				f.fields.Add(name, a["value"])
			}
			submitted = true
		case name == "" || typ == "button" || typ == "reset" || typ == "file":
		case typ == "password":
			f.fields.Add(name, password)
		case typ == "checkbox" || typ == "radio":
			if _, checked := a["checked"]; checked {
				v := a["value"]
				if v == "" {
					v = "on"
				}
				f.fields.Add(name, v)
			}
		case typ != "hidden" && usernameFields[strings.ToLower(name)]:
			f.fields.Add(name, username)
		default:
			f.fields.Add(name, a["value"])
		}
	}
	return f, true
}

// attrs parses the attributes of one start tag; values are unescaped.
func attrs(tag string) map[string]string {
	inner := strings.TrimPrefix(tag, "<")
	if i := strings.IndexAny(inner, " \t\r\n/>"); i >= 0 {
		inner = inner[i:]
	}
	inner = strings.TrimSuffix(strings.TrimSuffix(inner, ">"), "/")
	out := map[string]string{}
	for _, m := range attribute.FindAllStringSubmatch(inner, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return out
}

func keys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}

	slices.Sort(out)
	return out
}

var tags = regexp.MustCompile(`(?s)<[^>]*>`)

// pageText is a page's visible text, squeezed, for error messages.
func pageText(page []byte) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(string(page), " "))), " ")
}
