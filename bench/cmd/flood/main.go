// Command flood is the load-and-memory run of SECURITY.md: it serves a
// protected handler (the bearer middleware with a userinfo or JWT verifier
// against a counting provider on loopback) and drives it with valid, invalid
// and never-repeating tokens, reporting requests/s, p50/p99 latency, upstream
// calls and the server's memory. Client and server share the process (and
// its two cores); every run is bounded by -duration.
//
//	cd bench && go run ./cmd/flood -duration 5s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/bench"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "length of each run")
	conns := flag.Int("conns", 32, "concurrent connections")
	flag.Parse()

	key, err := bench.NewKey("ES256", "k1")
	check(err)
	jwks, err := bench.JWKS(key)
	check(err)
	var userinfoCalls, jwksCalls atomic.Int64
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jwks":
			jwksCalls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.Write(jwks)
		case "/userinfo":
			userinfoCalls.Add(1)
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !strings.HasPrefix(tok, "good-") {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"sub":%q,"name":"Load Test","email":"load@example.com"}`, tok[5:])
		}
	}))
	defer provider.Close()

	userinfo, err := bearer.NewUserinfoVerifier(bench.Issuer, provider.URL+"/userinfo", bearer.InsecureAllowHTTP())
	check(err)
	jwt, err := bearer.NewJWTVerifier(context.Background(),
		[]bearer.TrustedIssuer{{Issuer: bench.Issuer, JWKSURI: provider.URL + "/jwks"}},
		bearer.InsecureAllowHTTP())
	check(err)
	defer jwt.Close()

	goodJWT := func(i int) string {
		t, err := bench.Sign(key, bench.Claims(time.Now(), time.Hour, map[string]any{"jti": fmt.Sprintf("flood-%d", i)}))
		check(err)
		return t
	}
	// Distinct JWTs are signed before the run (signing costs as much as
	// verifying); 60 000 is more than a run can use on this machine.
	fmt.Fprintln(os.Stderr, "signing tokens...")
	distinctJWTs := make([]string, 60000)
	for i := range distinctJWTs {
		distinctJWTs[i] = goodJWT(i)
	}

	runs := []struct {
		name     string
		verifier bearer.Verifier
		token    func(i int64) string
	}{
		{"userinfo, one valid token (cache hits)", userinfo, func(int64) string { return "good-alice" }},
		{"userinfo, one invalid token repeated", userinfo, func(int64) string { return "bad-token" }},
		{"userinfo, a new valid token every request", userinfo, func(i int64) string { return fmt.Sprintf("good-%d", i) }},
		{"userinfo, a new invalid token every request", userinfo, func(i int64) string { return fmt.Sprintf("bad-%d", i) }},
		{"JWT ES256, one valid token (cache hits)", jwt, func(int64) string { return distinctJWTs[0] }},
		{"JWT ES256, a new valid token every request", jwt, func(i int64) string { return distinctJWTs[int(i)%len(distinctJWTs)] }},
		{"JWT, a new forged token every request", jwt, func(i int64) string { return distinctJWTs[0][:len(distinctJWTs[0])-8] + fmt.Sprintf("%08d", i%1e8) }},
	}
	fmt.Printf("%d connections, %s per run, GOMAXPROCS %d\n\n", *conns, *duration, runtime.GOMAXPROCS(0))
	fmt.Println("| run | requests/s | p50 | p99 | statuses | upstream calls | heap in use before → after (MiB) | peak RSS (MiB) |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range runs {
		auth, err := bearer.New(r.verifier, bearer.WithAudience(bench.Resource))
		check(err)
		srv := httptest.NewUnstartedServer(auth.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
		srv.Listener.Close()
		srv.Listener, err = net.Listen("tcp", "127.0.0.1:0")
		check(err)
		srv.Start()
		before := heapMiB()
		up0 := userinfoCalls.Load() + jwksCalls.Load()
		res := load(srv.URL, *conns, *duration, r.token)
		up := userinfoCalls.Load() + jwksCalls.Load() - up0
		after := heapMiB()
		srv.Close()
		fmt.Printf("| %s | %.0f | %s | %s | %s | %d | %.1f → %.1f | %.0f |\n", r.name, res.rps, res.p50, res.p99, res.statuses, up, before, after, peakRSSMiB())
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	statuses string
}

// load sends requests over conns keep-alive connections until d has passed.
func load(url string, conns int, d time.Duration, token func(int64) string) result {
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	codes := map[int]int{}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
			var mine []time.Duration
			myCodes := map[int]int{}
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, url+"/mcp", nil)
				req.Header.Set("Authorization", "Bearer "+token(next.Add(1)))
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					myCodes[0]++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(start))
				myCodes[resp.StatusCode]++
			}
			client.CloseIdleConnections()
			mu.Lock()
			lat = append(lat, mine...)
			for c, n := range myCodes {
				codes[c] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		parts = append(parts, fmt.Sprintf("%d×%d", codes[c], c))
	}
	r := result{rps: float64(len(lat)) / d.Seconds(), statuses: strings.Join(parts, " ")}
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond)
	}
	return r
}

// heapMiB is the live heap after a collection.
func heapMiB() float64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// peakRSSMiB is the process's peak resident set so far (VmHWM).
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}
