package mcphttp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// Defaults of [NewSessionBinding].
const (
	// DefaultMaxSessions is how many session bindings are kept at most.
	DefaultMaxSessions = 100_000
	// DefaultSessionIdleTTL is how long an unused binding is kept.
	DefaultSessionIdleTTL = 24 * time.Hour
)

// Header and query parameter that carry an MCP session id.
const (
	headerSessionID = "Mcp-Session-Id" // streamable HTTP (2025-03-26 to 2025-11-25)
	querySessionID  = "sessionId"      // legacy HTTP+SSE transport (2024-11-05)
)

// SessionBinding binds each stateful MCP session to the user who opened it,
// so that a session id is never a credential: the MCP specification
// requires every request to be authenticated, and a request of user B that
// carries the session of user A is refused even though B's token is valid
// (mcp-go, like most transports, accepts any valid token on any session).
//
// A session is bound to the identity of the [bearer.AuthInfo] of the
// request that opened it, (Issuer, Subject) unless [WithSessionOwner] says
// otherwise:
//
//   - streamable HTTP: the response that carries an Mcp-Session-Id header
//     (the initialize response) with a 2xx status, to a request that
//     carried no session id, binds that id before the header reaches the
//     client;
//   - legacy HTTP+SSE (protocol 2024-11-05): the GET that opens the event
//     stream binds the sessionId of the message URL in the stream's first
//     event ("event: endpoint", then "data: /message?sessionId=..."), before
//     that event reaches the client; the binding ends when the stream
//     handler returns (the transport forgets the session then too).
//
// Every later request that carries a session id (each Mcp-Session-Id
// header value and each sessionId query parameter) is answered:
//
//   - 403, with the JSON body {"error":"forbidden","error_description":
//     "session belongs to another user"} and no WWW-Authenticate challenge,
//     when the session is bound to someone else. This is not
//     insufficient_scope: no token of the caller's would help, and that
//     challenge would send the client into a pointless re-authorization
//     loop;
//   - 404, with JSON-RPC error -32001 "Session not found", when the binding
//     does not know the id: never bound, terminated, evicted or idled out.
//     This fails closed, and costs a well-behaved client nothing: the MCP
//     specification tells a client that gets 404 for its session to start a
//     new one with initialize, which is bound afresh. So eviction never
//     opens a session to another user; it at worst makes its owner
//     re-initialize, which is why the bounds below can be modest;
//   - otherwise the request reaches next.
//
// A DELETE that the transport answers 2xx (the end of a streamable HTTP
// session) removes the binding. Requests without a session id pass, and so
// do OPTIONS requests (CORS preflights carry no credentials). A request
// whose context has no AuthInfo (the bearer middleware is missing in front)
// or whose token names no subject is refused with 500 through the
// [ErrorWriter]: sessions cannot be bound without an identity.
//
// Bindings live in memory, at most [WithMaxSessions] of them (the least
// recently used is evicted first) and each for at most [WithSessionIdleTTL]
// without use; there is no background goroutine. They are per process: a
// server run as several instances needs sticky sessions (which mcp-go's
// stateful mode needs anyway), and a restart forgets every binding (clients
// re-initialize). With protocol 2026-07-28, which has no sessions, the
// binding has nothing to do.
//
// The response writer handed to next (the caller's own for a request on a
// bound session, which is answered as is) implements http.Flusher and Unwrap,
// so streaming (SSE) responses and http.NewResponseController work through
// it. A SessionBinding is safe for concurrent use.
type SessionBinding struct {
	errs  ErrorWriter
	owner func(*bearer.AuthInfo) string
	store *sessionStore
}

// SessionOption configures [NewSessionBinding].
type SessionOption func(*sessionConfig)

type sessionConfig struct {
	maxSessions    int
	maxSessionsSet bool
	idleTTL        time.Duration
	idleTTLSet     bool
	owner          func(*bearer.AuthInfo) string
	ownerSet       bool
}

// WithMaxSessions sets how many session bindings are kept at most (default
// [DefaultMaxSessions]); when full, the least recently used is forgotten.
// n must be positive.
func WithMaxSessions(n int) SessionOption {
	return func(c *sessionConfig) { c.maxSessions, c.maxSessionsSet = n, true }
}

// WithSessionIdleTTL sets how long a binding is kept without use (default
// [DefaultSessionIdleTTL]). d must be positive. A forgotten session is
// answered 404 and its client re-initializes; a TTL at least as long as the
// transport's own session lifetime avoids that needless round trip.
func WithSessionIdleTTL(d time.Duration) SessionOption {
	return func(c *sessionConfig) { c.idleTTL, c.idleTTLSet = d, true }
}

// WithSessionOwner sets how the owner of a session is named from the token
// of the request that opened it. The default is the issuer and subject;
// binding also to the OAuth client, for instance, keeps two applications of
// one user out of each other's sessions:
//
//	mcphttp.WithSessionOwner(func(a *bearer.AuthInfo) string {
//		if a.Subject == "" || a.ClientID == "" {
//			return ""
//		}
//		return a.Issuer + "\x00" + a.Subject + "\x00" + a.ClientID
//	})
//
// f must not be nil, must be safe for concurrent use, and must return "" for
// a token it cannot name an owner for (such requests are refused with 500).
func WithSessionOwner(f func(*bearer.AuthInfo) string) SessionOption {
	return func(c *sessionConfig) { c.owner, c.ownerSet = f, true }
}

