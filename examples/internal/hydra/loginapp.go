package hydra

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
)

// Paths of the login-and-consent app.
const (
	loginPath   = "/login"
	consentPath = "/consent"
)

// ConsentRequest is what Hydra told the consent app about one
// authorization request (GET /admin/oauth2/auth/requests/consent), and
// what the app granted.
type ConsentRequest struct {
	// ClientID is the requesting client.
	ClientID string
	// Subject is the logged-in user.
	Subject string
	// RequestURL is the original authorization request as Hydra received
	// it, including parameters Hydra ignores, such as "resource".
	RequestURL string
	// RequestedScope and RequestedAudience are Hydra's parse of the
	// "scope" and "audience" parameters.
	RequestedScope, RequestedAudience []string
	// GrantedScope and GrantedAudience are what the app accepted.
	GrantedScope, GrantedAudience []string
}

// ConsentRequests returns the consent requests the app has handled, oldest
// first.
func (h *Hydra) ConsentRequests() []ConsentRequest {
	h.app.mu.Lock()
	defer h.app.mu.Unlock()
	return slices.Clone(h.app.consents)
}

// loginApp is the login and consent provider Hydra redirects the browser
// to (urls.login, urls.consent). It talks to Hydra's admin API to read
// and accept the requests. It accepts one user (h.User); consent grants
// every requested scope and audience, and puts the user's identity claims
// into the session, for the ID token and userinfo (session.id_token) and
// for the access token (session.access_token).
type loginApp struct {
	resources []string // AllowResources; guarded by mu
	h         *Hydra
	srv       *httptest.Server
	url       string

	mu       sync.Mutex
	consents []ConsentRequest
}

func newLoginApp(h *Hydra) *loginApp {
	a := &loginApp{h: h}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+loginPath, a.loginPage)
	mux.HandleFunc("POST "+loginPath, a.loginSubmit)
	mux.HandleFunc("GET "+consentPath, a.consent)
	a.srv = httptest.NewServer(mux)
	a.url = a.srv.URL
	return a
}

func (a *loginApp) close() { a.srv.Close() }

// loginRequest is the part of Hydra's login request the app reads.
type loginRequest struct {
	Challenge string `json:"challenge"`
	Skip      bool   `json:"skip"`
	Subject   string `json:"subject"`
}

// loginPage answers GET /login?login_challenge=...: with FormLogin, the
// form; otherwise it accepts the user at once.
func (a *loginApp) loginPage(w http.ResponseWriter, r *http.Request) {
	challenge := r.URL.Query().Get("login_challenge")
	var req loginRequest
	if err := a.h.admin(r.Context(), http.MethodGet, "/admin/oauth2/auth/requests/login", "login_challenge", challenge, nil, &req); err != nil {
		http.Error(w, "login: "+err.Error(), http.StatusBadGateway)
		return
	}
	switch {
	case req.Skip:
		// Hydra already knows the user (a remembered session); RFC-wise
		// the app must accept that subject.
		a.acceptLogin(w, r, challenge, req.Subject)
	case a.h.opts.FormLogin:
		a.form(w, http.StatusOK, challenge, "")
	default:
		a.acceptLogin(w, r, challenge, a.h.User.Subject)
	}
}

// loginSubmit answers POST /login (the form): the right username and
// password accept the login; anything else shows the form again with 401.
func (a *loginApp) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	challenge := r.PostForm.Get("login_challenge")
	u := a.h.User
	userOK := subtle.ConstantTimeCompare([]byte(r.PostForm.Get("username")), []byte(u.Username)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(r.PostForm.Get("password")), []byte(u.Password)) == 1
	if !userOK || !passOK {
		a.form(w, http.StatusUnauthorized, challenge, "Wrong username or password.")
		return
	}
	a.acceptLogin(w, r, challenge, u.Subject)
}

