package bearer

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON decoder for JOSE headers and JWT claims sets.
//
// Why not encoding/json: on the verifier's hot path, json.Unmarshal of a
// typical 350-byte claims set into map[string]any costs about 3.5 µs and 50
// allocations, more than the 15 % of an RS256 signature check (24 µs) that
// the whole verification may add. This decoder returns the same values
// (objects as map[string]any, arrays as []any, numbers as float64, strings,
// bools, nil) in about a fifth of the time and with 14 allocations
// (BenchmarkJWTJSONDecode), mostly because strings without escapes are
// substrings of the input rather than copies. FuzzJWTJSON checks it against
// encoding/json.
//
// It follows RFC 8259 strictly, with encoding/json's choices where the RFC
// leaves room: a duplicate member name keeps the last value (RFC 7515
// section 4 and RFC 7519 section 4 allow exactly this), invalid UTF-8 and
// unpaired surrogate escapes become U+FFFD, numbers out of float64 range are
// errors. Unlike encoding/json it refuses nesting deeper than
// jwtJSONMaxDepth, which no header or claims set needs.

// jwtJSONMaxDepth bounds the nesting of arrays and objects.
const jwtJSONMaxDepth = 64

var (
	errJSONSyntax = errors.New("invalid JSON")
	errJSONDepth  = errors.New("JSON nested too deeply")
	errJSONNumber = errors.New("JSON number out of range")
	errJSONObject = errors.New("JSON value is not an object")
)

// jwtJSON decodes one JSON document held in s. The strings it returns may
// share memory with s.
type jwtJSON struct {
	s     string
	i     int // read position
	depth int
}

// jwtDecodeObject decodes s, which must hold exactly one JSON object;
// sizeHint is the number of members expected (0 if unknown).
func jwtDecodeObject(s string, sizeHint int) (map[string]any, error) {
	d := jwtJSON{s: s}
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '{' {
		return nil, errJSONObject
	}
	m, err := d.object(sizeHint)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.s) {
		return nil, errJSONSyntax // trailing data
	}
	return m, nil
}

func (d *jwtJSON) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at the read position (no leading space).
func (d *jwtJSON) value() (any, error) {
	if d.i >= len(d.s) {
		return nil, errJSONSyntax
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object(0)
	case c == '[':
		return d.array()
	case c == '"':
		return d.string()
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	case d.literal("true"):
		return true, nil
	case d.literal("false"):
		return false, nil
	case d.literal("null"):
		return nil, nil
	default:
		return nil, errJSONSyntax
	}
}

