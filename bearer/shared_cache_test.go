package bearer

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// mapStore is a SharedCache in memory, for the tests of the sealing and
// of the verifiers' use of a shared cache (the Redis module's tests run
// the real thing).
type mapStore struct {
	mu   sync.Mutex
	m    map[string][]byte
	fail error
}

func (s *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	return s.m[key], nil
}

func (s *mapStore) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if ttl <= 0 {
		panic("non-positive ttl")
	}
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = bytes.Clone(value)
	return nil
}

// Two replicas sharing a store ask the provider once about a token; the
// store holds neither the token nor the claims.
func TestSharedCacheAcrossReplicas(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"alice","name":"Alice Example","email":"alice@example.com"}`))
	store := &mapStore{}
	a := uiNew(t, p, WithSharedCache(store))
	b := uiNew(t, p, WithSharedCache(store))
	ia, err := a.Verify(t.Context(), uiToken)
	if err != nil {
		t.Fatal(err)
	}
	ib, err := b.Verify(t.Context(), uiToken)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("two replicas: %d provider calls, want 1", n)
	}
	if ib.Subject != "alice" || ib.Identity.Name() != "Alice Example" || ib.Issuer != ia.Issuer || ib.Audience != nil || ib.Scopes != nil {
		t.Errorf("replica b got %+v, want what replica a got: %+v", ib, ia)
	}
	if st := b.Stats(); st.SharedHits != 1 || st.ProviderCalls != 0 {
		t.Errorf("replica b stats %+v, want 1 shared hit and no provider call", st)
	}
	for k, v := range store.m {
		for _, secret := range []string{uiToken, "alice", "Alice Example", "alice@example.com"} {
			if strings.Contains(k, secret) || bytes.Contains(v, []byte(secret)) {
				t.Errorf("the store holds %q in clear (key %q)", secret, k)
			}
		}
	}
}

// A refusal is shared too; an entry that does not open (tampered, or
// sealed for another token) is ignored; a failing store fails no request.
func TestSharedCacheRefusalsTamperingAndOutages(t *testing.T) {
	refusing := uiNewProvider(t, uiJSON(401, `{"error":"invalid_token"}`))
	store := &mapStore{}
	a := uiNew(t, refusing, WithSharedCache(store))
	b := uiNew(t, refusing, WithSharedCache(store))
	for _, v := range []*UserinfoVerifier{a, b} {
		if _, err := v.Verify(t.Context(), uiToken); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("err = %v, want ErrInvalidToken", err)
		}
	}
	if n := refusing.requests.Load(); n != 1 {
		t.Errorf("a refused token on two replicas: %d provider calls, want 1", n)
	}

	good := uiNewProvider(t, uiJSON(200, `{"sub":"alice"}`))
	tampered := &mapStore{}
	c := uiNew(t, good, WithSharedCache(tampered))
	if _, err := c.Verify(t.Context(), uiToken); err != nil {
		t.Fatal(err)
	}
	for k, v := range tampered.m {
		v[len(v)-1] ^= 1
		tampered.m[k] = v
	}
	d := uiNew(t, good, WithSharedCache(tampered))
	if info, err := d.Verify(t.Context(), uiToken); err != nil || info.Subject != "alice" {
		t.Fatalf("with a tampered entry: %v, want the provider's answer", err)
	}
	if st := d.Stats(); st.SharedCacheRejects != 1 || st.ProviderCalls != 1 {
		t.Errorf("stats %+v, want 1 rejected entry and 1 provider call", st)
	}

	down := &mapStore{fail: errors.New("connection refused")}
	e := uiNew(t, good, WithSharedCache(down))
	for range 3 {
		info, err := e.Verify(t.Context(), uiToken+"x")
		if err != nil || info.Subject != "alice" {
			t.Fatalf("with the store down: %v, want the provider's answer", err)
		}
	}
	if st := e.Stats(); st.SharedCacheErrors != 2 || st.ProviderCalls != 1 {
		t.Errorf("store down: stats %+v, want 2 failures (a read and a write) and 1 provider call (then the local cache)", st)
	}
}

func TestSharedSlotSeparatesKindsAndTokens(t *testing.T) {
	a, _ := newSharedSlot("userinfo", "tok")
	b, _ := newSharedSlot("introspection", "tok")
	c, _ := newSharedSlot("userinfo", "tok2")
	if a.key == b.key || a.key == c.key {
		t.Fatal("keys collide across kinds or tokens")
	}
	sealed, err := a.seal(&sharedEntry{Subject: "s", Until: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []sharedSlot{b, c} {
		if _, err := other.open(sealed); err == nil {
			t.Error("an entry opened under another token's or kind's key")
		}
	}
	if e, err := a.open(sealed); err != nil || e.Subject != "s" {
		t.Errorf("open: %v", err)
	}
}

// Two replicas' middlewares complete a token's identity at userinfo once
// when they share a store.
func TestSharedCacheIdentityAcrossReplicas(t *testing.T) {
	p := uiNewProvider(t, uiJSON(200, `{"sub":"alice","name":"Alice Example","email":"alice@example.com","username":"alice"}`))
	store := &mapStore{}
	issuer := p.URL
	verifier := VerifierFunc(func(ctx context.Context, token string) (*AuthInfo, error) {
		return &AuthInfo{Issuer: issuer, Subject: "alice", Audience: []string{"https://mcp.example.com/mcp"}, ExpiresAt: time.Now().Add(time.Hour)}, nil
	})
	replica := func() http.Handler {
		src, err := NewUserinfoIdentity(issuer, issuer+"/userinfo")
		if err != nil {
			t.Fatal(err)
		}
		a, err := New(verifier, WithIssuers(issuer), WithAudience("https://mcp.example.com/mcp"), WithIdentity(src), WithSharedCache(store))
		if err != nil {
			t.Fatal(err)
		}
		return a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, _ := FromContext(r.Context())
			w.Write([]byte(info.Identity.Name() + "|" + strings.Join(info.Identity.Sources, ",")))
		}))
	}
	for i, h := range []http.Handler{replica(), replica()} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+uiToken)
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != "Alice Example|userinfo" {
			t.Fatalf("replica %d: %d %q, want 200 and the identity from userinfo", i, rec.Code, rec.Body.String())
		}
	}
	if n := p.requests.Load(); n != 1 {
		t.Errorf("two replicas completed the identity with %d userinfo calls, want 1", n)
	}
	for k, v := range store.m {
		if bytes.Contains(v, []byte("Alice")) || strings.Contains(k, uiToken) {
			t.Errorf("the store holds the identity or the token in clear")
		}
	}
}
