package devissuer

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// accessToken is what the issuer remembers of an access token, under its ID
// (the jti of a JWT; the encrypted payload of an opaque token carries it).
type accessToken struct {
	id           string
	clientID     string
	subject      string
	scopes       []string
	audience     []string
	issuedAt     time.Time
	expiresAt    time.Time
	refreshToken string // the refresh token issued with it, if any
}

// refreshToken is a refresh grant. The token string is random and is its own
// key; rotation replaces it on every use.
type refreshToken struct {
	token     string
	clientID  string
	subject   string
	scopes    []string
	resource  string // the resource the grant is bound to, or ""
	authTime  time.Time
	amr       []string
	expiresAt time.Time
}

// refreshRequest implements op.RefreshTokenRequest for one refresh grant.
type refreshRequest struct {
	rt       refreshToken
	scopes   []string
	audience []string
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

// GetAMR implements op.RefreshTokenRequest.
func (r *refreshRequest) GetAMR() []string { return slices.Clone(r.rt.amr) }

// GetAudience implements op.RefreshTokenRequest.
func (r *refreshRequest) GetAudience() []string { return slices.Clone(r.audience) }

// GetAuthTime implements op.RefreshTokenRequest.
func (r *refreshRequest) GetAuthTime() time.Time { return r.rt.authTime }

// GetClientID implements op.RefreshTokenRequest.
func (r *refreshRequest) GetClientID() string { return r.rt.clientID }

// GetScopes implements op.RefreshTokenRequest.
func (r *refreshRequest) GetScopes() []string { return slices.Clone(r.scopes) }

// GetSubject implements op.RefreshTokenRequest.
func (r *refreshRequest) GetSubject() string { return r.rt.subject }

// SetCurrentScopes implements op.RefreshTokenRequest (a narrower scope on
// refresh, RFC 6749 section 6).
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.scopes = slices.Clone(scopes) }

// grantOf extracts what a token is issued for from the requests this issuer
// supports: the code exchange and the refresh grant.
type grant struct {
	clientID string
	subject  string
	scopes   []string
	audience []string
	authTime time.Time
	amr      []string
}

func grantOf(req op.TokenRequest) (grant, error) {
	switch r := req.(type) {
	case *authRequest:
		return grant{r.clientID, r.subject, r.GetScopes(), r.GetAudience(), r.authTime, r.GetAMR()}, nil
	case *refreshRequest:
		return grant{r.rt.clientID, r.rt.subject, r.GetScopes(), r.GetAudience(), r.rt.authTime, r.GetAMR()}, nil
	}
	return grant{}, errUnsupported
}

// newAccessTokenLocked stores an access token record; s.mu must be held.
func (s *storage) newAccessTokenLocked(g grant, refresh string) *accessToken {
	now := s.now()
	at := &accessToken{
		id:           randomID(16),
		clientID:     g.clientID,
		subject:      g.subject,
		scopes:       g.scopes,
		audience:     g.audience,
		issuedAt:     now,
		expiresAt:    now.Add(accessTokenLifetime),
		refreshToken: refresh,
	}
	s.accessTokens[at.id] = at
	return at
}

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	at := s.newAccessTokenLocked(g, "")
	return at.id, at.expiresAt, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage. A refresh rotates
// the refresh token: the presented one stops working.
func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	resource := ""
	if len(g.audience) > 0 {
		resource = g.audience[0]
	}
	if current != "" {
		old := s.refreshTokens[current]
		if old == nil || old.clientID != g.clientID {
			return "", "", time.Time{}, oidc.ErrInvalidGrant()
		}
		delete(s.refreshTokens, current)
		if old.resource != "" {
			resource = old.resource // the grant stays bound to its resource
		}
	}
	rt := &refreshToken{
		token:     randomID(32),
		clientID:  g.clientID,
		subject:   g.subject,
		scopes:    g.scopes,
		resource:  resource,
		authTime:  g.authTime,
		amr:       g.amr,
		expiresAt: s.now().Add(refreshTokenLifetime),
	}
	s.refreshTokens[rt.token] = rt
	at := s.newAccessTokenLocked(g, rt.token)
	return at.id, rt.token, at.expiresAt, nil
}

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refreshTokens[token]
	if rt == nil {
		return nil, errNotFound
	}
	if s.now().After(rt.expiresAt) {
		return nil, errExpired
	}
	res, ok := tokenResource(ctx)
	if !ok {
		res = rt.resource
	}
	return &refreshRequest{rt: *rt, scopes: slices.Clone(rt.scopes), audience: audienceFor(res)}, nil
}

// resourceForRefreshToken returns the resource a refresh grant is bound to.
func (s *storage) resourceForRefreshToken(token string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refreshTokens[token]
	if rt == nil {
		return "", false
	}
	return rt.resource, true
}

