package bearer

import (
	"errors"
	"net/http"

	"github.com/mcp-auth/go/config"
)

// Code names why a request was refused. The first seven are mcp-auth's own
// codes (the JS and Python packages use the same strings); the rest are
// additions of this package.
type Code string

// Codes shared with mcp-auth.
const (
	// CodeMissingAuthHeader: the request has no Authorization header.
	CodeMissingAuthHeader Code = "missing_auth_header"
	// CodeInvalidAuthHeaderFormat: the Authorization header does not use
	// the Bearer scheme (RFC 6750 treats this as no credentials at all).
	CodeInvalidAuthHeaderFormat Code = "invalid_auth_header_format"
	// CodeMissingBearerToken: the Bearer scheme is given without a token.
	CodeMissingBearerToken Code = "missing_bearer_token"
	// CodeInvalidIssuer: the token was issued by an untrusted issuer.
	CodeInvalidIssuer Code = "invalid_issuer"
	// CodeInvalidAudience: the token was not issued for this resource, or
	// its verifier cannot tell which resource it was issued for.
	CodeInvalidAudience Code = "invalid_audience"
	// CodeMissingRequiredScopes: the token lacks a scope the request needs.
	CodeMissingRequiredScopes Code = "missing_required_scopes"
	// CodeInvalidToken: the token is malformed, expired, revoked or
	// otherwise not acceptable.
	CodeInvalidToken Code = "invalid_token"
)

// Codes added by this package.
const (
	// CodeInvalidRequest: the credentials are malformed (several
	// Authorization headers, a token with illegal characters), RFC 6750
	// section 3.1 "invalid_request".
	CodeInvalidRequest Code = "invalid_request"
	// CodeProviderUnavailable: the token could not be checked because the
	// authorization server (or its keys) could not be reached.
	CodeProviderUnavailable Code = "provider_unavailable"
	// CodeServerError: the server is misconfigured or a verifier failed in
	// an unexpected way.
	CodeServerError Code = "server_error"
)

// Category sentinels: test an error's category with errors.Is.
var (
	// ErrMissingToken: no bearer credentials were sent (401, no "error"
	// attribute in the challenge, as RFC 6750 section 3.1 asks).
	ErrMissingToken = errors.New("bearer: no bearer token in the request")
	// ErrInvalidRequest: malformed credentials (400 "invalid_request").
	ErrInvalidRequest = errors.New("bearer: malformed bearer credentials")
	// ErrInvalidToken: the token is not acceptable (401 "invalid_token").
	ErrInvalidToken = errors.New("bearer: invalid token")
	// ErrInsufficientScope: the token is valid but lacks a required scope
	// (403 "insufficient_scope").
	ErrInsufficientScope = errors.New("bearer: insufficient scope")
	// ErrProviderUnavailable: the authorization server could not be
	// reached or answered badly; the token may well be valid (503). It is
	// [config.ErrProviderUnavailable] itself, so one errors.Is test covers
	// a failed discovery and a failed token check alike.
	ErrProviderUnavailable = config.ErrProviderUnavailable
	// ErrMisconfigured: the server itself is at fault: a constructor of
	// this package refused its configuration, or a request met a wiring
	// mistake (500).
	ErrMisconfigured = errors.New("bearer: server misconfigured")
)

// Error is a refused request: the code, the HTTP status it maps to, a
// description that is safe to show the client, and the underlying cause.
//
// errors.Is(err, ErrInvalidToken) and the other category sentinels match an
// Error by its code; errors.Unwrap returns the cause, which may contain
// details meant for server logs only.
type Error struct {
	// Code says why the request was refused.
	Code Code
	// Status is the HTTP status of the response; zero means the status the
	// code maps to ([Code.Status]). [Authenticator.WriteError] writes it as
	// long as it is a 4xx or 5xx status; the challenge and body still
	// follow the code.
	Status int
	// Description is a human-readable explanation that never contains the
	// token or anything read from it, so it may be sent to the client.
	Description string
	// Scopes lists the scopes the client should ask for, for
	// [CodeMissingRequiredScopes]; it is sent in the challenge's "scope".
	Scopes []string
	// Err is the cause, for logs; it is never sent to the client.
	Err error

	// What mcp-auth's bodies report with legacy codes: the scopes a token
	// lacks, and (with details shown) the expected and actual values of a
	// failed issuer or audience check. actual is a string, a []string or
	// nil (the verifier reported none).
	expected      string
	actual        any
	missingScopes []string
}

// NewError returns an Error with the status that code maps to.
func NewError(code Code, description string, cause error) *Error {
	return &Error{Code: code, Status: code.Status(), Description: description, Err: cause}
}

// InvalidToken returns an [Error] with [CodeInvalidToken]: the 401 a
// [Verifier] returns for a token it rejects.
func InvalidToken(description string, cause error) *Error {
	return NewError(CodeInvalidToken, description, cause)
}

// ProviderUnavailable returns an [Error] with [CodeProviderUnavailable]: the
// 503 a [Verifier] returns when it cannot reach the authorization server.
func ProviderUnavailable(description string, cause error) *Error {
	return NewError(CodeProviderUnavailable, description, cause)
}

// mismatch is the refusal of a failed issuer or audience check, carrying
// the values mcp-auth reports as the cause.
func mismatch(code Code, description, expected string, actual any) *Error {
	e := NewError(code, description, nil)
	e.expected, e.actual = expected, actual
	return e
}

// Error returns the code and description, and the cause if there is one.
func (e *Error) Error() string {
	msg := "bearer: " + string(e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the category sentinel of e's code.
func (e *Error) Is(target error) bool {
	return target != nil && target == e.Code.category()
}

// status is the HTTP status written for e: Status if it is an error status,
// else the one its code maps to.
func (e *Error) status() int {
	if e.Status >= 400 && e.Status <= 599 {
		return e.Status
	}
	return e.Code.Status()
}

// Status returns the HTTP status for code: 400, 401, 403, 500 or 503.
func (c Code) Status() int {
	switch c.category() {
	case ErrInvalidRequest:
		return http.StatusBadRequest
	case ErrInsufficientScope:
		return http.StatusForbidden
	case ErrProviderUnavailable:
		return http.StatusServiceUnavailable
	case ErrMisconfigured:
		return http.StatusInternalServerError
	default:
		return http.StatusUnauthorized
	}
}

// OAuthError returns the RFC 6750 error code for the challenge's "error"
// attribute: "invalid_request", "invalid_token", "insufficient_scope", or ""
// when the request carried no bearer credentials (or the failure is the
// server's, which has no RFC 6750 code).
func (c Code) OAuthError() string {
	switch c.category() {
	case ErrInvalidRequest:
		return "invalid_request"
	case ErrInvalidToken:
		return "invalid_token"
	case ErrInsufficientScope:
		return "insufficient_scope"
	default:
		return ""
	}
}

func (c Code) category() error {
	switch c {
	case CodeMissingAuthHeader, CodeInvalidAuthHeaderFormat, CodeMissingBearerToken:
		return ErrMissingToken
	case CodeInvalidRequest:
		return ErrInvalidRequest
	case CodeMissingRequiredScopes:
		return ErrInsufficientScope
	case CodeProviderUnavailable:
		return ErrProviderUnavailable
	case CodeServerError:
		return ErrMisconfigured
	default: // CodeInvalidToken, CodeInvalidIssuer, CodeInvalidAudience, and unknown codes
		return ErrInvalidToken
	}
}
