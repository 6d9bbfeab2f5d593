package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/internal/tokencache"
)

// Should the verified-token cache stay the library's internal/tokencache (an
// LRU with per-entry expiry under one mutex, plus singleflight) or become
// github.com/maypok86/otter/v2 (W-TinyLFU, lock-free reads, per-entry
// expiry, coalesced loads)?
//
//	cd bench && go test -run '^$' -bench 'TokenCache' -benchmem -cpu 1,2 -count 5
//
// BenchmarkTokenCache/hit/{impl}: look-ups that hit, from every P at once
// (b.RunParallel), on a warm cache of 10 000 entries keyed by SHA-256
// digests, as the verifiers key it.
// BenchmarkTokenCache/mixed/{impl}: nine look-ups of 8 000 hot tokens for one
// of a token never seen, which misses and is stored (evicting); a hot token
// that misses is stored again, as a verifier would after verifying it anew.
// The hot-hits metric is the share of hot look-ups that hit: every miss is a
// signature check (tens of microseconds) that a better policy saves.
// BenchmarkTokenCacheMemory/{impl}: the heap a cache of 100 000 entries
// holds per entry (B/entry), the values all pointing to one AuthInfo (that
// is the verifier's, whatever the cache); its ns/op is meaningless.

const (
	cacheSize  = 10_000
	cacheTTL   = 5 * time.Minute
	hotTokens  = 8_000
	coldTokens = 1 << 18
)

// digest is a cache key: the SHA-256 of a token.
type digest = [sha256.Size]byte

// tokenCache is the part of a verified-token cache a verifier uses.
type tokenCache interface {
	Get(k digest) (*bearer.AuthInfo, bool)
	Set(k digest, v *bearer.AuthInfo, expires time.Time)
	Close()
}

// libraryCache is the library's own cache.
type libraryCache struct {
	c *tokencache.Cache[*bearer.AuthInfo]
}

func (l libraryCache) Get(k digest) (*bearer.AuthInfo, bool) { return l.c.GetDigest(k) }
func (l libraryCache) Set(k digest, v *bearer.AuthInfo, expires time.Time) {
	l.c.SetDigest(k, v, expires)
}
func (libraryCache) Close() {}

// otterCache is otter/v2 with a variable expiry per entry: the stored value
// carries its deadline, and the expiry calculator turns it into the entry's
// lifetime on every write.
type otterCache struct {
	c *otter.Cache[digest, otterEntry]
}

type otterEntry struct {
	info    *bearer.AuthInfo
	expires time.Time
}

func newOtter(size int) otterCache {
	return otterCache{otter.Must(&otter.Options[digest, otterEntry]{
		MaximumSize: size,
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[digest, otterEntry]) time.Duration {
			return time.Until(e.Value.expires)
		}),
	})}
}

func (o otterCache) Get(k digest) (*bearer.AuthInfo, bool) {
	e, ok := o.c.GetIfPresent(k)
	return e.info, ok
}
func (o otterCache) Set(k digest, v *bearer.AuthInfo, expires time.Time) {
	o.c.Set(k, otterEntry{v, expires})
}
func (o otterCache) Close() { o.c.StopAllGoroutines() }

var cacheImpls = []struct {
	name string
	new  func(size int) tokenCache
}{
	{"tokencache", func(size int) tokenCache { return libraryCache{tokencache.New[*bearer.AuthInfo](size, nil)} }},
	{"otter", func(size int) tokenCache { return newOtter(size) }},
}

// digests returns n distinct keys, the SHA-256 of a counter from base (a
// real token's digest is no different to a cache).
func digests(base, n int) []digest {
	out := make([]digest, n)
	var b [8]byte
	for i := range out {
		binary.BigEndian.PutUint64(b[:], uint64(base+i))
		out[i] = sha256.Sum256(b[:])
	}
	return out
}

func sampleInfo() *bearer.AuthInfo {
	now := time.Now()
	c := Claims(now, time.Hour, nil)
	return &bearer.AuthInfo{Issuer: Issuer, Subject: c["sub"].(string), ClientID: ClientID,
		Audience: []string{Resource}, Scopes: []string{Scope}, ExpiresAt: now.Add(time.Hour), Claims: c}
}

func BenchmarkTokenCache(b *testing.B) {
	info := sampleInfo()
	hot := digests(0, cacheSize)
	cold := digests(cacheSize, coldTokens)
	for _, im := range cacheImpls {
		b.Run("hit/"+im.name, func(b *testing.B) {
			c := im.new(cacheSize)
			defer c.Close()
			exp := time.Now().Add(cacheTTL)
			for _, k := range hot {
				c.Set(k, info, exp)
			}
			var misses atomic.Int64
			var seed atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(seed.Add(7919)) // each goroutine its own walk
				for pb.Next() {
					if _, ok := c.Get(hot[i%len(hot)]); !ok {
						misses.Add(1)
					}
					i += 31
				}
			})
			if m := misses.Load(); m != 0 {
				b.Fatalf("%d misses on a warm cache", m)
			}
		})
		b.Run("mixed/"+im.name, func(b *testing.B) {
			c := im.new(cacheSize)
			defer c.Close()
			exp := time.Now().Add(cacheTTL)
			for _, k := range hot[:hotTokens] {
				c.Set(k, info, exp)
			}
			var hotHits, hotTotal atomic.Int64
			var next, seed atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(seed.Add(7919))
				var h, n int64
				for pb.Next() {
					i++
					if i%10 != 0 {
						k := hot[(i*31)%hotTokens]
						if _, ok := c.Get(k); ok {
							h++
						} else {
							c.Set(k, info, exp) // verified again, as a verifier would
						}
						n++
						continue
					}
					k := cold[int(next.Add(1))%len(cold)]
					if _, ok := c.Get(k); !ok {
						c.Set(k, info, exp)
					}
				}
				hotHits.Add(h)
				hotTotal.Add(n)
			})
			b.ReportMetric(float64(hotHits.Load())/float64(max(hotTotal.Load(), 1)), "hot-hits")
		})
	}
}

func BenchmarkTokenCacheMemory(b *testing.B) {
	const n = 100_000
	info := sampleInfo()
	keys := digests(0, n)
	for _, im := range cacheImpls {
		b.Run(im.name, func(b *testing.B) {
			var perEntry float64
			runs := 0
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				c := im.new(n)
				exp := time.Now().Add(cacheTTL)
				for _, k := range keys {
					c.Set(k, info, exp)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				held := 0
				for _, k := range keys {
					if _, ok := c.Get(k); ok {
						held++
					}
				}
				runtime.KeepAlive(c)
				c.Close()
				perEntry += float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(max(held, 1))
				runs++
			}
			b.ReportMetric(perEntry/float64(runs), "B/entry")
		})
	}
}
