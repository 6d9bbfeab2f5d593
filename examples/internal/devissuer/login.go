package devissuer

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The login and consent pages. zitadel/oidc redirects /authorize to
// client.LoginURL (/login?id=...); after the user signs in and approves, the
// pages redirect to the library's /authorize/callback?id=..., which issues
// the code. Every redirect here is relative, so the RFC 9207 wrapper leaves
// it alone.

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · development issuer</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
.err{color:#b00020}label{display:block;margin:.5rem 0}input[type=text],input[type=password]{width:100%}
.note{color:#666;font-size:.85rem}</style></head><body>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
{{if eq .Title "Sign in"}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>Username <input type="text" name="username" autocomplete="username" autofocus required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="note">Development issuer: the demo account is demo / demo.</p>
{{else}}
<p><strong>{{.ClientName}}</strong> asks to access your account ({{.Username}}) with these scopes:</p>
<ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
{{if .Resource}}<p>Resource: <code>{{.Resource}}</code></p>{{end}}
<form method="post" action="/consent">
<input type="hidden" name="id" value="{{.ID}}">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>
{{end}}
</body></html>`))

type pageData struct {
	Title      string
	Error      string
	ID         string
	ClientName string
	Username   string
	Scopes     []string
	Resource   string
}

// renderPage writes an HTML page that cannot be framed or cached.
func renderPage(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d)
}

func callbackURL(id string) string { return authorizeCallback + "?id=" + url.QueryEscape(id) }

// parsePageForm reads the form of a page request with a size cap.
func parsePageForm(w http.ResponseWriter, r *http.Request) bool {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid form", http.StatusBadRequest)
		return false
	}
	return true
}

// handleLogin shows the login form (GET) and checks the password (POST).
// A wrong password shows the form again with an error (200, no redirect);
// success goes to the consent page, or straight to the callback when the
// user already granted these scopes to this client. With AutoApprove the
// first user is signed in and consents at once.
func (i *Issuer) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !parsePageForm(w, r) {
		return
	}
	id := r.Form.Get("id")
	ar, err := i.storage.authRequestCopy(id)
	if err != nil || ar.done {
		renderPage(w, http.StatusBadRequest, pageData{Title: "Sign in", Error: "Unknown or expired authorization request. Start again from the application."})
		return
	}
	if i.autoApprove {
		if i.storage.setSubject(id, i.users.first.ID) != nil || i.storage.approve(id) != nil {
			http.Error(w, "authorization request expired", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, callbackURL(id), http.StatusFound)
		return
	}
	if r.Method == http.MethodGet {
		renderPage(w, http.StatusOK, pageData{Title: "Sign in", ID: id})
		return
	}
	u, err := i.users.authenticate(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if err != nil {
		i.logger.Info("devissuer: failed login", "username", r.PostForm.Get("username"))
		renderPage(w, http.StatusOK, pageData{Title: "Sign in", ID: id, Error: "Invalid username or password."})
		return
	}
	i.logger.Info("devissuer: login", "username", u.Username, "client_id", ar.clientID)
	if err := i.storage.setSubject(id, u.ID); err != nil {
		renderPage(w, http.StatusBadRequest, pageData{Title: "Sign in", Error: "Unknown or expired authorization request."})
		return
	}
	ar.subject = u.ID
	if i.storage.consentCovers(ar) {
		if i.storage.approve(id) == nil {
			http.Redirect(w, r, callbackURL(id), http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, consentPath+"?id="+url.QueryEscape(id), http.StatusSeeOther)
}

// handleConsent shows the client and scopes (GET) and records the answer
// (POST). Approve remembers the consent for (user, client) for the life of
// the process and continues to the callback; Deny sends access_denied to the
// client's redirect URI.
func (i *Issuer) handleConsent(w http.ResponseWriter, r *http.Request) {
	if !parsePageForm(w, r) {
		return
	}
	id := r.Form.Get("id")
	ar, err := i.storage.authRequestCopy(id)
	if err != nil || ar.done || ar.subject == "" {
		renderPage(w, http.StatusBadRequest, pageData{Title: "Consent", Error: "Unknown or expired authorization request. Start again from the application."})
		return
	}
	if r.Method == http.MethodGet {
		d := pageData{Title: "Consent", ID: id, Scopes: ar.scopes, Resource: ar.resource, ClientName: ar.clientID}
		if c := i.storage.client(ar.clientID); c != nil {
			d.ClientName = c.displayName()
		}
		if u := i.users.byIDOrNil(ar.subject); u != nil {
			d.Username = u.Username
		}
		renderPage(w, http.StatusOK, d)
		return
	}
	switch r.PostForm.Get("action") {
	case "approve":
		if err := i.storage.approve(id); err != nil {
			http.Error(w, "authorization request expired", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, callbackURL(id), http.StatusSeeOther)
	case "deny":
		i.storage.deleteAuthRequest(id)
		op.AuthRequestError(w, r, ar, oidc.ErrAccessDenied().WithDescription("the user denied the request"), i.provider)
	default:
		http.Error(w, "action must be approve or deny", http.StatusBadRequest)
	}
}
