package bearer

import "context"

// authInfoKey is the context key for the request's [AuthInfo]; an unexported
// type so that no other package can read or overwrite the value by accident.
type authInfoKey struct{}

// NewContext returns a copy of ctx that carries info. The middleware calls
// it for every authenticated request; tests and custom transports may too.
func NewContext(ctx context.Context, info *AuthInfo) context.Context {
	return context.WithValue(ctx, authInfoKey{}, info)
}

// FromContext returns the [AuthInfo] that the middleware stored in ctx, and
// whether there was one.
func FromContext(ctx context.Context) (*AuthInfo, bool) {
	info, ok := ctx.Value(authInfoKey{}).(*AuthInfo)
	return info, ok && info != nil
}
