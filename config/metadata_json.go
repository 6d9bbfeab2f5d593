package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// namedMember is a Metadata field and its JSON member name.
type namedMember struct {
	name  string
	index int
}

// namedMembers lists the members Metadata names, in field order; built once
// from the struct tags so that a new field cannot be forgotten here.
var namedMembers, namedMemberIndex = func() ([]namedMember, map[string]int) {
	t := reflect.TypeFor[Metadata]()
	var list []namedMember
	byName := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		list = append(list, namedMember{name, i})
		byName[name] = i
	}
	return list, byName
}()

// plainMetadata has Metadata's fields without its methods, for the default
// encoding of the named members.
type plainMetadata Metadata

// UnmarshalJSON decodes a metadata document. It requires a JSON object.
// Member names are matched exactly (not case-insensitively as
// encoding/json does by default), so that "ISSUER" cannot stand in for
// "issuer"; when a member appears twice the last one wins. A named member
// of the wrong JSON type is an error. Every other member is kept, as
// received, in Extra. The JSON literal null leaves m unchanged.
func (m *Metadata) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return fmt.Errorf("metadata is not a JSON object: %w", err)
	}
	var out Metadata
	v := reflect.ValueOf(&out).Elem()
	for name, raw := range members {
		i, ok := namedMemberIndex[name]
		if !ok {
			if out.Extra == nil {
				out.Extra = make(map[string]json.RawMessage)
			}
			out.Extra[name] = raw
			continue
		}
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return fmt.Errorf("metadata member %q: JSON %s where %s was expected", name, te.Value, te.Type)
			}
			return fmt.Errorf("metadata member %q: %w", name, err)
		}
	}
	*m = out
	return nil
}

// MarshalJSON encodes the named members (empty optional ones omitted) in
// field order, then the members of Extra in sorted order. An Extra member
// whose name equals a named member's name, or differs from it only in
// letter case (strings.EqualFold), is left out: the named field is the
// truth, and no reader, case-sensitive or not, may take an Extra member for
// it. Extra values must be valid JSON; they are written compacted.
func (m Metadata) MarshalJSON() ([]byte, error) {
	named, err := json.Marshal(plainMetadata(m))
	if err != nil {
		return nil, err
	}
	if len(m.Extra) == 0 {
		return named, nil
	}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		if !shadowsNamedMember(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	buf := bytes.NewBuffer(named[:len(named)-1]) // drop the closing brace
	for _, k := range keys {
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(m.Extra[k]) // validates and compacts
		if err != nil {
			return nil, fmt.Errorf("metadata Extra member %q: %w", k, err)
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(val)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// shadowsNamedMember reports whether an Extra member name could be read as
// one of the named members.
func shadowsNamedMember(name string) bool {
	if _, ok := namedMemberIndex[name]; ok {
		return true
	}
	for _, nm := range namedMembers {
		if strings.EqualFold(name, nm.name) {
			return true
		}
	}
	return false
}
