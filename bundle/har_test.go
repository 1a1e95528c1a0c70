package bundle

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
)

func exchange(t testing.TB, password string, respBody []byte) *client.Exchange {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://api.test/fx/api/v1/json/callcases/?project=p1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("user", password)
	req.Header.Set("Content-Type", "application/json")
	return &client.Exchange{
		Request:     client.Request{Method: http.MethodPost, Path: "/json/callcases/", Purpose: "create a case"},
		HTTPRequest: req,
		RequestBody: []byte(`{"title":"echo ` + strings.ReplaceAll(password, `"`, `\"`) + `"}`),
		Started:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Duration:    1500 * time.Microsecond,
		Status:      201, Proto: "HTTP/1.1",
		Header: http.Header{"Content-Type": {"application/json"}, "Location": {"http://api.test/x"}},
		Body:   respBody,
	}
}

func TestEntryRedactsAndCaps(t *testing.T) {
	secret := `p"a\ss<&`
	x := exchange(t, secret, bytes.Repeat([]byte("a"), BodyCap+10))
	e := NewEntry(x, Tags{Condition: "S201-create", Format: "json", Process: 2}, []string{secret})
	raw, err := jsonOf(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{secret, `p\"a\\ss`, "dXNlcjpw"} {
		if strings.Contains(raw, leak) {
			t.Errorf("the entry shows %q:\n%s", leak, raw)
		}
	}
	if got := e.Request.Headers[0]; got.Name != "Authorization" || got.Value != "Basic "+client.Redacted {
		t.Errorf("Authorization recorded as %+v", got)
	}
	if !e.Response.Content.Truncated || len(e.Response.Content.Text) != BodyCap || e.Response.Content.Size != BodyCap+10 {
		t.Errorf("body not cut at the cap: truncated=%v len=%d size=%d", e.Response.Content.Truncated, len(e.Response.Content.Text), e.Response.Content.Size)
	}
	if e.Condition != "S201-create" || e.Format != "json" || e.Process != 2 || e.Response.RedirectURL != "http://api.test/x" {
		t.Errorf("tags or Location lost: %+v", e)
	}
	bin := NewEntry(exchange(t, "pw", []byte{0xff, 0xfe}), Tags{}, nil)
	if bin.Response.Content.Encoding != "base64" || bin.Response.Content.Text != "//4=" {
		t.Errorf("a non-UTF-8 body is %q (%s), want base64", bin.Response.Content.Text, bin.Response.Content.Encoding)
	}
	failed := exchange(t, "pw", nil)
	failed.Status, failed.Err = 0, errors.New("the target broke the connection")
	if e := NewEntry(failed, Tags{}, nil); e.Error == "" || e.Response.Status != 0 {
		t.Errorf("a failed exchange is recorded as %+v", e.Response)
	}
}

func TestPartsMergeIntoOneHAR(t *testing.T) {
	dir := t.TempDir()
	secrets := func() []string { return []string{"pw"} }
	one, two := NewRecorder(1, 2, 2, secrets), NewRecorder(2, 2, 2, secrets)
	early := exchange(t, "pw", []byte(`{}`))
	early.Started = early.Started.Add(-time.Minute)
	one.Record(early, Tags{Phase: "preflight"}) // before the run id is known
	if err := one.Begin(dir, "run1"); err != nil {
		t.Fatal(err)
	}
	if err := two.Begin(dir, "run1"); err != nil {
		t.Fatal(err)
	}
	late := exchange(t, "pw", []byte(`{}`))
	late.Started = late.Started.Add(time.Minute)
	two.Record(late, Tags{Condition: "E404-get", Format: "json"})
	one.Record(exchange(t, "pw", []byte(`{}`)), Tags{Condition: "S201-create", Format: "json"})
	if err := two.Close(); err != nil {
		t.Fatal(err)
	}
	if err := one.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Merge(dir, "run1", "http://api.test/fx/api/v1", Creator{Name: "test", Version: "1"}, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, HARFile))
	if err != nil {
		t.Fatal(err)
	}
	if problems := CheckHAR(raw); len(problems) > 0 {
		t.Fatalf("not a HAR 1.2 file: %v", problems)
	}
	h, err := ReadHAR(filepath.Join(dir, HARFile))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range h.Log.Entries {
		order = append(order, e.Phase+e.Condition)
	}
	if strings.Join(order, ",") != "preflight,S201-create,E404-get" || h.Log.RunID != "run1" {
		t.Errorf("entries %v of run %q, want preflight, S201-create, E404-get in start order", order, h.Log.RunID)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, ".exchanges-*")); len(parts) > 0 {
		t.Errorf("parts left behind: %v", parts)
	}
}

