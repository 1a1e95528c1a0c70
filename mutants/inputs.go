package mutants

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The reference server's input checks as they were before docs/rules.md
// settled them: each mutant gives back one behaviour the reference had,
// so that the condition certifying the rule is shown to fail on it.
func init() { catalogue = append(catalogue, inputMutants...) }

// createRoutes are the routes that create or update one case from a body.
var createRoutes = []string{"POST /callcases/", "PUT /callcases/", "POST /projects/{project}/callcases/", "PUT /projects/{project}/callcases/"}

func (c *call) isAny(routes ...string) bool {
	for _, r := range routes {
		if c.is(r) {
			return true
		}
	}
	return false
}

// forwardEdited sends the call on with its body edited by edit (JSON) or
// editX (XML); a body that does not parse, or is not UTF-8 (which decoding
// would mend), goes on as it is.
func forwardEdited(t *target, w http.ResponseWriter, c *call, edit func(v any) any, editX func(root *xmlNode)) {
	body := c.body
	switch {
	case !utf8.Valid(body):
	case c.inXML():
		if root, ok := parseXML(body); ok && editX != nil {
			editX(root)
			body = root.bytes()
		}
	default:
		var v any
		if json.Unmarshal(body, &v) == nil && edit != nil {
			body, _ = json.Marshal(edit(v))
		}
	}
	replay(w, t.send(c, withBody(body)))
}

// walkJSON applies f to every value of v, depth first, and returns v.
func walkJSON(v any, f func(v any) any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = walkJSON(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = walkJSON(e, f)
		}
	}
	return f(v)
}

// walkXML applies f to n and every element below it.
func walkXML(n *xmlNode, f func(n *xmlNode)) {
	f(n)
	for _, e := range n.elements() {
		walkXML(e, f)
	}
}

var uuidShape = regexp.MustCompile(`^[0-9a-z]{1,64}$`)

var surrogateRef = regexp.MustCompile(`&#(?:x([0-9a-fA-F]+)|([0-9]+));`)

var controlCharacter = regexp.MustCompile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

// rewriteQuery re-sends a list with the query parameters edit changes.
func rewriteQuery(route string, edit func(name, value string) (string, bool)) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is(route) {
			return false
		}
		q := c.URL.Query()
		changed := false
		for name, values := range q {
			for i, v := range values {
				if nv, ok := edit(name, v); ok {
					values[i], changed = nv, true
				}
			}
		}
		if !changed {
			return false
		}
		replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
		return true
	})
}

