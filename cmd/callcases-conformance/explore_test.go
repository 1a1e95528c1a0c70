package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callcases/conformance/reference"
)

// The explore command against a live target: it explores, reports no
// divergence against the reference itself, and leaves none of its cases.
func TestExploreCommandLeavesNothing(t *testing.T) {
	ref := reference.New(reference.Options{})
	ts := httptest.NewServer(ref)
	defer ts.Close()
	settings := ref.Settings(ts.URL)
	settings["CONFORMANCE_REPORTS"] = t.TempDir()
	settings["CONFORMANCE_EXPLORE_SEED"] = "7"
	lookup := func(k string) (string, bool) { v, ok := settings[k]; return v, ok }
	var out, errs bytes.Buffer
	if code := exploreCmd([]string{"-time", "1s"}, lookup, &out, &errs); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "0 divergence(s)") || !strings.Contains(out.String(), "seed 7") {
		t.Errorf("output:\n%s", out.String())
	}
	req, _ := http.NewRequest(http.MethodGet, settings["CONFORMANCE_TARGET"]+"/json/callcases/?project="+settings["CONFORMANCE_PROJECT"], nil)
	req.SetBasicAuth(settings["CONFORMANCE_USERNAME"], settings["CONFORMANCE_PASSWORD"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		var l struct{ Count int }
		_ = json.NewDecoder(resp.Body).Decode(&l)
		t.Errorf("the main project holds %d case(s) after exploring (%d), want none", l.Count, resp.StatusCode)
	}
}

// Against the embedded reference with a mutant, it finds the bug, shows it
// shrunk and exits 1.
func TestExploreCommandFindsAMutant(t *testing.T) {
	settings := map[string]string{"CONFORMANCE_MUTANT": "comment-trimmed", "CONFORMANCE_REPORTS": t.TempDir()}
	lookup := func(k string) (string, bool) { v, ok := settings[k]; return v, ok }
	var out, errs bytes.Buffer
	code := exploreCmd([]string{"-time", "2s", "-kinds", "stateful", "-shrink", "1s"}, lookup, &out, &errs)
	if code != 1 || !strings.Contains(out.String(), "DIVERGES body.comment") || !strings.Contains(out.String(), "replay it: ") {
		t.Fatalf("exit %d, want 1 with the divergence\n%s%s", code, out.String(), errs.String())
	}
}

func TestExploreCommandRefusesAnUnknownKind(t *testing.T) {
	var out, errs bytes.Buffer
	if code := exploreCmd([]string{"-kinds", "fuzzing"}, func(string) (string, bool) { return "", false }, &out, &errs); code != 2 || !strings.Contains(errs.String(), `"fuzzing"`) {
		t.Fatalf("exit %d\n%s", code, errs.String())
	}
}
