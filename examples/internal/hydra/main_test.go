package hydra_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/mcp-auth/go/examples/internal/hydra"
)

// The tests share three Hydra instances, each started on first use and
// stopped when the test binary ends: a start costs one to three seconds
// of CPU (its SQL migrations and two RSA keys). Every test registers its
// own clients, so the tests do not see each other's tokens.
var (
	// jwtOptions: JWT access tokens, two resource servers, dynamic
	// registration. Clients may ask for opaque tokens instead
	// (ClientOptions.AccessTokenStrategy).
	jwtOptions = hydra.Options{AccessTokenStrategy: hydra.JWT, Audiences: []string{resource, other}, DynamicClientRegistration: true}
	// opaqueOptions: Hydra's defaults (opaque tokens, no registration
	// endpoint), with the login form shown.
	opaqueOptions = hydra.Options{Audiences: []string{resource, other}, FormLogin: true}
	// mcpOptions: what FINDINGS.md proposes for MCP clients (resource
	// granted as audience, registration), with an issuer that ends in a
	// slash and no "ext" copy of the claims.
	mcpOptions = hydra.Options{
		AccessTokenStrategy: hydra.JWT, Audiences: []string{resource},
		ResourceAsAudience: true, DynamicClientRegistration: true, IssuerTrailingSlash: true, OmitExt: true,
	}
)

var instances struct {
	mu sync.Mutex
	m  map[string]*hydra.Hydra
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, h := range instances.m {
		h.Close()
	}
	os.Exit(code)
}

// shared returns the running Hydra for opts, starting it on first use.
// When the test fails, Hydra's output is logged.
func shared(t *testing.T, opts hydra.Options) *hydra.Hydra {
	t.Helper()
	bin := hydra.Binary(t)
	key := fmt.Sprintf("%#v", opts)
	instances.mu.Lock()
	defer instances.mu.Unlock()
	h, ok := instances.m[key]
	if !ok {
		var err error
		if h, err = hydra.New(context.Background(), bin, opts); err != nil {
			t.Fatalf("hydra: %v", err)
		}
		if instances.m == nil {
			instances.m = map[string]*hydra.Hydra{}
		}
		instances.m[key] = h
	}
	t.Cleanup(func() {
		if t.Failed() {
			out := h.Output()
			if len(out) > 16000 {
				out = "..." + out[len(out)-16000:]
			}
			t.Logf("hydra output:\n%s", out)
		}
	})
	return h
}
