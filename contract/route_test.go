package contract

import (
	"net/http"
	"testing"
)

// The remembered routes are the router's: per method, path and host, and
// each caller's parameters are its own.
func TestRoutesAreRememberedAsTheRouterFindsThem(t *testing.T) {
	c, err := Load("http://target.test/fx/api/v1")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second time from the cache
		for _, tc := range []struct{ method, url, want string }{
			{"GET", "http://target.test/fx/api/v1/json/callcases/abc", "getCallCase"},
			{"DELETE", "http://target.test/fx/api/v1/json/callcases/abc", "deleteCallCase"},
			{"GET", "http://target.test/fx/api/v1/xml/callcases/abc?x=1", "getCallCase"},
			{"GET", "http://other.test/fx/api/v1/json/callcases/abc", ""},
			{"GET", "http://target.test/fx/api/v1/json/nothing/here", ""},
		} {
			req, err := http.NewRequest(tc.method, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			direct, _, _ := c.router.FindRoute(req)
			got, params, err := c.findRoute(req)
			if (got == nil) != (direct == nil) || got != nil && got.Operation != direct.Operation {
				t.Errorf("%s %s: routed to %v, the router says %v", tc.method, tc.url, got, direct)
			}
			if op := c.OperationOf(req); op != tc.want {
				t.Errorf("%s %s: operation %q, want %q (%v)", tc.method, tc.url, op, tc.want, err)
			}
			for k := range params {
				params[k] = "changed by a caller"
			}
		}
	}
	req, _ := http.NewRequest("GET", "http://target.test/fx/api/v1/json/callcases/abc", nil)
	if _, params, _ := c.findRoute(req); len(params) == 0 || params["format"] == "changed by a caller" {
		t.Errorf("parameters %v", params)
	}
}
