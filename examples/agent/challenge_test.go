package main

import (
	"reflect"
	"testing"
)

func TestParseBearerChallenge(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{`Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp"`,
			map[string]string{"resource_metadata": "https://h/.well-known/oauth-protected-resource/mcp"}, false},
		{`Bearer error="insufficient_scope", scope="a b", resource_metadata="u"`,
			map[string]string{"error": "insufficient_scope", "scope": "a b", "resource_metadata": "u"}, false},
		{`bearer Error=invalid_token, error_description="say \"hi\", ok"`,
			map[string]string{"error": "invalid_token", "error_description": `say "hi", ok`}, false},
		{`Bearer`, map[string]string{}, false},
		{`Basic realm="x"`, nil, true},
		{`Bearer scope="unterminated`, nil, true},
		{`Bearer justaword`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseBearerChallenge(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnionDropsDuplicatesAndOfflineAccess(t *testing.T) {
	got := union([]string{"a", "b"}, []string{"b", "offline_access", "c", ""})
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("union = %v, want %v", got, want)
	}
}
