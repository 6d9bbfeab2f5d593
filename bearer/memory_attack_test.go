package bearer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// Memory boundedness: a flood of distinct valid tokens must not grow a
// verifier's cache past WithCacheSize. The caches are not observable
// directly, so the bound is shown two ways: by behaviour (the most recent
// memoryCacheSize tokens are hits, the one before them is a miss) and by
// the heap (its growth after a GC stays far below what memoryTokens
// entries would take).

const (
	memoryTokens    = 50000
	memoryCacheSize = 1000
	// memoryMaxGrowth bounds the live heap growth over the flood. With a
	// cache of memoryTokens entries (the defence removed) the same floods
	// grew the heap by about 77 MiB (JWT) and 53 MiB (userinfo); with
	// memoryCacheSize entries, by about 2.4 MiB and 2.2 MiB. The 64 MiB a
	// looser bound would allow could not tell the userinfo cases apart.
	memoryMaxGrowth = 16 << 20
)

// heapInUse returns HeapInuse after a full collection.
func heapInUse() uint64 { return heapStats().HeapInuse }

// heapStats collects garbage and returns the heap's statistics.
func heapStats() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

func TestMemoryJWTCacheBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes 50 000 tokens")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := &atkKey{kid: "m1", priv: priv}
	jwks := newAtkCounter(t, "application/json", atkJSON(t, map[string]any{"keys": []any{atkJWK(t, key, "EdDSA")}}))
	v, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: atkIssuer, JWKSURI: jwks.URL}},
		bearer.WithCacheSize(memoryCacheSize))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	hdr := []byte(`{"alg":"EdDSA","kid":"m1","typ":"at+jwt"}`)
	exp := time.Now().Add(time.Hour).Unix()
	mint := func(i int) string {
		claims := fmt.Sprintf(`{"iss":%q,"sub":"user-%d","aud":%q,"exp":%d,"scope":"mcp:read","client_id":"c","jti":"jti-%08d","name":"%s"}`,
			atkIssuer, i, atkResource, exp, i, strings.Repeat("n", 64))
		return atkRaw(t, hdr, []byte(claims), priv, "EdDSA")
	}
	ctx := context.Background()
	recent := make([]*bearer.AuthInfo, memoryCacheSize) // results of the last memoryCacheSize tokens
	var firstInfo *bearer.AuthInfo

	before := heapInUse()
	for i := range memoryTokens {
		info, err := v.Verify(ctx, mint(i))
		if err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if i == 0 {
			firstInfo = info
		}
		if j := i - (memoryTokens - memoryCacheSize); j >= 0 {
			recent[j] = info
		}
	}
	after := heapInUse()
	growth := int64(after) - int64(before)
	t.Logf("JWT verifier: %d tokens, cache size %d: heap in use grew by %d KiB; %d JWK Set fetches",
		memoryTokens, memoryCacheSize, growth>>10, jwks.hits.Load())
	if growth > memoryMaxGrowth {
		t.Errorf("heap grew by %d bytes over %d tokens, want < %d", growth, memoryTokens, memoryMaxGrowth)
	}

	// The last memoryCacheSize tokens are all cached: the verifier returns
	// the very AuthInfo it returned the first time.
	for j := range memoryCacheSize {
		i := memoryTokens - memoryCacheSize + j
		if info, err := v.Verify(ctx, mint(i)); err != nil || info != recent[j] {
			t.Fatalf("token %d of the last %d is not a cache hit (err %v)", i, memoryCacheSize, err)
		}
	}
	// The one before them was evicted: verified afresh, a new AuthInfo.
	i := memoryTokens - memoryCacheSize - 1
	if info, err := v.Verify(ctx, mint(i)); err != nil || info == nil || info.Subject != fmt.Sprintf("user-%d", i) {
		t.Fatalf("token %d: %v", i, err)
	}
	if info, err := v.Verify(ctx, mint(0)); err != nil || info == firstInfo {
		t.Fatalf("the first token is still cached after %d others (err %v): the cache is not bounded", memoryTokens, err)
	}
	runtime.KeepAlive(recent)
}

func TestMemoryUserinfoCacheBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes 50 000 tokens")
	}
	var hits atomic.Int64
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"sub":"user-%s","name":"%s","email":"u@example.com"}`, token, strings.Repeat("n", 64))
	}))
	defer endpoint.Close()
	v, err := bearer.NewUserinfoVerifier(atkIssuer, endpoint.URL+"/userinfo",
		bearer.WithCacheSize(memoryCacheSize), bearer.WithCacheTTL(time.Hour), bearer.WithProviderBudget(0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	token := func(i int) string { return fmt.Sprintf("opaque-%08d", i) }
	ctx := context.Background()

	before := heapInUse()
	for i := range memoryTokens {
		if _, err := v.Verify(ctx, token(i)); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	endpoint.Client().CloseIdleConnections()
	after := heapInUse()
	growth := int64(after) - int64(before)
	t.Logf("userinfo verifier: %d tokens, cache size %d: heap in use grew by %d KiB; %d endpoint requests",
		memoryTokens, memoryCacheSize, growth>>10, hits.Load())
	if growth > memoryMaxGrowth {
		t.Errorf("heap grew by %d bytes over %d tokens, want < %d", growth, memoryTokens, memoryMaxGrowth)
	}
	if n := hits.Load(); n != memoryTokens {
		t.Fatalf("%d endpoint requests for %d distinct tokens", n, memoryTokens)
	}

	// The last memoryCacheSize tokens are answered from the cache...
	for i := memoryTokens - memoryCacheSize; i < memoryTokens; i++ {
		if _, err := v.Verify(ctx, token(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load() - memoryTokens; n != 0 {
		t.Fatalf("%d requests for the last %d tokens, want 0 (cache hits)", n, memoryCacheSize)
	}
	// ...and the one before them was evicted.
	if _, err := v.Verify(ctx, token(memoryTokens-memoryCacheSize-1)); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load() - memoryTokens; n != 1 {
		t.Fatalf("%d requests for an old token, want 1: the cache kept more than %d entries", n, memoryCacheSize)
	}
}

// jwtCacheEntryTokens is how many distinct tokens TestMemoryJWTCacheEntry
// caches: enough for the per-entry figure to drown the heap's noise.
const jwtCacheEntryTokens = 20000

// TestMemoryJWTCacheEntry measures what one cached verification of an
// RFC 9068 access token (733 bytes: iss, sub, aud, exp, iat, jti,
// client_id and a 17-scope "scope") costs the heap: the cache entry and the
// AuthInfo with its claims (the raw token is not kept). The bound, the
// library's promise of at most 1 KiB per entry, is on the live objects;
// the spans in use, logged beside it, also count the free slots that the
// verifications' garbage left between them, which later allocations
// reuse. The figures are in BENCHMARKS.md.
func TestMemoryJWTCacheEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("caches 20 000 tokens")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := &atkKey{kid: "m1", priv: priv}
	jwks := newAtkCounter(t, "application/json", atkJSON(t, map[string]any{"keys": []any{atkJWK(t, key, "EdDSA")}}))
	v, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: atkIssuer, JWKSURI: jwks.URL}},
		bearer.WithCacheSize(jwtCacheEntryTokens))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	hdr := []byte(`{"alg":"EdDSA","kid":"m1","typ":"at+jwt"}`)
	now := time.Now()
	scope := "openid profile email offline_access read:tools write:tools read:resources " +
		"write:resources read:prompts subscribe:resources read:logs read:completions " +
		"admin:sessions read:notes write:notes read:calendar write:calendar"
	mint := func(i int) string {
		claims := fmt.Sprintf(`{"iss":%q,"sub":"u_8f3k2j5h6g%08d","aud":%q,"exp":%d,"iat":%d,"jti":"Xk4p9WmQ2rT7vB1nZ8cJ5y%010d","client_id":"m2m-agent-7x9c2v5b8n1q4w3e","scope":%q}`,
			atkIssuer, i, atkResource, now.Add(time.Hour).Unix(), now.Unix(), i, scope)
		return atkRaw(t, hdr, []byte(claims), priv, "EdDSA")
	}
	ctx := context.Background()
	if _, err := v.Verify(ctx, mint(-1)); err != nil { // the key set fetched before the count starts
		t.Fatal(err)
	}
	t.Logf("a token is %d bytes", len(mint(0)))
	before := heapStats()
	for i := range jwtCacheEntryTokens {
		if _, err := v.Verify(ctx, mint(i)); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	after := heapStats()
	perEntry := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / jwtCacheEntryTokens
	spans := (int64(after.HeapInuse) - int64(before.HeapInuse)) / jwtCacheEntryTokens
	t.Logf("JWT verifier: %d bytes of live heap objects per cached verification (%d bytes of heap spans in use, with the holes the verifications' garbage left)", perEntry, spans)
	if info, err := v.Verify(ctx, mint(0)); err != nil || info.Subject != "u_8f3k2j5h6g00000000" {
		t.Fatalf("token 0: %v", err)
	}
	if perEntry > 1024 {
		t.Errorf("a cached verification takes %d bytes of live heap; the promise is at most 1 KiB", perEntry)
	}
	runtime.KeepAlive(v)
}
