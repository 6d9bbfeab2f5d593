package devissuer

import (
	"net/http"
	"net/url"
	"strings"
)

// withIssParam adds the iss parameter (RFC 9207) to every authorization
// response that next sends: a redirect to an absolute URL, which on the
// routes it wraps is always the client's redirect URI (the issuer's own pages
// are redirected to with relative URLs). zitadel/oidc does not add iss
// itself. Only response_mode=query is allowed (authorizePrecheck), so the
// parameter always goes in the query.
func (i *Issuer) withIssParam(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&issWriter{ResponseWriter: w, issuer: i.issuer}, r)
	})
}

type issWriter struct {
	http.ResponseWriter
	issuer      string
	wroteHeader bool
}

func (w *issWriter) WriteHeader(status int) {
	if !w.wroteHeader && status >= 300 && status < 400 {
		if loc := w.Header().Get("Location"); loc != "" {
			if u, err := url.Parse(loc); err == nil && u.IsAbs() && !u.Query().Has("iss") {
				w.Header().Set("Location", appendQuery(strings.TrimSuffix(loc, "?"), "iss="+url.QueryEscape(w.issuer)))
			}
		}
	}
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *issWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *issWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
