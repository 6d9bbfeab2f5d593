package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/rediscache"
	"github.com/mcp-auth/go/mcpauth/rediscache/redistest"
)

// rueidisCache is the same bearer.SharedCache as rediscache.Cache, on
// github.com/redis/rueidis instead of go-redis: the candidate the Redis
// module's client was chosen against.
type rueidisCache struct{ c rueidis.Client }

func (r rueidisCache) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.c.Do(ctx, r.c.B().Get().Key(key).Build()).AsBytes()
	if rueidis.IsRedisNil(err) {
		return nil, nil
	}
	return v, err
}

func (r rueidisCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.c.Do(ctx, r.c.B().Set().Key(key).Value(rueidis.BinaryString(value)).Px(max(ttl, time.Millisecond)).Build()).Error()
}

// BenchmarkSharedCacheClient measures the two Redis clients as the shared
// cache uses them, on one real redis-server over loopback: a hit (GET of a
// sealed entry of a typical size), a miss, and a SET with expiry; serial
// (one request at a time, a replica's usual case: the local cache answers
// most requests) and parallel (many goroutines, where rueidis pipelines
// automatically). Run it at -cpu 1,2:
//
//	cd bench && go test -run '^$' -bench SharedCacheClient -benchmem -count 3 -cpu 1,2
func BenchmarkSharedCacheClient(b *testing.B) {
	addr := redistest.Start(b)
	goredis := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { goredis.Close() })
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(rc.Close)
	clients := []struct {
		name  string
		cache bearer.SharedCache
	}{
		{"go-redis", rediscache.New(goredis)},
		{"rueidis", rueidisCache{rc}},
	}
	ctx := context.Background()
	value := make([]byte, 600) // a sealed identity: claims of an RFC 9068 token, nonce and tag
	rand.Read(value)
	const key = "mcpauth:v1:userinfo:bench-hit"
	if err := clients[0].cache.Set(ctx, key, value, time.Hour); err != nil {
		b.Fatal(err)
	}
	ops := []struct {
		name string
		do   func(c bearer.SharedCache, i int) error
	}{
		{"hit", func(c bearer.SharedCache, _ int) error {
			v, err := c.Get(ctx, key)
			if err == nil && len(v) != len(value) {
				err = fmt.Errorf("got %d bytes", len(v))
			}
			return err
		}},
		{"miss", func(c bearer.SharedCache, _ int) error {
			v, err := c.Get(ctx, "mcpauth:v1:userinfo:bench-absent")
			if err == nil && v != nil {
				err = fmt.Errorf("got %d bytes for an absent key", len(v))
			}
			return err
		}},
		{"set", func(c bearer.SharedCache, i int) error {
			return c.Set(ctx, fmt.Sprint("mcpauth:v1:userinfo:bench-", i%1024), value, time.Minute)
		}},
	}
	for _, op := range ops {
		for _, c := range clients {
			b.Run(op.name+"/serial/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if err := op.do(c.cache, i); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run(op.name+"/parallel/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						if err := op.do(c.cache, i); err != nil {
							b.Error(err)
							return
						}
						i++
					}
				})
			})
		}
	}
}
