package contract

import (
	"maps"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/routers"
)

// routeCache remembers the router's answers: the suite routes one request
// up to four times (to write its XML body, to validate it, to name its
// operation, to read its XML answer), always to the same route. A route
// depends on the method and where the request goes, not on its query,
// headers or body.
type routeCache struct {
	mu     sync.Mutex
	routes map[routeKey]routeResult
}

type routeKey struct{ method, host, scheme, urlHost, path, rawPath string }

type routeResult struct {
	route  *routers.Route
	params map[string]string
	err    error
}

// routeCacheSize bounds the cache; when full it starts again empty (most
// paths name a case of their own, so old ones are seldom asked again).
const routeCacheSize = 256

// findRoute is c.router.FindRoute, remembered. Each caller gets its own copy
// of the route and its parameters.
func (c *Contract) findRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	key := routeKey{req.Method, req.Host, req.URL.Scheme, req.URL.Host, req.URL.Path, req.URL.RawPath}
	c.routes.mu.Lock()
	r, ok := c.routes.routes[key]
	c.routes.mu.Unlock()
	if !ok {
		r.route, r.params, r.err = c.router.FindRoute(req)
		c.routes.mu.Lock()
		if c.routes.routes == nil || len(c.routes.routes) >= routeCacheSize {
			c.routes.routes = make(map[routeKey]routeResult, routeCacheSize)
		}
		c.routes.routes[key] = r
		c.routes.mu.Unlock()
	}
	if r.route == nil {
		return nil, nil, r.err
	}
	route := *r.route
	return &route, maps.Clone(r.params), r.err
}
