package devissuer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// maxRegistrationBytes caps a registration request body.
const maxRegistrationBytes = 32 << 10

// RFC 7591 section 3.2.2 error codes.
const (
	errInvalidRedirectURI    = "invalid_redirect_uri"
	errInvalidClientMetadata = "invalid_client_metadata"
)

// registrationRequest is the part of RFC 7591 client metadata the issuer
// reads; other members are ignored, as section 2 requires.
type registrationRequest struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ClientName              string   `json:"client_name"`
	Scope                   string   `json:"scope"`
}

// registrationResponse is the RFC 7591 section 3.2.1 answer.
type registrationResponse struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt   *int64   `json:"client_secret_expires_at,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ClientName              string   `json:"client_name,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
}

// registrationError is an RFC 7591 error with its code.
type registrationError struct{ code, desc string }

func (e *registrationError) Error() string { return e.code + ": " + e.desc }

func metadataError(format string, args ...any) error {
	return &registrationError{errInvalidClientMetadata, fmt.Sprintf(format, args...)}
}

// parseRegistration decodes and validates a registration body. It returns
// the client to store (without ID and secret) or a *registrationError.
func parseRegistration(body []byte) (*client, error) {
	var req registrationRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, metadataError("body is not a JSON object of client metadata")
	}
	if dec.More() {
		return nil, metadataError("trailing data after the JSON object")
	}

	c := &client{name: req.ClientName, scope: req.Scope}
	if len(req.ClientName) > maxClientNameLength || hasControl(req.ClientName) {
		return nil, metadataError("client_name is too long or has control characters")
	}
	if len(req.Scope) > 1024 {
		return nil, metadataError("scope is too long")
	}
	for _, s := range splitScope(req.Scope) {
		if !validScopeToken(s) {
			return nil, metadataError("scope has an invalid token")
		}
	}

	switch m := oidc.AuthMethod(req.TokenEndpointAuthMethod); m {
	case "":
		c.authMethod = oidc.AuthMethodBasic // RFC 7591 section 2 default
	case oidc.AuthMethodNone, oidc.AuthMethodBasic, oidc.AuthMethodPost:
		c.authMethod = m
	default:
		return nil, metadataError("token_endpoint_auth_method must be none, client_secret_basic or client_secret_post")
	}
	c.confidential = c.authMethod != oidc.AuthMethodNone

	grants := req.GrantTypes
	if len(grants) == 0 {
		grants = []string{string(oidc.GrantTypeCode)} // RFC 7591 section 2 default
	}
	for _, g := range grants {
		switch oidc.GrantType(g) {
		case oidc.GrantTypeCode, oidc.GrantTypeRefreshToken:
			if !slices.Contains(c.grantTypes, oidc.GrantType(g)) {
				c.grantTypes = append(c.grantTypes, oidc.GrantType(g))
			}
		default:
			return nil, metadataError("grant_types may hold only authorization_code and refresh_token")
		}
	}
	if !slices.Contains(c.grantTypes, oidc.GrantTypeCode) {
		return nil, metadataError("grant_types must include authorization_code")
	}
	for _, rt := range req.ResponseTypes {
		if rt != string(oidc.ResponseTypeCode) {
			return nil, metadataError("response_types may hold only code")
		}
	}

	switch n := len(req.RedirectURIs); {
	case n == 0:
		return nil, &registrationError{errInvalidRedirectURI, "redirect_uris is required"}
	case n > maxRedirectURIs:
		return nil, &registrationError{errInvalidRedirectURI, fmt.Sprintf("at most %d redirect_uris", maxRedirectURIs)}
	}
	for _, u := range req.RedirectURIs {
		if err := validateRedirectURI(u); err != nil {
			return nil, &registrationError{errInvalidRedirectURI, err.Error()}
		}
		if !slices.Contains(c.redirectURIs, u) {
			c.redirectURIs = append(c.redirectURIs, u)
		}
	}
	return c, nil
}

// handleRegister is the dynamic client registration endpoint (RFC 7591).
// It answers 201 with the client's metadata, client_id and, for a
// confidential client, client_secret; 400 with invalid_redirect_uri or
// invalid_client_metadata; 405, 413 or 415 for a request that is not a JSON
// POST of reasonable size; 503 when too many clients exist.
func (i *Issuer) handleRegister(w http.ResponseWriter, r *http.Request) {
	setCORS(w, "POST, OPTIONS")
	switch r.Method {
	case http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "POST, OPTIONS")
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeOAuthError(w, http.StatusUnsupportedMediaType, errInvalidClientMetadata, "Content-Type must be application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistrationBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeOAuthError(w, http.StatusRequestEntityTooLarge, errInvalidClientMetadata, "body too large")
			return
		}
		writeOAuthError(w, http.StatusBadRequest, errInvalidClientMetadata, "cannot read body")
		return
	}
	c, err := parseRegistration(body)
	if err != nil {
		var re *registrationError
		if !errors.As(err, &re) {
			re = &registrationError{errInvalidClientMetadata, "invalid metadata"}
		}
		writeOAuthError(w, http.StatusBadRequest, re.code, re.desc)
		return
	}

	now := time.Now()
	c.id = randomID(16)
	c.issuedAt = now
	c.dynamic = true
	var secret string
	if c.confidential {
		secret = randomID(32)
		c.secretHash = sha256Sum(secret)
	}
	if err := i.storage.addClient(c); err != nil {
		writeOAuthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "cannot register more clients")
		return
	}
	i.logger.Info("devissuer: client registered", "client_id", c.id, "client_name", c.name, "auth_method", string(c.authMethod))
	if i.stateFile != "" {
		if err := i.storage.saveState(i.stateFile); err != nil {
			i.logger.Warn("devissuer: the registration is not kept across restarts", "error", err)
		}
	}

	resp := registrationResponse{
		ClientID:                c.id,
		ClientSecret:            secret,
		ClientIDIssuedAt:        now.Unix(),
		RedirectURIs:            c.redirectURIs,
		TokenEndpointAuthMethod: string(c.authMethod),
		ResponseTypes:           []string{string(oidc.ResponseTypeCode)},
		ClientName:              c.name,
		Scope:                   strings.Join(splitScope(c.scope), " "),
	}
	for _, g := range c.grantTypes {
		resp.GrantTypes = append(resp.GrantTypes, string(g))
	}
	if c.confidential {
		never := int64(0) // RFC 7591: 0 means the secret does not expire
		resp.ClientSecretExpiresAt = &never
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(resp)
}
