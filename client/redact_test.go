package client

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Passwords with every character an encoding changes.
var hostile = []string{
	`pa"ss\word`,
	`<tag>&amp;'x'`,
	`100%-sure+plus/slash`,
	"пароль-Ünïcødé-😀",
	"tab\tnew\nline",
}

// The encodings are written here independently of redact.go, the way the
// places that produce them do.
func encodingsOf(s string) map[string]string {
	j, _ := json.Marshal(s)
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(s))
	return map[string]string{
		"raw":          s,
		"JSON":         strings.Trim(string(j), `"`),
		"XML":          x.String(),
		"HTML":         html.EscapeString(s),
		"URL query":    url.QueryEscape(s),
		"URL path":     url.PathEscape(s),
		"Go %q":        strings.Trim(fmt.Sprintf("%q", s), `"`),
		"Go %+q":       strings.Trim(fmt.Sprintf("%+q", s), `"`),
		"JSON in JSON": strings.Trim(mustJSON(mustJSON(s)), `"`),
		"%q of JSON":   strings.Trim(strconv.Quote(mustJSON(s)), `"`),
		"XML of JSON":  xmlOf(mustJSON(s)),
		"JSON of %q":   strings.Trim(mustJSON(strconv.Quote(s)), `"`),
	}
}

func mustJSON(s string) string { b, _ := json.Marshal(s); return string(b) }

func xmlOf(s string) string {
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(s))
	return x.String()
}

func TestRedactRemovesEveryEncoding(t *testing.T) {
	for _, pw := range hostile {
		basic := base64.StdEncoding.EncodeToString([]byte("user:" + pw))
		for name, enc := range encodingsOf(pw) {
			text := "before " + enc + " after, Basic " + basic
			got := Redact(text, pw, basic)
			if strings.Contains(got, enc) || strings.Contains(got, basic) {
				t.Errorf("%q in %s: Redact left it in %q", pw, name, got)
			}
			if !strings.Contains(got, "redacted") {
				t.Errorf("%q in %s: no placeholder in %q", pw, name, got)
			}
		}
	}
}

// A redacted JSON or XML document is still one: the placeholder is written
// in the encoding it replaces.
func TestRedactKeepsDocumentsWellFormed(t *testing.T) {
	for _, pw := range hostile {
		doc, _ := json.Marshal(map[string]string{"message": "wrong password " + pw})
		var v map[string]string
		if err := json.Unmarshal([]byte(Redact(string(doc), pw)), &v); err != nil || !strings.Contains(v["message"], Redacted) {
			t.Errorf("%q: redacted JSON %s: %v", pw, Redact(string(doc), pw), err)
		}
		x, _ := xml.Marshal(struct {
			XMLName xml.Name `xml:"e"`
			Attr    string   `xml:"a,attr"`
			Text    string   `xml:",chardata"`
		}{Attr: pw, Text: pw})
		var back struct {
			Attr string `xml:"a,attr"`
			Text string `xml:",chardata"`
		}
		if err := xml.Unmarshal([]byte(Redact(string(x), pw)), &back); err != nil || back.Text != Redacted || back.Attr != Redacted {
			t.Errorf("%q: redacted XML %s → %+v, %v", pw, Redact(string(x), pw), back, err)
		}
	}
}

func TestRedactLeavesOtherTextAlone(t *testing.T) {
	if got := Redact("nothing secret here", `pa"ss`); got != "nothing secret here" {
		t.Errorf("Redact = %q", got)
	}
	if got := Redact("x", ""); got != "x" {
		t.Errorf("an empty secret changed the text: %q", got)
	}
}

// Redact first looks for where a secret may start, by its first two bytes
// (by its only byte for a one-byte secret): a secret is found at either end
// of the text, and after a byte that starts another secret's form.
func TestRedactFindsSecretsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		text    string
		secrets []string
	}{
		{"k", []string{"k"}},
		{"ab k", []string{"k"}},
		{"k ab", []string{"k"}},
		{"xy", []string{"xy"}},
		{"axy", []string{"xy"}},
		{"xxy", []string{"xy", "xz"}},
		{"a<b", []string{"<b"}},       // its XML form starts with &
		{"&lt;b", []string{"<b"}},     // which is here
		{"p%21q", []string{"p!q"}},    // URL-escaped
		{"1 k", []string{"kk", "k"}},  // the shorter secret, last byte
		{"x x", []string{"x y", "x"}}, // a longer form started, not finished
	} {
		if got := Redact(tc.text, tc.secrets...); got == tc.text || !strings.Contains(got, "redacted") {
			t.Errorf("Redact(%q, %q) = %q: nothing redacted", tc.text, tc.secrets, got)
		}
	}
}

// BenchmarkRedact redacts a HAR entry's worth of JSON (about 2 KiB) with a
// run's secrets (two passwords, their Basic credentials, a hook token):
// every exchange and every report of a run goes through it.
func BenchmarkRedact(b *testing.B) {
	secrets := []string{"reference-password", "readonly-password", "hook-token-0123456789",
		base64.StdEncoding.EncodeToString([]byte("suite:reference-password")),
		base64.StdEncoding.EncodeToString([]byte("reader:readonly-password"))}
	entry := `{"startedDateTime":"2026-11-26T16:12:00.097176688Z","time":0.412,"request":{"method":"POST","url":"http://127.0.0.1:40000/fx/api/v1/json/callcases/?project=p1","headers":[{"name":"Authorization","value":"Basic [redacted]"},{"name":"Content-Type","value":"application/json"}],"postData":{"mimeType":"application/json","text":` + strconv.Quote(strings.Repeat(`{"uuid":"r1-01-000042","title":"conformance case","state":"open"}`, 20)) + `}}}`
	b.Run("none", func(b *testing.B) {
		b.SetBytes(int64(len(entry)))
		for b.Loop() {
			Redact(entry, secrets...)
		}
	})
	leaked := entry + secrets[0]
	b.Run("one", func(b *testing.B) {
		b.SetBytes(int64(len(leaked)))
		for b.Loop() {
			Redact(leaked, secrets...)
		}
	})
}
