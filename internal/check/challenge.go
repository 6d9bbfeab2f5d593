package check

import (
	"errors"
	"fmt"
	"strings"
)

// authChallenge is one challenge of a WWW-Authenticate header (RFC 9110
// section 11.6.1): a scheme followed by either a token68 or a list of
// parameters.
type authChallenge struct {
	scheme  string
	token68 string
	params  []authParam
}

// authParam is one auth-param; quoted tells whether the value was a
// quoted-string (the MCP TypeScript SDK reads resource_metadata only in
// that form).
type authParam struct {
	name, value string
	quoted      bool
}

// param returns the parameter called name (case-insensitive, RFC 9110).
func (c *authChallenge) param(name string) (authParam, bool) {
	for _, p := range c.params {
		if strings.EqualFold(p.name, name) {
			return p, true
		}
	}
	return authParam{}, false
}

// maxChallengeHeader bounds what parseChallenges reads.
const maxChallengeHeader = 8 << 10

// parseChallenges parses the WWW-Authenticate field value (several field
// lines joined with ", ", RFC 9110 section 5.3). It is strict: a
// parameter given twice in one challenge, a parameter without a value or
// an unterminated quoted-string is an error, since clients parse such
// headers inconsistently.
func parseChallenges(header string) ([]authChallenge, error) {
	if len(header) > maxChallengeHeader {
		return nil, fmt.Errorf("the header is longer than %d bytes", maxChallengeHeader)
	}
	p := challengeParser{s: header}
	var out []authChallenge
	for {
		p.skipListSeparators()
		if p.done() {
			break
		}
		c, err := p.challenge()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("the header is empty")
	}
	return out, nil
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) done() bool { return p.i >= len(p.s) }

func (p *challengeParser) skipWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *challengeParser) skipListSeparators() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == ',') {
		p.i++
	}
}

func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// challenge reads a scheme and what follows it, up to the next challenge.
func (p *challengeParser) challenge() (authChallenge, error) {
	c := authChallenge{scheme: p.token()}
	if c.scheme == "" {
		return c, fmt.Errorf("expected an auth scheme at byte %d", p.i)
	}
	if p.done() || p.s[p.i] == ',' {
		return c, nil
	}
	if p.s[p.i] != ' ' && p.s[p.i] != '\t' {
		return c, fmt.Errorf("unexpected %q after the scheme %s", p.s[p.i], quote(c.scheme))
	}
	p.skipWS()
	if p.done() || p.s[p.i] == ',' {
		return c, nil
	}
	if t68, ok := p.tryToken68(); ok {
		c.token68 = t68
		return c, nil
	}
	for {
		prm, err := p.param()
		if err != nil {
			return c, err
		}
		if _, dup := c.param(prm.name); dup {
			return c, fmt.Errorf("the parameter %s appears twice in the %s challenge", quote(prm.name), quote(c.scheme))
		}
		c.params = append(c.params, prm)
		p.skipWS()
		if p.done() {
			return c, nil
		}
		if p.s[p.i] != ',' {
			return c, fmt.Errorf("expected a comma at byte %d", p.i)
		}
		// After the comma: another parameter (name "="), or the next
		// challenge (a scheme).
		save := p.i
		p.skipListSeparators()
		if p.done() {
			return c, nil
		}
		p.token()
		p.skipWS()
		isParam := !p.done() && p.s[p.i] == '='
		p.i = save
		p.skipListSeparators()
		if !isParam {
			return c, nil
		}
	}
}

// tryToken68 reads a token68 (RFC 9110 section 11.2) if what follows is
// one, that is when it is not the start of an auth-param.
func (p *challengeParser) tryToken68() (string, bool) {
	start := p.i
	for p.i < len(p.s) && isToken68Char(p.s[p.i]) {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] == '=' {
		p.i++
	}
	end := p.i
	p.skipWS()
	if end > start && (p.done() || p.s[p.i] == ',') {
		// "abc", "abc==" or even "abc=": an auth-param needs a value, so
		// only a token68 ends here.
		return p.s[start:end], true
	}
	p.i = start
	return "", false
}

// param reads name BWS "=" BWS (token / quoted-string).
func (p *challengeParser) param() (authParam, error) {
	prm := authParam{name: p.token()}
	if prm.name == "" {
		return prm, fmt.Errorf("expected a parameter name at byte %d", p.i)
	}
	p.skipWS()
	if p.done() || p.s[p.i] != '=' {
		return prm, fmt.Errorf("the parameter %s has no value", quote(prm.name))
	}
	p.i++
	p.skipWS()
	if !p.done() && p.s[p.i] == '"' {
		v, err := p.quotedString()
		if err != nil {
			return prm, fmt.Errorf("the parameter %s: %w", quote(prm.name), err)
		}
		prm.value, prm.quoted = v, true
		return prm, nil
	}
	prm.value = p.token()
	if prm.value == "" {
		return prm, fmt.Errorf("the parameter %s has no value", quote(prm.name))
	}
	if !p.done() && p.s[p.i] != ',' && p.s[p.i] != ' ' && p.s[p.i] != '\t' {
		return prm, fmt.Errorf("the value of the parameter %s must be a token or a quoted-string (quote it)", quote(prm.name))
	}
	return prm, nil
}

// quotedString reads a quoted-string (RFC 9110 section 5.6.4) and returns
// its unescaped content.
func (p *challengeParser) quotedString() (string, error) {
	p.i++ // the opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", errors.New("unterminated quoted-string")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
			p.i++
		default:
			return "", fmt.Errorf("control character %q in a quoted-string", c)
		}
	}
	return "", errors.New("unterminated quoted-string")
}

// isTChar reports whether c is a token character (RFC 9110 section 5.6.2).
func isTChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken68Char reports whether c may appear in a token68 before its
// trailing "=" padding.
func isToken68Char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}
