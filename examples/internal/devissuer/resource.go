package devissuer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// RFC 8707 resource indicators. zitadel/oidc has no notion of them, so the
// resource travels in the request context: the authorize pre-check puts it
// there for CreateAuthRequest, and the token pre-check puts the resource the
// token will be bound to there for AuthRequestByCode,
// TokenRequestByRefreshToken and GetClientByClientID (the token shape).

type ctxKey int

const (
	authorizeResourceKey ctxKey = iota
	tokenResourceKey
)

func withAuthorizeResource(ctx context.Context, resource string) context.Context {
	return context.WithValue(ctx, authorizeResourceKey, resource)
}

func authorizeResource(ctx context.Context) string {
	s, _ := ctx.Value(authorizeResourceKey).(string)
	return s
}

func withTokenResource(ctx context.Context, resource string) context.Context {
	return context.WithValue(ctx, tokenResourceKey, resource)
}

// tokenResource returns the resource of the current token request; ok is
// false outside the token endpoint.
func tokenResource(ctx context.Context) (resource string, ok bool) {
	resource, ok = ctx.Value(tokenResourceKey).(string)
	return resource, ok
}

// maxFormBytes caps the bodies of the token endpoint and the HTML forms.
const maxFormBytes = 64 << 10

// parseResource reads the resource parameter: at most one value (a single
// audience per token keeps the binding simple), an absolute URI without a
// fragment (RFC 8707 section 2). It returns "" when the parameter is absent.
func parseResource(form url.Values) (string, error) {
	values := form["resource"]
	switch {
	case len(values) == 0:
		return "", nil
	case len(values) > 1:
		return "", errors.New("at most one resource is supported per request")
	}
	raw := values[0]
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxRedirectURILength || !u.IsAbs() || strings.Contains(raw, "#") {
		return "", errors.New("resource must be an absolute URI without a fragment")
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return "", errors.New("resource must name a host")
	}
	return raw, nil
}

// authorizePrecheck runs before zitadel's /authorize. For a known client and
// redirect URI it enforces what the library leaves optional and answers
// errors through the redirect (with iss, RFC 9207): PKCE with S256 for every
// client, response_mode query only, no request objects, a valid resource,
// prompt=none refused with login_required (there are no sessions). An
// unknown client or redirect URI is left to the library, which refuses it
// without redirecting.
func (i *Issuer) authorizePrecheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "invalid request", http.StatusBadRequest)
			return
		}
		c := i.storage.client(r.Form.Get("client_id"))
		redirectURI := r.Form.Get("redirect_uri")
		if c == nil || redirectURI == "" || len(r.Form["redirect_uri"]) != 1 ||
			op.ValidateAuthReqRedirectURI(clientView{c: c, scopes: i.storage.scopes}, redirectURI, oidc.ResponseTypeCode) != nil {
			next.ServeHTTP(w, r)
			return
		}
		fail := func(code, desc string) {
			i.redirectError(w, r, redirectURI, r.Form.Get("state"), code, desc)
		}
		if rm := r.Form.Get("response_mode"); rm != "" && rm != string(oidc.ResponseModeQuery) {
			fail("invalid_request", "only response_mode=query is supported")
			return
		}
		if r.Form.Get("request") != "" || r.Form.Get("request_uri") != "" {
			fail("request_not_supported", "request objects are not supported")
			return
		}
		if r.Form.Get("code_challenge") == "" {
			fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256")
			return
		}
		if r.Form.Get("code_challenge_method") != string(oidc.CodeChallengeMethodS256) {
			fail("invalid_request", "code_challenge_method must be S256")
			return
		}
		if !i.autoApprove && slices.Contains(strings.Fields(r.Form.Get("prompt")), "none") {
			// No sessions: without AutoApprove every request needs the login page.
			fail("login_required", "the development issuer keeps no session; sign-in is required")
			return
		}
		resource, err := parseResource(r.Form)
		if err != nil {
			fail("invalid_target", err.Error())
			return
		}
		if strings.TrimSpace(r.Form.Get("scope")) == "" {
			r.Form.Set("scope", defaultScope)
		}
		next.ServeHTTP(w, r.WithContext(withAuthorizeResource(r.Context(), resource)))
	})
}

// redirectError sends an authorization error response to a validated
// redirect URI, with state and iss.
func (i *Issuer) redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, desc string) {
	q := url.Values{"error": {code}, "error_description": {desc}, "iss": {i.issuer}}
	if state != "" {
		q.Set("state", state)
	}
	http.Redirect(w, r, appendQuery(redirectURI, q.Encode()), http.StatusFound)
}

// appendQuery adds an encoded query to a URI that may already have one,
// without re-encoding what is there.
func appendQuery(uri, encoded string) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + encoded
}

// tokenPrecheck runs before zitadel's token endpoint. It decides the
// resource the new access token is bound to: the one the token request names
// or else the one of the authorization (or of the refresh grant). A token
// request naming a different resource than the grant's gets invalid_target
// (RFC 8707 section 2.2); a grant without one accepts any valid resource.
func (i *Issuer) tokenPrecheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "cannot parse form")
			return
		}
		requested, err := parseResource(r.Form)
		if err != nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_target", err.Error())
			return
		}
		var granted string
		var known bool
		switch r.Form.Get("grant_type") {
		case string(oidc.GrantTypeCode):
			granted, known = i.storage.resourceForCode(r.Form.Get("code"))
		case string(oidc.GrantTypeRefreshToken):
			granted, known = i.storage.resourceForRefreshToken(r.Form.Get("refresh_token"))
		}
		if !known {
			next.ServeHTTP(w, r) // the library reports the bad grant
			return
		}
		if requested != "" && granted != "" && requested != granted {
			writeOAuthError(w, http.StatusBadRequest, "invalid_target", "resource differs from the one authorized")
			return
		}
		effective := requested
		if effective == "" {
			effective = granted
		}
		next.ServeHTTP(w, r.WithContext(withTokenResource(r.Context(), effective)))
	})
}

// writeOAuthError writes an RFC 6749 section 5.2 style JSON error.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
