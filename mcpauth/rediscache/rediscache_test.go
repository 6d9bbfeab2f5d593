package rediscache_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/rediscache"
	"github.com/mcp-auth/go/mcpauth/rediscache/redistest"
)

func TestGetSetExpiry(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: redistest.Start(t)})
	defer client.Close()
	c := rediscache.New(client)
	ctx := context.Background()
	if v, err := c.Get(ctx, "absent"); v != nil || err != nil {
		t.Fatalf("absent key: %q, %v; want nil, nil", v, err)
	}
	if err := c.Set(ctx, "k", []byte("sealed"), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, "k"); string(v) != "sealed" || err != nil {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if ttl := client.PTTL(ctx, "k").Val(); ttl <= 0 || ttl > 200*time.Millisecond {
		t.Errorf("PTTL = %v, want (0, 200ms]", ttl)
	}
	// Redis expires the entry (polled, bounded).
	for i := 0; ; i++ {
		if v, _ := c.Get(ctx, "k"); v == nil {
			break
		}
		if i == 100 {
			t.Fatal("the entry did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two verifiers (two replicas) on one real Redis ask the provider once;
// Redis holds no token; with Redis gone the verifiers go on with their own
// caches and the provider, and count the failures.
func TestVerifiersShareThroughRedis(t *testing.T) {
	var calls atomic.Int64
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"sub":"alice","email":"alice@example.com"}`))
	}))
	defer provider.Close()
	addr := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer client.Close()
	shared := rediscache.New(client)
	newVerifier := func() *bearer.UserinfoVerifier {
		v, err := bearer.NewUserinfoVerifier(provider.URL, provider.URL+"/userinfo", bearer.WithSharedCache(shared))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := newVerifier(), newVerifier()
	ctx := context.Background()
	const token = "opaque-token-of-alice-0123456789"
	for _, v := range []*bearer.UserinfoVerifier{a, b} {
		if info, err := v.Verify(ctx, token); err != nil || info.Subject != "alice" {
			t.Fatalf("Verify: %v", err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("two replicas: %d provider calls, want 1", n)
	}
	keys := client.Keys(ctx, "*").Val()
	if len(keys) != 1 {
		t.Fatalf("keys %v, want one", keys)
	}
	raw := client.Get(ctx, keys[0]).Val()
	for _, secret := range []string{token, "alice"} {
		if strings.Contains(keys[0], secret) || strings.Contains(raw, secret) {
			t.Errorf("Redis holds %q in clear", secret)
		}
	}

	// Redis gone: a new token is still verified, by the provider.
	down := rediscache.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1}))
	c, err := bearer.NewUserinfoVerifier(provider.URL, provider.URL+"/userinfo", bearer.WithSharedCache(down))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := c.Verify(ctx, token+"-2"); err != nil || info.Subject != "alice" {
		t.Fatalf("Redis down: %v, want the provider's answer", err)
	}
	if st := c.Stats(); st.SharedCacheErrors == 0 || st.ProviderCalls != 1 {
		t.Errorf("Redis down: stats %+v, want failures counted and 1 provider call", st)
	}
}

// clock is a settable time source for the verifiers.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }
func newClock(t time.Time) *clock        { c := &clock{}; c.now.Store(t.UnixNano()); return c }

// A token revoked at the provider ("active": false at introspection) is
// refused by every replica once the configured cache time has passed, and
// the fleet learns it with one introspection call.
func TestRevocationReachesEveryReplica(t *testing.T) {
	var calls atomic.Int64
	var revoked atomic.Bool
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if revoked.Load() {
			w.Write([]byte(`{"active":false}`))
			return
		}
		w.Write([]byte(`{"active":true,"sub":"alice","client_id":"agent","aud":"https://mcp.example.com/mcp"}`))
	}))
	defer provider.Close()
	client := redis.NewClient(&redis.Options{Addr: redistest.Start(t)})
	defer client.Close()
	clk := newClock(time.Now())
	const ttl = 2 * time.Second
	var replicas []*bearer.IntrospectionVerifier
	for range 3 {
		v, err := bearer.NewIntrospectionVerifier(provider.URL, provider.URL+"/introspect",
			bearer.ClientCredentials{ClientID: "mcp", ClientSecret: "secret"},
			bearer.WithSharedCache(rediscache.New(client)), bearer.WithCacheTTL(ttl), bearer.WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, v)
	}
	ctx := context.Background()
	const token = "opaque-token-of-alice-0123456789"
	for _, v := range replicas {
		if _, err := v.Verify(ctx, token); err != nil {
			t.Fatalf("before the revocation: %v", err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("three replicas: %d introspection calls, want 1", n)
	}
	revoked.Store(true)
	clk.Advance(ttl)
	for i, v := range replicas {
		if _, err := v.Verify(ctx, token); !errors.Is(err, bearer.ErrInvalidToken) {
			t.Errorf("replica %d after the cache time: %v, want ErrInvalidToken", i, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the revocation cost %d introspection calls across the fleet, want 1", n-1)
	}
}
