package mcphttp

import (
	"container/list"
	"sync"
	"time"
)

// sessionStore maps session ids to their owners, bounded in size (least
// recently used first out) and in idle time. Expired entries are dropped
// lazily, when met, so the store needs no goroutine and no Close.
type sessionStore struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List               // of *sessionEntry; front = most recently used
	byID  map[string]*list.Element // session id -> element of order
}

type sessionEntry struct {
	id, owner string
	lastUsed  time.Time
}

func newSessionStore(max int, ttl time.Duration, now func() time.Time) *sessionStore {
	return &sessionStore{max: max, ttl: ttl, now: now, order: list.New(), byID: make(map[string]*list.Element)}
}

// bind records owner as the owner of id, or marks the binding used if it
// already exists. It reports false, and changes nothing, when id is bound
// to another owner.
func (s *sessionStore) bind(id, owner string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if el, ok := s.byID[id]; ok && !s.expired(el, now) {
		e := el.Value.(*sessionEntry)
		if e.owner != owner {
			return false
		}
		e.lastUsed = now
		s.order.MoveToFront(el)
		return true
	}
	s.dropExpired(now)
	for s.order.Len() >= s.max {
		s.removeElement(s.order.Back())
	}
	s.byID[id] = s.order.PushFront(&sessionEntry{id: id, owner: owner, lastUsed: now})
	return true
}

// lookupResult is what the store knows of a session id for a caller.
type lookupResult int

const (
	sessionUnknown lookupResult = iota // never bound, removed, evicted or idled out
	sessionForeign                     // bound to another owner
	sessionOwned                       // bound to this owner
)

// lookup tells whether id is bound to owner. Only the owner's use counts as
// use: another caller's attempts do not keep a session alive.
func (s *sessionStore) lookup(id, owner string) lookupResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, found := s.byID[id]
	if !found {
		return sessionUnknown
	}
	now := s.now()
	if s.expired(el, now) {
		s.removeElement(el)
		return sessionUnknown
	}
	e := el.Value.(*sessionEntry)
	if e.owner != owner {
		return sessionForeign
	}
	e.lastUsed = now
	s.order.MoveToFront(el)
	return sessionOwned
}

// remove forgets id if owner owns it.
func (s *sessionStore) remove(id, owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byID[id]; ok && el.Value.(*sessionEntry).owner == owner {
		s.removeElement(el)
	}
}

func (s *sessionStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

func (s *sessionStore) expired(el *list.Element, now time.Time) bool {
	return now.Sub(el.Value.(*sessionEntry).lastUsed) > s.ttl
}

// dropExpired removes idle entries from the back (the least recently used
// end), stopping at the first live one.
func (s *sessionStore) dropExpired(now time.Time) {
	for el := s.order.Back(); el != nil && s.expired(el, now); el = s.order.Back() {
		s.removeElement(el)
	}
}

func (s *sessionStore) removeElement(el *list.Element) {
	s.order.Remove(el)
	delete(s.byID, el.Value.(*sessionEntry).id)
}
