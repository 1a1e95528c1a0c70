package reference

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fuzzEndpoints are the routes the fuzzer aims at; {arg} is the fuzzed path
// segment, the others are filled from the fixtures and seeded cases.
var fuzzEndpoints = []struct{ method, path string }{
	{"GET", "/projects/{arg}"},
	{"POST", "/callcases/"},
	{"GET", "/callcases/"},
	{"PUT", "/callcases/"},
	{"GET", "/callcases/{arg}"},
	{"DELETE", "/callcases/{arg}"},
	{"GET", "/callcases/{arg}/get-state"},
	{"POST", "/callcases/{arg}/set-state"},
	{"POST", "/projects/{p}/callcases/"},
	{"PUT", "/projects/{p}/callcases/"},
	{"GET", "/projects/{p}/callcases/{arg}"},
	{"DELETE", "/projects/{p}/callcases/{arg}"},
	{"POST", "/projects/{arg}/callcases-batch/"},
	{"PUT", "/projects/{p}/callcases-batch/"},
	{"DELETE", "/projects/{p}/callcases-batch/"},
	{"POST", "/projects/{arg}/calllist/"},
	{"GET", "/projects/{arg}/operators/"},
	{"POST", "/projects/{p}/operators/"},
	{"DELETE", "/projects/{p}/operators/{arg}"},
	{"PUT", "/faults/{arg}"},
	{"GET", "/faults/"},
	{"PATCH", "/callcases/{arg}"},
	{"POST", "/{arg}"},
}

var fuzzContentTypes = []string{"application/json", "application/x-www-form-urlencoded", "", "text/plain", "application/json; charset=utf-8", "application/xml", "Text/XML; charset=utf-8"}

