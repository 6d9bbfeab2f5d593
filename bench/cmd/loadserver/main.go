// Command loadserver serves one protected endpoint on a random loopback
// port for the loopback load runs of BENCHMARKS.md.
//
//	loadserver -emit DIR                      write a fixture: jwks.json, token-ES256.txt, token-ES384.txt
//	loadserver -fixture DIR -mode MODE -alg ALG
//
// With -cpuprofile FILE the serving time is profiled.
//
// MODE is bare (no middleware), cached (ours, verified-token cache on) or
// first (ours, cache off: every request verifies the signature). The key set
// is served over loopback by the same process. The server prints
// "listening http://ADDR" and exits on SIGINT/SIGTERM or after -lifetime.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mcp-auth/go/bearer"

	"github.com/mcp-auth/go/bench"
)

func main() {
	emit := flag.String("emit", "", "write a fixture to this directory and exit")
	fixture := flag.String("fixture", "", "fixture directory")
	mode := flag.String("mode", "bare", "bare, cached or first")
	alg := flag.String("alg", "ES256", "ES256 or ES384 (the JWK Set holds both keys)")
	lifetime := flag.Duration("lifetime", 5*time.Minute, "exit after this long")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the serving time to this file")
	flag.Parse()
	if *emit != "" {
		if err := writeFixture(*emit); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := profiled(*cpuprofile, func() error { return serve(*fixture, *mode, *alg, *lifetime) }); err != nil {
		log.Fatal(err)
	}
}

// profiled runs f, under the CPU profiler when file is not empty.
func profiled(file string, f func() error) error {
	if file == "" {
		return f()
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return f()
}

func writeFixture(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var keys []*bench.Key
	for _, alg := range []string{"ES256", "ES384"} {
		k, err := bench.NewKey(alg, "key-"+alg)
		if err != nil {
			return err
		}
		keys = append(keys, k)
		// Valid for 3 hours: long enough for every run of one session.
		tok, err := bench.Sign(k, bench.Claims(time.Now(), 3*time.Hour, nil))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "token-"+alg+".txt"), []byte(tok), 0o600); err != nil {
			return err
		}
	}
	doc, err := bench.JWKS(keys...)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "jwks.json"), doc, 0o600)
}

func serve(dir, mode, alg string, lifetime time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, lifetime)
	defer cancel()

	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	if mode != "bare" {
		doc, err := os.ReadFile(filepath.Join(dir, "jwks.json"))
		if err != nil {
			return err
		}
		jl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		jwksSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(doc)
		})}
		go jwksSrv.Serve(jl)
		defer jwksSrv.Close()

		opts := []bearer.Option{bearer.WithAlgorithms(alg)}
		switch mode {
		case "cached":
		case "first":
			opts = append(opts, bearer.WithCacheTTL(0))
		default:
			return fmt.Errorf("unknown mode %q", mode)
		}
		v, err := bearer.NewJWTVerifier(ctx, []bearer.TrustedIssuer{{
			Issuer: bench.Issuer, JWKSURI: "http://" + jl.Addr().String() + "/jwks",
		}}, opts...)
		if err != nil {
			return err
		}
		defer v.Close()
		a, err := bearer.New(v, bearer.WithAudience(bench.Resource), bearer.WithIssuers(bench.Issuer),
			bearer.WithRequiredScopes(bench.Scope),
			bearer.WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"))
		if err != nil {
			return err
		}
		handler = a.Handler(handler)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening http://%s\n", l.Addr())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}
