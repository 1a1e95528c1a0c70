package selftest

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

// Another writer of the main project, making and removing its own cases
// all the while, as another run's specs do on a shared staging: the list
// specs page through a window of lastModified that its cases must not slip
// into and out of, so they pass every time. (A window reaching seconds past
// the spec's own cases failed most runs here.)
func TestListSpecsPassBesideAnotherWriter(t *testing.T) {
	t.Parallel()
	settings := startReference(t)
	target := newRemote(settings)
	do := func(method, path string, body []byte) {
		req, err := http.NewRequest(method, target["CONFORMANCE_TARGET"]+path, bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		req.SetBasicAuth(target["CONFORMANCE_USERNAME"], target["CONFORMANCE_PASSWORD"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			t.Errorf("the other writer's %s %s answered %d", method, path, resp.StatusCode)
		}
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; !stop.Load(); i++ {
			uuid := fmt.Sprintf("otherwriter%08d", i)
			do(http.MethodPost, "/json/callcases/?project="+target["CONFORMANCE_PROJECT"], fmt.Appendf(nil, `{"uuid":%q,"title":"another writer's case"}`, uuid))
			do(http.MethodDelete, "/json/callcases/"+uuid, nil)
		}
	}()
	defer func() { stop.Store(true); <-done }()
	for run := 1; run <= 5; run++ {
		r := runSuite(t, fullRun, append(settings, "CONFORMANCE_REPORTS="+t.TempDir()), "-ginkgo.label-filter=S200-list || S204-past-end")
		if r.ExitCode() != 0 {
			t.Fatalf("run %d of the list specs beside another writer: exit %d\n%s", run, r.ExitCode(), r.tail())
		}
	}
}
