package bearer

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestJWTDecodeObject(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]any // nil: an error is expected
	}{
		{`{}`, map[string]any{}},
		{` { "a" : 1 } `, map[string]any{"a": 1.0}},
		{`{"a":"x","b":true,"c":false,"d":null,"e":[1,"2",[]],"f":{"g":{}}}`,
			map[string]any{"a": "x", "b": true, "c": false, "d": nil, "e": []any{1.0, "2", []any{}}, "f": map[string]any{"g": map[string]any{}}}},
		{`{"n":-0.5e+2,"m":0,"k":1E3}`, map[string]any{"n": -50.0, "m": 0.0, "k": 1000.0}},
		{`{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, map[string]any{"s": "\"\\/\b\f\n\r\té😀"}},
		{`{"s":"\ud83d"}`, map[string]any{"s": "\uFFFD"}},
		{`{"s":"\ud83dx"}`, map[string]any{"s": "\uFFFDx"}},
		{`{"s":"\ude00\ud83d\ude00"}`, map[string]any{"s": "\uFFFD😀"}},
		{"{\"s\":\"a\xffb\"}", map[string]any{"s": "a\uFFFDb"}},
		{`{"a":1,"a":2}`, map[string]any{"a": 2.0}},
		{`{"é":"ü"}`, map[string]any{"é": "ü"}},
		{`[]`, nil},
		{`"x"`, nil},
		{``, nil},
		{`{`, nil},
		{`{"a"}`, nil},
		{`{"a":}`, nil},
		{`{"a":1,}`, nil},
		{`{"a":1}x`, nil},
		{`{"a":1}{}`, nil},
		{`{a:1}`, nil},
		{`{'a':1}`, nil},
		{`{"a":01}`, nil},
		{`{"a":1.}`, nil},
		{`{"a":.5}`, nil},
		{`{"a":1e}`, nil},
		{`{"a":-}`, nil},
		{`{"a":+1}`, nil},
		{`{"a":1e400}`, nil},
		{`{"a":NaN}`, nil},
		{`{"a":tru}`, nil},
		{`{"a":nul}`, nil},
		{`{"a":[1,]}`, nil},
		{`{"a":[1 2]}`, nil},
		{"{\"a\":\"\x01\"}", nil},
		{`{"a":"\x"}`, nil},
		{`{"a":"\u12"}`, nil},
		{`{"a":"\u12G4"}`, nil},
		{`{"a":"abc`, nil},
		{`{"a":"abc\`, nil},
		{"\ufeff{}", nil},
		{`{"a":` + strings.Repeat("[", jwtJSONMaxDepth) + strings.Repeat("]", jwtJSONMaxDepth) + `}`, nil},
	}
	for _, tc := range cases {
		got, err := jwtDecodeObject(tc.in, 0)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%q: got %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
}

func TestJWTPeek(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`{"iss":"a"}`, "a", true},
		{`{"x":{"iss":"nested"},"y":["iss"],"iss":"top"}`, "top", true},
		{`{"iss":"first","iss":"last"}`, "last", true},
		{`{"iss":"a","iss":1}`, "", false},
		{`{"iss":"a\u0062"}`, "ab", true},
		{`{"\u0069ss":"escaped name"}`, "escaped name", true},
		{`{"x":{"iss":"nested"}}`, "", false},
		{`{"iss":["a"]}`, "", false},
		{`{"iss":"a",}`, "", false},
		{`["iss","a"]`, "", false},
	} {
		got, ok, _ := jwtPeek(tc.in, "iss")
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzJWTJSON checks the decoder against encoding/json: both accept the
// same objects and decode them to the same values. The one allowed
// difference is the nesting limit, which only this decoder has.
func FuzzJWTJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":[1,2.5e3,-0,"x",true,false,null,{"b":{}}]}`, `{"s":"\u00e9\ud83d\ude00\ud800"}`,
		"{\"s\":\"\xff\xfe\"}", `{"a":1,"a":"2"}`, `{"a":1e400}`, `{"a":01}`, ` {"a" : "b" } `,
		`{"iss":"https://auth.example.com","exp":1764120000,"aud":["a","b"],"scope":"a b"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := jwtDecodeObject(in, 0)
		var want map[string]any
		wantErr := json.Unmarshal([]byte(in), &want)
		if errors.Is(err, errJSONDepth) {
			return
		}
		if wantErr == nil && want == nil { // "null" decodes to a nil map
			wantErr = errJSONObject
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: decoder err = %v, encoding/json err = %v", in, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoder = %#v, encoding/json = %#v", in, got, want)
		}
		if err == nil {
			iss, isString := got["iss"].(string)
			peeked, ok, _ := jwtPeek(in, "iss")
			if ok != isString || peeked != iss {
				t.Fatalf("%q: jwtPeek = %q, %v; decoded iss = %#v", in, peeked, ok, got["iss"])
			}
		}
	})
}
