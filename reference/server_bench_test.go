package reference

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The handlers under parallel load, called in process (no sockets), so that
// what is measured is the server's own work and its locking.

func benchServer(b *testing.B) (*Server, Fixtures) {
	b.Helper()
	s := New(Options{})
	s.onPanic = func(v any) { b.Errorf("a request reached the panic recovery: %v", v) }
	return s, s.Fixtures()
}

func benchServe(b *testing.B, s *Server, method, target, contentType, body string, want int) {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
	}
	r.SetBasicAuth(s.opts.Username, s.opts.Password)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != want {
		b.Errorf("%s %s answered %d, want %d: %s", method, target, w.Code, want, w.Body)
	}
}

// benchCases creates n cases in the project with one batch, as the suite does.
func benchCases(b *testing.B, s *Server, project string, n int) []string {
	b.Helper()
	uuids := make([]string, n)
	items := make([]string, n)
	for i := range items {
		uuids[i] = fmt.Sprintf("ccbench%08d", i)
		items[i] = fmt.Sprintf(`{"uuid":%q,"id":"bench %d","title":"one of many"}`, uuids[i], i)
	}
	benchServe(b, s, "POST", api("/projects/"+project+"/callcases-batch/"), "application/json", `{"callcase":[`+strings.Join(items, ",")+`]}`, 200)
	return uuids
}

func BenchmarkGetCaseParallel(b *testing.B) {
	s, fx := benchServer(b)
	uuids := benchCases(b, s, fx.Project, 100)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			uuid := uuids[next.Add(1)%int64(len(uuids))]
			benchServe(b, s, "GET", api("/callcases/"+uuid), "", "", 200)
		}
	})
}

func BenchmarkCreateCaseParallel(b *testing.B) {
	s, fx := benchServer(b)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"uuid":"ccbench%012d","title":"bench","phoneNumbers":{"phoneNumber":[{"value":"8000000000","phoneNumberType":"HOME"}]}}`, next.Add(1))
			benchServe(b, s, "POST", api("/callcases/?project="+fx.Project), "application/json", body, 201)
		}
	})
}

// BenchmarkListPageParallel reads the first page (100 of 150 cases), the
// largest answer the suite asks for.
func BenchmarkListPageParallel(b *testing.B) {
	s, fx := benchServer(b)
	benchCases(b, s, fx.Project, 150)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchServe(b, s, "GET", api("/callcases/?page=1&project="+fx.Project), "", "", 200)
		}
	})
}

// BenchmarkBatchCreate100Parallel: one batch request of 100 cases, as a spec
// that needs many cases sends it.
func BenchmarkBatchCreate100Parallel(b *testing.B) {
	s, fx := benchServer(b)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		items := make([]string, 100)
		for pb.Next() {
			n := next.Add(1)
			for i := range items {
				items[i] = fmt.Sprintf(`{"uuid":"ccb%08d%05d","title":"one of many"}`, n, i)
			}
			benchServe(b, s, "POST", api("/projects/"+fx.Project+"/callcases-batch/"), "application/json", `{"callcase":[`+strings.Join(items, ",")+`]}`, 200)
		}
	})
}

// The XML representation's costs, beside JSON's above.

func BenchmarkCreateCaseXMLParallel(b *testing.B) {
	s, fx := benchServer(b)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`<callcase><uuid>ccbench%012d</uuid><title>bench</title><phoneNumbers><phoneNumber phoneNumberType="HOME">8000000000</phoneNumber></phoneNumbers></callcase>`, next.Add(1))
			benchServe(b, s, "POST", xmlAPI("/callcases/?project="+fx.Project), "application/xml", body, 201)
		}
	})
}

func BenchmarkListPageXMLParallel(b *testing.B) {
	s, fx := benchServer(b)
	benchCases(b, s, fx.Project, 150)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchServe(b, s, "GET", xmlAPI("/callcases/?page=1&project="+fx.Project), "", "", 200)
		}
	})
}

func BenchmarkBatchCreate100XMLParallel(b *testing.B) {
	s, fx := benchServer(b)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		items := make([]string, 100)
		for pb.Next() {
			n := next.Add(1)
			for i := range items {
				items[i] = fmt.Sprintf(`<callcase><uuid>ccb%08d%05d</uuid><title>one of many</title></callcase>`, n, i)
			}
			benchServe(b, s, "POST", xmlAPI("/projects/"+fx.Project+"/callcases-batch/"), "application/xml", `<callcases>`+strings.Join(items, "")+`</callcases>`, 200)
		}
	})
}
