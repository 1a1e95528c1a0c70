package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	conformance "github.com/callcases/conformance"
	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
	"golang.org/x/net/html"
)

// The secrets of the fake run: the second holds characters HTML and JSON
// escape, so that a secret cannot slip through in its escaped form.
const (
	password      = "hunter2-pw"
	otherPassword = `s3cr&t<"pw">`
)

// The fake run's outcomes, beyond "passed" for every other condition.
var (
	failedMessage = "expected result 201 Created «Ресурс был создан успешно»; 1 problem(s):\n" +
		"  - contract: response: response header \"Location\" missing\n\n" +
		"the exchange:\n" +
		"> POST http://target.example/fx/api/v1/json/callcases/?project=p1\n" +
		"> Authorization: Basic " + password + "\n" +
		"> X-Other: " + otherPassword + "\n" +
		">\n> {\"title\":\"<script>alert(1)</script>\"}\n" +
		"< HTTP/1.1 201\n< \n< {\"code\":201,\"text\":\"Created\",\"message\":\"Ресурс был создан успешно\"}\n" +
		"! response: response header \"Location\" missing"
	errorMessage       = "setup could not create a case:\nGet \"http://target.example\": connection refused"
	notProvokedMessage = "no read-only user configured (CONFORMANCE_READONLY_USERNAME)"
)

func spec(id, format string, state types.SpecState, message string, entries ...types.ReportEntry) types.SpecReport {
	c := catalogue.Get(id)
	return types.SpecReport{
		ReportEntries:            entries,
		ContainerHierarchyTexts:  []string{c.Area, format},
		ContainerHierarchyLabels: [][]string{{}, {"format:" + format}},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             id + ": " + c.Certifies,
		LeafNodeLabels:           []string{id, "area:" + c.Area},
		State:                    state,
		Failure:                  types.Failure{Message: message},
	}
}

// fakeReport is a run over json and xml where one condition failed, one
// errored, one was not provoked and one filtered out, in both formats.
func fakeReport() types.Report {
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	r := types.Report{
		SuiteDescription: "Call Cases API conformance",
		StartTime:        start,
		EndTime:          start.Add(1500 * time.Millisecond),
		RunTime:          1500 * time.Millisecond,
	}
	for _, format := range []string{"json", "xml"} {
		for _, c := range catalogue.All() {
			switch c.ID {
			case "S201-create":
				r.SpecReports = append(r.SpecReports, spec(c.ID, format, types.SpecStateFailed, failedMessage))
			case "E409-uuid-taken":
				r.SpecReports = append(r.SpecReports, spec(c.ID, format, types.SpecStateFailed, "run error: "+errorMessage, entry(report.RunErrorEntry, errorMessage)))
			case "E403-create":
				r.SpecReports = append(r.SpecReports, spec(c.ID, format, types.SpecStateSkipped, notProvokedMessage, entry(report.NotProvokedEntry, notProvokedMessage)))
			case "E403-update":
				r.SpecReports = append(r.SpecReports, spec(c.ID, format, types.SpecStateSkipped, ""))
			default:
				r.SpecReports = append(r.SpecReports, spec(c.ID, format, types.SpecStatePassed, ""))
			}
		}
	}
	return r
}

func entry(name, value string) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(value)}
}

