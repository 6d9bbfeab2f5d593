package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
)

// injection is one way the provider misbehaves: a per-path fault, or the
// whole proxy down (connection refused).
type injection struct {
	name  string
	fault Fault
	down  bool
}

func (in injection) apply(t *testing.T, p *Proxy, path string) {
	t.Helper()
	if in.down {
		if err := p.SetDown(true); err != nil {
			t.Fatal(err)
		}
		return
	}
	p.Set(path, in.fault)
}

func (in injection) heal(t *testing.T, p *Proxy, path string) {
	t.Helper()
	if in.down {
		if err := p.SetDown(false); err != nil {
			t.Fatal(err)
		}
		return
	}
	p.Set(path, Pass)
}

// callsPerRequest is how many requests one look-up makes at the proxy.
func (in injection) callsPerRequest() int {
	if in.down {
		return 0
	}
	return 1
}

var injections = []injection{
	{name: "down", down: true},
	{name: "500", fault: Status500},
	{name: "502", fault: Status502},
	{name: "503", fault: Status503},
	{name: "429", fault: Status429},
	{name: "slow", fault: Slow},
	{name: "slow-body", fault: SlowBody},
	{name: "hang", fault: Hang},
	{name: "reset", fault: Reset},
	{name: "truncated", fault: Truncated},
	{name: "invalid-json", fault: InvalidJSON},
	{name: "wrong-content-type", fault: WrongContentType},
	{name: "oversize", fault: Oversize},
}

// discoveryWant is the category config.FetchByWellKnownURL documents for
// each fault: ErrProviderUnavailable for outages (no answer, 5xx, timeouts),
// ErrNotFound for an answer that is not a metadata document (4xx, not
// JSON, over 1 MiB).
var discoveryWant = map[string]error{
	"down": config.ErrProviderUnavailable, "500": config.ErrProviderUnavailable, "502": config.ErrProviderUnavailable,
	"503": config.ErrProviderUnavailable, "slow": config.ErrProviderUnavailable, "hang": config.ErrProviderUnavailable,
	"reset": config.ErrProviderUnavailable, "slow-body": config.ErrProviderUnavailable, "truncated": config.ErrProviderUnavailable,
	"429": config.ErrProviderUnavailable, "invalid-json": config.ErrNotFound,
	"wrong-content-type": config.ErrNotFound, "oversize": config.ErrNotFound,
}

// row is one line of the fault table the matrix logs.
type row struct {
	call     call
	fault    string
	outcome  string        // status (or discovery category) of the first faulted request
	upstream string        // proxy arrivals per faulted request
	latency  time.Duration // of the first faulted request
}

type table struct {
	mu   sync.Mutex
	rows []row
}

func (tb *table) add(r row) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.rows = append(tb.rows, r)
}

func (tb *table) log(t *testing.T) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %-19s %-16s %-9s %s\n", "call", "fault", "outcome", "upstream", "latency")
	for _, r := range tb.rows {
		fmt.Fprintf(&b, "%-14s %-19s %-16s %-9s %v\n", r.call, r.fault, r.outcome, r.upstream, r.latency.Round(time.Millisecond))
	}
	t.Logf("fault table (latency is a measurement, not an assertion):\n%s", b.String())
}

// TestProviderFaults runs every fault against every remote call, with each
// real provider: the Go development issuer always, oidc-provider when node
// is installed.
func TestProviderFaults(t *testing.T) {
	forEachProvider(t, func(t *testing.T, u *upstream) {
		var tb table
		defer tb.log(t)
		for _, c := range allCalls {
			for _, in := range injections {
				t.Run(string(c)+"/"+in.name, func(t *testing.T) {
					base := goroutineBaseline()
					p := newProxy(t, u)
					client := newClient()
					r := runFault(t, u, p, client, c, in)
					r.call, r.fault = c, in.name
					tb.add(r)
					p.Close()
					client.CloseIdleConnections()
					checkGoroutines(t, base)
				})
			}
		}
	})
}

