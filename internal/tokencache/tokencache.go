// Package tokencache remembers what verifying a bearer token proved, so that
// a token seen again is not sent to the authorization server again.
//
// Entries are keyed by the SHA-256 digest of the token: the token itself is
// never a map key, so it cannot leak through a map dump, and every key has
// the same small size. The cache is bounded in size (least recently used
// entries are evicted first) and in time (each entry carries its own expiry,
// checked on every read). Concurrent look-ups of one token that miss are
// coalesced into a single load.
package tokencache

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// key is the SHA-256 digest of a token.
type key = [sha256.Size]byte

// entry is one cached value, linked into the recency list.
type entry[V any] struct {
	key        key
	val        V
	expires    time.Time
	prev, next *entry[V]
}

// Cache maps tokens, by digest, to values with an expiry. It is safe for
// concurrent use. The zero value is not usable: create caches with [New].
type Cache[V any] struct {
	now   func() time.Time
	max   int
	group singleflight.Group
	// onWait, if set (by tests), is called when a Load call starts waiting
	// for a shared load.
	onWait func()

	mu    sync.Mutex
	items map[key]*entry[V]
	// root is the sentinel of a circular doubly linked list ordered by
	// recency: root.next is the most recently used entry, root.prev the
	// least. An intrusive list avoids container/list's interface boxing.
	root entry[V]
}

// New returns a cache holding at most maxEntries values; maxEntries < 1
// gives a cache that stores nothing but still coalesces [Cache.Load] calls.
// now is the clock used for expiry; nil means time.Now.
func New[V any](maxEntries int, now func() time.Time) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	if maxEntries < 0 {
		maxEntries = 0
	}
	c := &Cache[V]{now: now, max: maxEntries, items: make(map[key]*entry[V])}
	c.root.next, c.root.prev = &c.root, &c.root
	return c
}

// Digest is the cache key of token, its SHA-256. Callers that look up and
// then store one token compute it once and use [Cache.GetDigest] and
// [Cache.SetDigest].
//
// The token is hashed through a small buffer on the stack: []byte(token)
// would copy it to the heap on every request (a 733-byte token: 768 bytes,
// 25 % slower), and a view of the string's bytes through package unsafe is
// not something to do with network input. The hash state stays on the stack
// too (BenchmarkDigest: no allocation).
func Digest(token string) (sum [sha256.Size]byte) {
	h := sha256.New()
	var chunk [512]byte
	for len(token) > 0 {
		n := copy(chunk[:], token)
		h.Write(chunk[:n])
		token = token[n:]
	}
	h.Sum(sum[:0])
	return sum
}

// Get returns the value cached for token, if there is one that has not
// expired. An expired entry is removed.
func (c *Cache[V]) Get(token string) (V, bool) {
	return c.GetDigest(Digest(token))
}

// GetDigest is [Cache.Get] for a token's [Digest].
func (c *Cache[V]) GetDigest(k [sha256.Size]byte) (V, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	if !now.Before(e.expires) {
		c.remove(e)
		var zero V
		return zero, false
	}
	c.moveToFront(e)
	return e.val, true
}

// Set caches v for token until expires, replacing any earlier value. It does
// nothing if expires is not in the future or the cache holds nothing. When
// the cache is full the least recently used entry is evicted.
func (c *Cache[V]) Set(token string, v V, expires time.Time) {
	c.SetDigest(Digest(token), v, expires)
}

// SetDigest is [Cache.Set] for a token's [Digest].
func (c *Cache[V]) SetDigest(k [sha256.Size]byte, v V, expires time.Time) {
	if c.max == 0 || !expires.After(c.now()) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.val, e.expires = v, expires
		c.moveToFront(e)
		return
	}
	e := &entry[V]{key: k, val: v, expires: expires}
	c.items[k] = e
	c.pushFront(e)
	for len(c.items) > c.max {
		c.remove(c.root.prev)
	}
}

// Load returns the value cached for token or, on a miss, calls load and
// caches what it returns until the expiry it returns. Concurrent calls for
// one token share a single call of load; an error is returned to all of
// them and is not cached.
//
// load runs with a context that keeps ctx's values but not its cancellation,
// so that one caller giving up does not fail the others; load must bound its
// own duration (a request timeout, say). A caller whose ctx ends while it
// waits gets ctx.Err() at once, and the load runs on for the others. Load
// starts no goroutine that outlives load itself. load must not panic: the
// shared call runs on its own goroutine, where a panic cannot be recovered.
func (c *Cache[V]) Load(ctx context.Context, token string, load func(ctx context.Context) (V, time.Time, error)) (V, error) {
	return c.LoadDigest(ctx, Digest(token), load)
}

// LoadDigest is [Cache.Load] for a token's [Digest].
func (c *Cache[V]) LoadDigest(ctx context.Context, k [sha256.Size]byte, load func(ctx context.Context) (V, time.Time, error)) (V, error) {
	if v, ok := c.GetDigest(k); ok {
		return v, nil
	}
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	shared := context.WithoutCancel(ctx)
	ch := c.group.DoChan(string(k[:]), func() (any, error) {
		// A flight that finished just before this one started may
		// have filled the cache.
		if v, ok := c.GetDigest(k); ok {
			return v, nil
		}
		v, expires, err := load(shared)
		if err != nil {
			return nil, err
		}
		c.SetDigest(k, v, expires)
		return v, nil
	})
	if c.onWait != nil {
		c.onWait()
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		v, _ := r.Val.(V) // a nil interface V comes back as a nil any
		return v, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Len returns the number of entries held, counting expired entries that
// have not been evicted yet.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache[V]) pushFront(e *entry[V]) {
	e.prev, e.next = &c.root, c.root.next
	c.root.next.prev = e
	c.root.next = e
}

func (c *Cache[V]) unlink(e *entry[V]) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *Cache[V]) moveToFront(e *entry[V]) {
	if c.root.next == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

func (c *Cache[V]) remove(e *entry[V]) {
	c.unlink(e)
	delete(c.items, e.key)
}
