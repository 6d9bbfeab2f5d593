package mcphttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/valyala/fastjson"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/internal/scope"
)

// DefaultMaxBody is the largest request body the scope gate reads when
// [ToolScopes].MaxBody is zero: 1 MiB.
const DefaultMaxBody = 1 << 20

// ToolScopes says which scopes each MCP operation needs beyond the ones
// every request needs; [NewScopeGate] enforces it. The scopes every request
// needs and the scope hierarchy are the bearer middleware's
// ([bearer.WithRequiredScopes], [bearer.WithScopeHierarchy]): the gate asks
// its [Authorizer] to check them, so they are configured once. Every scope
// must be an RFC 6749 scope-token, and none may be "offline_access", which
// grants no access and must never be challenged for.
type ToolScopes struct {
	// Tools maps a tool name to the scopes a tools/call of it needs. A tool
	// that is not listed needs only the middleware's required scopes.
	Tools map[string][]string
	// Methods maps a JSON-RPC method ("resources/read", "prompts/get",
	// "tools/call", ...) to the scopes every request with that method needs;
	// for tools/call they add to the tool's own. Optional.
	Methods map[string][]string
	// MaxBody is the largest request body the gate reads to decide, in
	// bytes; a larger body is answered 413. Zero means [DefaultMaxBody];
	// negative is a configuration error.
	MaxBody int64
}

// NewScopeGate returns middleware that grants or refuses each MCP request
// over HTTP according to cfg, at the HTTP layer, before the MCP transport
// runs: once a tool handler runs the answer is a 200, so a step-up 403 can
// only be produced here.
//
// The gate must sit behind the bearer middleware (it reads the token's
// [bearer.AuthInfo] from the request context) and in front of the MCP
// transport handler (mcp-go's streamable HTTP or SSE message handler, or
// any other); a is normally that same middleware, the
// [*bearer.Authenticator]. Only POST requests are judged; GET (the SSE
// stream), DELETE, OPTIONS and the rest reach next untouched. A POST body is
// read whole (up to cfg.MaxBody), parsed as one JSON-RPC message or a batch,
// and answered:
//
//   - 500 through a.WriteError ([bearer.CodeServerError]) when the request
//     context has no AuthInfo: the bearer middleware is missing in front, a
//     wiring mistake that must not turn into open access;
//   - 413 with a JSON-RPC error when the body exceeds MaxBody (an
//     [http.MaxBytesError] from an outer limit is answered 413 too);
//   - 400 with a JSON-RPC error when the body is not exactly one JSON value
//     (code -32700), is not a JSON-RPC message or non-empty batch, has a
//     member that a case-insensitive decoder would confuse with "method",
//     "params", "name" or "uri" or such a member twice, has a non-string
//     method, or is a tools/call without a string params.name (-32600). The
//     gate passes on nothing it could not judge: a lenient reading
//     (encoding/json folds case; the legacy SSE transport decodes one value
//     and ignores what follows) must not run a call the gate never saw;
//   - 400 with JSON-RPC error -32020 when an Mcp-Method or Mcp-Name header
//     (MCP 2026-07-28) is present and disagrees with the body, is repeated,
//     or accompanies a batch. The headers are never trusted alone: the
//     decision is always taken from the body;
//   - whatever a.WriteError writes for a non-nil result of
//     a.CheckScopes(info, needed...), where needed is the union over the
//     request's messages of Methods[method] and, for tools/call,
//     Tools[name], sorted and without duplicates. With a
//     [*bearer.Authenticator] that is a 403 when the token lacks one of its
//     required scopes or one of needed (through its scope hierarchy), with
//     WWW-Authenticate: Bearer error="insufficient_scope", scope="...",
//     resource_metadata="..." naming the required scopes first, then
//     needed: MCP clients (the TypeScript SDK among them) replace their
//     scopes with the challenged ones on step-up, so the challenge must name
//     them all;
//   - otherwise next is called with the body restored byte for byte (and
//     ContentLength, GetBody set to match).
//
// A token's scopes come from its verifier; one that cannot know them (a
// userinfo verifier reports none) is refused every scope-gated operation.
//
// NewScopeGate checks cfg (scope syntax, empty tool or method names,
// "offline_access", a negative MaxBody, a nil a) and copies it; later changes
// to cfg's maps do not affect the gate. The returned middleware is safe for
// concurrent use if a is (a [*bearer.Authenticator] is); it panics if given a
// nil handler.
func NewScopeGate(cfg ToolScopes, a Authorizer) (func(http.Handler) http.Handler, error) {
	g, err := newScopeGate(cfg, a)
	if err != nil {
		return nil, err
	}
	return g.handler, nil
}

// scopeGate is the configured gate.
type scopeGate struct {
	tools   map[string][]string
	methods map[string][]string
	maxBody int64
	authz   Authorizer
	parsers fastjson.ParserPool // reused, so a parse allocates little
}

func newScopeGate(cfg ToolScopes, a Authorizer) (*scopeGate, error) {
	if a == nil {
		return nil, configError("NewScopeGate: nil Authorizer")
	}
	if authn, ok := a.(*bearer.Authenticator); ok && authn == nil {
		return nil, configError("NewScopeGate: nil *bearer.Authenticator")
	}
	if cfg.MaxBody < 0 {
		return nil, configError("ToolScopes.MaxBody: %d is negative", cfg.MaxBody)
	}
	g := &scopeGate{maxBody: cfg.MaxBody, authz: a}
	if g.maxBody == 0 {
		g.maxBody = DefaultMaxBody
	}
	var err error
	if g.tools, err = checkScopeMap("ToolScopes.Tools", cfg.Tools); err != nil {
		return nil, err
	}
	if g.methods, err = checkScopeMap("ToolScopes.Methods", cfg.Methods); err != nil {
		return nil, err
	}
	return g, nil
}

