package bearer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// A burst of distinct random opaque tokens costs the provider at most the
// budget's burst of calls (the clock does not move, so nothing refills);
// past it they get 503 without a call, and a token verified before keeps
// being served from the cache.
func TestProviderBudgetBoundsAFlood(t *testing.T) {
	const burst, flood = 20, 500
	clk := uiNewClock()
	p := uiNewProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("Authorization"), "good") {
			uiJSON(200, `{"sub":"alice"}`)(w, r)
			return
		}
		uiJSON(401, `{"error":"invalid_token"}`)(w, r)
	})
	v := uiNew(t, p, WithClock(clk.Now), WithProviderBudget(1, burst, 4))
	ctx := context.Background()
	if _, err := v.Verify(ctx, "token-good"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused, unavailable := 0, 0
	for i := range flood {
		wg.Go(func() {
			_, err := v.Verify(ctx, fmt.Sprintf("random-%d", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrInvalidToken):
				refused++
			case errors.Is(err, ErrProviderUnavailable):
				unavailable++
				var e *Error
				if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || !errors.Is(err, errBudget) {
					t.Errorf("a token past the budget: %v, want 503 for want of budget", err)
				}
			default:
				t.Errorf("token %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	calls := p.requests.Load() - 1 // the good token's
	t.Logf("%d distinct tokens: %d provider calls (budget: burst %d), %d refused, %d answered 503", flood, calls, burst, refused, unavailable)
	if calls > burst {
		t.Errorf("%d provider calls for the flood, want at most the burst of %d", calls, burst)
	}
	if int32(refused) != calls || refused+unavailable != flood {
		t.Errorf("%d refused and %d unavailable for %d calls and %d tokens", refused, unavailable, calls, flood)
	}
	for range 100 {
		if info, err := v.Verify(ctx, "token-good"); err != nil || info.Subject != "alice" {
			t.Fatalf("the known good token during the flood: %v", err)
		}
	}
	if n := p.requests.Load() - 1; n != calls {
		t.Errorf("the good token cost %d more calls, want 0", n-calls)
	}
	// The budget refills with time; a refused token is remembered.
	clk.Advance(time.Second)
	if _, err := v.Verify(ctx, "token-new-good"); err != nil {
		t.Errorf("a new token after the budget refilled: %v", err)
	}
}

// One bad token hammered costs one provider call per WithRefusalTTL.
func TestRefusalRemembered(t *testing.T) {
	clk := uiNewClock()
	p := uiNewProvider(t, uiJSON(401, `{"error":"invalid_token"}`))
	v := uiNew(t, p, WithClock(clk.Now))
	for range 1000 {
		if _, err := v.Verify(t.Context(), uiToken); !errors.Is(err, ErrInvalidToken) {
			t.Fatal(err)
		}
	}
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("1000 requests with one refused token: %d provider calls, want 1", n)
	}
	clk.Advance(DefaultRefusalTTL)
	if _, err := v.Verify(t.Context(), uiToken); !errors.Is(err, ErrInvalidToken) {
		t.Fatal(err)
	}
	if n := p.requests.Load(); n != 2 {
		t.Fatalf("after the refusal TTL: %d provider calls, want 2", n)
	}
}

func TestProviderBudgetOptions(t *testing.T) {
	for _, o := range []Option{
		WithProviderBudget(-1, 1, 1), WithProviderBudget(1, 0, 1), WithProviderBudget(1, 1, 0),
		WithRefusalTTL(-time.Second), WithRefusalTTL(2 * time.Minute),
	} {
		if _, err := NewUserinfoVerifier("https://as.example.com", "https://as.example.com/userinfo", o); !errors.Is(err, ErrMisconfigured) {
			t.Errorf("%s: %v, want ErrMisconfigured", o.name, err)
		}
	}
	if _, err := NewJWTVerifier(t.Context(), nil, WithRefusalTTL(time.Second)); !errors.Is(err, ErrMisconfigured) {
		t.Errorf("WithRefusalTTL on the JWT verifier: %v, want ErrMisconfigured", err)
	}
}