// Outcomes come from the entries a spec adds, never from its failure's text:
// a Gomega annotation before the message, or a message that happens to
// start like a run error, changes nothing.
func TestOutcomesAreTypedNotParsed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sr      types.SpecReport
		outcome string
		reason  string
	}{
		{"run error behind an annotation", spec("E403-create", "json", types.SpecStateFailed,
			"the read-only user must be refused writes\nexpected result 403, but the exchange got no answer",
			entry(report.RunErrorEntry, "no answer to POST /json/callcases/: connection refused")),
			report.Error, "no answer to POST /json/callcases/: connection refused"},
		{"failure whose text looks like a run error", spec("E404-get", "json", types.SpecStateFailed, "run error: not really"),
			report.Failed, "run error: not really"},
		{"not provoked", spec("E501-operators-mode", "json", types.SpecStateSkipped, "CONFORMANCE_AUTO_PROJECT is not set",
			entry(report.NotProvokedEntry, "needs auto-project: CONFORMANCE_AUTO_PROJECT is not set")),
			report.NotProvoked, "needs auto-project: CONFORMANCE_AUTO_PROJECT is not set"},
		{"skip without an entry", spec("E501-operators-mode", "json", types.SpecStateSkipped, "not provoked: something"),
			report.NotSelected, "filtered out or not run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := report.RowOf(tc.sr)
			if row.Outcome != tc.outcome || row.Reason != tc.reason {
				t.Errorf("got %s %q, want %s %q", row.Outcome, row.Reason, tc.outcome, tc.reason)
			}
		})
	}
}

func fakeRun(dir string) report.Run {
	return report.Run{
		Dir:     dir,
		Target:  "http://target.example/fx/api/v1",
		RunID:   "run0test",
		Config:  []string{"CONFORMANCE_TARGET=http://target.example/fx/api/v1", "CONFORMANCE_PASSWORD=" + password},
		Secrets: []string{password, otherPassword},
	}
}

func expectedOutcome(id string) string {
	switch id {
	case "S201-create":
		return report.Failed
	case "E409-uuid-taken":
		return report.Error
	case "E403-create":
		return report.NotProvoked
	case "E403-update":
		return report.NotSelected
	}
	return report.Passed
}

func writeFake(t *testing.T, r types.Report) string {
	t.Helper()
	dir := t.TempDir()
	if err := report.Write(fakeRun(dir), r, io.Discard); err != nil {
		t.Fatal(err)
	}
	return dir
}

func parsePage(t *testing.T, dir string) *html.Node {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "conformance.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatalf("conformance.html does not parse: %v", err)
	}
	return doc
}

// find returns every element below n for which match holds, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

func tagged(tag, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag && (class == "" || hasClass(n, class)) }
}

// text is the text a reader sees in n.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func byID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	found := find(doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if len(found) != 1 {
		t.Fatalf("want one element with id %q, found %d", id, len(found))
	}
	return found[0]
}

func TestPageShowsEveryConditionInEveryFormatWithItsOutcome(t *testing.T) {
	doc := parsePage(t, writeFake(t, fakeReport()))
	cells := map[string]*html.Node{}
	for _, td := range find(doc, tagged("td", "cell")) {
		key := attr(td, "data-condition") + " " + attr(td, "data-format")
		if cells[key] != nil {
			t.Errorf("%s appears twice in the matrix", key)
		}
		cells[key] = td
	}
	for _, c := range catalogue.All() {
		for _, format := range []string{"json", "xml"} {
			td := cells[c.ID+" "+format]
			if td == nil {
				t.Errorf("%s (%s) is not in the matrix", c.ID, format)
				continue
			}
			want := expectedOutcome(c.ID)
			if got := attr(td, "data-outcome"); got != want {
				t.Errorf("%s (%s): outcome %q, want %q", c.ID, format, got, want)
			}
			pills := find(td, tagged("span", "pill"))
			if len(pills) != 1 || text(pills[0]) != want || !hasClass(pills[0], "o-"+strings.ReplaceAll(want, " ", "-")) {
				t.Errorf("%s (%s): the cell does not show %q with its colour: %q", c.ID, format, want, text(td))
			}
		}
	}
	if got := text(cells["E403-create json"]); !strings.Contains(got, "no read-only user configured") {
		t.Errorf("a not provoked cell should say why, got %q", got)
	}
	if len(cells) != 2*len(catalogue.All()) {
		t.Errorf("the matrix has %d cells, want %d", len(cells), 2*len(catalogue.All()))
	}
}

