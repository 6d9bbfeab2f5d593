package bearer

// introspectionOptions is the introspection verifier's configuration.
type introspectionOptions struct {
	common
}