func (d *jwtJSON) literal(lit string) bool {
	if len(d.s)-d.i >= len(lit) && d.s[d.i:d.i+len(lit)] == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// object decodes an object; the read position is at '{'.
func (d *jwtJSON) object(sizeHint int) (map[string]any, error) {
	m := make(map[string]any, sizeHint)
	err := d.members(func(name string) error {
		v, err := d.value()
		m[name] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// members walks an object, the read position at '{': for each member it
// reads the name and the colon, then calls member, which must consume the
// value (the read position is at its first character).
func (d *jwtJSON) members(member func(name string) error) error {
	if d.depth++; d.depth > jwtJSONMaxDepth {
		return errJSONDepth
	}
	d.i++ // '{'
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return errJSONSyntax
		}
		name, err := d.string()
		if err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return errJSONSyntax
		}
		d.i++
		d.space()
		if err := member(name); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.s) {
			return errJSONSyntax
		}
		switch d.s[d.i] {
		case ',':
			d.i++
			d.space()
		case '}':
			d.i++
			d.depth--
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// array decodes an array; the read position is at '['.
func (d *jwtJSON) array() ([]any, error) {
	a := []any{}
	err := d.elements(func() error {
		v, err := d.value()
		a = append(a, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// elements walks an array, the read position at '[': for each element it
// calls element, which must consume it.
func (d *jwtJSON) elements(element func() error) error {
	if d.depth++; d.depth > jwtJSONMaxDepth {
		return errJSONDepth
	}
	d.i++ // '['
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.s) {
			return errJSONSyntax
		}
		switch d.s[d.i] {
		case ',':
			d.i++
			d.space()
		case ']':
			d.i++
			d.depth--
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// skip consumes the value at the read position, checking its syntax (not
// the range of numbers) but building nothing (a string with escapes
// aside).
func (d *jwtJSON) skip() error {
	if d.i >= len(d.s) {
		return errJSONSyntax
	}
	var err error
	switch c := d.s[d.i]; {
	case c == '{':
		err = d.members(func(string) error { return d.skip() })
	case c == '[':
		err = d.elements(d.skip)
	case c == '"':
		_, err = d.string()
	case c == '-' || ('0' <= c && c <= '9'):
		_, err = d.numberLiteral()
	case d.literal("true"), d.literal("false"), d.literal("null"):
	default:
		err = errJSONSyntax
	}
	return err
}

// jwtPeek walks the top level of the JSON object s without building
// anything: it returns the string value of the member name (the last one,
// if name is repeated; ok is false when it is absent or not a string, or s
// is not a valid object) and the number of members, a size hint for
// jwtDecodeObject.
func jwtPeek(s, name string) (value string, ok bool, members int) {
	d := jwtJSON{s: s}
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '{' {
		return "", false, 0
	}
	err := d.members(func(n string) error {
		members++
		if n != name {
			return d.skip()
		}
		if d.i < len(d.s) && d.s[d.i] == '"' {
			var err error
			value, err = d.string()
			ok = err == nil
			return err
		}
		ok = false
		return d.skip()
	})
	if !ok || err != nil {
		return "", false, members
	}
	return value, true, members
}

// number decodes a number as float64; the read position is at '-' or a
// digit.
func (d *jwtJSON) number() (float64, error) {
	lit, err := d.numberLiteral()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return 0, errJSONNumber
	}
	return f, nil
}

// numberLiteral consumes a number and returns its text, checking the
// grammar but not the range.
func (d *jwtJSON) numberLiteral() (string, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.i < len(d.s) && '1' <= d.s[d.i] && d.s[d.i] <= '9':
		d.digits()
	default:
		return "", errJSONSyntax
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return "", errJSONSyntax
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return "", errJSONSyntax
		}
	}
	return d.s[start:d.i], nil
}

func (d *jwtJSON) digits() int {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// string decodes a string; the read position is at '"'. A string without
// escapes or invalid UTF-8 is returned as a substring of the input.
func (d *jwtJSON) string() (string, error) {
	d.i++ // '"'
	start := d.i
	for d.i < len(d.s) && jwtPlainByte[d.s[d.i]] {
		d.i++ // printable ASCII other than '"' and '\\': the common case
	}
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			s := d.s[start:d.i]
			d.i++
			return s, nil
		case c == '\\':
			return d.slowString(start)
		case c < 0x20:
			return "", errJSONSyntax
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, size := utf8.DecodeRuneInString(d.s[d.i:])
			if r == utf8.RuneError && size == 1 {
				return d.slowString(start)
			}
			d.i += size
		}
	}
	return "", errJSONSyntax
}

// slowString decodes the rest of a string that needs rewriting: start is
// where its content begins, the read position where the fast path stopped.
func (d *jwtJSON) slowString(start int) (string, error) {
	b := make([]byte, 0, d.i-start+16)
	b = append(b, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", errJSONSyntax
		case c == '\\':
			d.i++
			if d.i >= len(d.s) {
				return "", errJSONSyntax
			}
			e := d.s[d.i]
			d.i++
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", errJSONSyntax
				}
				if utf16.IsSurrogate(r) {
					// Consume the second half only if it completes a
					// valid pair, as encoding/json does.
					save := d.i
					if d.literal(`\u`) {
						if r2, ok := d.hex4(); ok {
							if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
								b = utf8.AppendRune(b, pair)
								continue
							}
						}
					}
					d.i = save
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", errJSONSyntax
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.i++
		default:
			r, size := utf8.DecodeRuneInString(d.s[d.i:])
			b = utf8.AppendRune(b, r) // U+FFFD for an invalid byte
			d.i += size
		}
	}
	return "", errJSONSyntax
}

// jwtPlainByte marks the bytes that stand for themselves in a JSON string:
// printable ASCII other than '"' and '\\'.
var jwtPlainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hex4 reads four hex digits.
func (d *jwtJSON) hex4() (rune, bool) {
	if len(d.s)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(d.s[d.i : d.i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}
