package mcphttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/valyala/fastjson"
)

// rpcMessage is what the gate reads of one JSON-RPC message. Its id points
// into the parser that read it: it is valid until that parser is reused.
type rpcMessage struct {
	// method is the JSON-RPC method; "" for a response (which has none).
	method string
	// name is params.name of tools/call and prompts/get, params.uri of
	// resources/read; hasName says whether the body carried it.
	name    string
	hasName bool
	// id is the message's id member, nil when absent; only error answers
	// read it (see rawID).
	id *fastjson.Value
}

// rawID returns the message's id as JSON, for an error answer; nil when it
// has none.
func (m *rpcMessage) rawID() json.RawMessage {
	if m.id == nil {
		return nil
	}
	return json.RawMessage(m.id.MarshalTo(nil))
}

// Methods whose target the gate reads from params.
const (
	methodToolsCall     = "tools/call"
	methodPromptsGet    = "prompts/get"
	methodResourcesRead = "resources/read"
)

// parseError is a body the gate refuses to pass on: the JSON-RPC code and
// a fixed message for the 400 answer.
type parseError struct {
	code    int
	message string
}

func (e *parseError) Error() string { return "mcphttp: " + e.message }

var (
	errNotJSON = &parseError{rpcParseError, "request body is not valid JSON"}
	errNotRPC  = &parseError{rpcInvalidRequest, "request body is not a JSON-RPC request, notification, response or batch"}
	errAmbig   = &parseError{rpcInvalidRequest, "request has a member name that differs from a JSON-RPC member name only in case, '_' or '-', or a repeated member"}
	errMethod  = &parseError{rpcInvalidRequest, "request method is not a string"}
	errTool    = &parseError{rpcInvalidRequest, "tools/call request without a string params.name"}
)

// parseBody reads the JSON-RPC message, or batch of messages, in body with
// p, appending them to msgs (a caller's buffer, so that a single message
// needs no allocation). The messages' ids point into p: read them before p
// is reused.
//
// It is strict where a lenient reading could differ from the MCP
// transport's: the body must be exactly one JSON value (encoding/json's
// Decoder, which the legacy SSE transport uses, would stop after the first
// value and ignore trailing bytes the gate never judged), and a member that
// encoding/json would match case-insensitively to "method", "params",
// "name" or "uri" must be spelled exactly and appear once. A tools/call must
// name its tool with a string. Anything else is refused with a
// [*parseError], never passed on unjudged.
//
// encoding/json validates the body (so that only what the transport's
// decoder accepts gets further; fastjson's own validator is laxer: it lets a
// raw control character before an escape through, which
// FuzzJSONAgreesWithEncodingJSON found), and github.com/valyala/fastjson
// (already in the build through jwx) lists each object's members, repeated
// names included, without decoding what the gate does not read.
func parseBody(p *fastjson.Parser, body []byte, msgs []rpcMessage) (_ []rpcMessage, batch bool, err error) {
	if !json.Valid(body) {
		return nil, false, errNotJSON
	}
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil, false, errNotJSON
	}
	switch v.Type() {
	case fastjson.TypeObject:
		m, err := parseMessage(v)
		if err != nil {
			return nil, false, err
		}
		return append(msgs, m), false, nil
	case fastjson.TypeArray:
		elems, _ := v.Array()
		if len(elems) == 0 {
			return nil, true, errNotRPC
		}
		for _, e := range elems {
			m, err := parseMessage(e)
			if err != nil {
				return nil, true, err
			}
			msgs = append(msgs, m)
		}
		return msgs, true, nil
	default:
		return nil, false, errNotRPC
	}
}

// parseMessage reads one JSON-RPC message, which must be an object.
func parseMessage(v *fastjson.Value) (rpcMessage, error) {
	var m rpcMessage
	obj, err := v.Object()
	if err != nil {
		return m, errNotRPC
	}
	m.id = obj.Get("id")
	method, params, err := members(obj, "method", "params")
	if err != nil {
		return m, err
	}
	if method != nil {
		b, err := method.StringBytes()
		if err != nil {
			return m, errMethod
		}
		m.method = methodName(b)
	}

	var nameKey string
	switch m.method {
	case methodToolsCall, methodPromptsGet:
		nameKey = "name"
	case methodResourcesRead:
		nameKey = "uri"
	default:
		return m, nil
	}
	m.name, m.hasName, err = paramString(params, nameKey)
	if err != nil {
		return m, err
	}
	if m.method == methodToolsCall && !m.hasName {
		return m, errTool
	}
	return m, nil
}

