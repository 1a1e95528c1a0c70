package bundle

import (
	"encoding/json"
	"fmt"
	"time"
)

// CheckHAR holds a file to the HAR 1.2 format: every object and field the
// format requires is there with its type, so that browser devtools and HAR
// viewers open it. It returns one sentence per problem.
func CheckHAR(raw []byte) []string {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	c := &harChecker{}
	log := c.object(doc, "log", "")
	if log == nil {
		return c.problems
	}
	if v := c.str(log, "version", "log"); v != "" && v != "1.2" && v != "1.1" {
		c.add("log.version is %q, not 1.2", v)
	}
	if creator := c.object(log, "creator", "log"); creator != nil {
		c.str(creator, "name", "log.creator")
		c.str(creator, "version", "log.creator")
	}
	entries, ok := log["entries"].([]any)
	if !ok {
		c.add("log.entries is missing or not an array")
		return c.problems
	}
	for i, e := range entries {
		entry, ok := e.(map[string]any)
		where := fmt.Sprintf("log.entries[%d]", i)
		if !ok {
			c.add("%s is not an object", where)
			continue
		}
		if s := c.str(entry, "startedDateTime", where); s != "" {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				c.add("%s.startedDateTime %q is not ISO 8601", where, s)
			}
		}
		c.number(entry, "time", where)
		c.object(entry, "cache", where)
		if t := c.object(entry, "timings", where); t != nil {
			for _, k := range []string{"send", "wait", "receive"} {
				c.number(t, k, where+".timings")
			}
		}
		if req := c.object(entry, "request", where); req != nil {
			w := where + ".request"
			for _, k := range []string{"method", "url", "httpVersion"} {
				c.str(req, k, w)
			}
			for _, k := range []string{"cookies", "headers", "queryString"} {
				c.pairs(req, k, w)
			}
			c.number(req, "headersSize", w)
			c.number(req, "bodySize", w)
			if pd, ok := req["postData"]; ok {
				if m, ok := pd.(map[string]any); !ok {
					c.add("%s.postData is not an object", w)
				} else {
					c.str(m, "mimeType", w+".postData")
				}
			}
		}
		if resp := c.object(entry, "response", where); resp != nil {
			w := where + ".response"
			c.number(resp, "status", w)
			for _, k := range []string{"statusText", "httpVersion", "redirectURL"} {
				c.str(resp, k, w)
			}
			for _, k := range []string{"cookies", "headers"} {
				c.pairs(resp, k, w)
			}
			c.number(resp, "headersSize", w)
			c.number(resp, "bodySize", w)
			if content := c.object(resp, "content", w); content != nil {
				c.number(content, "size", w+".content")
				c.str(content, "mimeType", w+".content")
			}
		}
	}
	return c.problems
}

type harChecker struct{ problems []string }

func (c *harChecker) add(format string, args ...any) {
	if len(c.problems) < 20 { // the first problems say enough
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

func name(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func (c *harChecker) object(m map[string]any, key, where string) map[string]any {
	v, ok := m[key].(map[string]any)
	if !ok {
		c.add("%s is missing or not an object", name(where, key))
	}
	return v
}

// str checks a required string; "" is a valid value, so presence is what counts.
func (c *harChecker) str(m map[string]any, key, where string) string {
	v, ok := m[key].(string)
	if !ok {
		c.add("%s is missing or not a string", name(where, key))
	}
	return v
}

func (c *harChecker) number(m map[string]any, key, where string) {
	if _, ok := m[key].(float64); !ok {
		c.add("%s is missing or not a number", name(where, key))
	}
}

// pairs checks a required array of objects, each with a name and a value
// (cookies have more fields, but the suite records none).
func (c *harChecker) pairs(m map[string]any, key, where string) {
	list, ok := m[key].([]any)
	if !ok {
		c.add("%s is missing or not an array", name(where, key))
		return
	}
	for i, item := range list {
		p, ok := item.(map[string]any)
		w := fmt.Sprintf("%s[%d]", name(where, key), i)
		if !ok {
			c.add("%s is not an object", w)
			continue
		}
		c.str(p, "name", w)
		c.str(p, "value", w)
	}
}
