package providertest

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
)

//go:embed testdata
var testdata embed.FS

// fixture is a provider.json.
type fixture struct {
	// Name is the provider's name, for messages.
	Name string `json:"name"`
	// Hosts are the origins (scheme and host) the provider's URLs use;
	// each gets a loopback server.
	Hosts []string `json:"hosts"`
	// Issuer is the issuer identifier, as the provider writes it.
	Issuer string `json:"issuer"`
	// Documents maps the URL of each discovery document the provider
	// serves to its file.
	Documents map[string]string `json:"documents"`
	// Keys describes the signing key set.
	Keys struct {
		// URLs are where the key set is published.
		URLs []string `json:"urls"`
		// Alg is the signature algorithm (the tokens' "alg").
		Alg string `json:"alg"`
		// KID is the key's "kid".
		KID string `json:"kid"`
		// JWK holds further members of the published JWK ("use", "alg",
		// "x5t", Entra ID's "issuer").
		JWK map[string]any `json:"jwk"`
	} `json:"keys"`
	// Tokens maps a token name to its template file.
	Tokens map[string]string `json:"tokens"`
	// Userinfo, when set, is the URL of the userinfo endpoint, which
	// answers for the opaque tokens of [Provider.OpaqueToken].
	Userinfo string `json:"userinfo"`
}

// tokenTemplate is a token template file: the JOSE header members besides
// "alg" and "kid", and the claims.
type tokenTemplate struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// loadFixture reads testdata/<name>/provider.json.
func loadFixture(name string) (*fixture, error) {
	raw, err := testdata.ReadFile(path.Join("testdata", name, "provider.json"))
	if err != nil {
		return nil, fmt.Errorf("providertest: no provider %q: %w", name, err)
	}
	fx := new(fixture)
	if err := json.Unmarshal(raw, fx); err != nil {
		return nil, fmt.Errorf("providertest: %s/provider.json: %w", name, err)
	}
	if len(fx.Hosts) == 0 || fx.Issuer == "" || fx.Keys.Alg == "" || len(fx.Keys.URLs) == 0 {
		return nil, fmt.Errorf("providertest: %s/provider.json lacks hosts, issuer or keys", name)
	}
	return fx, nil
}

// readFile reads a file of the provider's directory.
func readFile(provider, file string) ([]byte, error) {
	return testdata.ReadFile(path.Join("testdata", provider, file))
}

// Names lists the recorded providers.
func Names() ([]string, error) {
	entries, err := testdata.ReadDir("testdata")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
