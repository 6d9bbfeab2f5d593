package mcpauth_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/mcp-auth/go/metadata"
)

type metadataDoc = metadata.ProtectedResource

func getJSON(t testing.TB, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return doc
}

// goListDeps lists the packages pkg imports, directly or not.
func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		t.Skipf("go list unavailable: %v", err)
	}
	return strings.Fields(string(out))
}
