package bearer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// retryAfterSeconds is the Retry-After of a 503: long enough for a blip at
// the authorization server to pass, short enough not to stall an agent.
const retryAfterSeconds = "5"

// maxDetailLength caps the verifier's description in a body shown with
// [WithShowErrorDetails].
const maxDetailLength = 200

var (
	errNoAuthInfo     = errors.New("bearer: no AuthInfo in the request context")
	errBadScope       = errors.New("bearer: CheckScopes called with a malformed scope")
	errNilAuthInfo    = errors.New("bearer: the verifier returned neither an AuthInfo nor an error")
	errNilError       = errors.New("bearer: WriteError called with a nil error")
	errVerifierFailed = errors.New("bearer: the verifier failed")
)

// fixedDescriptions are this package's own words for each code: the only
// text that goes into a challenge's error_description.
var fixedDescriptions = map[Code]string{
	CodeMissingAuthHeader:       "The request has no Authorization header; send a bearer token.",
	CodeInvalidAuthHeaderFormat: "The Authorization header does not use the Bearer scheme.",
	CodeMissingBearerToken:      "The Authorization header has no bearer token.",
	CodeInvalidRequest:          "The Authorization header is malformed.",
	CodeInvalidToken:            "The access token is invalid or has expired.",
	CodeInvalidIssuer:           "The access token was issued by an issuer this resource does not trust.",
	CodeInvalidAudience:         "The access token was not issued for this resource; request one with the resource parameter (RFC 8707) set to this resource.",
	CodeMissingRequiredScopes:   "The access token lacks a scope this request needs.",
	CodeProviderUnavailable:     "The authorization server is unavailable; try again later.",
	CodeServerError:             "The server could not check the access token.",
}

// fixedDescription returns the fixed text for c, or for its category when c
// is a code this package does not define.
func fixedDescription(c Code) string {
	if d, ok := fixedDescriptions[c]; ok {
		return d
	}
	switch c.category() {
	case ErrMissingToken:
		return fixedDescriptions[CodeMissingAuthHeader]
	case ErrInvalidRequest:
		return fixedDescriptions[CodeInvalidRequest]
	case ErrInsufficientScope:
		return fixedDescriptions[CodeMissingRequiredScopes]
	case ErrProviderUnavailable:
		return fixedDescriptions[CodeProviderUnavailable]
	case ErrMisconfigured:
		return fixedDescriptions[CodeServerError]
	default:
		return fixedDescriptions[CodeInvalidToken]
	}
}

// bodyErrorCode is the JSON body's "error": the RFC 6750 code, or for
// failures that have none, "temporarily_unavailable" and "server_error"
// (RFC 6749's names for them). A request without credentials gets no
// "error" at all, as its challenge has none (RFC 6750 section 3.1). With
// legacy codes, mcp-auth's own codes are used.
func bodyErrorCode(c Code, legacy bool) string {
	if legacy {
		return string(c)
	}
	switch c.category() {
	case ErrMissingToken:
		return ""
	case ErrInvalidRequest:
		return "invalid_request"
	case ErrInsufficientScope:
		return "insufficient_scope"
	case ErrProviderUnavailable:
		return "temporarily_unavailable"
	case ErrMisconfigured:
		return "server_error"
	default:
		return "invalid_token"
	}
}