func TestCheckHARNamesWhatIsMissing(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{}`, "log is missing"},
		{`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"yesterday"}]}}`, "not ISO 8601"},
		{`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2026-01-02T03:04:05Z","time":1,"cache":{},"timings":{"send":0,"wait":1,"receive":0},"request":{"method":"GET","url":"u","httpVersion":"HTTP/1.1","cookies":[],"headers":[{"name":"a"}],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"content":{"size":0,"mimeType":"x"},"redirectURL":"","headersSize":-1,"bodySize":0}}]}}`, "headers[0].value is missing"},
	} {
		problems := CheckHAR([]byte(tc.doc))
		if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("CheckHAR(%s) = %v, want a problem with %q", tc.doc, problems, tc.want)
		}
	}
}

func jsonOf(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// The preflight's exchanges are recorded before the configuration's secrets
// are known to the recorder: they are redacted when they are written.
func TestExchangesBeforeTheSecretsAreKnownAreRedactedToo(t *testing.T) {
	var known []string
	rec := NewRecorder(1, 1, 1, func() []string { return known })
	x := exchange(t, "late-secret", []byte(`{"echo":"late-secret"}`))
	rec.Record(x, Tags{Phase: "preflight"})
	known = []string{"late-secret"}
	dir := t.TempDir()
	if err := rec.Begin(dir, "run1"); err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	part, err := os.ReadFile(partName(dir, "run1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(part, []byte("late-secret")) || !bytes.Contains(part, []byte("redacted")) {
		t.Errorf("the part file shows the secret:\n%s", part)
	}
}

// A target that floods every answer gets the full caps until the process
// has written its share of the budget, then only the small ones.
func TestAFloodKeepsTheHARSmall(t *testing.T) {
	dir := t.TempDir()
	rec := NewRecorder(1, BudgetPerFormat, 1, func() []string { return nil }) // a budget of one byte
	if err := rec.Begin(dir, "run1"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		x := exchange(t, "pw", bytes.Repeat([]byte("b"), 10<<10))
		x.Header.Set("X-Huge", strings.Repeat("h", 20<<10))
		rec.Record(x, Tags{Condition: "S201-create", Format: "json"})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := readPart(partName(dir, "run1", 1))
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	first, second := entries[0].Response, entries[1].Response
	if len(first.Content.Text) != 10<<10 || first.Content.Truncated || !first.Truncated {
		t.Errorf("first entry: body %d bytes (truncated %v), headers truncated %v; want the whole body and the header cut", len(first.Content.Text), first.Content.Truncated, first.Truncated)
	}
	if len(second.Content.Text) != SmallBodyCap || !second.Content.Truncated || !second.Truncated {
		t.Errorf("second entry: body %d bytes, want %d and marked", len(second.Content.Text), SmallBodyCap)
	}
	size := 0
	for _, h := range second.Headers {
		size += len(h.Name) + len(h.Value)
	}
	if size > SmallHeaderCap+64 {
		t.Errorf("second entry keeps %d bytes of headers, want about %d", size, SmallHeaderCap)
	}
}

// readPart reads a part file's entries.
func readPart(path string) ([]*Entry, error) {
	lines, err := readLines(path)
	var out []*Entry
	for _, l := range lines {
		var e Entry
		if err := json.Unmarshal(l.line, &e); err != nil {
			return out, err
		}
		out = append(out, &e)
	}
	return out, err
}

// Merge writes the part files' lines into the HAR without decoding them: the
// HAR is byte for byte what encoding the decoded entries would write.
func TestMergeWritesTheEntriesAsEncodingThemWould(t *testing.T) {
	dir := t.TempDir()
	secrets := func() []string { return []string{"pw"} }
	one, two := NewRecorder(1, 2, 2, secrets), NewRecorder(2, 2, 2, secrets)
	early := exchange(t, "pw", []byte(`<status><code>200</code><text>a & b</text></status>`))
	early.Header.Set("Content-Type", "application/xml")
	one.Record(early, Tags{Phase: "preflight"}) // before Begin: an extra entry
	for _, r := range []*Recorder{one, two} {
		if err := r.Begin(dir, "run1"); err != nil {
			t.Fatal(err)
		}
	}
	bodies := [][]byte{[]byte(`{"title":"<b>&amp;</b> \u2028 é 😀"}`), {0xff, 0xfe}, nil, []byte(`{"echo":"pw"}`)}
	for i, body := range bodies {
		x := exchange(t, "pw", body)
		x.Started = x.Started.Add(time.Duration(len(bodies)-i) * time.Millisecond) // recorded out of order
		if body == nil {
			x.Status, x.Err = 0, errors.New("the target broke the connection")
		}
		one.Record(x, Tags{Condition: "S200-get", Format: "json"})
		two.Record(x, Tags{Condition: "S200-get", Format: "xml"}) // the same start: process 1 first
	}
	for _, r := range []*Recorder{one, two} {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	extra := one.Pending()
	want := slices.Clone(extra)
	for p := 1; p <= 2; p++ {
		got, err := readPart(partName(dir, "run1", p))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, got...)
	}
	slices.SortStableFunc(want, func(a, b *Entry) int {
		return cmp.Or(a.StartedDateTime.Compare(b.StartedDateTime), cmp.Compare(a.Process, b.Process))
	})
	h := HAR{Log: Log{Version: "1.2", Creator: Creator{Name: "test", Version: "1"}, Pages: []any{}, Entries: want, RunID: "run1", Target: "http://api.test",
		Comment: "Every exchange of conformance run run1; _condition and _format name the spec that made it."}}
	wantPath := filepath.Join(t.TempDir(), "want.har")
	if err := writeJSON(wantPath, h); err != nil {
		t.Fatal(err)
	}
	if err := Merge(dir, "run1", "http://api.test", Creator{Name: "test", Version: "1"}, extra); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, HARFile))
	if err != nil {
		t.Fatal(err)
	}
	wantBytes, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 9 || !bytes.Equal(got, wantBytes) {
		t.Errorf("%d entries; the merged HAR differs from the entries encoded again:\n%s\nwant:\n%s", len(want), got, wantBytes)
	}
	if bytes.Contains(got, []byte(`"pw"`)) || bytes.Contains(got, []byte(`\"pw\"`)) {
		t.Errorf("the HAR shows the secret:\n%s", got)
	}
	// No entries: the empty list as the encoder writes it.
	empty := t.TempDir()
	if err := Merge(empty, "run2", "t", Creator{Name: "test", Version: "1"}, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(empty, HARFile)); !bytes.Contains(b, []byte(`"entries": [],`)) {
		t.Errorf("an empty HAR:\n%s", b)
	}
}

// A condition of many exchanges keeps the full caps for its share only, so
// that the conditions after it keep theirs within the process's budget.
func TestAConditionOfManyExchangesLeavesTheBudgetToOthers(t *testing.T) {
	dir := t.TempDir()
	rec := NewRecorder(1, 1, 1, func() []string { return nil })
	if err := rec.Begin(dir, "run1"); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("b"), 16<<10)
	n := ConditionShare/len(body) + 4
	for range n {
		rec.Record(exchange(t, "pw", body), Tags{Condition: "S200-explore-stateful", Format: "json"})
	}
	rec.Record(exchange(t, "pw", body), Tags{Condition: "S200-explore-stateful", Format: "xml"})
	rec.Record(exchange(t, "pw", body), Tags{Condition: "E209-batch-duplicate", Format: "json"})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := readPart(partName(dir, "run1", 1))
	if err != nil || len(entries) != n+2 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	if !entries[n-1].Response.Content.Truncated {
		t.Errorf("the last of %d exchanges of one condition kept its whole body past the condition's share", n)
	}
	for _, e := range entries[n:] {
		if e.Response.Content.Truncated {
			t.Errorf("%s (%s): body cut, though its condition had written nothing", e.Condition, e.Format)
		}
	}
}

// A batch answer cut by the caps keeps its item codes, so that verify
// still finds the code its condition certifies.
func TestACutBatchAnswerKeepsItsItemCodes(t *testing.T) {
	items := strings.Repeat(`{"code":200,"text":"OK","message":"Запрос выполнен успешно","uuid":"`+strings.Repeat("u", 64)+`"},`, 20)
	x := exchange(t, "pw", []byte(`{"code":200,"text":"OK","message":"Запрос выполнен успешно","result":[`+items+`{"code":209,"text":"Accepted","message":"m","id":"x"}]}`))
	e := newEntry(x, Tags{Condition: "E209-batch-duplicate", Format: "json"}, nil, caps{SmallBodyCap, SmallHeaderCap})
	if !e.Response.Content.Truncated {
		t.Fatal("the body was not cut: this test proves nothing")
	}
	if !answered(e, 209) {
		t.Errorf("a cut batch answer with a 209 item does not show it: item codes %v", e.Response.Content.ItemCodes)
	}
	if answered(e, 409) {
		t.Error("a cut batch answer shows a code none of its items has")
	}
}
