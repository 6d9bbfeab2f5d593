package config

import "context"

// Deferred returns the configuration of the authorization server
// identified by issuer, to be discovered on first use rather than now: for
// a resource server that must start before its provider answers (the two
// start together in a compose file or a cluster). Its Metadata holds only
// the issuer, which is all a protected resource metadata document needs;
// [ServerConfig.Resolve] fetches the rest when a token first needs it.
//
// The fetch is [Fetch] with t and opts plus [WithValidation]: a document
// that fails [ServerConfig.Validate] counts as a failed fetch. Concurrent
// first uses share one fetch; a failure is never kept as a result, and the
// next fetch waits for a backoff that doubles from [LazyMinBackoff] to
// [LazyMaxBackoff] (see [Lazy]). issuer, t and opts are checked now; the
// error matches [ErrInvalidConfig].
func Deferred(issuer string, t ServerType, opts ...FetchOption) (*ServerConfig, error) {
	var vopts []ValidateOption
	if s, err := newFetchSettings(opts); err == nil && s.insecure {
		vopts = append(vopts, InsecureAllowHTTPEndpoints())
	}
	l, err := NewLazy(issuer, t, append(opts, WithValidation(vopts...))...)
	if err != nil {
		return nil, err
	}
	return &ServerConfig{Type: t, Metadata: Metadata{Issuer: issuer}, deferred: l}, nil
}

// IsDeferred reports whether c was made by [Deferred].
func (c *ServerConfig) IsDeferred() bool { return c.deferred != nil }

// Resolve returns c's complete configuration: c itself, unless c was made
// by [Deferred], in which case it returns the discovered configuration,
// fetching it on the first call (see [Lazy.Get] for the errors, which match
// [ErrProviderUnavailable] while the provider cannot be reached).
func (c *ServerConfig) Resolve(ctx context.Context) (*ServerConfig, error) {
	if c.deferred == nil {
		return c, nil
	}
	return c.deferred.Get(ctx)
}
