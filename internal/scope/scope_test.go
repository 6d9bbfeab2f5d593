package scope

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"mcp:read": true, "a": true, "!#[]~": true, "whoami:admin/x.y-z_1": true,
		"": false, "a b": false, `a"b`: false, `a\b`: false, "a\tb": false, "é": false, "a\x7f": false, "\x00": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
