package devissuer

import (
	"context"
	"errors"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes and limits of the in-memory state.
const (
	authRequestLifetime  = 10 * time.Minute
	accessTokenLifetime  = time.Hour
	refreshTokenLifetime = 24 * time.Hour
	maxPendingRequests   = 10000
)

var (
	errNotFound      = errors.New("devissuer: not found")
	errExpired       = errors.New("devissuer: expired")
	errTooMany       = errors.New("devissuer: too many pending authorization requests")
	errUnsupported   = errors.New("devissuer: not supported")
	errWrongSubject  = errors.New("devissuer: token subject mismatch")
	errUnknownClient = errors.New("devissuer: unknown client")
)

// storage is the in-memory op.Storage. One mutex guards every map; the
// values handed to zitadel/oidc are copies or immutable. Safe for
// concurrent use.
type storage struct {
	issuer string
	users  *userStore
	scopes *scopePolicy
	key    *signingKey
	now    func() time.Time

	mu            sync.Mutex
	clients       map[string]*client
	authRequests  map[string]*authRequest
	codes         map[string]string // code -> auth request ID
	accessTokens  map[string]*accessToken
	refreshTokens map[string]*refreshToken
	consents      map[consentKey]map[string]bool // granted scopes
}

type consentKey struct{ userID, clientID string }

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
)

func newStorage(issuer string, users *userStore, scopes *scopePolicy, key *signingKey) *storage {
	return &storage{
		issuer:        issuer,
		users:         users,
		scopes:        scopes,
		key:           key,
		now:           time.Now,
		clients:       map[string]*client{},
		authRequests:  map[string]*authRequest{},
		codes:         map[string]string{},
		accessTokens:  map[string]*accessToken{},
		refreshTokens: map[string]*refreshToken{},
		consents:      map[consentKey]map[string]bool{},
	}
}

// --- clients ---

func (s *storage) addClient(c *client) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.clients[c.id]; dup {
		return errors.New("devissuer: client ID already registered")
	}
	if len(s.clients) >= maxClients {
		return errors.New("devissuer: too many clients")
	}
	s.clients[c.id] = c
	return nil
}

func (s *storage) client(id string) *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients[id]
}

// GetClientByClientID implements op.OPStorage. At the token endpoint the
// access token shape depends on the request's resource (see tokenResource).
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c := s.client(clientID)
	if c == nil {
		return nil, errUnknownClient
	}
	res, _ := tokenResource(ctx)
	jwt := c.tokenType == AccessTokenJWT || (c.tokenType == AccessTokenAuto && res != "")
	return clientView{c: c, jwt: jwt, scopes: s.scopes}, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, secret string) error {
	c := s.client(clientID)
	if c == nil || !c.checkSecret(secret) {
		return errors.New("devissuer: invalid client credentials")
	}
	return nil
}

// --- authorization requests ---

// CreateAuthRequest implements op.AuthStorage. The resource comes from the
// context (authorizeResource), put there by the authorize pre-check.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	ar := &authRequest{
		id:           randomID(16),
		createdAt:    s.now(),
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       s.scopes.grant(req.Scopes),
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		resource:     authorizeResource(ctx),
	}
	if req.CodeChallenge != "" {
		ar.codeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	if len(s.authRequests) >= maxPendingRequests {
		return nil, errTooMany
	}
	s.authRequests[ar.id] = ar
	return ar.clone(), nil
}

// authRequestLocked returns the live request; s.mu must be held.
func (s *storage) authRequestLocked(id string) (*authRequest, error) {
	ar := s.authRequests[id]
	if ar == nil {
		return nil, errNotFound
	}
	if s.now().After(ar.createdAt.Add(authRequestLifetime)) {
		return nil, errExpired
	}
	return ar, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	ar, err := s.authRequestCopy(id)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return ar, nil
}

// authRequestCopy is AuthRequestByID with the concrete type.
func (s *storage) authRequestCopy(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.authRequestLocked(id)
	if err != nil {
		return nil, err
	}
	return ar.clone(), nil
}

// AuthRequestByCode implements op.AuthStorage. The copy carries the audience
// chosen for this token request.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.authRequestLocked(s.codes[code])
	if err != nil || !ar.done {
		return nil, errNotFound
	}
	c := ar.clone()
	res, ok := tokenResource(ctx)
	if !ok {
		res = ar.resource
	}
	c.audience = audienceFor(res)
	return c, nil
}

// resourceForCode returns the resource the code's authorization request named.
func (s *storage) resourceForCode(code string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.authRequestLocked(s.codes[code])
	if err != nil {
		return "", false
	}
	return ar.resource, true
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.authRequestLocked(id)
	if err != nil {
		return err
	}
	if ar.code != "" {
		delete(s.codes, ar.code)
	}
	ar.code = code
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.AuthStorage. Called after the code
// exchange, which makes the code single-use.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteAuthRequestLocked(id)
	return nil
}

func (s *storage) deleteAuthRequestLocked(id string) {
	if ar := s.authRequests[id]; ar != nil {
		delete(s.codes, ar.code)
		delete(s.authRequests, id)
	}
}

// setSubject records a successful login on a pending request.
func (s *storage) setSubject(id, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.authRequestLocked(id)
	if err != nil {
		return err
	}
	if ar.done {
		return errNotFound
	}
	ar.subject = userID
	ar.authTime = s.now()
	return nil
}

// approve remembers the consent for (user, client) and completes the request.
func (s *storage) approve(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.authRequestLocked(id)
	if err != nil {
		return err
	}
	if ar.subject == "" {
		return errNotFound
	}
	k := consentKey{ar.subject, ar.clientID}
	if s.consents[k] == nil {
		s.consents[k] = map[string]bool{}
	}
	for _, sc := range ar.scopes {
		s.consents[k][sc] = true
	}
	ar.done = true
	return nil
}

// consentCovers reports whether the user already granted the client every
// scope of the request.
func (s *storage) consentCovers(ar *authRequest) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	granted := s.consents[consentKey{ar.subject, ar.clientID}]
	if granted == nil {
		return false
	}
	for _, sc := range ar.scopes {
		if !granted[sc] {
			return false
		}
	}
	return true
}

func (s *storage) deleteAuthRequest(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteAuthRequestLocked(id)
}

// purgeLocked drops expired requests and tokens, so that memory stays bounded
// in a long-running development process. s.mu must be held.
func (s *storage) purgeLocked() {
	now := s.now()
	for id, ar := range s.authRequests {
		if now.After(ar.createdAt.Add(authRequestLifetime)) {
			s.deleteAuthRequestLocked(id)
		}
	}
	for id, at := range s.accessTokens {
		if now.After(at.expiresAt) {
			delete(s.accessTokens, id)
		}
	}
	for id, rt := range s.refreshTokens {
		if now.After(rt.expiresAt) {
			delete(s.refreshTokens, id)
		}
	}
}

// --- keys ---

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.key.SignatureAlgorithm()}, nil
}

// KeySet implements op.AuthStorage: the JWKS.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

// GetKeyByIDAndClientID implements op.OPStorage; JWT client authentication
// (private_key_jwt) is not supported.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnsupported
}

// ValidateJWTProfileScopes implements op.OPStorage; the JWT profile grant is
// not supported.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnsupported
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }
