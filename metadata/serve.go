package metadata

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// CORS and method values shared by both handlers.
const (
	allowedMethods = "GET, HEAD, OPTIONS"
	// allowedHeaders lists what browser clients send on a metadata fetch:
	// MCP clients add MCP-Protocol-Version to every request, and some send
	// Authorization even here.
	allowedHeaders = "Authorization, Content-Type, MCP-Protocol-Version"
	// preflightMaxAge lets a browser cache the preflight answer for a day
	// (browsers cap it lower: Chromium at two hours).
	preflightMaxAge = "86400"
)

// Error bodies.
var (
	notFoundBody         = []byte(`{"error":"not_found"}`)
	methodNotAllowedBody = []byte(`{"error":"method_not_allowed"}`)
	unavailableBody      = []byte(`{"error":"temporarily_unavailable"}`)
)

// document is a JSON document marshalled once, ready to be served.
type document struct {
	body          []byte
	contentLength string
}

// newDocument marshals v without HTML escaping, so that the served JSON
// spells URLs as configured ("&", not "\u0026").
func newDocument(v any) (*document, error) {
	body, err := marshalNoHTMLEscape(v)
	if err != nil {
		return nil, err
	}
	return &document{body: body, contentLength: strconv.Itoa(len(body))}, nil
}

// marshalNoHTMLEscape is json.Marshal without the escaping of "<", ">" and
// "&", which JSON does not need.
func marshalNoHTMLEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// responder writes the responses of both handlers.
type responder struct {
	cacheControl string // "" sends no Cache-Control on documents
}

// serve answers r with doc (nil: 404). GET and HEAD get the document, OPTIONS
// the CORS preflight answer, other methods 405; every response allows any
// origin, since the documents are public and carry no credentials. Nothing
// from the request is echoed back.
func (rs responder) serve(w http.ResponseWriter, r *http.Request, doc *document) {
	if doc == nil {
		writeError(w, r, http.StatusNotFound, notFoundBody)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		// One allocation holds every header value; each is a one-element,
		// full-capacity slice, so a later Add cannot write into another.
		v := make([]string, 5)
		v[0], v[1], v[2], v[3], v[4] = "*", "application/json", doc.contentLength, "nosniff", rs.cacheControl
		h := w.Header()
		h["Access-Control-Allow-Origin"] = v[0:1:1]
		h["Content-Type"] = v[1:2:2]
		h["Content-Length"] = v[2:3:3]
		h["X-Content-Type-Options"] = v[3:4:4]
		if rs.cacheControl != "" {
			h["Cache-Control"] = v[4:5:5]
		}
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(doc.body) // a failed write means the client left
		}
	case http.MethodOptions:
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", allowedMethods)
		h.Set("Access-Control-Allow-Headers", allowedHeaders)
		h.Set("Access-Control-Max-Age", preflightMaxAge)
		h.Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", allowedMethods)
		writeError(w, r, http.StatusMethodNotAllowed, methodNotAllowedBody)
	}
}

// writeError sends a small JSON error that no cache keeps.
func writeError(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// muxPatterns returns the ServeMux patterns for paths: GET (which also
// matches HEAD) and OPTIONS only, so that they never conflict with a
// method-qualified catch-all such as "GET /" registered beside them.
func muxPatterns(paths ...string) []string {
	var patterns []string
	for _, method := range []string{http.MethodGet, http.MethodOptions} {
		for _, p := range paths {
			patterns = append(patterns, method+" "+p)
		}
	}
	return patterns
}
