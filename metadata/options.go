package metadata

// DefaultCacheControl is the Cache-Control value of a served metadata
// document. Metadata changes only when the server is reconfigured, and
// clients fetch it at the start of every authorization, so letting clients
// and shared caches keep it for an hour saves requests while bounding how
// long a change takes to be seen. Change it with [WithCacheControl].
const DefaultCacheControl = "public, max-age=3600"

// HandlerOption configures [NewProtectedResourceHandler],
// [NewAuthorizationServerHandler] and [ProtectedResource.Validate]. Each
// ignores the options that do not concern it.
type HandlerOption func(*options)

// options is the configuration HandlerOptions build.
type options struct {
	insecureHTTP       bool
	allowOfflineAccess bool
	rootResource       *string
	cacheControl       string
}

// newOptions applies opts over the strict defaults.
func newOptions(opts []HandlerOption) options {
	o := options{cacheControl: DefaultCacheControl}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// InsecureAllowHTTP lets the resource, authorization_servers and jwks_uri
// (and the issuer of a mirrored authorization server) use http on any host.
// Without it, http is accepted only for loopback hosts (localhost,
// 127.0.0.0/8, ::1). It is meant for tests and for development behind a
// proxy on a private network; never use it in production, where tokens and
// metadata would travel unencrypted.
func InsecureAllowHTTP() HandlerOption {
	return func(o *options) { o.insecureHTTP = true }
}

// SkipOfflineAccessCheck lets scopes_supported contain "offline_access".
// By default it is an error, because MCP 2026-07-28 says the protected
// resource metadata SHOULD NOT list it: refresh tokens are a matter between
// the client and the authorization server, and a client that requests every
// listed scope would otherwise ask each user for offline access. Use it only
// for a client known to need the scope listed here.
func SkipOfflineAccessCheck() HandlerOption {
	return func(o *options) { o.allowOfflineAccess = true }
}

// WithRootResource names the configured resource whose document the
// protected resource handler serves at the root well-known URL
// ([WellKnownPath]) when several resources are configured and none has an
// empty path. resource must equal a configured Resource exactly, and must
// not be given when a resource with an empty path (which owns the root URL)
// is configured; otherwise the constructor fails. See
// [NewProtectedResourceHandler] for the root rules.
func WithRootResource(resource string) HandlerOption {
	return func(o *options) { o.rootResource = &resource }
}

// WithCacheControl sets the Cache-Control header of served documents
// (default [DefaultCacheControl]); "" sends none. Error responses always
// carry "no-store". A value with control characters makes the constructor
// fail.
func WithCacheControl(value string) HandlerOption {
	return func(o *options) { o.cacheControl = value }
}

// validHeaderValue reports whether v can be sent as an HTTP header value:
// no control characters other than horizontal tab (RFC 9110 section 5.5).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