// runFault injects in on call c and checks the refusal, that failures are
// not cached, and the recovery.
func runFault(t *testing.T, u *upstream, p *Proxy, client *http.Client, c call, in injection) row {
	path := u.paths[c]
	switch c {
	case callUserinfo, callIntrospection:
		var v bearer.Verifier
		var err error
		if c == callUserinfo {
			v, err = bearer.NewUserinfoVerifier(u.issuer, u.proxyURL(p, c), bearer.WithHTTPClient(client))
		} else {
			v, err = bearer.NewIntrospectionVerifier(u.issuer, u.proxyURL(p, c), u.creds, bearer.WithHTTPClient(client))
		}
		if err != nil {
			t.Fatal(err)
		}
		h := protect(t, v)
		in.apply(t, p, path)
		n0 := p.Count(path)
		first := do(t, h, u.opaque)
		check503(t, first, u.opaque)
		n1 := p.Count(path)
		if got := n1 - n0; got != in.callsPerRequest() {
			t.Errorf("first faulted request: %d upstream calls, want %d", got, in.callsPerRequest())
		}
		// The failure is not cached: the next request asks again.
		check503(t, do(t, h, u.opaque), u.opaque)
		if got := p.Count(path) - n1; got != in.callsPerRequest() {
			t.Errorf("second faulted request: %d upstream calls, want %d (failures must not be cached)", got, in.callsPerRequest())
		}
		in.heal(t, p, path)
		check200(t, do(t, h, u.opaque))
		logLatency(t, in, first.latency)
		return row{outcome: fmt.Sprint(first.status), upstream: fmt.Sprint(n1 - n0), latency: first.latency}

	case callJWKS:
		issuers := []bearer.TrustedIssuer{{Issuer: u.issuer, JWKSURI: u.proxyURL(p, c)}}
		in.apply(t, p, path)
		// Eager construction fails with a provider error naming the URL.
		ctx, cancel := context.WithTimeout(context.Background(), requestBound)
		_, err := bearer.NewJWTVerifier(ctx, issuers, bearer.WithHTTPClient(client))
		if ctx.Err() != nil {
			t.Errorf("NewJWTVerifier still running at the test's bound")
		}
		cancel()
		if !errors.Is(err, bearer.ErrProviderUnavailable) {
			t.Errorf("NewJWTVerifier: %v, want ErrProviderUnavailable", err)
		} else if !strings.Contains(err.Error(), u.proxyURL(p, c)) {
			t.Errorf("NewJWTVerifier error does not name the JWKS URL: %v", err)
		}
		// Lazy keys: 503 until the keys can be fetched.
		var clk clock
		v, err := bearer.NewJWTVerifier(context.Background(), issuers, bearer.WithLazyKeys(),
			bearer.WithHTTPClient(client), bearer.WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		h := protect(t, v, bearer.WithAudience(resource))
		n0 := p.Count(path)
		first := do(t, h, u.jwt)
		check503(t, first, u.jwt)
		n1 := p.Count(path)
		if got := n1 - n0; got != in.callsPerRequest() {
			t.Errorf("first faulted request: %d JWKS fetches, want %d", got, in.callsPerRequest())
		}
		// Within the minimum refresh interval no fetch is made (intended:
		// the rate limit protects the provider); still 503, never 401.
		check503(t, do(t, h, u.jwt), u.jwt)
		if got := p.Count(path) - n1; got != 0 {
			t.Errorf("request within the minimum interval: %d JWKS fetches, want 0", got)
		}
		// Past the interval the failure is not remembered: a new fetch.
		clk.Advance(bearer.DefaultMinRefreshInterval + time.Second)
		n2 := p.Count(path)
		check503(t, do(t, h, u.jwt), u.jwt)
		if got := p.Count(path) - n2; got != in.callsPerRequest() {
			t.Errorf("request after the interval: %d JWKS fetches, want %d", got, in.callsPerRequest())
		}
		in.heal(t, p, path)
		clk.Advance(bearer.DefaultMinRefreshInterval + time.Second)
		check200(t, do(t, h, u.jwt))
		logLatency(t, in, first.latency)
		if err := v.Close(); err != nil {
			t.Error(err)
		}
		return row{outcome: fmt.Sprint(first.status), upstream: fmt.Sprint(n1 - n0), latency: first.latency}

	case callDiscovery:
		wellKnown := u.proxyURL(p, c)
		fetch := func() (*config.ServerConfig, time.Duration, error) {
			ctx, cancel := context.WithTimeout(context.Background(), requestBound)
			defer cancel()
			start := time.Now()
			cfg, err := config.FetchByWellKnownURL(ctx, wellKnown, config.OIDC,
				config.WithExpectedIssuer(u.issuer), config.WithHTTPClient(client))
			if ctx.Err() != nil {
				t.Errorf("discovery still running at the test's bound")
			}
			return cfg, time.Since(start), err
		}
		want := discoveryWant[in.name]
		checkCategory := func(err error) {
			t.Helper()
			switch {
			case err == nil:
				t.Errorf("discovery succeeded under fault %s", in.name)
			case !errors.Is(err, want):
				t.Errorf("discovery error %v; want category %v", err, want)
			case !strings.Contains(err.Error(), wellKnown):
				t.Errorf("discovery error does not name the URL: %v", err)
			}
		}
		in.apply(t, p, path)
		n0 := p.Count(path)
		_, latency, err := fetch()
		n1 := p.Count(path)
		outcome := category(err)
		checkCategory(err)
		if got := n1 - n0; got != in.callsPerRequest() {
			t.Errorf("discovery: %d upstream calls, want %d", got, in.callsPerRequest())
		}
		_, _, err = fetch()
		checkCategory(err)
		if got := p.Count(path) - n1; got != in.callsPerRequest() {
			t.Errorf("second discovery: %d upstream calls, want %d", got, in.callsPerRequest())
		}
		in.heal(t, p, path)
		cfg, _, err := fetch()
		if err != nil {
			t.Errorf("discovery after recovery: %v", err)
		} else if cfg.Metadata.Issuer != u.issuer {
			t.Errorf("discovery after recovery: issuer %q, want %q", cfg.Metadata.Issuer, u.issuer)
		}
		logLatency(t, in, latency)
		return row{outcome: outcome, upstream: fmt.Sprint(n1 - n0), latency: latency}
	}
	t.Fatalf("unknown call %s", c)
	return row{}
}

// logLatency reports how long a refusal took under a timing fault.
func logLatency(t *testing.T, in injection, d time.Duration) {
	switch in.fault {
	case Slow, SlowBody, Hang:
		t.Logf("%s: refused after %v (client timeout %v)", in.name, d.Round(time.Millisecond), clientTimeout)
	}
}

// category names the discovery error's category.
func category(err error) string {
	for _, c := range []struct {
		name string
		err  error
	}{{"ErrProviderUnavailable", config.ErrProviderUnavailable}, {"ErrNotFound", config.ErrNotFound},
		{"ErrIssuerMismatch", config.ErrIssuerMismatch}, {"ErrInvalidMetadata", config.ErrInvalidMetadata}} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	if err == nil {
		return "ok"
	}
	return "other"
}