// refusalFromVerifier turns what a [Verifier] returned for token into the
// refusal. A provider failure is checked first, so that an error that is
// both can never be reported as an invalid token. A description that
// contains the token (a careless verifier's) is dropped here, once, so that
// nothing downstream needs the token to write the response.
func refusalFromVerifier(err error, token string) *Error {
	var e *Error
	switch {
	case errors.Is(err, ErrProviderUnavailable):
		if !errors.As(err, &e) || e.Code.category() != ErrProviderUnavailable {
			e = ProviderUnavailable("the authorization server could not be reached", err)
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		e = ProviderUnavailable("the access token could not be checked in time", err)
	case errors.Is(err, ErrInvalidToken):
		if !errors.As(err, &e) || e.Code.category() != ErrInvalidToken {
			e = InvalidToken("the access token is invalid", err)
		}
	case errors.Is(err, ErrInsufficientScope):
		if !errors.As(err, &e) || e.Code.category() != ErrInsufficientScope {
			e = NewError(CodeMissingRequiredScopes, "the access token lacks a scope this request needs", err)
		}
	default:
		e = NewError(CodeServerError, "the access token could not be checked", fmt.Errorf("%w: %w", errVerifierFailed, err))
	}
	if token != "" && strings.Contains(e.Description, token) {
		cp := *e
		cp.Description = ""
		e = &cp
	}
	return e
}

// errorToRefusal turns any error handed to WriteError into an [*Error]: an *Error
// in its chain as it is, anything else as a verifier error would be.
func errorToRefusal(err error) *Error {
	if err == nil {
		return NewError(CodeServerError, "", errNilError)
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e
	}
	return refusalFromVerifier(err, "")
}

// WriteError writes the refusal for err: its status (400, 401, 403, 500 or
// 503, or the [Error.Status] it carries), the WWW-Authenticate challenge
// for 400, 401 and 403, Retry-After for 503,
// Access-Control-Expose-Headers, "Cache-Control: no-store" and a JSON body
// {"error": ..., "error_description": ...} (no "error" for a request
// without credentials, whose challenge has none). err is normally an
// [*Error] from [Authenticator.Authenticate] or [Authenticator.CheckScopes];
// any other error is classified as a verifier's would be, and a nil err is
// answered with 500.
//
// A 403 challenge lists the scopes in the error (or the required scopes if
// it has none); 400 and 401 challenges list the challenge scopes
// ([WithChallengeScopes]). Every challenge names the resource metadata URL
// when one is configured.
//
// WriteError always writes the default response: it neither calls the
// [WithErrorHandler] hook (so the hook may call it) nor logs. It must be
// called before anything else is written to w. r is not read and may be
// nil.
func (a *Authenticator) WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	e := errorToRefusal(err)
	h := w.Header()
	a.setRefusalHeaders(h, e)
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.status())
	_, _ = w.Write(a.body(e))
}

// setRefusalHeaders sets the headers that belong to a refusal whoever writes
// its body: the challenge, Retry-After and Access-Control-Expose-Headers.
// The challenge follows the code, whatever status e carries.
func (a *Authenticator) setRefusalHeaders(h http.Header, e *Error) {
	exposeWWWAuthenticate(h)
	switch e.Code.Status() {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		h.Set("WWW-Authenticate", a.challengeFor(e))
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", retryAfterSeconds)
	}
}

// challengeFor returns the WWW-Authenticate value for e.
func (a *Authenticator) challengeFor(e *Error) string {
	if e.Code.category() != ErrInsufficientScope {
		if s, ok := a.challenges[e.Code]; ok {
			return s
		}
	}
	return a.buildChallenge(e.Code, e.Scopes)
}

func (a *Authenticator) buildChallenge(c Code, scopes []string) string {
	ch := challenge{errorCode: c.OAuthError(), resourceMetadata: a.resourceMetadataURL}
	if a.showDetails {
		ch.description = fixedDescription(c)
	}
	if c.category() == ErrInsufficientScope {
		ch.scopes = scopes
		if len(ch.scopes) == 0 {
			ch.scopes = a.stepUpScopes
		}
	} else {
		ch.scopes = a.challengeScopes
	}
	return ch.String()
}

// body returns the JSON body for e.
func (a *Authenticator) body(e *Error) []byte {
	if !a.showDetails {
		if b, ok := a.bodies[e.Code]; ok && (!a.legacyCodes || len(e.missingScopes) == 0) {
			return b
		}
		return refusalBody(bodyErrorCode(e.Code, a.legacyCodes), fixedDescription(e.Code), a.compat(e))
	}
	desc := fixedDescription(e.Code)
	if d := safeDetail(e.Description); d != "" {
		desc = d
	}
	return refusalBody(bodyErrorCode(e.Code, a.legacyCodes), desc, a.compat(e))
}

