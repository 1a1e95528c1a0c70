package client

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Redacted replaces a secret wherever output shows one: no character in it
// needs escaping in JSON, XML, HTML or a Go string, so it is safe in any of
// them, even where the secret's encoded form is the secret itself.
const Redacted = "[redacted]"

// An encoding is one way a secret can reach a report or the console: a
// target may echo it in a JSON, XML or URL-encoded body, the suite may
// print it Go-quoted (%q), and the reports wrap all of that in JSON, XML and
// HTML again.
type encoding func(string) string

var encodings = []encoding{
	jsonString(true), jsonString(false), jsonASCII,
	xmlText, htmlText, xmlNamedEntities,
	url.QueryEscape, url.PathEscape,
	goQuoted, goQuotedASCII,
}

// jsonString is s as it stands between the quotes of a JSON string, as Go
// writes it (with or without HTML-safe escapes of <, >, &).
func jsonString(escapeHTML bool) encoding {
	return func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if enc.Encode(s) != nil {
			return s
		}
		return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`)
	}
}

// jsonASCII is s in a JSON string as encoders that escape every non-ASCII
// character write it (PHP's json_encode, Python's json.dumps), solidus included.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range jsonString(false)(s) {
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// htmlText is s as html/template and html.EscapeString write it.
func htmlText(s string) string { return htmlEscaper.Replace(s) }

var htmlEscaper = strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "+", "&#43;")

// xmlNamedEntities is s with XML's named entities, as many XML writers use them.
func xmlNamedEntities(s string) string { return xmlEntityEscaper.Replace(s) }

var xmlEntityEscaper = strings.NewReplacer("&", "&amp;", "'", "&apos;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func goQuoted(s string) string      { q := strconv.Quote(s); return q[1 : len(q)-1] }
func goQuotedASCII(s string) string { q := strconv.QuoteToASCII(s); return q[1 : len(q)-1] }

// variants returns every form of secret that output may hold, paired with
// the placeholder in the same form (so that a redacted JSON or XML file
// stays well-formed): the secret itself, each encoding of it, and each
// encoding of those, since a report quotes failure messages that quote
// bodies.
func variants(secret string) [][2]string {
	seen := map[string]bool{}
	var out [][2]string
	add := func(v, placeholder string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, [2]string{v, placeholder})
		}
	}
	add(secret, Redacted)
	for _, outer := range encodings {
		add(outer(secret), outer(Redacted))
		for _, inner := range encodings {
			add(outer(inner(secret)), outer(inner(Redacted)))
		}
	}
	return out
}

var (
	redactors sync.Map // the secrets joined by NUL → *redactor
	// lastRedactor is the one used last: a run redacts with one set of
	// secrets, so it mostly spares building the map's key.
	lastRedactor atomic.Pointer[redactor]
)

// redactor replaces every variant of a set of secrets. Most text holds none:
// present finds that out without copying it, which Replace always does.
type redactor struct {
	*strings.Replacer
	secrets []string
	// starts has a bit for each pair of bytes a variant starts with (a
	// variant of one byte sets every pair that starts with it).
	starts [1 << 16 / 64]uint64
	// byFirst lists the variants by their first byte, longest first.
	byFirst [256][]string
}

func (r *redactor) mayStart(b0, b1 byte) bool {
	pair := uint(b0)<<8 | uint(b1)
	return r.starts[pair/64]&(1<<(pair%64)) != 0
}

func replacer(secrets []string) *redactor {
	if r := lastRedactor.Load(); r != nil && slices.Equal(r.secrets, secrets) {
		return r
	}
	key := strings.Join(secrets, "\x00")
	if r, ok := redactors.Load(key); ok {
		lastRedactor.Store(r.(*redactor))
		return r.(*redactor)
	}
	var pairs [][2]string
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, variants(s)...)
		}
	}
	// Longest first: a secret's longer form goes before any shorter form
	// (or another secret) it contains.
	slices.SortStableFunc(pairs, func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
	r := &redactor{secrets: slices.Clone(secrets)}
	var args []string
	for _, p := range pairs {
		args = append(args, p[0], p[1])
		v := p[0]
		r.byFirst[v[0]] = append(r.byFirst[v[0]], v)
		for b1 := range 256 {
			if len(v) == 1 || v[1] == byte(b1) {
				pair := uint(v[0])<<8 | uint(b1)
				r.starts[pair/64] |= 1 << (pair % 64)
			}
		}
	}
	r.Replacer = strings.NewReplacer(args...)
	redactors.Store(key, r)
	lastRedactor.Store(r)
	return r
}

// present says whether s holds any variant.
func (r *redactor) present(s string) bool {
	for i := 0; i < len(s); i++ {
		if i+1 < len(s) && !r.mayStart(s[i], s[i+1]) {
			continue
		}
		for _, v := range r.byFirst[s[i]] {
			if strings.HasPrefix(s[i:], v) {
				return true
			}
		}
	}
	return false
}

// Redact replaces every non-empty secret in s, in every encoding output can
// hold it in: as is, JSON-, XML-, HTML-, URL-escaped, Go-quoted, and each of
// those inside another (a JSON report quoting a failure that quotes a body).
// Give it the Basic credential too (config.Secrets does): base64 is not
// derived here, since it depends on the user name.
func Redact(s string, secrets ...string) string {
	if len(secrets) == 0 || s == "" {
		return s
	}
	r := replacer(secrets)
	if !r.present(s) {
		return s
	}
	return r.Replace(s)
}
