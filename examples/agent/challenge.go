package main

import (
	"errors"
	"strings"
)

// parseBearerChallenge parses a WWW-Authenticate value holding one Bearer
// challenge, such as
//
//	Bearer error="insufficient_scope", scope="a b", resource_metadata="https://..."
//
// into its parameters (RFC 9110 section 11.2, quoted strings unescaped).
func parseBearerChallenge(h string) (map[string]string, error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, errors.New("no Bearer challenge in WWW-Authenticate")
	}
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		name, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, errors.New("malformed Bearer challenge")
		}
		name = strings.ToLower(strings.TrimSpace(name))
		var value string
		if strings.HasPrefix(after, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(after) && after[i] != '"'; i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
				}
				b.WriteByte(after[i])
			}
			if i >= len(after) {
				return nil, errors.New("unterminated quoted string in Bearer challenge")
			}
			value, after = b.String(), after[i+1:]
		} else {
			value, after, _ = strings.Cut(after, ",")
			after = "," + after
		}
		params[name] = strings.TrimSpace(value)
		rest = strings.TrimSpace(after)
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ","))
	}
	return params, nil
}

// union returns the distinct scopes of all lists, in first-seen order,
// without offline_access (MCP 2026-07-28: never requested because a server
// asked for it).
func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if s != "" && s != "offline_access" && !containsString(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
