package mcphttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/mcp-auth/go/bearer"
)

// ErrorWriter writes an authorization refusal: the status, the
// WWW-Authenticate challenge and the body for err, which is a
// [*bearer.Error]. [*bearer.Authenticator] implements it, so the refusals of
// this package look exactly like the bearer middleware's own (same
// resource_metadata, same body format).
//
// WriteError is called before anything else is written to w.
type ErrorWriter interface {
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// Authorizer is what the scope gate needs of the bearer middleware: its
// scope check, which knows the required scopes and the scope hierarchy, and
// its refusal writer. [*bearer.Authenticator] implements it.
//
// CheckScopes reports whether info holds the authorizer's required scopes
// and every one of required; a refusal is an error that WriteError turns
// into the answer (with [*bearer.Authenticator], a [*bearer.Error] with
// [bearer.CodeMissingRequiredScopes] naming the required scopes first, then
// required, answered 403 insufficient_scope). It must be safe for
// concurrent use.
type Authorizer interface {
	ErrorWriter
	CheckScopes(info *bearer.AuthInfo, required ...string) error
}

// errNoAuthInfo is the cause of the 500 answered when a handler of this
// package runs without the bearer middleware in front of it.
var errNoAuthInfo = errors.New("mcphttp: no bearer.AuthInfo in the request context; put the bearer middleware in front of this handler")

// misconfigured is the refusal for a request that reached a handler of this
// package in a way the deployment should have made impossible.
func misconfigured(description string, cause error) *bearer.Error {
	return bearer.NewError(bearer.CodeServerError, description, cause)
}

// configError reports a configuration mistake found by a constructor;
// errors.Is(err, bearer.ErrMisconfigured) holds for it.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: mcphttp: "+format, append([]any{bearer.ErrMisconfigured}, args...)...)
}

// JSON-RPC 2.0 error codes used in the gate's own answers.
const (
	rpcParseError     = -32700
	rpcInvalidRequest = -32600
	// rpcHeaderMismatch is the code MCP 2026-07-28 (SEP-2243) gives a
	// request whose Mcp-Method or Mcp-Name header disagrees with its body.
	rpcHeaderMismatch = -32020
	// rpcSessionNotFound is the code the MCP SDKs send with a 404 for an
	// unknown session.
	rpcSessionNotFound = -32001
)

// writeRPCError answers with status and a JSON-RPC error response. message
// is always one of this package's fixed strings, never client input; id is
// echoed only when it is a JSON string or number.
func writeRPCError(w http.ResponseWriter, status, code int, message string, id json.RawMessage) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	b := make([]byte, 0, 96+len(message))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = append(b, echoID(id)...)
	b = append(b, `,"error":{"code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"message":`...)
	msg, _ := json.Marshal(message) // a string always marshals
	b = append(b, msg...)
	b = append(b, "}}\n"...)
	_, _ = w.Write(b)
}

// echoID returns id re-encoded if it is a JSON string or number, else null.
func echoID(id json.RawMessage) []byte {
	if len(id) == 0 {
		return []byte("null")
	}
	var s string
	if json.Unmarshal(id, &s) == nil {
		b, _ := json.Marshal(s)
		return b
	}
	var n json.Number
	if json.Unmarshal(id, &n) == nil && n != "" {
		return []byte(n.String())
	}
	return []byte("null")
}

// forbiddenSessionBody is the body of the 403 for a session used by someone
// other than its owner.
var forbiddenSessionBody = []byte(`{"error":"forbidden","error_description":"session belongs to another user"}` + "\n")

// writeForbiddenSession answers 403 without a WWW-Authenticate challenge:
// the token is fine, the session is not the caller's, and no other token
// would help (an insufficient_scope challenge would send the client into a
// pointless re-authorization loop).
func writeForbiddenSession(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(forbiddenSessionBody)
}
