package matchers_test

import (
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/matchers"
	"github.com/onsi/gomega/types"
)

// The failure texts are pinned, as Gomega pins gcustom's: a vendor reads
// them, and a change to them is a change a reviewer must see. Run
// `go test ./matchers -update` to rewrite testdata/ after a deliberate change.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	base     = "http://target.test/fx/api/v1"
	password = "pa'ss-S3CRET"
	notFound = `{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`
	caseJSON = `{"uuid":"abc123","title":"t","parent":{"uuid":"p1","title":"P"},"state":{"id":"new","title":"Новое"},` +
		`"priority":0,"comment":"","phoneNumbers":{"phoneNumber":[]},"creationDate":"2016-10-18T09:58:24.594+03:00",` +
		`"lastModified":"2016-10-18T09:58:24.594Z","scheduledTime":null,"operator":null}`
)

var jsonType = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

var xmlType = http.Header{"Content-Type": {"application/xml; charset=utf-8"}}

const notFoundXML = `<status><code>404</code><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></status>`

// answered builds an exchange as the client records it, validated against
// the contract, with a fixed duration so that the text is the same each run.
func answered(t *testing.T, method, path, reqBody string, status int, header http.Header, body string, offContract bool) *client.Exchange {
	t.Helper()
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, base+path, strings.NewReader(reqBody))
	req.SetBasicAuth("operator-admin", password)
	accept, contentType := "application/json, text/plain", "application/json"
	if strings.HasPrefix(path, "/xml/") {
		accept, contentType = "application/xml, text/xml, text/plain", "application/xml"
	}
	req.Header.Set("Accept", accept)
	if reqBody != "" {
		req.Header.Set("Content-Type", contentType)
	}
	x := &client.Exchange{
		Request: client.Request{Method: method, Path: path, Purpose: "the request under test"}, HTTPRequest: req, RequestBody: []byte(reqBody),
		Duration: 12 * time.Millisecond, Status: status, Proto: "HTTP/1.1", Header: header, Body: []byte(body),
	}
	x.ReadBy(c)
	if status == 0 {
		return x
	}
	var verr error
	if offContract {
		verr = c.ValidateResponse(req, x.RequestBody, status, header, x.Body)
	} else {
		verr = c.ValidateExchange(req, x.RequestBody, status, header, x.Body)
	}
	var v contract.Violations
	if errors.As(verr, &v) {
		x.Violations = v
	}
	return x
}

// withoutCredentials validates the exchange again as sent without an
// Authorization header.
func withoutCredentials(t *testing.T, x *client.Exchange) *client.Exchange {
	t.Helper()
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	x.HTTPRequest.Header.Del("Authorization")
	x.Violations = nil
	var v contract.Violations
	if errors.As(c.ValidateExchange(x.HTTPRequest, x.RequestBody, x.Status, x.Header, x.Body), &v) {
		x.Violations = v
	}
	return x
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./matchers -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("the failure text of %s changed; got:\n%s\n--- want:\n%s", name, got, want)
	}
}

func failure(t *testing.T, m types.GomegaMatcher, x any) string {
	t.Helper()
	ok, err := m.Match(x)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatal("the matcher passed an exchange it must fail")
	}
	return m.FailureMessage(x)
}

