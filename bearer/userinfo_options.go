package bearer

// userinfoOptions is the userinfo verifier's configuration.
type userinfoOptions struct {
	common
}
