package contract_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callcases/conformance/contract"
)

const base = "http://target.test/fx/api/v1"

func TestEveryDocumentedCodeIsInTheTableAndBack(t *testing.T) {
	doc, err := contract.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	table := contract.DefaultTable()
	documented := map[int]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for key := range op.Responses.Map() {
				code, err := strconv.Atoi(key)
				if err != nil {
					t.Errorf("%s %s: response %q is not a status code (no default or ranges: every code is the table's)", method, path, key)
					continue
				}
				if _, ok := table.Lookup(code); !ok {
					t.Errorf("%s %s documents %d, which the result-code table does not have", method, path, code)
				}
				documented[code] = true
			}
		}
	}
	for _, code := range table.Codes() {
		if !documented[code] {
			t.Errorf("table code %d is documented by no operation of openapi.yaml", code)
		}
	}
}

func exchange(method, path, contentType, body string) *http.Request {
	req := httptest.NewRequest(method, base+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.SetBasicAuth("u", "p")
	return req
}

func TestValidateResponse(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	const caseJSON = `{"uuid":"abc123","title":"t","parent":{"uuid":"p1","title":"P"},"state":{"id":"new","title":"Новое"},` +
		`"priority":0,"comment":"","phoneNumbers":{"phoneNumber":[]},"creationDate":"2016-10-18T09:58:24.594+03:00",` +
		`"lastModified":"2016-10-18T09:58:24.594Z","scheduledTime":null,"operator":null}`
	const notFound = `{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`
	const created = `{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`
	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	withHeader := func(k, v string) http.Header { h := jsonCT.Clone(); h.Set(k, v); return h }
	cases := []struct {
		name    string
		req     *http.Request
		status  int
		header  http.Header
		body    string
		violate string // substring of the violation; "" = conforms
	}{
		{"case read", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT, caseJSON, ""},
		{"case with members the contract does not name", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, `"priority":0`, `"priority":0,"completionDate":null,"callForm":{"uuid":"f1"}`, 1), ""},
		{"case with a named member of the wrong type beside an unnamed one", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, `"priority":0`, `"priority":"0","extra":1`, 1), "priority"},
		{"case with an integer written 1.0 and 1e0", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, `"priority":0`, `"priority":1.0e0`, 1), ""},
		{"case with dates in lower case, nine digits, another offset", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.NewReplacer("2016-10-18T09:58:24.594+03:00", "2016-10-17t21:28:24.594000000-09:30", "2016-10-18T09:58:24.594Z", "2016-10-18t09:58:24.594z").Replace(caseJSON), ""},
		{"batch with a 209 item whose message was shortened", exchange("POST", "/json/projects/p1/callcases-batch/", "application/json", ""), 200, jsonCT,
			`{"code":200,"text":"OK","message":"Запрос выполнен успешно","result":[{"id":"a","uuid":null,"code":209,"text":"Conflict","message":"ACCEPTED"}]}`, "batch item: message"},
		{"batch with a 300 item without uuids", exchange("PUT", "/json/projects/p1/callcases-batch/", "application/json", ""), 200, jsonCT,
			`{"code":200,"text":"OK","message":"Запрос выполнен успешно","result":[{"id":"a","uuid":null,"code":300,"text":"Multiple Choices","message":"Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором"}]}`, "without uuids"},
		{"batch with an item's code off the table", exchange("PUT", "/json/projects/p1/callcases-batch/", "application/json", ""), 200, jsonCT,
			`{"code":200,"text":"OK","message":"Запрос выполнен успешно","result":[{"id":"a","uuid":null,"code":422,"text":"Unprocessable","message":"no"}]}`, "result-code table"},
		{"case with a date that is none", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, "2016-10-18T09:58:24.594Z", "2016-10-18 09:58:24.594Z", 1), "lastModified"},
		{"case with a date whose day its month lacks", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, "2016-10-18T09:58:24.594Z", "2016-02-30t09:58:24.594z", 1), "lastModified"},
		{"case with a wrong type", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, `"priority":0`, `"priority":"high"`, 1), "priority"},
		{"case without a required field", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, `"title":"t",`, ``, 1), "title"},
		{"date without offset", exchange("GET", "/json/callcases/abc123", "", ""), 200, jsonCT,
			strings.Replace(caseJSON, `58:24.594Z`, `58:24`, 1), "lastModified"},
		{"not found", exchange("GET", "/json/callcases/zzz", "", ""), 404, jsonCT, notFound, ""},
		{"wrong message", exchange("GET", "/json/callcases/zzz", "", ""), 404, jsonCT,
			strings.Replace(notFound, "не найден", "not found", 1), "message"},
		{"code and status disagree", exchange("GET", "/json/callcases/zzz", "", ""), 404, jsonCT,
			strings.Replace(notFound, "404", "400", 1), "HTTP status is 404"},
		{"undocumented code", exchange("GET", "/json/callcases/zzz", "", ""), 405, jsonCT, notFound, "405"},
		{"code documented elsewhere, not here", exchange("GET", "/json/callcases/zzz", "", ""), 209, jsonCT,
			`{"code":209,"text":"Conflict","message":"Ошибка возникает при добавлении кейса с уже существующим внешним идентификатором"}`, "status"},
		{"created with location", exchange("POST", "/json/callcases/?project=p1", "application/json", `{"title":"x"}`), 201,
			withHeader("Location", "/fx/api/v1/json/callcases/abc"), created, ""},
		{"created without location", exchange("POST", "/json/callcases/?project=p1", "application/json", `{"title":"x"}`), 201,
			jsonCT, created, "Location"},
		{"401 without challenge", exchange("GET", "/json/callcases/abc", "", ""), 401, jsonCT,
			`{"code":401,"text":"Unauthorized","message":"Пользователь не авторизован"}`, "WWW-Authenticate"},
		{"204 with a body", exchange("GET", "/json/callcases/?project=p1", "", ""), 204, http.Header{}, "{}", "204"},
		{"300 without uuids", exchange("GET", "/json/projects/p1/callcases/x", "", ""), 300, jsonCT,
			`{"code":300,"text":"Multiple Choices","message":"Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором"}`, "uuids"},
		{"wrong content type", exchange("GET", "/json/callcases/zzz", "", ""), 404, http.Header{"Content-Type": {"text/html"}}, notFound, "Content-Type"},
		{"unknown path answers a status body", exchange("GET", "/json/nowhere", "", ""), 404, jsonCT, notFound, ""},
		{"unknown path answers garbage", exchange("GET", "/json/nowhere", "", ""), 404, jsonCT, `{"error":"nope"}`, "code"},
		{"state as text", exchange("GET", "/json/callcases/abc/get-state", "", ""), 200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "adjourned\n", ""},
		{"state unknown", exchange("GET", "/json/callcases/abc/get-state", "", ""), 200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "paused", "regular expression"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.ValidateResponse(tc.req, nil, tc.status, tc.header, []byte(tc.body))
			switch {
			case tc.violate == "" && err != nil:
				t.Fatalf("conforming response rejected: %v", err)
			case tc.violate != "" && err == nil:
				t.Fatalf("violation %q not detected", tc.violate)
			case tc.violate != "" && !strings.Contains(err.Error(), tc.violate):
				t.Fatalf("violation should mention %q: %v", tc.violate, err)
			}
		})
	}
}