// paramString returns params[key] when params is an object and the member
// is a string.
func paramString(params *fastjson.Value, key string) (string, bool, error) {
	if params == nil {
		return "", false, nil
	}
	po, err := params.Object()
	if err != nil {
		return "", false, nil // params is not an object: it names nothing
	}
	value, _, err := members(po, key, "")
	if err != nil || value == nil {
		return "", false, err
	}
	b, err := value.StringBytes()
	if err != nil {
		return "", false, nil // null, or not a string: it names nothing
	}
	return string(b), true, nil
}

// methodName returns b as a string, without a copy for the methods the gate
// reads params of.
func methodName(b []byte) string {
	switch string(b) {
	case methodToolsCall:
		return methodToolsCall
	case methodPromptsGet:
		return methodPromptsGet
	case methodResourcesRead:
		return methodResourcesRead
	}
	return string(b)
}

// members returns the values of the members of obj named a and b (lower-case
// ASCII JSON-RPC names; b may be "" for none), nil when absent, in one pass
// over obj. A member whose name is a near miss that some decoder would take
// for a or b (encoding/json folds case, and also matches "ſ" to "s" and "K"
// to "k"; encoding/json/v2's case-insensitive mode also ignores '_' and
// '-'), or a repeated member, is an error: the gate and the transport must
// not be able to read different values.
func members(obj *fastjson.Object, a, b string) (va, vb *fastjson.Value, err error) {
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil {
			return
		}
		err = claim(key, v, a, &va)
		if err == nil && b != "" {
			err = claim(key, v, b, &vb)
		}
	})
	return va, vb, err
}

// claim stores v in *dst when key is want; a near miss of want, or want
// met a second time, is errAmbig.
func claim(key []byte, v *fastjson.Value, want string, dst **fastjson.Value) error {
	if !nearName(key, want) {
		return nil
	}
	if string(key) != want || *dst != nil {
		return errAmbig
	}
	*dst = v
	return nil
}

// nearName reports whether name could be read as want by a case-insensitive
// JSON decoder: equal under Unicode simple case folding (what encoding/json
// uses) once '_' and '-' are dropped.
func nearName(name []byte, want string) bool {
	if len(name) < len(want) { // want is ASCII: a fold-equal name has at least its length
		return false
	}
	if bytes.IndexByte(name, '_') >= 0 || bytes.IndexByte(name, '-') >= 0 {
		name = bytes.Map(func(r rune) rune {
			if r == '_' || r == '-' {
				return -1
			}
			return r
		}, name)
	}
	return bytes.EqualFold(name, []byte(want))
}

// errHeader is the refusal of a request whose Mcp-Method or Mcp-Name header
// does not mirror its body.
var errHeader = &parseError{rpcHeaderMismatch, "Mcp-Method or Mcp-Name header does not match the request body"}

// errBatchHeader is the refusal of a batch that carries Mcp-Method or
// Mcp-Name: the headers mirror one message, never several.
var errBatchHeader = &parseError{rpcHeaderMismatch, "Mcp-Method and Mcp-Name headers cannot describe a batch"}

// checkHeaders cross-checks the MCP 2026-07-28 routing headers (SEP-2243)
// with the body: when present, Mcp-Method must equal the method and
// Mcp-Name (plain, or "=?base64?...?=" encoded) the tool or prompt name or
// resource URI. They are never used to decide on their own; an absent
// header is not an error (older clients do not send them, and the transport
// enforces their presence for the revisions that need them).
func checkHeaders(methodValues, nameValues []string, msgs []rpcMessage, batch bool) error {
	if len(methodValues) == 0 && len(nameValues) == 0 {
		return nil
	}
	if batch {
		return errBatchHeader
	}
	if len(methodValues) > 1 || len(nameValues) > 1 {
		return errHeader
	}
	m := msgs[0]
	if len(methodValues) == 1 && methodValues[0] != m.method {
		return errHeader
	}
	if len(nameValues) == 1 {
		name, ok := decodeHeaderValue(nameValues[0])
		if !ok || !m.hasName || name != m.name {
			return errHeader
		}
	}
	return nil
}

// decodeHeaderValue undoes the SEP-2243 encoding of a header value that is
// not plain ASCII: "=?base64?" + standard Base64 + "?=".
func decodeHeaderValue(v string) (string, bool) {
	const prefix, suffix = "=?base64?", "?="
	inner, ok := strings.CutPrefix(v, prefix)
	if !ok {
		return v, true
	}
	inner, ok = strings.CutSuffix(inner, suffix)
	if !ok {
		return v, true
	}
	b, err := base64.StdEncoding.DecodeString(inner)
	if err != nil {
		return "", false
	}
	return string(b), true
}
