package bearer

// middlewareOptions is the middleware's configuration (owned by the
// middleware's author; extend freely).
type middlewareOptions struct {
	common
}