func TestValidateRequest(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	noAuth := exchange("GET", "/json/callcases/abc", "", "")
	noAuth.Header.Del("Authorization")
	for _, tc := range []struct {
		name    string
		req     *http.Request
		body    string
		violate bool
	}{
		{"create", exchange("POST", "/json/callcases/?project=p1", "application/json", `{"title":"x","extra":1}`), `{"title":"x","extra":1}`, false},
		{"create without title", exchange("POST", "/json/callcases/?project=p1", "application/json", `{}`), `{}`, true},
		{"create without project", exchange("POST", "/json/callcases/", "application/json", `{"title":"x"}`), `{"title":"x"}`, true},
		{"set-state form", exchange("POST", "/json/callcases/abc/set-state", "application/x-www-form-urlencoded", "state=adjourned"), "state=adjourned", false},
		{"set-state unknown state", exchange("POST", "/json/callcases/abc/set-state", "application/x-www-form-urlencoded", "state=paused"), "state=paused", true},
		{"page 0", exchange("GET", "/json/callcases/?project=p1&page=0", "", ""), "", true},
		{"no credentials", noAuth, "", true},
		{"unknown path", exchange("GET", "/json/nowhere", "", ""), "", true},
		{"batch over 1000", exchange("POST", "/json/projects/p1/callcases-batch/", "application/json", ""), `{"callcase":[` + strings.Repeat(`{"id":"a","title":"t"},`, 1000) + `{"id":"a","title":"t"}]}`, true},
		{"batch delete with both", exchange("DELETE", "/json/projects/p1/callcases-batch/", "application/json", ""), `{"uuid":["a"],"id":["b"]}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.ValidateRequest(tc.req, []byte(tc.body))
			if tc.violate != (err != nil) {
				t.Fatalf("violation expected %v, got %v", tc.violate, err)
			}
		})
	}
}

func TestTableCodesAreSorted(t *testing.T) {
	if codes := contract.DefaultTable().Codes(); !slices.IsSorted(codes) {
		t.Fatalf("codes not sorted: %v", codes)
	}
}

// A violation says where (request or response, the operation, the JSON
// pointer or the parameter), what (a title that is the same each time) and
// this occurrence's detail, so that reports can group and deduplicate.
func TestViolationsAreStructured(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	notFound := `{"code":404,"text":"Not Found","message":"не найден"}`
	for _, tc := range []struct {
		name string
		err  error
		want contract.Violation
	}{
		{"a parameter", c.ValidateRequest(exchange("GET", "/json/callcases/?project=p1&page=0", "", ""), nil),
			contract.Violation{Operation: "listCallCases", In: "request", Parameter: `query "page"`, Title: contract.TitleSchema, Detail: "number must be at least 1"}},
		{"a body member", c.ValidateRequest(exchange("POST", "/json/callcases/?project=p1", "application/json", ""), []byte(`{"title":"t","uuid":"A"}`)),
			contract.Violation{Operation: "createCallCase", In: "request", Pointer: "/uuid", Title: contract.TitleSchema, Detail: `string doesn't match the regular expression "^[0-9a-z]{1,64}$"`}},
		{"a message", c.ValidateResponse(exchange("GET", "/json/callcases/zzz", "", ""), nil, 404, jsonCT, []byte(notFound)),
			contract.Violation{Operation: "getCallCase", In: "response", Pointer: "/message", Title: contract.TitleStatusBodyMsg,
				Detail: `got "не найден", the table says "Объект или один из параметров запроса не найден" for 404`}},
		{"a named member of the wrong type", c.ValidateResponse(exchange("GET", "/json/callcases/zzz", "", ""), nil, 404, jsonCT,
			[]byte(`{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден","detail":1,"why":"gone"}`)),
			contract.Violation{Operation: "getCallCase", In: "response", Pointer: "/detail", Title: contract.TitleSchema, Detail: `value must be a string`}},
		{"a code off the table", c.ValidateResponse(exchange("GET", "/json/callcases/zzz", "", ""), nil, 422, jsonCT, []byte(notFound)),
			contract.Violation{Operation: "getCallCase", In: "response", Title: contract.TitleNotInTable, Detail: "422"}},
		{"a path off the contract", c.ValidateRequest(exchange("GET", "/json/nowhere", "", ""), nil),
			contract.Violation{Operation: "GET /fx/api/v1/json/nowhere", In: "request", Title: contract.TitleNoOperation, Detail: "GET /fx/api/v1/json/nowhere"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := tc.err.(contract.Violations)
			if !ok {
				t.Fatalf("want Violations, got %T %v", tc.err, tc.err)
			}
			if !slices.Contains(v, tc.want) {
				t.Errorf("want %+v among\n%+v", tc.want, v)
			}
		})
	}
}

func TestMergeListsEachRuleOnce(t *testing.T) {
	msg := contract.Violation{In: "response", Pointer: "/message", Title: contract.TitleStatusBodyMsg, Detail: "got x"}
	seenByTheContract := msg
	seenByTheContract.Operation = "getCallCase"
	other := contract.Violation{In: "response", Pointer: "/text", Title: contract.TitleStatusBodyText, Detail: "got y"}
	got := contract.Violations{msg}.Merge(seenByTheContract, other, other)
	if len(got) != 2 || got[0] != msg || got[1] != other {
		t.Errorf("got %+v", got)
	}
}

// NamesCase picks exactly the operations whose path names one case: by
// uuid (the case's own paths) or by external id.
func TestNamesCaseIsEveryPathThatNamesOneCase(t *testing.T) {
	doc, err := contract.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range contract.Operations(doc) {
		if op.NamesCase() {
			got = append(got, op.ID)
		}
	}
	slices.Sort(got)
	want := []string{"deleteCallCase", "deleteCallCaseByExternalId", "getCallCase", "getCallCaseByExternalId", "getCallCaseState", "setCallCaseState"}
	if !slices.Equal(got, want) {
		t.Errorf("operations that name a case: %v, want %v", got, want)
	}
}
