package devissuer

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// The state file keeps what a client relies on across restarts: the
// signing key (tokens issued before stay verifiable) and the clients that
// registered dynamically (their saved registration keeps working). Tokens,
// codes and consents are not kept: a restart signs everyone out.

// stateFile is the file's JSON form. Client secrets are stored as their
// SHA-256, as in memory.
type stateFile struct {
	Issuer     string        `json:"issuer"`
	KeyID      string        `json:"key_id"`
	KeyPKCS8   []byte        `json:"key_pkcs8"`
	Clients    []stateClient `json:"clients"`
	SavedAtUTC time.Time     `json:"saved_at"`
}

type stateClient struct {
	ID           string           `json:"id"`
	Name         string           `json:"name,omitempty"`
	SecretHash   []byte           `json:"secret_sha256,omitempty"`
	Confidential bool             `json:"confidential,omitempty"`
	AuthMethod   oidc.AuthMethod  `json:"auth_method"`
	RedirectURIs []string         `json:"redirect_uris,omitempty"`
	GrantTypes   []oidc.GrantType `json:"grant_types,omitempty"`
	Scope        string           `json:"scope,omitempty"`
	TokenType    AccessTokenType  `json:"token_type,omitempty"`
	IssuedAt     time.Time        `json:"issued_at"`
}

// loadState reads path for issuer. A missing file gives nil, nil; a file of
// another issuer is ignored (its clients registered somewhere else).
func loadState(path, issuer string) (*stateFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("devissuer: read state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("devissuer: state file %s: %w", path, err)
	}
	if st.Issuer != issuer {
		return nil, nil
	}
	return &st, nil
}

// signingKey returns the stored key.
func (st *stateFile) signingKey() (*signingKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(st.KeyPKCS8)
	if err != nil {
		return nil, fmt.Errorf("devissuer: state file key: %w", err)
	}
	priv, ok := k.(*ecdsa.PrivateKey)
	if !ok || st.KeyID == "" {
		return nil, errors.New("devissuer: state file key is not an ES256 key with an ID")
	}
	return &signingKey{id: st.KeyID, priv: priv}, nil
}

// clientsOf returns the stored clients.
func (st *stateFile) clientsOf() []*client {
	out := make([]*client, 0, len(st.Clients))
	for _, c := range st.Clients {
		cl := &client{
			id: c.ID, name: c.Name, confidential: c.Confidential, authMethod: c.AuthMethod,
			redirectURIs: c.RedirectURIs, grantTypes: c.GrantTypes, scope: c.Scope, tokenType: c.TokenType,
			issuedAt: c.IssuedAt,
		}
		copy(cl.secretHash[:], c.SecretHash)
		out = append(out, cl)
	}
	return out
}

// saveState writes the key and the dynamically registered clients to path,
// atomically (a temporary file renamed), readable by the user only.
func (s *storage) saveState(path string) error {
	s.mu.Lock()
	st := stateFile{Issuer: s.issuer, KeyID: s.key.id, SavedAtUTC: time.Now().UTC()}
	for _, c := range s.clients {
		if !c.dynamic {
			continue // registered in code: the program registers it again
		}
		st.Clients = append(st.Clients, stateClient{
			ID: c.id, Name: c.name, SecretHash: c.secretHash[:], Confidential: c.confidential,
			AuthMethod: c.authMethod, RedirectURIs: c.redirectURIs, GrantTypes: c.grantTypes,
			Scope: c.scope, TokenType: c.tokenType, IssuedAt: c.issuedAt,
		})
	}
	s.mu.Unlock()
	var err error
	if st.KeyPKCS8, err = x509.MarshalPKCS8PrivateKey(s.key.priv); err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("devissuer: save state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".devissuer-state-*")
	if err != nil {
		return fmt.Errorf("devissuer: save state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("devissuer: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("devissuer: save state: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}