func TestPageGroupsConditionsUnderTheirCodeWithTextAndMessage(t *testing.T) {
	doc := parsePage(t, writeFake(t, fakeReport()))
	groups := find(doc, tagged("tbody", "code-group"))
	table := contract.DefaultTable()
	if len(groups) != len(table.Rows()) {
		t.Fatalf("%d code groups, want one per code of the table (%d)", len(groups), len(table.Rows()))
	}
	for i, row := range table.Rows() {
		g := groups[i]
		if attr(g, "data-code") != strconv.Itoa(row.Code) {
			t.Errorf("group %d is code %s, want %d (the table's order)", i, attr(g, "data-code"), row.Code)
		}
		head := text(find(g, tagged("tr", "code"))[0])
		if !strings.Contains(head, row.Text) || !strings.Contains(head, row.Message) {
			t.Errorf("code %d: the heading %q lacks the text %q or the message %q", row.Code, head, row.Text, row.Message)
		}
		for _, tr := range find(g, tagged("tr", "condition")) {
			if id := attr(tr, "data-condition"); id != "" && catalogue.Get(id).Code != row.Code {
				t.Errorf("%s is listed under code %d", id, row.Code)
			}
		}
	}
}

func TestFailuresExpandToTheirWholeMessage(t *testing.T) {
	doc := parsePage(t, writeFake(t, fakeReport()))
	for _, c := range []struct{ id, outcome, want string }{
		{"S201-create", report.Failed, `! response: response header "Location" missing`},
		{"E409-uuid-taken", report.Error, "connection refused"},
	} {
		for _, format := range []string{"json", "xml"} {
			found := find(doc, func(n *html.Node) bool {
				return n.Data == "details" && attr(n, "data-condition") == c.id && attr(n, "data-format") == format
			})
			if len(found) != 1 {
				t.Errorf("%s (%s): want one <details>, found %d", c.id, format, len(found))
				continue
			}
			d := found[0]
			if attr(d, "data-outcome") != c.outcome {
				t.Errorf("%s (%s): details say %q, want %q", c.id, format, attr(d, "data-outcome"), c.outcome)
			}
			if len(find(d, tagged("summary", ""))) != 1 {
				t.Errorf("%s (%s): the details have no summary", c.id, format)
			}
			pres := find(d, tagged("pre", ""))
			if len(pres) != 1 {
				t.Fatalf("%s (%s): want one <pre>, found %d", c.id, format, len(pres))
			}
			pre := pres[0].FirstChild
			if pre == nil || pre.Type != html.TextNode || !strings.Contains(pre.Data, c.want) {
				t.Errorf("%s (%s): the <pre> lacks %q", c.id, format, c.want)
			}
		}
	}
	// The exchange's body is shown as text, never run as markup.
	if scripts := find(doc, tagged("script", "")); len(scripts) != 0 {
		t.Errorf("the page has %d <script> elements; a failure message was not escaped", len(scripts))
	}
	pre := find(doc, func(n *html.Node) bool { return n.Data == "details" && attr(n, "data-condition") == "S201-create" })[0]
	if !strings.Contains(text(pre), `{"title":"<script>alert(1)</script>"}`) {
		t.Error("the request body should read as sent")
	}
	// Passed conditions expand to nothing.
	if n := len(find(doc, tagged("details", "failure"))); n != 4 {
		t.Errorf("%d failure details, want 4 (2 conditions × 2 formats)", n)
	}
}