func TestFailureTexts(t *testing.T) {
	matchers.Redact(password)
	t.Cleanup(func() { matchers.Redact() })
	big := `{"callcase":[` + strings.Repeat(`{"id":"a","title":"t"},`, 300) + `{"id":"a","title":"t"}]}`
	for _, tc := range []struct {
		name    string
		matcher types.GomegaMatcher
		x       *client.Exchange
	}{
		// HaveResult, one kind of problem each.
		{"result-wrong-status", matchers.HaveResult(404), answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, caseJSON, false)},
		{"result-wrong-text", matchers.HaveResult(404), answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, strings.Replace(notFound, `"Not Found"`, `"Not found"`, 1), false)},
		// Seen by the matcher and by the contract, listed once.
		{"result-wrong-message", matchers.HaveResult(404), answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, strings.Replace(notFound, "не найден", "not found", 1), false)},
		{"result-code-not-status", matchers.HaveResult(404), answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, strings.Replace(notFound, "404", "400", 1), false)},
		{"result-missing-message", matchers.HaveResult(404), answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, `{"code":404,"text":"Not Found"}`, false)},
		{"result-no-status-body", matchers.HaveResult(404), answered(t, "GET", "/json/callcases/zzz", "", 404, http.Header{"Content-Type": {"text/html"}}, "<h1>Not Found</h1>", false)},
		{"result-204-with-body", matchers.HaveResult(204), answered(t, "GET", "/json/callcases/?project=p1", "", 204, http.Header{}, "{}", false)},
		// The contract's kinds, through KeepContract and BeRead.
		{"contract-not-in-table", matchers.KeepContract(), answered(t, "GET", "/json/callcases/zzz", "", 405, jsonType, notFound, false)},
		{"contract-undocumented-for-operation", matchers.KeepContract(), answered(t, "GET", "/json/callcases/zzz", "", 209, jsonType,
			`{"code":209,"text":"Conflict","message":"Ошибка возникает при добавлении кейса с уже существующим внешним идентификатором"}`, false)},
		{"contract-response-schema", matchers.BeRead(), answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, strings.Replace(caseJSON, `"priority":0`, `"priority":"high"`, 1), false)},
		{"contract-missing-header", matchers.HaveResult(201), answered(t, "POST", "/json/callcases/?project=p1", `{"title":"x"}`, 201, jsonType,
			`{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`, false)},
		{"contract-request-parameter", matchers.KeepContract(), answered(t, "GET", "/json/callcases/?project=p1&page=0", "", 204, http.Header{}, "", false)},
		{"contract-request-body", matchers.KeepContract(), answered(t, "POST", "/json/callcases/?project=p1", `{"uuid":"A B","comment":"`+password+`"}`, 201,
			http.Header{"Content-Type": {"application/json"}, "Location": {base + "/json/callcases/abc"}}, `{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`, false)},
		{"contract-no-operation", matchers.HaveResult(404), answered(t, "GET", "/json/nowhere", "", 404, jsonType, `{"error":"nope"}`, false)},
		{"header-missing", matchers.HaveHeader("Location", "http"), answered(t, "POST", "/json/callcases/?project=p1", `{"title":"x"}`, 201, jsonType,
			`{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`, false)},
		// The challenge of a 401, seen by the matcher and by the contract, listed once.
		{"challenge-missing", matchers.HaveBasicChallenge(), answered(t, "GET", "/json/callcases/abc", "", 401, jsonType,
			`{"code":401,"text":"Unauthorized","message":"Пользователь не авторизован"}`, true)},
		{"challenge-not-basic", matchers.HaveBasicChallenge(), answered(t, "GET", "/json/callcases/abc", "", 401,
			http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Www-Authenticate": {`Bearer realm="callcases"`, `Basic-Legacy realm="callcases"`}},
			`{"code":401,"text":"Unauthorized","message":"Пользователь не авторизован"}`, true)},
		{"challenge-malformed", matchers.HaveBasicChallenge(), answered(t, "GET", "/json/callcases/abc", "", 401,
			http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Www-Authenticate": {`Basic realm="callcases`}},
			`{"code":401,"text":"Unauthorized","message":"Пользователь не авторизован"}`, true)},
		{"contract-status-body-not-json-type", matchers.HaveResult(404), answered(t, "GET", "/json/nowhere", "", 404, http.Header{"Content-Type": {"text/html"}}, "<h1>Not Found</h1>", true)},
		{"contract-status-body-not-json", matchers.HaveResult(404), answered(t, "GET", "/json/nowhere", "", 404, jsonType, "{nope", true)},
		{"contract-no-credentials", matchers.KeepContract(), withoutCredentials(t, answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, caseJSON, false))},
		// The XML representation: the same rules, and the XML body's own.
		{"xml-result-wrong-message", matchers.HaveResult(404), answered(t, "GET", "/xml/callcases/zzz", "", 404, xmlType, strings.Replace(notFoundXML, "не найден", "not found", 1), false)},
		{"xml-result-wrong-root", matchers.HaveResult(404), answered(t, "GET", "/xml/callcases/zzz", "", 404, xmlType, `<error>nope</error>`, false)},
		{"xml-result-malformed", matchers.HaveResult(404), answered(t, "GET", "/xml/callcases/zzz", "", 404, xmlType, strings.TrimSuffix(notFoundXML, "</status>"), false)},
		{"xml-format-json-on-xml-path", matchers.HaveResult(404), answered(t, "GET", "/xml/callcases/zzz", "", 404, jsonType, notFound, false)},
		// One of several answers: the problems of the alternative whose code came, or the code against all of them.
		{"one-of-wrong-status", matchers.AnswerOneOf(matchers.HaveResult(404), matchers.BeRead(), matchers.HaveResult(300)),
			answered(t, "GET", "/json/projects/p1/callcases/crm-1", "", 204, http.Header{}, "", false)},
		{"one-of-wrong-message", matchers.AnswerOneOf(matchers.HaveResult(404), matchers.BeRead()),
			answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, strings.Replace(notFound, "не найден", "not found", 1), false)},
		{"xml-request-wrong-root", matchers.KeepContract(), answered(t, "POST", "/xml/callcases/?project=p1", `<case><title>x</title></case>`, 201,
			http.Header{"Content-Type": {"application/xml"}, "Location": {base + "/xml/callcases/abc"}}, `<status><code>201</code><text>Created</text><message>Ресурс был создан успешно</message></status>`, false)},
		{"xml-status-body-not-xml-type", matchers.HaveResult(404), answered(t, "GET", "/xml/nowhere", "", 404, jsonType, notFound, true)},
		{"curl-large-body", matchers.HaveResult(400), answered(t, "POST", "/json/projects/p1/callcases-batch/", big, 200, jsonType,
			`{"code":200,"text":"OK","message":"Запрос выполнен успешно","result":[]}`, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := failure(t, tc.matcher, tc.x)
			if strings.Contains(got, "S3CRET") {
				t.Errorf("the failure text shows the password:\n%s", got)
			}
			golden(t, tc.name, got)
		})
	}
}

func TestAnExchangeWithoutAnswerSaysWhy(t *testing.T) {
	x := answered(t, "POST", "/json/callcases/?project=p1", `{"title":"x"}`, 0, nil, "", false)
	x.Err = errors.New("nothing answers at the target's address (check CONFORMANCE_TARGET, and that the target is up): connection refused")
	golden(t, "no-answer", failure(t, matchers.HaveResult(403), x))
}

func TestNegatedFailure(t *testing.T) {
	m := matchers.HaveResult(404)
	x := answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, notFound, false)
	if ok, _ := m.Match(x); !ok {
		t.Fatalf("a conforming 404 fails: %s", m.FailureMessage(x))
	}
	golden(t, "negated", m.NegatedFailureMessage(x))
}

func TestItemResult(t *testing.T) {
	id := "crm-1"
	item := client.Item{ID: &id, Code: 201, Text: "Created", Message: "Created"}
	golden(t, "item-result", failure(t, matchers.HaveItemResult(201), item))
}

func TestConformingExchangesPass(t *testing.T) {
	for name, tc := range map[string]struct {
		m types.GomegaMatcher
		x *client.Exchange
	}{
		"404":  {matchers.HaveResult(404), answered(t, "GET", "/json/callcases/zzz", "", 404, jsonType, notFound, false)},
		"read": {matchers.BeRead(), answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, caseJSON, false)},
		"204":  {matchers.HaveResult(204), answered(t, "GET", "/json/callcases/?project=p1", "", 204, http.Header{}, "", false)},
	} {
		if ok, err := tc.m.Match(tc.x); !ok || err != nil {
			t.Errorf("%s: %v\n%s", name, err, tc.m.FailureMessage(tc.x))
		}
	}
}

func TestCurlNeverShowsTheCredentials(t *testing.T) {
	x := answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, caseJSON, false)
	got := matchers.Curl(x)
	if strings.Contains(got, password) || strings.Contains(got, x.HTTPRequest.Header.Get("Authorization")) {
		t.Errorf("curl shows the credentials: %s", got)
	}
	if !strings.Contains(got, "-u 'operator-admin'") {
		t.Errorf("curl does not name the user, so that curl asks for the password: %s", got)
	}
	x.HTTPRequest.Header.Set("Authorization", "Basic not*base64")
	if got := matchers.Curl(x); !strings.Contains(got, "-H 'Authorization: Basic [redacted]'") {
		t.Errorf("a malformed Authorization header is shown: %s", got)
	}
}

// A read-back that finds the wrong thing shows its exchange as a matcher's
// failure does: the exchange, then the command that sends it again.
func TestShown(t *testing.T) {
	x := answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, caseJSON, false)
	golden(t, "shown", matchers.Shown(x))
}

func TestAnswerOneOfPassesAnyAlternative(t *testing.T) {
	m := matchers.AnswerOneOf(matchers.BeRead(), matchers.HaveResult(http.StatusNoContent))
	for _, x := range []*client.Exchange{
		answered(t, "GET", "/json/callcases/abc123", "", 200, jsonType, caseJSON, false),
		answered(t, "GET", "/json/callcases/?project=p1", "", 204, http.Header{}, "", false),
	} {
		if ok, err := m.Match(x); err != nil || !ok {
			t.Errorf("%d: AnswerOneOf failed an answer one of its alternatives takes (%v):\n%s", x.Status, err, m.FailureMessage(x))
		}
	}
}
