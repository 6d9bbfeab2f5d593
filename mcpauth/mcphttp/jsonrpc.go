package mcphttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// rpcMessage is what the gate reads of one JSON-RPC message.
type rpcMessage struct {
	// method is the JSON-RPC method; "" for a response (which has none).
	method string
	// name is params.name of tools/call and prompts/get, params.uri of
	// resources/read; hasName says whether the body carried it.
	name    string
	hasName bool
	// id is the raw id, for error answers only.
	id json.RawMessage
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

// parseBody reads the JSON-RPC message, or batch of messages, in body.
//
// It is strict where a lenient reading could differ from the MCP
// transport's: the body must be exactly one JSON value (encoding/json's
// Decoder, which the legacy SSE transport uses, would stop after the first
// value and ignore trailing bytes the gate never judged), and a member that
// encoding/json would match case-insensitively to "method", "params",
// "name" or "uri" must be spelled exactly and appear once. A tools/call must
// name its tool with a string. Anything else is refused with a
// [*parseError], never passed on unjudged.
func parseBody(body []byte) (msgs []rpcMessage, batch bool, err error) {
	if !json.Valid(body) {
		return nil, false, errNotJSON
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch trimmed[0] { // json.Valid rules out an empty body
	case '{':
		m, err := parseMessage(trimmed)
		if err != nil {
			return nil, false, err
		}
		return []rpcMessage{m}, false, nil
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(trimmed, &elems); err != nil || len(elems) == 0 {
			return nil, true, errNotRPC
		}
		msgs = make([]rpcMessage, 0, len(elems))
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
func parseMessage(raw json.RawMessage) (rpcMessage, error) {
	var m rpcMessage
	fields, err := objectMembers(raw)
	if err != nil {
		return m, err
	}
	m.id = exactMember(fields, "id")

	rawMethod, ok, err := member(fields, "method")
	if err != nil {
		return m, err
	}
	if ok {
		if err := json.Unmarshal(rawMethod, &m.method); err != nil || isJSONNull(rawMethod) {
			return m, errMethod
		}
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
	m.name, m.hasName, err = paramString(fields, nameKey)
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
func paramString(fields []jsonMember, key string) (string, bool, error) {
	rawParams, ok, err := member(fields, "params")
	if err != nil || !ok {
		return "", false, err
	}
	params, err := objectMembers(rawParams)
	if err != nil {
		return "", false, nil // params is not an object: it names nothing
	}
	rawValue, ok, err := member(params, key)
	if err != nil || !ok || isJSONNull(rawValue) {
		return "", false, err
	}
	var s string
	if json.Unmarshal(rawValue, &s) != nil {
		return "", false, nil
	}
	return s, true, nil
}

// jsonMember is one member of a JSON object, its name unescaped.
type jsonMember struct {
	name  string
	value json.RawMessage
}

// objectMembers lists the members of the JSON object raw, in order, keeping
// repeated names. raw must be valid JSON (the caller checked the body).
func objectMembers(raw json.RawMessage) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errNotRPC
	}
	var out []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errNotRPC
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errNotRPC
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errNotRPC
		}
		out = append(out, jsonMember{name: name, value: v})
	}
	return out, nil
}

// member returns the value of the member named want (a lower-case ASCII
// JSON-RPC name). A member whose name is a near miss that some decoder
// would take for want (encoding/json folds case, and also matches "ſ" to
// "s" and "K" to "k"; encoding/json/v2's case-insensitive mode also ignores
// '_' and '-'), or a repeated member, is an error: the gate and the
// transport must not be able to read different values.
func member(fields []jsonMember, want string) (json.RawMessage, bool, error) {
	var value json.RawMessage
	found := false
	for _, f := range fields {
		if !nearName(f.name, want) {
			continue
		}
		if f.name != want || found {
			return nil, false, errAmbig
		}
		value, found = f.value, true
	}
	return value, found, nil
}

// exactMember returns the value of the first member named exactly name.
func exactMember(fields []jsonMember, name string) json.RawMessage {
	for _, f := range fields {
		if f.name == name {
			return f.value
		}
	}
	return nil
}

// nearName reports whether name could be read as want by a case-insensitive
// JSON decoder: equal under Unicode simple case folding (what encoding/json
// uses) once '_' and '-' are dropped.
func nearName(name, want string) bool {
	if len(name) < len(want) { // want is ASCII: a fold-equal name has at least its length
		return false
	}
	if strings.ContainsAny(name, "_-") {
		name = strings.Map(func(r rune) rune {
			if r == '_' || r == '-' {
				return -1
			}
			return r
		}, name)
	}
	return strings.EqualFold(name, want)
}

func isJSONNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
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