var (
	signedPage     = regexp.MustCompile(`^\+[0-9]+$`)
	fractionalPage = regexp.MustCompile(`^([0-9]+)\.[0-9]+$`)
	lowerCaseDate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}t|^\d{4}-\d{2}-\d{2}T.*z$`)
)

var inputMutants = []Mutant{
	{Name: "path-uuid-shape-unchecked", Breaks: "a case's or an operator's uuid in a path is looked up whatever its shape: a malformed one answers 404, not 400", Kills: []string{"E400-malformed-uuid"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			name := map[string]string{"GET /callcases/{uuid}": "uuid", "DELETE /callcases/{uuid}": "uuid", "GET /callcases/{uuid}/get-state": "uuid",
				"POST /callcases/{uuid}/set-state": "uuid", "DELETE /projects/{project}/operators/{operator}": "operator"}[c.route]
			if name == "" || uuidShape.MatchString(c.params[name]) {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusBadRequest {
				rec = recode(rec, http.StatusNotFound)
			}
			replay(w, rec)
			return true
		})},
	{Name: "phone-type-optional", Breaks: "a phone number without phoneNumberType is accepted (stored as OTHER)", Kills: []string{"E400-phone-number"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny(createRoutes...) {
				return false
			}
			forwardEdited(t, w, c, func(v any) any {
				return walkJSON(v, func(v any) any {
					if m, ok := v.(map[string]any); ok && m["value"] != nil && m["phoneNumberType"] == nil {
						m["phoneNumberType"] = "OTHER"
					}
					return v
				})
			}, func(root *xmlNode) {
				walkXML(root, func(n *xmlNode) {
					if n.Name.Local != "phoneNumber" {
						return
					}
					for _, a := range n.Attr {
						if a.Name.Local == "phoneNumberType" {
							return
						}
					}
					n.Attr = append(n.Attr, xml.Attr{Name: xml.Name{Local: "phoneNumberType"}, Value: "OTHER"})
				})
			})
			return true
		})},
	{Name: "control-character-accepted", Breaks: "a JSON string holding a control character is accepted (the character dropped)", Kills: []string{"E400-control-character"}, Format: "json",
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny(createRoutes...) || c.inXML() {
				return false
			}
			forwardEdited(t, w, c, func(v any) any {
				return walkJSON(v, func(v any) any {
					if s, ok := v.(string); ok {
						return controlCharacter.ReplaceAllString(s, "")
					}
					return v
				})
			}, nil)
			return true
		})},
	{Name: "lone-surrogate-replaced", Breaks: "half a surrogate pair (JSON's \\ud800, XML's &#xD800;) is accepted, read as U+FFFD", Kills: []string{"E400-control-character"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny(createRoutes...) {
				return false
			}
			if c.inXML() {
				body := surrogateRef.ReplaceAllFunc(c.body, func(ref []byte) []byte {
					m := surrogateRef.FindSubmatch(ref)
					n, err := strconv.ParseUint(string(m[1]), 16, 32)
					if len(m[2]) > 0 {
						n, err = strconv.ParseUint(string(m[2]), 10, 32)
					}
					if err == nil && n >= 0xD800 && n <= 0xDFFF {
						return []byte("&#xFFFD;")
					}
					return ref
				})
				replay(w, t.send(c, withBody(body)))
				return true
			}
			// Decoding and encoding again reads each lone surrogate as U+FFFD, as encoding/json does.
			forwardEdited(t, w, c, func(v any) any { return v }, nil)
			return true
		})},
	{Name: "bad-utf8-replaced", Breaks: "a body that is not well-formed UTF-8 is accepted, each bad byte read as U+FFFD", Kills: []string{"E400-not-utf8"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny(createRoutes...) || utf8.Valid(c.body) {
				return false
			}
			replay(w, t.send(c, withBody([]byte(strings.ToValidUTF8(string(c.body), "\uFFFD")))))
			return true
		})},
	{Name: "page-sign-accepted", Breaks: "page=+1 (a sign before the digits) answers page 1", Kills: []string{"E400-page-not-digits"},
		build: rewriteQuery("GET /callcases/", func(name, v string) (string, bool) {
			if name != "page" || !signedPage.MatchString(v) {
				return "", false
			}
			return strings.TrimPrefix(v, "+"), true
		})},
	{Name: "page-fraction-truncated", Breaks: "page=2.0 or 1.5 answers the page of its integer part", Kills: []string{"E400-page-not-digits"},
		build: rewriteQuery("GET /callcases/", func(name, v string) (string, bool) {
			m := fractionalPage.FindStringSubmatch(v)
			if name != "page" || m == nil {
				return "", false
			}
			return m[1], true
		})},
	{Name: "list-bound-year-zero-read", Breaks: "a list's modifiedAfter or modifiedBefore in year 0000 is read (as year 0001)", Kills: []string{"E400-list-bad-date"},
		build: rewriteQuery("GET /callcases/", func(name, v string) (string, bool) {
			if (name != "modifiedAfter" && name != "modifiedBefore") || !strings.HasPrefix(v, "0000-") {
				return "", false
			}
			return "0001-" + strings.TrimPrefix(v, "0000-"), true
		})},
	{Name: "date-lower-case-refused", Breaks: "a date with a lower-case t or z answers 400 (set-state and the list's bounds)", Kills: []string{"S200-date-case"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			var dates []string
			switch {
			case c.is("POST /callcases/{uuid}/set-state"):
				dates = c.form()["date"]
			case c.is("GET /callcases/"):
				q := c.URL.Query()
				dates = append(q["modifiedAfter"], q["modifiedBefore"]...)
			}
			for _, d := range dates {
				if lowerCaseDate.MatchString(d) {
					status(w, http.StatusBadRequest)
					return true
				}
			}
			return false
		})},
	{Name: "batch-no-object-refused", Breaks: "a batch with an item that is not an object (a string, a number, text in XML) answers 400 as a whole", Kills: []string{"E400-batch-item-not-object"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny("POST /projects/{project}/callcases-batch/", "PUT /projects/{project}/callcases-batch/") || !hasNoObjectItem(c) {
				return false
			}
			status(w, http.StatusBadRequest)
			return true
		})},
	{Name: "batch-delete-null-read-as-empty", Breaks: "a null in a batch delete's list is read as an empty key (a 400 item) instead of a 400 batch", Kills: []string{"E400-batch-delete-not-strings"}, Format: "json",
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("DELETE /projects/{project}/callcases-batch/") || c.inXML() || !bytes.Contains(c.body, []byte("null")) {
				return false
			}
			forwardEdited(t, w, c, func(v any) any {
				if m, ok := v.(map[string]any); ok {
					for _, key := range []string{"uuid", "id"} {
						if list, ok := m[key].([]any); ok {
							for i, item := range list {
								if item == nil {
									list[i] = ""
								}
							}
						}
					}
				}
				return v
			}, nil)
			return true
		})},
	{Name: "batch-delete-failed-uuid-null", Breaks: "a failed batch delete item asked by uuid has uuid null instead of the uuid it was asked by", Kills: []string{"S200-batch-delete"},
		build: on("DELETE /projects/{project}/callcases-batch/", func(_ *target, c *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			editJSON(rec, func(m map[string]any) {
				results, _ := m["result"].([]any)
				for _, r := range results {
					if item, ok := r.(map[string]any); ok && item["code"] != float64(http.StatusOK) {
						item["uuid"] = nil
					}
				}
			})
			editXML(rec, func(root *xmlNode) {
				if result := root.child("result"); result != nil {
					for _, item := range result.elements() {
						if code := item.child("code"); code != nil && code.text() != "200" {
							item.drop("uuid")
						}
					}
				}
			})
			return rec
		})},
	{Name: "batch-delete-malformed-uuid-null", Breaks: "a batch delete item asked by a string not of a uuid's shape has uuid null instead of that string", Kills: []string{"S200-batch-delete"},
		build: on("DELETE /projects/{project}/callcases-batch/", func(_ *target, c *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			editJSON(rec, func(m map[string]any) {
				results, _ := m["result"].([]any)
				for _, r := range results {
					if item, ok := r.(map[string]any); ok && item["code"] == float64(http.StatusBadRequest) {
						item["uuid"] = nil
					}
				}
			})
			editXML(rec, func(root *xmlNode) {
				if result := root.child("result"); result != nil {
					for _, item := range result.elements() {
						if code := item.child("code"); code != nil && code.text() == "400" {
							item.drop("uuid")
						}
					}
				}
			})
			return rec
		})},
}

// hasNoObjectItem tells a batch body with an item that is not an object:
// a JSON string, number or other scalar, or a <callcase> holding text.
func hasNoObjectItem(c *call) bool {
	if c.inXML() {
		root, ok := parseXML(c.body)
		if !ok {
			return false
		}
		for _, item := range root.elements() {
			if item.Name.Local == "callcase" && strings.TrimSpace(item.text()) != "" {
				return true
			}
		}
		return false
	}
	items, _ := c.jsonBody()["callcase"].([]any)
	for _, item := range items {
		if _, ok := item.(map[string]any); !ok {
			return true
		}
	}
	return false
}
