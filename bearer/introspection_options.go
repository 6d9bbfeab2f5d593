package bearer

// introspectionOptions is the introspection verifier's configuration.
type introspectionOptions struct {
	common
	insecureHTTP bool // plain http allowed for any host; see InsecureAllowHTTP
}
