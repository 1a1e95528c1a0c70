package contract

import (
	"fmt"
	"strings"
)

// Challenge is one authentication challenge of a WWW-Authenticate field
// (RFC 9110 section 11.6.1): a scheme with a token68 or auth-params.
type Challenge struct {
	Scheme  string
	Token68 string
	Params  map[string]string // by lower-case name; quoted values unquoted
}

// Is reports whether the challenge's scheme is scheme (case-insensitively).
func (c Challenge) Is(scheme string) bool { return strings.EqualFold(c.Scheme, scheme) }

// ParseChallenges reads the challenges of every WWW-Authenticate field line
// given (a response may send one line or several; their order is kept):
//
//	challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param = token BWS "=" BWS ( token / quoted-string )
//
// A line that does not keep this grammar is an error naming the place.
func ParseChallenges(lines ...string) ([]Challenge, error) {
	var out []Challenge
	for _, line := range lines {
		p := &challengeParser{s: line}
		cs, err := p.list()
		if err != nil {
			return nil, fmt.Errorf("WWW-Authenticate %q: %w", line, err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

// HasChallenge reports whether one of the challenges is for scheme.
func HasChallenge(challenges []Challenge, scheme string) bool {
	for _, c := range challenges {
		if c.Is(scheme) {
			return true
		}
	}
	return false
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) list() ([]Challenge, error) {
	var out []Challenge
	for {
		p.skipSeparators()
		if p.i == len(p.s) {
			return out, nil
		}
		c, err := p.challenge()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		p.ows()
		if p.i < len(p.s) && p.s[p.i] != ',' {
			return nil, fmt.Errorf("at %d: want a comma between challenges, got %q", p.i, p.s[p.i])
		}
	}
}

func (p *challengeParser) challenge() (Challenge, error) {
	scheme := p.token()
	if scheme == "" {
		return Challenge{}, fmt.Errorf("at %d: want an auth-scheme, got %q", p.i, p.s[p.i])
	}
	c := Challenge{Scheme: scheme}
	spaces := p.ows()
	if p.i == len(p.s) || p.s[p.i] == ',' {
		return c, nil
	}
	if spaces == 0 {
		return Challenge{}, fmt.Errorf("at %d: want a space after the scheme %s", p.i, scheme)
	}
	if t, ok := p.token68(); ok {
		c.Token68 = t
		return c, nil
	}
	c.Params = map[string]string{}
	for {
		name, value, err := p.param()
		if err != nil {
			return Challenge{}, err
		}
		key := strings.ToLower(name)
		if _, dup := c.Params[key]; dup {
			return Challenge{}, fmt.Errorf("auth-param %s repeats in the %s challenge", name, scheme)
		}
		c.Params[key] = value
		// Another auth-param of this challenge follows a comma, or the next challenge does.
		save := p.i
		p.ows()
		if p.i == len(p.s) || p.s[p.i] != ',' {
			p.i = save
			return c, nil
		}
		p.skipSeparators()
		if !p.paramAhead() {
			p.i = save
			return c, nil
		}
	}
}

// token68 reads a token68 when one stands here: its characters, then only
// '=' padding, then the end of the element.
func (p *challengeParser) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && isToken68(p.s[j]) {
		j++
	}
	if j == p.i {
		return "", false
	}
	k := j
	for k < len(p.s) && p.s[k] == '=' {
		k++
	}
	end := k
	for end < len(p.s) && (p.s[end] == ' ' || p.s[end] == '\t') {
		end++
	}
	if end < len(p.s) && p.s[end] != ',' {
		return "", false // an auth-param: name=value
	}
	t := p.s[p.i:k]
	p.i = k
	return t, true
}

// paramAhead reports whether an auth-param (token BWS "=") starts here.
func (p *challengeParser) paramAhead() bool {
	save := p.i
	defer func() { p.i = save }()
	if p.token() == "" {
		return false
	}
	p.ows()
	return p.i < len(p.s) && p.s[p.i] == '='
}

func (p *challengeParser) param() (string, string, error) {
	name := p.token()
	if name == "" {
		return "", "", fmt.Errorf("at %d: want an auth-param name", p.i)
	}
	p.ows()
	if p.i == len(p.s) || p.s[p.i] != '=' {
		return "", "", fmt.Errorf("at %d: want '=' after the auth-param %s", p.i, name)
	}
	p.i++
	p.ows()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		v, err := p.quoted()
		return name, v, err
	}
	v := p.token()
	if v == "" {
		return "", "", fmt.Errorf("at %d: want a token or a quoted string for the auth-param %s", p.i, name)
	}
	return name, v, nil
}

func (p *challengeParser) quoted() (string, error) {
	start := p.i
	p.i++ // the opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 == len(p.s) {
				return "", fmt.Errorf("at %d: the quoted string ends in a backslash", p.i)
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
			p.i++
		default:
			return "", fmt.Errorf("at %d: control character %q in a quoted string", p.i, c)
		}
	}
	return "", fmt.Errorf("at %d: the quoted string is not closed", start)
}

func (p *challengeParser) token() string {
	j := p.i
	for j < len(p.s) && isTchar(p.s[j]) {
		j++
	}
	t := p.s[p.i:j]
	p.i = j
	return t
}

func (p *challengeParser) ows() int {
	n := 0
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
		n++
	}
	return n
}

// skipSeparators passes white space and the commas of empty list elements.
func (p *challengeParser) skipSeparators() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == ',') {
		p.i++
	}
}

func isTchar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
}
