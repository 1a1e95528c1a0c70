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
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "+", "&#43;").Replace(s)
}

// xmlNamedEntities is s with XML's named entities, as many XML writers use them.
func xmlNamedEntities(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&apos;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

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

var replacers sync.Map // the secrets joined by NUL → *strings.Replacer

func replacer(secrets []string) *strings.Replacer {
	key := strings.Join(secrets, "\x00")
	if r, ok := replacers.Load(key); ok {
		return r.(*strings.Replacer)
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
	var args []string
	for _, p := range pairs {
		args = append(args, p[0], p[1])
	}
	r := strings.NewReplacer(args...)
	replacers.Store(key, r)
	return r
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
	return replacer(secrets).Replace(s)
}