// checkScopes validates a list of needed scopes and returns it without
// duplicates, in first-seen order.
func checkScopes(field string, scopes []string) ([]string, error) {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if !scope.Valid(s) {
			return nil, configError("%s: %q is not a valid scope", field, s)
		}
		if s == scope.OfflineAccess {
			return nil, configError("%s: %q grants no access and cannot be required", field, s)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func checkScopeMap(field string, m map[string][]string) (map[string][]string, error) {
	out := make(map[string][]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) { // sorted: the same error every time
		if k == "" {
			return nil, configError("%s: empty name", field)
		}
		scopes, err := checkScopes(field+"["+k+"]", m[k])
		if err != nil {
			return nil, err
		}
		out[k] = scopes
	}
	return out, nil
}

func (g *scopeGate) handler(next http.Handler) http.Handler {
	if next == nil {
		panic("mcphttp: scope gate given a nil http.Handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		info, ok := bearer.FromContext(r.Context())
		if !ok {
			g.authz.WriteError(w, r, misconfigured("the scope gate found no authenticated identity", errNoAuthInfo))
			return
		}
		body, status := g.readBody(r)
		switch status {
		case http.StatusRequestEntityTooLarge:
			writeRPCError(w, status, rpcInvalidRequest, "request body too large", nil)
			return
		case http.StatusBadRequest:
			writeRPCError(w, status, rpcParseError, "request body could not be read", nil)
			return
		}
		if id, err := g.decide(info, r.Header, body); err != nil {
			var pe *parseError
			if errors.As(err, &pe) {
				writeRPCError(w, http.StatusBadRequest, pe.code, pe.message, id)
				return
			}
			g.authz.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, withBody(r, body))
	})
}

// readBody reads r's body whole, or reports 413 (too large) or 400
// (unreadable) instead.
func (g *scopeGate) readBody(r *http.Request) ([]byte, int) {
	if r.ContentLength > g.maxBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	if r.Body == nil {
		return []byte{}, 0
	}
	// The buffer starts at the announced length up to maxPresize, then grows
	// with what arrives, never with what is announced: a client that
	// announces 1 MiB and sends nothing pins at most maxPresize bytes, not a
	// megabyte. The server's body reader stops at Content-Length, and one
	// that ends early is an error.
	body, err := readAll(io.LimitReader(r.Body, g.maxBody+1), presize(r.ContentLength))
	if err == nil && r.ContentLength > 0 && int64(len(body)) < r.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	if int64(len(body)) > g.maxBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	return body, 0
}

// maxPresize is the most readBody allocates ahead of what has arrived: the
// size of the server's own read buffer, enough for a usual MCP request.
const maxPresize = 4 << 10

// presize returns the buffer readBody starts with for a body that announces
// contentLength bytes (-1 when unknown): room for all of it and the read
// that sees its end, up to maxPresize.
func presize(contentLength int64) []byte {
	n := int64(512) // what io.ReadAll starts with
	if contentLength >= 0 {
		n = min(contentLength+1, maxPresize)
	}
	return make([]byte, 0, n)
}

// readAll is io.ReadAll into b's spare capacity, growing it only when full.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

// withBody returns a shallow copy of r whose body is body again, with the
// length fields to match.
func withBody(r *http.Request, body []byte) *http.Request {
	r2 := r.WithContext(r.Context())
	r2.Body = newReplayBody(body)
	r2.GetBody = func() (io.ReadCloser, error) { return newReplayBody(body), nil }
	r2.ContentLength = int64(len(body))
	r2.TransferEncoding = nil
	return r2
}

// replayBody is a request body read again from memory: a bytes.Reader
// with a no-op Close, in one allocation (io.NopCloser would add another).
type replayBody struct{ bytes.Reader }

func newReplayBody(b []byte) *replayBody {
	rb := &replayBody{}
	rb.Reset(b)
	return rb
}

// Close does nothing: the bytes stay for GetBody.
func (*replayBody) Close() error { return nil }

// decide grants (nil) or refuses the request whose token is info, headers
// h and body body. A refusal is a [*parseError] (400, answered with the
// returned JSON-RPC id) or the error of the Authorizer's CheckScopes (a
// [*bearer.Error], 403).
func (g *scopeGate) decide(info *bearer.AuthInfo, h http.Header, body []byte) (json.RawMessage, error) {
	p := g.parsers.Get()
	defer g.parsers.Put(p)
	var one [1]rpcMessage // a single message, the usual body, needs no allocation
	msgs, batch, err := parseBody(p, body, one[:0])
	if err != nil {
		return nil, err
	}
	if err := checkHeaders(h.Values("Mcp-Method"), h.Values("Mcp-Name"), msgs, batch); err != nil {
		var id json.RawMessage
		if !batch {
			id = msgs[0].rawID()
		}
		return id, err
	}
	return nil, g.authz.CheckScopes(info, g.neededScopes(msgs)...)
}

// neededScopes returns the scopes msgs need beyond the Authorizer's own
// required scopes, sorted and without duplicates: the challenge names them
// in that order after the required ones.
func (g *scopeGate) neededScopes(msgs []rpcMessage) []string {
	var out []string
	add := func(scopes []string) {
		for _, s := range scopes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	for _, m := range msgs {
		if m.method == "" {
			continue // a response to a server request: needs the required scopes only
		}
		add(g.methods[m.method])
		if m.method == methodToolsCall {
			add(g.tools[m.name])
		}
	}
	slices.Sort(out)
	return out
}
