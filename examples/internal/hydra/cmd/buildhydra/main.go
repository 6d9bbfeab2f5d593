// Command buildhydra builds the Ory Hydra binary the hydra test harness
// runs, into the cache where the tests look for it, and prints its path.
// Run it before the tests (CI does) so that no test timeout pays for the
// build:
//
//	go run ./examples/internal/hydra/cmd/buildhydra
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mcp-auth/go/examples/internal/hydra"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	start := time.Now()
	path, err := hydra.Build(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildhydra:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "buildhydra: Ory Hydra %s ready in %v\n", hydra.Version, time.Since(start).Round(time.Second))
	fmt.Println(path)
}