// compat returns what mcp-auth's body shows for e: with legacy codes, its
// missing_scopes always and its cause with details shown.
func (a *Authenticator) compat(e *Error) *compatMembers {
	if !a.legacyCodes {
		return nil
	}
	return &compatMembers{e: e, cause: a.showDetails}
}

// compatMembers are the members of mcp-auth's bodies beyond error and
// error_description.
type compatMembers struct {
	e     *Error
	cause bool
}

// safeDetail returns d fit for a client: printable ASCII only, capped.
// (A description containing the token never gets here: see
// refusalFromVerifier.)
func safeDetail(d string) string {
	b := appendPrintableASCII(make([]byte, 0, len(d)), d)
	if len(b) > maxDetailLength {
		b = append(b[:maxDetailLength-3], "..."...)
	}
	return string(b)
}

func appendPrintableASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if isQuotable(s[i]) {
			b = append(b, s[i])
		}
	}
	return b
}

// refusalBody returns {"error":code,"error_description":desc} ("error" left
// out when code is empty), and, when compat is not nil, mcp-auth's "cause"
// and "missing_scopes" members (in mcp-auth's order). Every string is
// reduced to printable ASCII, capped and escaped, HTML-safe as
// encoding/json would.
func refusalBody(code, desc string, compat *compatMembers) []byte {
	b := make([]byte, 0, len(`{"error":"","error_description":""}`)+len(code)+len(desc)+8)
	b = append(b, '{')
	if code != "" {
		b = append(b, `"error":"`...)
		b = appendBodyText(b, code)
		b = append(b, `",`...)
	}
	b = append(b, `"error_description":"`...)
	b = appendBodyText(b, desc)
	b = append(b, '"')
	if compat != nil {
		e := compat.e
		switch {
		case compat.cause && len(e.missingScopes) > 0:
			b = append(b, `,"cause":{"missing_scopes":`...)
			b = appendBodyValue(b, e.missingScopes)
			b = append(b, '}')
		case compat.cause && e.expected != "":
			b = append(b, `,"cause":{"expected":`...)
			b = appendBodyValue(b, e.expected)
			if e.actual != nil {
				b = append(b, `,"actual":`...)
				b = appendBodyValue(b, e.actual)
			}
			b = append(b, '}')
		}
		if len(e.missingScopes) > 0 {
			b = append(b, `,"missing_scopes":`...)
			b = appendBodyValue(b, e.missingScopes)
		}
	}
	return append(b, '}')
}

// appendBodyValue appends v, a string, a []string or nil, as JSON, each
// string cleaned like the description (a value read from a token is
// attacker-controlled).
func appendBodyValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		b = append(b, '"')
		b = appendBodyText(b, safeDetail(v))
		return append(b, '"')
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendBodyValue(b, s)
		}
		return append(b, ']')
	default:
		return append(b, "null"...)
	}
}

func appendBodyText(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !isQuotable(c):
			// dropped, as in challenges
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return b
}

// exposeHeadersName is the response header that lets browser clients read the
// challenge.
const exposeHeadersName = "Access-Control-Expose-Headers"

// exposeWWWAuthenticate adds WWW-Authenticate to Access-Control-Expose-Headers,
// keeping the names already there.
func exposeWWWAuthenticate(h http.Header) {
	values := h[exposeHeadersName]
	for _, v := range values {
		if headerListHas(v, "WWW-Authenticate") {
			return
		}
	}
	if len(values) == 0 {
		h[exposeHeadersName] = []string{"WWW-Authenticate"}
		return
	}
	last := values[len(values)-1]
	if strings.TrimSpace(last) == "" {
		last = "WWW-Authenticate"
	} else {
		last += ", WWW-Authenticate"
	}
	h[exposeHeadersName] = append(values[:len(values)-1:len(values)-1], last)
}

// headerListHas reports whether the comma-separated list v names name
// (case-insensitively).
func headerListHas(v, name string) bool {
	for v != "" {
		item, rest, _ := strings.Cut(v, ",")
		if headerEqualFold(strings.TrimSpace(item), name) {
			return true
		}
		v = rest
	}
	return false
}
