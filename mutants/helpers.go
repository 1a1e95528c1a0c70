package mutants

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
)

func urlEscape(s string) string { return url.PathEscape(s) }

// firstOfMultiple acts on the first of several cases sharing an external id
// where the conforming server answers 300.
func firstOfMultiple(route string, act func(t *target, c *call, uuid string) *httptest.ResponseRecorder) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is(route) {
			return false
		}
		rec := t.send(c, nil)
		var sb struct {
			UUIDs []string `json:"uuids"`
		}
		if rec.Code != http.StatusMultipleChoices || json.Unmarshal(rec.Body.Bytes(), &sb) != nil || len(sb.UUIDs) == 0 {
			replay(w, rec)
			return true
		}
		replay(w, act(t, c, sb.UUIDs[0]))
		return true
	})
}

// createWith sends a create with another body where body returns one.
func createWith(body func(c *call) []byte) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is("POST /callcases/") {
			return false
		}
		b := body(c)
		if b == nil {
			return false
		}
		replay(w, t.send(c, func(r *http.Request) { r.Header.Set("Content-Type", c.mediaType()); withBody(b)(r) }))
		return true
	})
}

// recodeWhen turns one code into another on a route (any route when route
// is "") for the calls when selects (all when it is nil).
func recodeWhen(route string, from, to int, when func(c *call) bool) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if (route != "" && !c.is(route)) || (when != nil && !when(c)) {
			return false
		}
		rec := t.send(c, nil)
		if rec.Code == from {
			rec = recode(rec, to)
		}
		replay(w, rec)
		return true
	})
}

// badPageIsFirst answers a list with page=bad as page 1.
func badPageIsFirst(bad string) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is("GET /callcases/") || c.URL.Query().Get("page") != bad {
			return false
		}
		q := c.URL.Query()
		q.Set("page", "1")
		replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
		return true
	})
}

// pageSize re-pages lists to size items a page, reading the conforming
// server's pages of 100 underneath.
func pageSize(size int) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is("GET /callcases/") {
			return false
		}
		q := c.URL.Query()
		page := 1
		if q.Has("page") {
			p, err := strconv.Atoi(q.Get("page"))
			if err != nil || p < 1 {
				return false
			}
			page = p
		}
		var all []any
		count := 0
		for inner := 1; ; inner++ {
			q.Set("page", strconv.Itoa(inner))
			rec := t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() })
			if rec.Code != http.StatusOK {
				if inner == 1 {
					replay(w, rec)
					return true
				}
				break
			}
			var l struct {
				Count    int   `json:"count"`
				CallCase []any `json:"callcase"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &l) != nil {
				break
			}
			count = l.Count
			all = append(all, l.CallCase...)
			if len(all) >= count {
				break
			}
		}
		start := (page - 1) * size
		if start >= len(all) {
			w.WriteHeader(http.StatusNoContent)
			return true
		}
		writeJSON(w, http.StatusOK, map[string]any{"page": page, "count": count, "callcase": all[start:min(start+size, len(all))]})
		return true
	})
}
