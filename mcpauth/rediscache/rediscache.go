// Package rediscache is a [bearer.SharedCache] on Redis, so that the
// replicas of an MCP server ask the authorization server about a token
// once, not once per replica:
//
//	client := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	shared := rediscache.New(client)
//	verifier, _ := auth.IntrospectionVerifier(creds, bearer.WithSharedCache(shared))
//
// Keys and values come sealed from the verifier (see [bearer.WithSharedCache]):
// Redis holds digests and ciphertexts, never a token or a claim in clear.
// Entries are written with SET ... PX, so Redis expires them. A Redis that
// is down or slow fails no request: the verifier goes on with its local
// cache and counts the failure.
//
// # Why go-redis
//
// The client is github.com/redis/go-redis/v9, chosen against
// github.com/redis/rueidis by measurement (BenchmarkSharedCacheClient in the
// repository's bench module, on a real redis-server; figures in
// BENCHMARKS.md): one call at a time, the two cost the same, a loopback
// round trip; with many concurrent calls rueidis pipelines them and does
// about twice the calls per second, with fewer allocations. A replica asks
// the shared cache only when its local cache misses, once per token, so
// that difference is on no request's hot path, while [redis.Cmdable] takes
// the client a deployment already has configured (a single node, a cluster,
// a Sentinel failover, a ring, TLS, credentials). Any other client fits
// [bearer.SharedCache], two methods.
package rediscache

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcp-auth/go/bearer"
)

// Cache is a [bearer.SharedCache] on a Redis client (a single node, a
// cluster or a failover client: anything [redis.Cmdable]).
type Cache struct {
	client redis.Cmdable
}

var _ bearer.SharedCache = (*Cache)(nil)

// New returns a shared cache on client. The client's own timeouts and
// pool apply; the verifier bounds each call further (250 ms).
func New(client redis.Cmdable) *Cache { return &Cache{client: client} }

// Get returns the value stored under key, or nil and no error when there is
// none.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := c.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return v, err
}

// Set stores value under key for ttl (rounded up to a millisecond, Redis's
// resolution).
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	return c.client.Set(ctx, key, value, ttl).Err()
}
