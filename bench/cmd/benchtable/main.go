// Command benchtable turns the output of the bench module's benchmarks
// (go test -bench . -benchmem -count N) into the Markdown tables of
// BENCHMARKS.md: the median of the N runs of each benchmark, and its ratio
// to the standard-library floor and to ours (mcpauth).
//
//	go test -run '^$' -bench . -benchmem -count 3 -cpu 1 | tee out.txt
//	go run ./cmd/benchtable < out.txt
//
// With -load it reads the output of load.sh instead and prints the median
// over rounds of requests/s, p50 and p99 latency, and the server's RSS.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sample is one benchmark's runs.
type sample struct{ ns, bytes, allocs []float64 }

type stats struct{ ns, bytes, allocs float64 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var line = regexp.MustCompile(`^Benchmark(\S+?)(?:-(\d+))?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op\s+([\d.]+) allocs/op)?`)

func main() {
	load := flag.Bool("load", false, "read load.sh output")
	flag.Parse()
	if *load {
		loadTable()
		return
	}
	samples := map[string]*sample{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := m[1]
		if m[2] != "" {
			name += " (cpu " + m[2] + ")"
		}
		s := samples[name]
		if s == nil {
			s = &sample{}
			samples[name] = s
			order = append(order, name)
		}
		f := func(x string) float64 { v, _ := strconv.ParseFloat(x, 64); return v }
		s.ns = append(s.ns, f(m[3]))
		s.bytes = append(s.bytes, f(m[4]))
		s.allocs = append(s.allocs, f(m[5]))
	}
	med := map[string]stats{}
	for n, s := range samples {
		med[n] = stats{median(s.ns), median(s.bytes), median(s.allocs)}
	}
	get := func(name string) (stats, bool) {
		for n, s := range med {
			if n == name || strings.HasPrefix(n, name+" (cpu") {
				return s, true
			}
		}
		return stats{}, false
	}
	runs := 0
	for _, s := range samples {
		runs = max(runs, len(s.ns))
	}
	fmt.Printf("Median of %d runs.\n\n", runs)

	impls := []string{"mcpauth", "go-jwt-middleware", "sdk+jwx", "sdk+golang-jwt"}
	algs := []string{"ES256", "ES384", "RS256", "EdDSA"}
	for _, mode := range []string{"first", "cached"} {
		fmt.Printf("#### Valid token, %s\n\n", map[string]string{
			"first": "first seen (ours: cache off, WithCacheTTL(0))", "cached": "seen before (ours: cache hit)"}[mode])
		fmt.Println("| alg | impl | ns/op | B/op | allocs/op | × floor | × mcpauth |")
		fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
		for _, alg := range algs {
			floor, _ := get("Floor/" + alg)
			ours, _ := get("Middleware/" + alg + "/mcpauth/" + mode)
			for _, im := range impls {
				s, ok := get("Middleware/" + alg + "/" + im + "/" + mode)
				if !ok {
					continue
				}
				fmt.Printf("| %s | %s | %s | %.0f | %.0f | %s | %s |\n", alg, im, ns(s.ns), s.bytes, s.allocs,
					ratio(s.ns, floor.ns), ratio(s.ns, ours.ns))
			}
		}
		fmt.Println()
	}

	fmt.Println("#### Tokens that cannot be valid (ES256 setup)")
	fmt.Println()
	fmt.Println("| case | impl | ns/op | B/op | allocs/op | × mcpauth |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: |")
	for _, c := range []string{"malformed", "oversized", "untrusted-issuer", "alg-not-allowed"} {
		ours, _ := get("Reject/" + c + "/mcpauth")
		for _, im := range impls {
			if s, ok := get("Reject/" + c + "/" + im); ok {
				fmt.Printf("| %s | %s | %s | %.0f | %.0f | %s |\n", c, im, ns(s.ns), s.bytes, s.allocs, ratio(s.ns, ours.ns))
			}
		}
	}
	fmt.Println()

	fmt.Println("#### Floor and baseline")
	fmt.Println()
	fmt.Println("| benchmark | ns/op | B/op | allocs/op |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	for _, n := range order {
		if strings.HasPrefix(n, "Floor/") || strings.HasPrefix(n, "Bare") {
			s := med[n]
			fmt.Printf("| %s | %s | %.0f | %.0f |\n", n, ns(s.ns), s.bytes, s.allocs)
		}
	}
}

func ns(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// loadRun is one configuration's rounds in load.sh output.
type loadRun struct {
	rps, p50, p99, rssBefore, rssAfter []float64
	loads                              []string
}

var (
	loadHead = regexp.MustCompile(`^=== (.+) load: (.+)$`)
	loadPct  = regexp.MustCompile(`^\s+(50|99)%\s+([\d.]+)(us|ms|s)$`)
	loadRPS  = regexp.MustCompile(`^Requests/sec:\s+([\d.]+)`)
	loadRSS  = regexp.MustCompile(`^RSS before (\d+) kB, after (\d+) kB`)
)

func loadTable() {
	runs := map[string]*loadRun{}
	var order []string
	var cur *loadRun
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		t := sc.Text()
		f := func(x string) float64 { v, _ := strconv.ParseFloat(x, 64); return v }
		if m := loadHead.FindStringSubmatch(t); m != nil {
			cur = runs[m[1]]
			if cur == nil {
				cur = &loadRun{}
				runs[m[1]] = cur
				order = append(order, m[1])
			}
			cur.loads = append(cur.loads, m[2])
		} else if cur == nil {
			continue
		} else if m := loadPct.FindStringSubmatch(t); m != nil {
			v := f(m[2]) * map[string]float64{"us": 1e-3, "ms": 1, "s": 1e3}[m[3]]
			if m[1] == "50" {
				cur.p50 = append(cur.p50, v)
			} else {
				cur.p99 = append(cur.p99, v)
			}
		} else if m := loadRPS.FindStringSubmatch(t); m != nil {
			cur.rps = append(cur.rps, f(m[1]))
		} else if m := loadRSS.FindStringSubmatch(t); m != nil {
			cur.rssBefore = append(cur.rssBefore, f(m[1]))
			cur.rssAfter = append(cur.rssAfter, f(m[2]))
		}
	}
	bare := map[string]float64{}
	for _, n := range order {
		if strings.Contains(n, "bare") {
			bare[strings.Fields(n)[0]] = median(runs[n].rps)
		}
	}
	fmt.Println("| server | requests/s | × bare (same runtime) | p50 ms | p99 ms | RSS before → after (MiB) | rounds | load avg at start of each round |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, n := range order {
		r := runs[n]
		ratio := "–"
		if b := bare[strings.Fields(n)[0]]; b > 0 {
			ratio = fmt.Sprintf("%.2f", median(r.rps)/b)
		}
		fmt.Printf("| %s | %.0f | %s | %.2f | %.2f | %.1f → %.1f | %d | %s |\n", n, median(r.rps), ratio,
			median(r.p50), median(r.p99), median(r.rssBefore)/1024, median(r.rssAfter)/1024, len(r.rps),
			strings.Join(r.loads, "; "))
	}
}
