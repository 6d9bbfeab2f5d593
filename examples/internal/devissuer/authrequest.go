package devissuer

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is one authorization request, from /authorize to the code
// exchange. The storage hands out copies, so the library reads it without a
// lock.
type authRequest struct {
	id            string
	createdAt     time.Time
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge
	resource      string // RFC 8707 resource of the authorization request, or ""
	code          string

	// Set by the login page.
	subject  string
	authTime time.Time
	done     bool // login and consent completed

	// audience is set only on the copy handed to the token endpoint: the
	// resource this token request is bound to (see tokenResource).
	audience []string
}

var (
	_ op.AuthRequest    = (*authRequest)(nil)
	_ op.ErrAuthRequest = (*authRequest)(nil)
)

func (a *authRequest) clone() *authRequest {
	c := *a
	c.scopes = slices.Clone(a.scopes)
	c.audience = slices.Clone(a.audience)
	if a.codeChallenge != nil {
		cc := *a.codeChallenge
		c.codeChallenge = &cc
	}
	return &c
}

// GetID implements op.AuthRequest.
func (a *authRequest) GetID() string { return a.id }

// GetACR implements op.AuthRequest.
func (a *authRequest) GetACR() string { return "" }

// GetAMR implements op.AuthRequest: password.
func (a *authRequest) GetAMR() []string {
	if a.subject == "" {
		return nil
	}
	return []string{"pwd"}
}

// GetAudience implements op.AuthRequest. zitadel/oidc uses it as the aud of
// both tokens; it adds the client ID to the ID token's aud (with azp), and an
// empty audience makes the access token's aud the client ID.
func (a *authRequest) GetAudience() []string { return slices.Clone(a.audience) }

// GetAuthTime implements op.AuthRequest.
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }

// GetClientID implements op.AuthRequest.
func (a *authRequest) GetClientID() string { return a.clientID }

// GetCodeChallenge implements op.AuthRequest.
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }

// GetNonce implements op.AuthRequest.
func (a *authRequest) GetNonce() string { return a.nonce }

// GetRedirectURI implements op.AuthRequest.
func (a *authRequest) GetRedirectURI() string { return a.redirectURI }

// GetResponseType implements op.AuthRequest.
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.responseType }

// GetResponseMode implements op.AuthRequest.
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.responseMode }

// GetScopes implements op.AuthRequest.
func (a *authRequest) GetScopes() []string { return slices.Clone(a.scopes) }

// GetState implements op.AuthRequest.
func (a *authRequest) GetState() string { return a.state }

// GetSubject implements op.AuthRequest.
func (a *authRequest) GetSubject() string { return a.subject }

// Done implements op.AuthRequest.
func (a *authRequest) Done() bool { return a.done }

// audienceFor is the audience of tokens bound to resource.
func audienceFor(resource string) []string {
	if resource == "" {
		return nil
	}
	return []string{resource}
}
