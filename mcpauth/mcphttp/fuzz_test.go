package mcphttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/mcp-auth/go/bearer"
)

// FuzzScopeGate sends arbitrary bodies, routing headers and token scopes
// through the gate and checks that it never panics, that a body it passes
// on reaches the next handler byte for byte, that a refusal has one of the
// gate's statuses, and, above all, that it never passes a tool call that a
// transport decoding the body with encoding/json (as mcp-go does) would run
// without the scopes the gate requires for it.
func FuzzScopeGate(f *testing.F) {
	seeds := []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
		`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"open"}},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"save"}}]`,
		`{"METHOD":"tools/call","params":{"name":"delete"}}`,
		`{"method":"tools/call","params":{"name":"open","Name":"delete"}}`,
		`{"method":"tools/call","params":{"name":"open"},"params":{"name":"delete"}}`,
		`{"method":"tools/call","paramſ":{"name":"delete"}}`,
		`{"method":"tools/call","params":{"nam\u0065":"delete"}}`,
		`{"method":"tools/call","params":{"name":"open"}} {"method":"tools/call","params":{"name":"delete"}}`,
		`{"method":"resources/read","params":{"uri":"file:///a"}}`,
		`{"jsonrpc":"2.0","id":3,"result":{}}`,
		`{"method":null}`,
		`[]`,
		`null`,
		``,
		"\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "", "", "read tools")
	}
	f.Add([]byte(seeds[0]), "tools/call", "delete", "admin tools")
	f.Add([]byte(seeds[0]), "tools/call", "=?base64?ZGVsZXRl?=", "admin tools")
	f.Add([]byte(seeds[0]), "tools/call", "open", "read tools")

	g, err := newScopeGate(unitConfig(), unitAuthenticator(f))
	if err != nil {
		f.Fatal(err)
	}
	g.maxBody = 4096
	f.Fuzz(func(t *testing.T, body []byte, mcpMethod, mcpName, scopes string) {
		rec := &recorder{}
		req := httptest.NewRequest(http.MethodPost, "/mcp", bytes.NewReader(body))
		req.Header.Set("X-Test-Scopes", scopes)
		if mcpMethod != "" {
			req.Header["Mcp-Method"] = []string{mcpMethod}
		}
		if mcpName != "" {
			req.Header["Mcp-Name"] = []string{mcpName}
		}
		w := httptest.NewRecorder()
		withInfo(g.handler(rec)).ServeHTTP(w, req)

		if !rec.called {
			switch w.Code {
			case http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge:
			default:
				t.Fatalf("refused with status %d", w.Code)
			}
			return
		}
		if !bytes.Equal(rec.body, body) || rec.length != int64(len(body)) {
			t.Fatalf("body not restored: got %q (%d), want %q", rec.body, rec.length, body)
		}
		info := &bearer.AuthInfo{Subject: "u", Scopes: strings.Fields(scopes)}
		if needs := lenientNeeds(g, body); g.authz.CheckScopes(info, needs...) != nil {
			t.Fatalf("passed a body that a lenient decoder reads as needing %q (and the required scopes), not held by %q", needs, scopes)
		}
	})
}

// lenientNeeds returns the scopes body needs beyond the required ones as
// encoding/json reads it (case-insensitive member names, last duplicate
// wins), the way mcp-go decodes requests; nil if encoding/json cannot read
// it as JSON-RPC.
func lenientNeeds(g *scopeGate, body []byte) []string {
	type message struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	var msgs []message
	var one message
	if err := json.Unmarshal(body, &one); err == nil {
		msgs = []message{one}
	} else if err := json.Unmarshal(body, &msgs); err != nil {
		return nil
	}
	var needs []string
	for _, m := range msgs {
		if m.Method == "" {
			continue
		}
		needs = append(needs, g.methods[m.Method]...)
		if m.Method == methodToolsCall {
			var p struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(m.Params, &p) == nil {
				needs = append(needs, g.tools[p.Name]...)
			}
		}
	}
	return needs
}

// FuzzCaptureEndpoint writes an arbitrary event stream through the capture
// writer in two pieces: it must never panic, must pass the bytes on
// unchanged, and must capture the same session id wherever the stream is
// split.
func FuzzCaptureEndpoint(f *testing.F) {
	f.Add([]byte("event: endpoint\ndata: /message?sessionId=abc\r\n\r\n"), 10)
	f.Add([]byte(": c\n\nevent: endpoint\rdata: http://h/m?sessionId=a%20b&sessionId=c\r"), 30)
	f.Add([]byte("event: message\ndata: {}\n\n"), 3)
	f.Fuzz(func(t *testing.T, stream []byte, split int) {
		capture := func(parts ...[]byte) (string, string) {
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", "text/event-stream")
			got := ""
			cw := &captureWriter{w: rec}
			cw.onEndpoint = func(id string) { got = id }
			for _, p := range parts {
				_, _ = cw.Write(p)
			}
			return got, rec.Body.String()
		}
		whole, body := capture(stream)
		if body != string(stream) {
			t.Fatalf("bytes changed")
		}
		if len(stream) > 0 {
			i := (split%len(stream) + len(stream)) % len(stream)
			if pieces, _ := capture(stream[:i], stream[i:]); pieces != whole {
				t.Fatalf("split at %d: captured %q, whole %q", i, pieces, whole)
			}
		}
	})
}

// FuzzJSONAgreesWithEncodingJSON holds the gate's reading of JSON
// (encoding/json.Valid, which the transport's decoder follows, then
// fastjson's parser, which bounds the depth) to encoding/json: whatever the
// gate accepts as JSON, encoding/json accepts too, and every body
// encoding/json accepts within the parser's depth bound is accepted, so the
// gate neither passes what the transport would read differently nor
// refuses a request the transport would serve. (It found that fastjson's
// own validator, tried in place of encoding/json.Valid, lets a raw control
// character before an escape through.)
func FuzzJSONAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, `[1,2.5e-3,-0,true,false,null,"x"]`, `{"\u00e9\ud83d\ude00":"\/\b\f\n\r\t"}`,
		`01`, `1.`, `.5`, `1e`, `-`, `+1`, `"\x"`, "\"\x01\"", "{\"a\x1f\":1}", `{"a":1,}`, `[1,]`,
		`{"a" 1}`, `{"a":1}x`, "\ufeff{}", "\f{}", `"\u12"`, `"\uZZZZ"`, "\"\xff\xfe\"", `nul`, `truex`,
		strings.Repeat("[", 301) + strings.Repeat("]", 301),
	} {
		f.Add([]byte(s))
	}
	var parsers fastjson.ParserPool
	f.Fuzz(func(t *testing.T, body []byte) {
		p := parsers.Get()
		defer parsers.Put(p)
		_, _, err := parseBody(p, body, nil)
		gateJSON := err != errNotJSON
		std := json.Valid(body)
		if gateJSON && !std {
			t.Fatalf("the gate reads %q as JSON, encoding/json does not", body)
		}
		if std && !gateJSON && depth(body) <= fastjson.MaxDepth {
			t.Fatalf("encoding/json reads %q as JSON, the gate does not", body)
		}
	})
}

// depth returns how deeply the valid JSON text b nests.
func depth(b []byte) int {
	d, most, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			d++
			most = max(most, d)
		case c == ']' || c == '}':
			d--
		}
	}
	return most
}
