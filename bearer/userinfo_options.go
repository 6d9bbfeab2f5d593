package bearer

// userinfoOptions is the userinfo verifier's configuration.
type userinfoOptions struct {
	common
	insecureHTTP bool // plain http allowed for any host
}

// InsecureAllowHTTP lets the userinfo and introspection verifiers reach the
// authorization server over plain http on any host. Without it, their URLs
// must use https, except for loopback hosts (localhost, 127.0.0.0/8, ::1),
// which tests and local development can use as they are.
//
// Only tests and development setups on a trusted network may use it: over
// http, bearer tokens and client secrets cross the network in clear text.
func InsecureAllowHTTP() interface {
	UserinfoOption
	IntrospectionOption
} {
	return insecureHTTPOption{}
}

type insecureHTTPOption struct{}

func (insecureHTTPOption) applyUserinfo(x *userinfoOptions)           { x.insecureHTTP = true }
func (insecureHTTPOption) applyIntrospection(x *introspectionOptions) { x.insecureHTTP = true }
