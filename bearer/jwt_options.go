package bearer

// jwtOptions is the JWT verifier's configuration (owned by the JWT
// verifier's author; extend freely).
type jwtOptions struct {
	common
}