// NewSessionBinding returns a SessionBinding that answers refusals of
// missing identity through w (a [*bearer.Authenticator], normally) and is
// configured by opts. It fails, with an error for which
// errors.Is(err, bearer.ErrMisconfigured) holds, on a nil w or option, a
// non-positive [WithMaxSessions] or [WithSessionIdleTTL], or a nil
// [WithSessionOwner] function.
func NewSessionBinding(w ErrorWriter, opts ...SessionOption) (*SessionBinding, error) {
	if w == nil {
		return nil, configError("NewSessionBinding: nil ErrorWriter")
	}
	c := sessionConfig{maxSessions: DefaultMaxSessions, idleTTL: DefaultSessionIdleTTL, owner: defaultOwner}
	for i, opt := range opts {
		if opt == nil {
			return nil, configError("NewSessionBinding: option %d is nil", i)
		}
		opt(&c)
	}
	switch {
	case c.maxSessionsSet && c.maxSessions <= 0:
		return nil, configError("WithMaxSessions: %d is not positive", c.maxSessions)
	case c.idleTTLSet && c.idleTTL <= 0:
		return nil, configError("WithSessionIdleTTL: %v is not positive", c.idleTTL)
	case c.ownerSet && c.owner == nil:
		return nil, configError("WithSessionOwner: nil function")
	}
	return &SessionBinding{errs: w, owner: c.owner, store: newSessionStore(c.maxSessions, c.idleTTL, time.Now)}, nil
}

// defaultOwner names the owner by issuer and subject; the issuer's length
// comes first so that no two (issuer, subject) pairs give the same string.
func defaultOwner(info *bearer.AuthInfo) string {
	if info.Subject == "" {
		return ""
	}
	return strconv.Itoa(len(info.Issuer)) + ":" + info.Issuer + info.Subject
}

// Len returns the number of sessions bound now; bindings that have idled
// out may be counted until they are next met.
func (b *SessionBinding) Len() int { return b.store.len() }

// Handler returns next wrapped with the binding (see [SessionBinding]). It
// must run behind the bearer middleware and in front of the MCP transport,
// wrapping every route of the transport (for legacy SSE, both the stream and
// the message endpoint). Handler panics if next is nil.
func (b *SessionBinding) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("mcphttp: SessionBinding.Handler given a nil http.Handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		info, ok := bearer.FromContext(r.Context())
		if !ok {
			b.errs.WriteError(w, r, misconfigured("the session binding found no authenticated identity", errNoAuthInfo))
			return
		}
		owner := b.owner(info)
		if owner == "" {
			b.errs.WriteError(w, r, misconfigured("the access token names no subject, so no session can be bound to it", nil))
			return
		}
		ids := requestSessionIDs(r)
		switch b.check(ids, owner) {
		case sessionForeign:
			writeForbiddenSession(w)
			return
		case sessionUnknown:
			writeRPCError(w, http.StatusNotFound, rpcSessionNotFound, "Session not found", nil)
			return
		}

		if len(ids) > 0 && r.Method != http.MethodDelete {
			// Its sessions are bound to its owner (checked above), so it
			// opens none and ends none: nothing in its response to note,
			// and next gets w itself. A transport that minted a new id here
			// anyway would see it answered 404, failing closed.
			next.ServeHTTP(w, r)
			return
		}
		cw := &captureWriter{w: w}
		cw.onHeader = func(status int, h http.Header) {
			if status/100 != 2 {
				return
			}
			for _, id := range h.Values(headerSessionID) {
				if id != "" {
					b.store.bind(id, owner) // false only if the transport reused another's id: keep theirs
				}
			}
		}
		var streamID string // a legacy SSE session bound by this request
		if r.Method == http.MethodGet && len(ids) == 0 {
			cw.onEndpoint = func(id string) {
				if b.store.bind(id, owner) {
					streamID = id
				}
			}
		}
		next.ServeHTTP(cw, r)

		if streamID != "" {
			b.store.remove(streamID, owner)
		}
		if r.Method == http.MethodDelete && cw.statusCode()/100 == 2 {
			for _, id := range ids {
				b.store.remove(id, owner)
			}
		}
	})
}

// check decides on the session ids of a request: sessionOwned when every one
// is bound to owner (or there are none), else sessionForeign if any is bound
// to someone else, else sessionUnknown.
func (b *SessionBinding) check(ids []string, owner string) lookupResult {
	result := sessionOwned
	for _, id := range ids {
		switch b.store.lookup(id, owner) {
		case sessionForeign:
			return sessionForeign
		case sessionUnknown:
			result = sessionUnknown
		}
	}
	return result
}

// requestSessionIDs returns every non-empty session id r carries, in the
// Mcp-Session-Id header (all values) or the sessionId query parameter (all
// values: a transport may read the first or the last).
func requestSessionIDs(r *http.Request) []string {
	var ids []string
	for _, id := range r.Header.Values(headerSessionID) {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if r.URL != nil && r.URL.RawQuery != "" {
		for _, id := range r.URL.Query()[querySessionID] {
			if id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids
}