// FuzzRequest sends any body and query to any endpoint, in either format,
// as any user, with any fault set: the answer is a code of the table that
// keeps the contract, and it comes, without a panic and within the fault
// timer's reach.
func FuzzRequest(f *testing.F) {
	type seed struct {
		endpoint         uint8
		arg, query       string
		contentType      uint8
		body             string
		user, faultFlags uint8
	}
	seeds := []seed{
		{1, "", "project=corebo00000000000000000000000001", 0, `{"title":"t","id":"x","priority":1,"phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":"HOME"}]}}`, 0, 0},
		{1, "", "project=corebo00000000000000000000000001", 0, `{"title":"t","uuid":"e1seed"}`, 0, 0},
		{1, "", "project=%zz", 0, `{"title":`, 0, 0},
		{2, "", "project=corebo00000000000000000000000001&state=new&page=1&modifiedAfter=2016-10-18T09:58:24&operator=employee000000000000000000000001", 0, ``, 0, 0},
		{2, "", "project=corebo00000000000000000000000001&page=99999999999999999999", 0, ``, 1, 0},
		{3, "", "", 0, `{"uuid":"seedcase1","title":"","priority":1e400}`, 0, 0},
		{3, "", "", 4, `{"uuid":"seedcase1","comment":"c","id":"twin"}`, 0, 0},
		{4, "seedcase1", "", 2, ``, 2, 0},
		{5, "seedcase1", "", 2, ``, 0, 1},
		{6, "seedcase1", "", 2, ``, 0, 2},
		{7, "seedcase1", "", 1, `state=adjourned&operator=employee000000000000000000000001&date=2030-01-02T03:04:05Z`, 0, 0},
		{7, "seedcase1", "", 1, `state=new&date=9999-12-31T23:59:59-12:00`, 0, 0},
		{8, "", "", 0, `{"id":"twin","title":"t"}`, 0, 0},
		{9, "", "", 0, `{"id":"twin","title":"t"}`, 0, 0},
		{10, "twin", "", 2, ``, 0, 0},
		{11, "e1 / x", "", 2, ``, 0, 0},
		{12, "corebo00000000000000000000000001", "", 0, `{"callcase":[{"id":"a","title":"t"},{"id":"a","title":"t"},5,null]}`, 0, 0},
		{13, "", "", 0, `{"callcase":[{"id":"twin"},{"id":"e1","phoneNumbers":{"phoneNumber":[{}]}}]}`, 0, 0},
		{14, "", "", 0, `{"uuid":["seedcase1","BAD",""]}`, 0, 0},
		{14, "", "", 0, `{"id":["twin","e1"],"uuid":null}`, 0, 0},
		{15, "corebo00000000000000000000000003", "", 1, `cmd=start`, 0, 0},
		{15, "corebo00000000000000000000000001", "", 1, `cmd=stop`, 0, 4},
		{15, "corebo00000000000000000000000001", "", 1, `cmd=update`, 0, 8},
		{16, "corebo00000000000000000000000003", "", 2, ``, 0, 0},
		{17, "", "", 0, `{"uuid":"employee000000000000000000000001"}`, 0, 0},
		{18, "employee000000000000000000000002", "", 2, ``, 0, 0},
		{19, "integration", "", 0, `{"fault":"timeout"}`, 0, 0},
		{20, "", "", 2, ``, 1, 0},
		{21, "x", "", 2, ``, 3, 0},
		{22, "..", "", 0, `{}`, 1, 0},
	}
	xmlSeeds := []seed{
		{1, "", "project=corebo00000000000000000000000001", 5, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><callcase><title>t</title><id>x</id><priority>1</priority><phoneNumbers><phoneNumber phoneNumberType="HOME">1</phoneNumber></phoneNumbers></callcase>`, 0, 0},
		{1, "", "project=corebo00000000000000000000000001", 6, `<callcase><title>t</title><uuid>e1seed</uuid><priority>abc</priority></callcase>`, 0, 0},
		{1, "", "project=corebo00000000000000000000000001", 5, `<callcase><title>t</title>`, 0, 0},
		{1, "", "project=corebo00000000000000000000000001", 5, `<!DOCTYPE callcase [<!ENTITY x "y">]><callcase><title>&x;</title></callcase>`, 0, 0},
		{1, "", "project=corebo00000000000000000000000001", 5, `<callcase><title>t</title><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></callcase>`, 0, 0},
		{1, "", "project=corebo00000000000000000000000001", 0, `{"title":"t"}`, 0, 0},
		{2, "", "project=corebo00000000000000000000000001&state=new", 2, ``, 0, 0},
		{3, "", "", 5, `<callcase><uuid>seedcase1</uuid><title/><phoneNumbers/></callcase>`, 0, 0},
		{4, "seedcase1", "", 2, ``, 1, 0},
		{7, "seedcase1", "", 1, `state=adjourned`, 0, 0},
		{9, "", "", 5, `<callcase><id>twin</id><title>t</title></callcase>`, 0, 0},
		{10, "twin", "", 2, ``, 0, 0},
		{12, "corebo00000000000000000000000001", "", 5, `<callcases><callcase><id>a</id><title>t</title></callcase><callcase><id>a</id><title>t</title></callcase><callcase/></callcases>`, 0, 0},
		{13, "", "", 6, `<callcases><callcase><id>twin</id><comment>c</comment></callcase></callcases>`, 0, 0},
		{14, "", "", 5, `<objectLinks><uuid>seedcase1</uuid><uuid>BAD</uuid><uuid/></objectLinks>`, 0, 0},
		{14, "", "", 5, `<objectLinks><id>twin</id><uuid>x</uuid></objectLinks>`, 0, 0},
		{16, "corebo00000000000000000000000001", "", 2, ``, 0, 0},
		{17, "", "", 5, `<operator><uuid>employee000000000000000000000001</uuid></operator>`, 0, 0},
		{18, "employee000000000000000000000002", "", 2, ``, 3, 0},
		{4, "seedcase1", "", 2, ``, 0, 1},
	}
	for _, s := range seeds {
		f.Add(s.endpoint, false, s.arg, s.query, s.contentType, []byte(s.body), s.user, s.faultFlags)
	}
	for _, s := range xmlSeeds {
		f.Add(s.endpoint, true, s.arg, s.query, s.contentType, []byte(s.body), s.user, s.faultFlags)
	}
	users := [][2]string{{"operator-admin", "admin-secret"}, {"auditor", "auditor-secret"}, {"operator-admin", ""}, {}}
	faultsFor := []string{faultNone, faultDown, faultTimeout, faultNone}
	mustContract(f)

	f.Fuzz(func(t *testing.T, endpoint uint8, inXML bool, arg, query string, contentType uint8, body []byte, user, faultFlags uint8) {
		s := New(Options{FaultTimer: time.Millisecond})
		s.onPanic = func(v any) { t.Errorf("panic: %v", v) }
		seedCases(s)
		s.faults.global.Dialer = faultsFor[faultFlags>>2&3]
		s.faults.global.Integration = faultsFor[faultFlags&3]

		ep := fuzzEndpoints[int(endpoint)%len(fuzzEndpoints)]
		path := strings.NewReplacer("{arg}", url.PathEscape(arg), "{p}", s.fixtures.Project).Replace(ep.path)
		if !strings.HasPrefix(path, faultsBase) {
			path = in(map[bool]*codec{false: jsonCodec, true: xmlCodec}[inXML], path)
		}
		u, err := url.Parse("http://" + contractHost + path)
		if err != nil {
			t.Skip()
		}
		u.RawQuery = query
		req := httptest.NewRequest(ep.method, "http://"+contractHost+"/", strings.NewReader(string(body)))
		req.URL, req.RequestURI = u, u.RequestURI()
		if ct := fuzzContentTypes[int(contentType)%len(fuzzContentTypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if who := users[int(user)%len(users)]; who[0] != "" {
			req.SetBasicAuth(who[0], who[1])
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req = req.WithContext(ctx)

		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.ServeHTTP(rec, req)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("%s %s: no answer within 10s", ep.method, u)
		}

		e := &exchange{t: t, req: ep.method + " " + u.String(), status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		validate(t, req, body, e, false)
		if e.status != http.StatusNoContent && len(e.body) == 0 {
			t.Errorf("%s: %d with no body", e.req, e.status)
		}
	})
}

// seedCases gives the fuzzer cases to find: one by uuid and external id,
// and two sharing an id.
func seedCases(s *Server) {
	st := s.store
	p := st.projects[s.fixtures.Project]
	for _, c := range []caseFields{
		{uuid: ptr("seedcase1"), id: ptr("e1 / x"), title: ptr("t")},
		{id: ptr("twin"), title: ptr("t")},
		{id: ptr("twin"), title: ptr("t")},
	} {
		if _, f := st.create(p, c, false); f != nil {
			panic(f)
		}
	}
}