func TestPageHeadStatesVerdictCountsAndProvenance(t *testing.T) {
	doc := parsePage(t, writeFake(t, fakeReport()))
	if got := text(byID(t, doc, "verdict-word")); got != "ERROR" {
		t.Errorf("verdict %q, want ERROR (a run error outranks a failure)", got)
	}
	n := len(catalogue.All())
	counts := map[string]string{}
	for _, d := range find(doc, tagged("div", "count")) {
		counts[attr(d, "data-outcome")] = text(find(d, tagged("b", ""))[0])
	}
	want := map[string]string{"passed": strconv.Itoa(2 * (n - 4)), "failed": "2", "error": "2", "not provoked": "2", "not selected": "2"}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	if got := text(byID(t, doc, "target")); got != "http://target.example/fx/api/v1" {
		t.Errorf("target %q", got)
	}
	if got := text(byID(t, doc, "run-id")); got != "run0test" {
		t.Errorf("run id %q", got)
	}
	if got := text(byID(t, doc, "time")); !strings.Contains(got, "2026-03-04T05:06:07Z") || !strings.Contains(got, "2026-03-04T05:06:08Z") {
		t.Errorf("time %q lacks the start and end", got)
	}
	if got := text(byID(t, doc, "suite-version")); !strings.Contains(got, report.SuiteVersion().String()) || got == "" {
		t.Errorf("suite version %q", got)
	}
	for id, src := range map[string][]byte{"sha256-openapi": conformance.OpenAPI, "sha256-result-codes": conformance.ResultCodes} {
		sum := sha256.Sum256(src)
		if got := text(byID(t, doc, id)); !strings.Contains(got, hex.EncodeToString(sum[:])) {
			t.Errorf("%s: %q lacks the sha256 of what the suite embeds", id, got)
		}
	}
}

func TestPageIsSelfContained(t *testing.T) {
	doc := parsePage(t, writeFake(t, fakeReport()))
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed":
			t.Errorf("the page has a <%s>; it must open offline as one file", n.Data)
		}
		for _, a := range n.Attr {
			if a.Key == "src" || (a.Key == "href" && !strings.HasPrefix(a.Val, "#")) {
				t.Errorf("<%s %s=%q> reaches outside the page", n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "style" {
			css := text(n)
			if strings.Contains(css, "@import") || strings.Contains(css, "url(") {
				t.Error("the style sheet fetches something")
			}
		}
	}
}

func TestNoSecretInAnyReport(t *testing.T) {
	dir := writeFake(t, fakeReport())
	doc := parsePage(t, dir)
	for n := range doc.Descendants() {
		seen := []string{n.Data}
		for _, a := range n.Attr {
			seen = append(seen, a.Val)
		}
		for _, s := range seen {
			for _, secret := range []string{password, otherPassword} {
				if strings.Contains(s, secret) {
					t.Errorf("the page shows a secret in %q", s)
				}
			}
		}
	}
	if !strings.Contains(text(doc), "Basic [redacted]") {
		t.Error("the redacted exchange should say where the secret was")
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{password, otherPassword, "s3cr&amp;t", `s3cr\u0026t`, `s3cr&t\u003c`} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the secret %q", f.Name(), secret)
			}
		}
	}
}

func readResult(t *testing.T, dir string) ([]byte, report.Result) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res report.Result
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("result.json does not decode into report.Result: %v", err)
	}
	return b, res
}

func TestResultJSONRoundTrips(t *testing.T) {
	b, res := readResult(t, writeFake(t, fakeReport()))
	again, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// MarshalIndent escapes < and >; decode both to compare the values.
	var x, y any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &y); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Errorf("result.json changes when decoded and encoded again:\n%s\n%s", b, again)
	}
	if res.Schema != report.ResultSchema || res.Verdict != "ERROR" || res.Target != "http://target.example/fx/api/v1" || res.RunID != "run0test" {
		t.Errorf("head of result.json: %+v", res)
	}
	if !res.Started.Equal(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)) || res.Finished.Sub(res.Started) != 1500*time.Millisecond {
		t.Errorf("times %s to %s", res.Started, res.Finished)
	}
	n := len(catalogue.All())
	wantCounts := report.ResultCounts{Passed: 2 * (n - 4), Failed: 2, Error: 2, NotProvoked: 2, NotSelected: 2, Total: 2 * n}
	if res.Counts != wantCounts {
		t.Errorf("counts %+v, want %+v", res.Counts, wantCounts)
	}
	if len(res.Results) != 2*n {
		t.Fatalf("%d results, want one per condition and format (%d)", len(res.Results), 2*n)
	}
	for i, c := range catalogue.All() {
		for j, format := range []string{"json", "xml"} {
			e := res.Results[2*i+j]
			want := report.ResultEntry{ID: c.ID, Code: c.Code, Area: c.Area, Format: format, Outcome: expectedOutcome(c.ID), Reason: e.Reason}
			if e != want {
				t.Errorf("result %d: %+v, want %+v (catalogue order, then format)", 2*i+j, e, want)
			}
		}
	}
	for _, e := range res.Results {
		if e.ID == "E409-uuid-taken" && e.Reason != "setup could not create a case: Get \"http://target.example\": connection refused" {
			t.Errorf("an error's reason should say why after its colon: %q", e.Reason)
		}
		if e.ID == "E403-create" && e.Reason != "no read-only user configured (CONFORMANCE_READONLY_USERNAME)" {
			t.Errorf("not provoked reason %q", e.Reason)
		}
	}
}

