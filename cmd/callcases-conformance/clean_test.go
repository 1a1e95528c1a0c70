package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callcases/conformance/reference"
)

func TestCleanRemovesMarkedCasesOnly(t *testing.T) {
	ref := reference.New(reference.Options{})
	ts := httptest.NewServer(ref)
	defer ts.Close()
	settings := ref.Settings(ts.URL)
	lookup := func(k string) (string, bool) { v, ok := settings[k]; return v, ok }
	post := func(body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, settings["CONFORMANCE_TARGET"]+"/json/callcases/?project="+settings["CONFORMANCE_PROJECT"], strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(settings["CONFORMANCE_USERNAME"], settings["CONFORMANCE_PASSWORD"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("seeding: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	post(`{"uuid":"ccdeadrun01000001","title":"conformance run deadrun0: case"}`)
	post(`{"uuid":"customer0001","title":"a customer's"}`)

	var out, errOut strings.Builder
	run := func(args ...string) int {
		out.Reset()
		errOut.Reset()
		return clean(args, lookup, &out, &errOut)
	}
	if code := run("-dry-run", "-min-age", "0"); code != 0 || !strings.Contains(out.String(), "run deadrun0: 1 marked case(s)") || !strings.Contains(out.String(), "nothing removed") {
		t.Fatalf("clean -dry-run: exit %d\n%s", code, out.String())
	}
	if code := run(); code != 0 || !strings.Contains(out.String(), "kept ccdeadrun01000001 (run deadrun0): changed less than 15m0s ago") || !strings.Contains(out.String(), "0 removed, 1 kept as recent") {
		t.Fatalf("clean (a case changed just now, -min-age 15m by default): exit %d\n%s", code, out.String())
	}
	if code := run("-min-age", "0"); code != 0 || !strings.Contains(out.String(), "removed ccdeadrun01000001 (run deadrun0") || !strings.Contains(out.String(), "1 removed, 0 kept as recent, 0 could not be removed") {
		t.Fatalf("clean -min-age 0: exit %d\n%s", code, out.String())
	}
	if strings.Contains(out.String(), "customer0001") || strings.Contains(out.String(), settings["CONFORMANCE_PASSWORD"]) {
		t.Errorf("clean touched or showed what it must not:\n%s", out.String())
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/fx/api/v1/json/callcases/customer0001", nil)
	req.SetBasicAuth(settings["CONFORMANCE_USERNAME"], settings["CONFORMANCE_PASSWORD"])
	if ref.ServeHTTP(rec, req); rec.Code != http.StatusOK {
		t.Errorf("an unmarked case is gone: %d", rec.Code)
	}

	out.Reset()
	if code := clean(nil, func(string) (string, bool) { return "", false }, &out, &errOut); code != 0 || !strings.Contains(out.String(), "nothing to clean") {
		t.Errorf("without a target: exit %d\n%s", code, out.String())
	}
	for _, args := range [][]string{{"-min-age", "soon"}, {"-force"}, {"reports"}} {
		if code := run(args...); code != 2 || !strings.Contains(errOut.String(), "usage: callcases-conformance clean") || out.Len() > 0 {
			t.Errorf("clean %v: exit %d, want 2 and the usage, nothing done:\n%s%s", args, code, out.String(), errOut.String())
		}
	}
}
