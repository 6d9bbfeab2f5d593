package bearer

import (
	"errors"
	"github.com/mcp-auth/go/internal/scope"
	"reflect"
	"testing"
)

func TestScopeHierarchyClosure(t *testing.T) {
	tests := []struct {
		name string
		h    map[string][]string
		want map[string][]string
	}{
		{"none", nil, nil},
		{"direct", map[string][]string{"admin": {"read", "write"}}, map[string][]string{"read": {"admin"}, "write": {"admin"}}},
		{"transitive", map[string][]string{"owner": {"admin"}, "admin": {"write"}, "write": {"read"}},
			map[string][]string{"admin": {"owner"}, "write": {"admin", "owner"}, "read": {"admin", "owner", "write"}}},
		{"cycle", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}},
			map[string][]string{"a": {"b", "c"}, "b": {"a", "c"}, "c": {"a", "b"}}},
		{"self", map[string][]string{"a": {"a", "b"}}, map[string][]string{"b": {"a"}}},
		{"diamond", map[string][]string{"top": {"l", "r"}, "l": {"bottom"}, "r": {"bottom"}},
			map[string][]string{"l": {"top"}, "r": {"top"}, "bottom": {"l", "r", "top"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := impliedByClosure(tt.h); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("impliedByClosure = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestCheckScopes(t *testing.T) {
	h := map[string][]string{
		"whoami:owner": {"whoami:admin"},
		"whoami:admin": {"whoami:read", "whoami:write"},
		"loop:a":       {"loop:b"},
		"loop:b":       {"loop:a"},
	}
	tests := []struct {
		name     string
		baseline []string
		held     []string
		required []string
		want     []string // nil: allowed
	}{
		{"nothing required", nil, nil, nil, nil},
		{"held exactly", nil, []string{"whoami:read"}, []string{"whoami:read"}, nil},
		{"missing", nil, []string{"whoami:read"}, []string{"whoami:write"}, []string{"whoami:write"}},
		{"implied", nil, []string{"whoami:admin"}, []string{"whoami:read", "whoami:write"}, nil},
		{"implied transitively", nil, []string{"whoami:owner"}, []string{"whoami:read"}, nil},
		{"not upwards", nil, []string{"whoami:read"}, []string{"whoami:admin"}, []string{"whoami:admin"}},
		{"cycle", nil, []string{"loop:a"}, []string{"loop:b"}, nil},
		{"baseline missing", []string{"whoami:read"}, []string{"x"}, nil, []string{"whoami:read"}},
		{"baseline and extra", []string{"whoami:read"}, []string{"whoami:read"}, []string{"whoami:admin"}, []string{"whoami:read", "whoami:admin"}},
		{"union without duplicates", []string{"whoami:read"}, nil, []string{"whoami:admin", "whoami:read", "whoami:admin"}, []string{"whoami:read", "whoami:admin"}},
		{"empty strings ignored", nil, []string{"a"}, []string{"", "a"}, nil},
		{"exact names only", nil, []string{"Whoami:Read"}, []string{"whoami:read"}, []string{"whoami:read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(mwVerifier, WithRequiredScopes(tt.baseline...), WithScopeHierarchy(h))
			if err != nil {
				t.Fatal(err)
			}
			err = a.CheckScopes(&AuthInfo{Scopes: tt.held}, tt.required...)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckScopes = %v; want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeMissingRequiredScopes || e.Status != 403 || !errors.Is(err, ErrInsufficientScope) {
				t.Fatalf("CheckScopes = %v; want a 403 *Error", err)
			}
			if !reflect.DeepEqual(e.Scopes, tt.want) {
				t.Fatalf("Scopes = %q; want %q", e.Scopes, tt.want)
			}
		})
	}
	t.Run("nil info", func(t *testing.T) {
		a, _ := New(mwVerifier)
		if err := a.CheckScopes(nil, "a"); !errors.Is(err, ErrMisconfigured) {
			t.Fatalf("CheckScopes(nil) = %v; want ErrMisconfigured", err)
		}
	})
	t.Run("malformed scope", func(t *testing.T) {
		a, _ := New(mwVerifier)
		if err := a.CheckScopes(&AuthInfo{Scopes: []string{"a b"}}, "a b"); !errors.Is(err, ErrMisconfigured) {
			t.Fatalf("CheckScopes(\"a b\") = %v; want ErrMisconfigured", err)
		}
	})
}

func TestScopeTokenSyntax(t *testing.T) {
	for s, want := range map[string]bool{
		"whoami:read": true, "a": true, "!#[]~": true, "https://x/y?z=1": true,
		"": false, "a b": false, `a"`: false, `a\`: false, "a\tb": false, "é": false, "a\x7f": false,
	} {
		if got := scope.Valid(s); got != want {
			t.Errorf("scope.Valid(%q) = %v; want %v", s, got, want)
		}
	}
}
