package bearer

import (
	"strings"
	"sync"
	"unique"
)

// A cached verification should cost little memory, since a busy server
// keeps thousands of them (see TestMemoryJWTCacheEntry and BENCHMARKS.md).
// The tokens of one issuer repeat most of what they hold: every claim name,
// "iss", "aud", "client_id", "scope". So before a verified token's
// AuthInfo enters the cache, its strings are replaced by canonical copies
// (package unique) that every cached token holding the same string shares,
// and its Audience and Scopes lists by lists shared with the tokens that
// grant the same ones. What differs from token to token ("sub", "jti", the
// dates) stays its own: interning a string nobody shares would cost more
// than the string. All this happens only after the signature is checked, so
// a flood of forged tokens reaches neither package unique nor the lists.

// perTokenClaims are the claims whose values are (nearly) unique to each
// token, and so not interned.
var perTokenClaims = map[string]bool{"sub": true, "jti": true, "sid": true, "nonce": true, "at_hash": true}

// maxSharedLists bounds the lists a verifier shares: past it, a token's
// lists stay its own, so that tokens with ever new scope sets cannot grow
// the verifier without bound.
const maxSharedLists = 1024

// sharedLists hands out one copy of each Audience and Scopes list, shared
// by every cached AuthInfo that holds it (AuthInfo values are read-only).
type sharedLists struct {
	mu    sync.Mutex
	lists map[string][]string // by the list's members joined with NUL
}

// get returns the shared copy of list, or list when the bound is reached.
func (s *sharedLists) get(list []string) []string {
	if len(list) == 0 {
		return list
	}
	key := strings.Join(list, "\x00")
	s.mu.Lock()
	defer s.mu.Unlock()
	if shared, ok := s.lists[key]; ok {
		return shared
	}
	if len(s.lists) >= maxSharedLists {
		return list
	}
	if s.lists == nil {
		s.lists = make(map[string][]string)
	}
	shared := make([]string, len(list))
	for i, m := range list {
		shared[i] = canonical(m)
	}
	s.lists[key] = shared
	return shared
}

// compactForCache rebuilds info over canonical strings and shared lists, in
// place: info is the verifier's own, not yet shared with anybody. It
// returns info.
func (s *sharedLists) compactForCache(info *AuthInfo) *AuthInfo {
	claims := make(map[string]any, len(info.Claims))
	for name, v := range info.Claims {
		if !perTokenClaims[name] {
			v = canonicalValue(v)
		}
		claims[canonical(name)] = v
	}
	info.Issuer = canonical(info.Issuer)
	info.ClientID = canonical(info.ClientID)
	info.Audience = s.get(info.Audience)
	info.Scopes = s.get(info.Scopes)
	info.Claims = claims
	info.Identity = identityFromClaims(claims, "token")
	return info
}

func canonical(s string) string { return unique.Make(s).Value() }

// canonicalValue canonicalises a string, or the strings of an array.
func canonicalValue(v any) any {
	switch v := v.(type) {
	case string:
		return canonical(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = canonicalValue(e)
		}
		return out
	default:
		return v
	}
}
