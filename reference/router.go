package reference

import (
	"net/http"
	"net/url"
	"strings"
)

// A small router instead of http.ServeMux: the mux answers 405 for a known
// path with another method and 301 to clean paths or add a slash, and neither
// code is in the table (docs/rules.md: both are 404). It matches escaped path
// segments, so an external id may hold a percent-encoded slash.

type params map[string]string

type handlerFunc func(w http.ResponseWriter, r *http.Request, p params)

type route struct {
	method   string
	segments []string // literal, or "{name}" matching one non-empty segment
	handle   handlerFunc
}

type router struct{ routes []route }

func (rt *router) add(method, pattern string, h handlerFunc) {
	rt.routes = append(rt.routes, route{method: method, segments: strings.Split(pattern, "/"), handle: h})
}

// match finds the route for r; HEAD is served by the GET route as HTTP asks.
func (rt *router) match(r *http.Request) (handlerFunc, params, bool) {
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	segments := strings.Split(r.URL.EscapedPath(), "/")
next:
	for _, rte := range rt.routes {
		if rte.method != method || len(rte.segments) != len(segments) {
			continue
		}
		var p params
		for i, want := range rte.segments {
			got := segments[i]
			if name, ok := strings.CutPrefix(want, "{"); ok {
				value, err := url.PathUnescape(got)
				if got == "" || err != nil {
					continue next
				}
				if p == nil {
					p = params{}
				}
				p[strings.TrimSuffix(name, "}")] = value
			} else if got != want {
				continue next
			}
		}
		return rte.handle, p, true
	}
	return nil, nil, false
}