// TerminateSession implements op.AuthStorage: drops the user's tokens for
// the client.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, at := range s.accessTokens {
		if at.subject == userID && at.clientID == clientID {
			delete(s.accessTokens, id)
		}
	}
	for id, rt := range s.refreshTokens {
		if rt.subject == userID && rt.clientID == clientID {
			delete(s.refreshTokens, id)
		}
	}
	return nil
}

// RevokeToken implements op.AuthStorage (RFC 7009). Unknown tokens are not
// an error: the endpoint answers 200 for them.
func (s *storage) RevokeToken(_ context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.accessTokens[tokenOrID]; at != nil {
		if at.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was issued to another client")
		}
		delete(s.accessTokens, tokenOrID)
		return nil
	}
	if rt := s.refreshTokens[tokenOrID]; rt != nil {
		if rt.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was issued to another client")
		}
		delete(s.refreshTokens, tokenOrID)
		for id, at := range s.accessTokens {
			if at.refreshToken == tokenOrID {
				delete(s.accessTokens, id)
			}
		}
	}
	return nil
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(_ context.Context, clientID, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refreshTokens[token]
	if rt == nil || rt.clientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.subject, rt.token, nil
}

// liveAccessToken returns a copy of an unexpired access token record.
func (s *storage) liveAccessToken(id, subject string) (accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.accessTokens[id]
	switch {
	case at == nil:
		return accessToken{}, errNotFound
	case s.now().After(at.expiresAt):
		return accessToken{}, errExpired
	case at.subject != subject:
		return accessToken{}, errWrongSubject
	}
	return *at, nil
}

// --- claims ---

// setUserClaims fills the standard claims the scopes allow (OIDC Core 5.4).
func setUserClaims(ui *oidc.UserInfo, u *User, scopes []string) {
	ui.Subject = u.ID
	if slices.Contains(scopes, oidc.ScopeProfile) {
		ui.Name = u.Name
		ui.PreferredUsername = u.Username
		ui.AppendClaims("username", u.Username) // Logto's name for it
	}
	if slices.Contains(scopes, oidc.ScopeEmail) {
		ui.Email = u.Email
		ui.EmailVerified = oidc.Bool(u.EmailVerified)
		// The library omits a false email_verified; say it explicitly.
		ui.AppendClaims("email_verified", u.EmailVerified)
	}
}

// SetUserinfoFromScopes implements op.OPStorage; deprecated upstream in
// favour of SetUserinfoFromRequest, so it does nothing.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the
// claims of the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u := s.users.byIDOrNil(req.GetSubject())
	if u == nil {
		return errNotFound
	}
	setUserClaims(ui, u, scopes)
	return nil
}

// SetUserinfoFromToken implements op.OPStorage: the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	at, err := s.liveAccessToken(tokenID, subject)
	if err != nil {
		return err
	}
	u := s.users.byIDOrNil(at.subject)
	if u == nil {
		return errNotFound
	}
	setUserClaims(ui, u, at.scopes)
	return nil
}

// SetIntrospectionFromToken implements op.OPStorage (RFC 7662). The caller
// is an authenticated confidential client; zitadel/oidc answers
// {"active":false} when this returns an error.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	at, err := s.liveAccessToken(tokenID, subject)
	if err != nil {
		return err
	}
	aud := at.audience
	if len(aud) == 0 {
		aud = []string{at.clientID}
	}
	resp.Scope = at.scopes
	resp.ClientID = at.clientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(at.expiresAt)
	resp.IssuedAt = oidc.FromTime(at.issuedAt)
	resp.Subject = at.subject
	resp.Audience = aud
	resp.Issuer = s.issuer
	resp.JWTID = at.id
	if u := s.users.byIDOrNil(at.subject); u != nil {
		resp.Username = u.Username
	}
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage; superseded by
// GetPrivateClaimsFromRequest.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetPrivateClaimsFromRequest implements op.CanGetPrivateClaimsFromRequest:
// adds the granted scopes to JWT access tokens as the space-separated scope
// claim (RFC 9068 section 2.2.3), which zitadel/oidc leaves out, and, as a
// Logto "custom JWT claims" script for access tokens does, the user's
// identity claims that the granted scopes allow: username and name with
// profile, email and email_verified with email. MCP clients send a resource
// indicator, and Logto (like oidc-provider) refuses such tokens at
// userinfo, so the access token is where an MCP server finds who is
// calling.
func (s *storage) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	scopes := req.GetScopes()
	claims := map[string]any{"scope": strings.Join(scopes, " ")}
	if u := s.users.byIDOrNil(req.GetSubject()); u != nil {
		if slices.Contains(scopes, oidc.ScopeProfile) {
			claims["username"] = u.Username
			claims["name"] = u.Name
		}
		if slices.Contains(scopes, oidc.ScopeEmail) {
			claims["email"] = u.Email
			claims["email_verified"] = u.EmailVerified
		}
	}
	return claims, nil
}