func (a *loginApp) acceptLogin(w http.ResponseWriter, r *http.Request, challenge, subject string) {
	var redirect redirectTo
	body := map[string]any{"subject": subject, "remember": false}
	if err := a.h.admin(r.Context(), http.MethodPut, "/admin/oauth2/auth/requests/login/accept", "login_challenge", challenge, body, &redirect); err != nil {
		http.Error(w, "login: "+err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, redirect.To, http.StatusFound)
}

var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in</title></head>
<body>
<h1>Sign in</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="` + loginPath + `">
<input type="hidden" name="login_challenge" value="{{.Challenge}}">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
</body></html>
`))

func (a *loginApp) form(w http.ResponseWriter, status int, challenge, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = loginForm.Execute(w, struct{ Challenge, Error string }{challenge, msg})
}

// consentRequest is the part of Hydra's consent request the app reads.
type consentRequest struct {
	Subject           string   `json:"subject"`
	RequestURL        string   `json:"request_url"`
	RequestedScope    []string `json:"requested_scope"`
	RequestedAudience []string `json:"requested_access_token_audience"`
	Client            struct {
		ClientID string   `json:"client_id"`
		Audience []string `json:"audience"`
	} `json:"client"`
}

// consent answers GET /consent?consent_challenge=...: it grants what was
// asked without showing a page.
func (a *loginApp) consent(w http.ResponseWriter, r *http.Request) {
	challenge := r.URL.Query().Get("consent_challenge")
	var req consentRequest
	if err := a.h.admin(r.Context(), http.MethodGet, "/admin/oauth2/auth/requests/consent", "consent_challenge", challenge, nil, &req); err != nil {
		http.Error(w, "consent: "+err.Error(), http.StatusBadGateway)
		return
	}
	audience := slices.Clone(req.RequestedAudience)
	if a.h.opts.ResourceAsAudience {
		a.mu.Lock()
		allowed := append(slices.Clone(a.h.opts.Audiences), a.resources...)
		a.mu.Unlock()
		allowed = append(allowed, req.Client.Audience...)
		granted := resourcesAllowed(req.RequestURL, allowed)
		if err := a.addClientAudience(r.Context(), req.Client.ClientID, req.Client.Audience, granted); err != nil {
			http.Error(w, "consent: "+err.Error(), http.StatusBadGateway)
			return
		}
		audience = appendUnique(audience, granted...)
	}
	body := map[string]any{
		"grant_scope":                 nonNil(req.RequestedScope),
		"grant_access_token_audience": nonNil(audience),
		"remember":                    false,
		"session":                     a.session(req.Subject),
	}
	a.mu.Lock()
	a.consents = append(a.consents, ConsentRequest{
		ClientID:          req.Client.ClientID,
		Subject:           req.Subject,
		RequestURL:        req.RequestURL,
		RequestedScope:    req.RequestedScope,
		RequestedAudience: req.RequestedAudience,
		GrantedScope:      req.RequestedScope,
		GrantedAudience:   audience,
	})
	a.mu.Unlock()
	var redirect redirectTo
	if err := a.h.admin(r.Context(), http.MethodPut, "/admin/oauth2/auth/requests/consent/accept", "consent_challenge", challenge, body, &redirect); err != nil {
		http.Error(w, "consent: "+err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, redirect.To, http.StatusFound)
}

// addClientAudience adds to the client's audience list each of granted
// it lacks (PATCH /admin/clients/{id}, JSON Patch). Hydra's refresh grant
// checks the audience granted at consent against the client's list again
// and refuses the refresh otherwise (fosite handler/oauth2/flow_refresh.go),
// and a dynamically registered MCP client has an empty list.
func (a *loginApp) addClientAudience(ctx context.Context, clientID string, have, granted []string) error {
	var patch []map[string]any
	for _, g := range granted {
		if !slices.Contains(have, g) {
			patch = append(patch, map[string]any{"op": "add", "path": "/audience/-", "value": g})
		}
	}
	if len(patch) == 0 {
		return nil
	}
	var updated clientDoc
	return a.h.admin(ctx, http.MethodPatch, "/admin/clients/"+url.PathEscape(clientID), "", "", patch, &updated)
}

// session is the consent session for subject: Hydra copies id_token into
// the ID token and the userinfo answer, and access_token into the access
// token (top level for allowed_top_level_claims, and under "ext" when
// mirrored; under "ext" of introspection answers).
func (a *loginApp) session(subject string) map[string]any {
	u := a.h.User
	if subject != u.Subject {
		return map[string]any{}
	}
	claims := map[string]any{"username": u.Username, "name": u.Name, "email": u.Email}
	return map[string]any{"access_token": claims, "id_token": claims}
}

// resourcesAllowed returns the RFC 8707 "resource" parameters of the
// authorization request requestURL that allowed names exactly: the
// consent app grants no resource the deployment does not know.
func resourcesAllowed(requestURL string, allowed []string) []string {
	u, err := url.Parse(requestURL)
	if err != nil {
		return nil
	}
	var out []string
	for _, res := range u.Query()["resource"] {
		if slices.Contains(allowed, res) {
			out = append(out, res)
		}
	}
	return out
}

func appendUnique(s []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(s, m) {
			s = append(s, m)
		}
	}
	return s
}

// nonNil makes a nil slice encode as [] (Hydra refuses null for lists).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// redirectTo is the answer to Hydra's accept calls.
type redirectTo struct {
	To string `json:"redirect_to"`
}

// AllowResources adds resources the consent app grants as access-token
// audience when an authorization request names them (with
// Options.ResourceAsAudience): for MCP servers started after Hydra, whose
// URL Options.Audiences could not know.
func (h *Hydra) AllowResources(resources ...string) {
	h.app.mu.Lock()
	defer h.app.mu.Unlock()
	h.app.resources = append(h.app.resources, resources...)
}
