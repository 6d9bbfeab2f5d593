package hydra

import (
	"slices"
	"testing"
)

func TestResourcesAllowed(t *testing.T) {
	allowed := []string{"https://mcp.example.com/mcp", "https://other.example.com/"}
	tests := []struct {
		name, requestURL string
		want             []string
	}{
		{"none", "https://as.example.com/oauth2/auth?client_id=a", nil},
		{"allowed", "https://as.example.com/oauth2/auth?resource=https%3A%2F%2Fmcp.example.com%2Fmcp", []string{"https://mcp.example.com/mcp"}},
		{"two, one allowed", "https://as/x?resource=https%3A%2F%2Fevil.example.com%2Fmcp&resource=https%3A%2F%2Fother.example.com%2F", []string{"https://other.example.com/"}},
		{"exact only: below", "https://as/x?resource=https%3A%2F%2Fmcp.example.com%2Fmcp%2Fbelow", nil},
		{"exact only: trailing slash", "https://as/x?resource=https%3A%2F%2Fmcp.example.com%2Fmcp%2F", nil},
		{"exact only: case", "https://as/x?resource=https%3A%2F%2FMCP.example.com%2Fmcp", nil},
		{"unparsable", "://", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resourcesAllowed(tt.requestURL, allowed); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