func TestResultJSONIsTheSameBytesForTheSameRun(t *testing.T) {
	first, _ := readResult(t, writeFake(t, fakeReport()))
	// Parallel processes report in any order; the file must not care.
	shuffled := fakeReport()
	slices.Reverse(shuffled.SpecReports)
	second, _ := readResult(t, writeFake(t, shuffled))
	if !bytes.Equal(first, second) {
		t.Errorf("two writes of the same run differ:\n%s\n---\n%s", first, second)
	}
}

func TestConditionsWithoutASpecStillShow(t *testing.T) {
	r := fakeReport()
	r.SpecReports = slices.DeleteFunc(r.SpecReports, func(sr types.SpecReport) bool {
		return strings.HasPrefix(sr.LeafNodeText, "E504-timeout:") && slices.Contains(sr.Labels(), "format:xml")
	})
	r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed,
		Failure: types.Failure{Message: "preflight: CONFORMANCE_PROJECT is running"}})
	dir := writeFake(t, r)
	_, res := readResult(t, dir)
	i := slices.IndexFunc(res.Results, func(e report.ResultEntry) bool { return e.ID == "E504-timeout" && e.Format == "xml" })
	if i < 0 || res.Results[i].Outcome != report.NotSelected {
		t.Errorf("a condition no spec ran for should be not selected, got %+v", res.Results)
	}
	if len(res.RunErrors) != 1 || !strings.Contains(res.RunErrors[0], "CONFORMANCE_PROJECT is running") {
		t.Errorf("run errors %q", res.RunErrors)
	}
	doc := parsePage(t, dir)
	if !strings.Contains(text(byID(t, doc, "run-errors")), "CONFORMANCE_PROJECT is running") {
		t.Error("the page should list the run's own errors")
	}
}

// A failure raised by a check every spec shares (in a helper file) is shown
// at the spec's own line; one raised in the spec's file at its own line.
func TestFailuresAreShownAtTheSpecsLine(t *testing.T) {
	sr := spec("S201-create", "json", types.SpecStateFailed, "expected an exchange that keeps the contract")
	sr.LeafNodeLocation = types.CodeLocation{FileName: "/src/suites/conformance/cases.go", LineNumber: 52}
	sr.Failure.Location = types.CodeLocation{FileName: "/src/suites/conformance/helpers.go", LineNumber: 98}
	if d := report.RowOf(sr).Detail; !strings.HasSuffix(d, "(at cases.go:52)") {
		t.Errorf("a helper's failure is shown at %q, want the spec's line", d)
	}
	sr.Failure.Location = types.CodeLocation{FileName: "/src/suites/conformance/cases.go", LineNumber: 61}
	if d := report.RowOf(sr).Detail; !strings.HasSuffix(d, "(at cases.go:61)") {
		t.Errorf("a failure in the spec is shown at %q, want its line", d)
	}
}
