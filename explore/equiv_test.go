package explore

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
)

// Each leniency of the equivalence has a test that two answers the design
// lets differ are equivalent, and a test of the breach it must still catch.

func value(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	tgtProject = "tproject"
	refProject = "corebo00000000000000000000000001"
)

func newOracle() *Oracle {
	return NewOracle(map[string]string{tgtProject: refProject, "toperator": "employee000000000000000000000001"})
}

// aCase is a case as a server writes it, with members replaced.
func aCase(t *testing.T, uuid, project, created, modified string, more string) any {
	t.Helper()
	base := `{"uuid":"` + uuid + `","id":"crm-1","title":"t","parent":{"uuid":"` + project + `","title":"P"},` +
		`"state":{"id":"new","title":"Новое"},"priority":1,"comment":"c","phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":"HOME"},{"value":"2","phoneNumberType":"WORK"}]},` +
		`"creationDate":"` + created + `","lastModified":"` + modified + `","scheduledTime":null,"operator":null}`
	m := value(t, base).(map[string]any)
	if more != "" {
		for k, v := range value(t, more).(map[string]any) {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
	}
	return m
}

func read(body any) Answer { return Answer{Status: 200, Body: body} }

const (
	t0 = "2026-01-01T10:00:00.000+03:00"
	t1 = "2026-01-01T10:00:01.000+03:00"
	r0 = "2030-05-05T05:05:05.5Z"
	r1 = "2030-05-05T05:05:06Z"
)

func expectEquivalent(t *testing.T, divs []Divergence) {
	t.Helper()
	if len(divs) > 0 {
		t.Fatalf("want equivalent, got %v", divs)
	}
}

func expectDivergence(t *testing.T, divs []Divergence, where string) {
	t.Helper()
	for _, d := range divs {
		if strings.Contains(d.Where, where) {
			if d.Rule == "" {
				t.Fatalf("divergence %v names no rule", d)
			}
			return
		}
	}
	t.Fatalf("want a divergence at %s, got %v", where, divs)
}

func TestServerAssignedUUIDsMapOneToOne(t *testing.T) {
	o := newOracle()
	expectEquivalent(t, o.Case("body", aCase(t, "tgt1", tgtProject, t0, t0, ""), aCase(t, "ref1", refProject, r0, r0, "")))
	expectEquivalent(t, o.Case("body", aCase(t, "tgt1", tgtProject, t0, t0, ""), aCase(t, "ref1", refProject, r0, r0, "")))
	// Breach: the same target uuid now stands for another reference case.
	expectDivergence(t, newAfter(o).Case("body", aCase(t, "tgt1", tgtProject, t0, t0, ""), aCase(t, "ref2", refProject, r0, r0, "")), "uuid")
	// Breach: another target uuid for a reference case already mapped.
	expectDivergence(t, o.Case("body", aCase(t, "tgt2", tgtProject, t0, t0, ""), aCase(t, "ref1", refProject, r0, r0, "")), "uuid")
}

func newAfter(o *Oracle) *Oracle { return o }

func TestAClientChosenUUIDComesBackAsItIs(t *testing.T) {
	o := newOracle()
	o.Chose("mine1")
	expectEquivalent(t, o.Case("body", aCase(t, "mine1", tgtProject, t0, t0, ""), aCase(t, "mine1", refProject, r0, r0, "")))
	o = newOracle()
	o.Chose("mine1")
	expectDivergence(t, o.Case("body", aCase(t, "other", tgtProject, t0, t0, ""), aCase(t, "mine1", refProject, r0, r0, "")), "uuid")
}

func TestDatesKeepTheirRelations(t *testing.T) {
	tgt := func(created, modified string) any { return aCase(t, "tgt1", tgtProject, created, modified, "") }
	ref := func(more string) any { return aCase(t, "ref1", refProject, r0, r1, more) }

	t.Run("the two clocks differ", func(t *testing.T) {
		expectEquivalent(t, newOracle().Case("body", tgt(t0, t0), ref("")))
	})
	t.Run("a read does not move lastModified", func(t *testing.T) {
		o := newOracle()
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
		expectDivergence(t, o.Case("body", tgt(t0, t1), ref("")), "lastModified")
	})
	t.Run("a write that changed the case moves lastModified forward", func(t *testing.T) {
		o := newOracle()
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
		o.Wrote("tgt1")
		expectDivergence(t, o.Case("body", aCase(t, "tgt1", tgtProject, t0, t0, `{"title":"new"}`), ref(`{"title":"new"}`)), "lastModified")
		o = newOracle()
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
		o.Wrote("tgt1")
		expectEquivalent(t, o.Case("body", aCase(t, "tgt1", tgtProject, t0, t1, `{"title":"new"}`), ref(`{"title":"new"}`)))
	})
	t.Run("an update that changes nothing may leave lastModified", func(t *testing.T) {
		o := newOracle()
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
		o.Wrote("tgt1")
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
	})
	t.Run("creationDate never moves", func(t *testing.T) {
		o := newOracle()
		expectEquivalent(t, o.Case("body", tgt(t0, t1), ref("")))
		o.Wrote("tgt1")
		expectDivergence(t, o.Case("body", aCase(t, "tgt1", tgtProject, t1, "2026-01-01T10:00:02+03:00", `{"title":"new"}`), ref(`{"title":"new"}`)), "creationDate")
	})
	t.Run("dates compare as instants, any offset", func(t *testing.T) {
		o := newOracle()
		expectEquivalent(t, o.Case("body", tgt(t0, t0), ref("")))
		expectEquivalent(t, o.Case("body", tgt("2026-01-01T07:00:00Z", "2026-01-01T07:00:00.000000000Z"), ref("")))
	})
	t.Run("scheduledTime, given alike, is the same instant", func(t *testing.T) {
		o := newOracle()
		expectEquivalent(t, o.Case("body", aCase(t, "tgt1", tgtProject, t0, t0, `{"scheduledTime":"2030-01-02T00:04:05Z"}`), ref(`{"scheduledTime":"2030-01-02T03:04:05+03:00"}`)))
		expectDivergence(t, newOracle().Case("body", aCase(t, "tgt1", tgtProject, t0, t0, `{"scheduledTime":"2030-01-02T03:04:05Z"}`), ref(`{"scheduledTime":"2030-01-02T03:04:05+03:00"}`)), "scheduledTime")
	})
}

func listPage(t *testing.T, page, count int, cases ...any) Answer {
	b, _ := json.Marshal(map[string]any{"page": page, "count": count, "callcase": cases})
	return Answer{Status: 200, Body: value(t, string(b))}
}

func TestListsOnTheRunsOwnCases(t *testing.T) {
	mapped := func() *Oracle {
		o := newOracle()
		o.Pair("ta", "ra")
		o.Pair("tb", "rb")
		return o
	}
	ta, tb := aCase(t, "ta", tgtProject, t0, t0, ""), aCase(t, "tb", tgtProject, t0, t0, "")
	ra, rb := aCase(t, "ra", refProject, r0, r0, ""), aCase(t, "rb", refProject, r0, r0, "")
	foreign := aCase(t, "someone", tgtProject, t0, t0, "")
	end := Answer{Status: 204}
	ref := []Answer{listPage(t, 1, 2, ra, rb), end}

	t.Run("order is free and foreign cases are left out", func(t *testing.T) {
		expectEquivalent(t, mapped().List([]Answer{listPage(t, 1, 3, foreign, tb), listPage(t, 2, 3, ta), end}, ref, nil))
	})
	t.Run("pages overlap", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{listPage(t, 1, 2, ta, tb), listPage(t, 2, 2, tb), end}, ref, nil), "list page 2")
	})
	t.Run("an own case is missing", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{listPage(t, 1, 2, ta, foreign), end}, ref, nil), "own cases")
	})
	t.Run("an own case moved off a list longer than its page while others wrote", func(t *testing.T) {
		expectEquivalent(t, mapped().List([]Answer{listPage(t, 1, 3, foreign, tb), end}, ref, nil))
		expectEquivalent(t, mapped().List([]Answer{listPage(t, 1, 3, foreign, tb), listPage(t, 2, 3, tb), end}, ref, nil))
	})
	t.Run("an own case missing, or twice, with no other writer is still a divergence", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{listPage(t, 1, 3, tb), end}, ref, nil), "own cases")
		expectDivergence(t, mapped().List([]Answer{listPage(t, 1, 3, ta, tb), listPage(t, 2, 3, tb), end}, ref, nil), "list page 2")
	})
	t.Run("an own case is there that the filter does not match", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{listPage(t, 1, 2, ta), end}, []Answer{listPage(t, 1, 1, rb), end}, nil), "own cases")
	})
	t.Run("count below the reference's", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{listPage(t, 1, 1, ta, tb), end}, ref, nil), "count")
	})
	t.Run("a page that says another number", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{listPage(t, 2, 2, ta, tb), end}, ref, nil), "page")
	})
	t.Run("204 where the reference has only foreign-free pages", func(t *testing.T) {
		expectDivergence(t, mapped().List([]Answer{end}, ref, nil), "")
	})
	t.Run("cases tied at a bound are left out", func(t *testing.T) {
		expectEquivalent(t, mapped().List([]Answer{listPage(t, 1, 1, ta), end}, ref, func(u string) bool { return u == "tb" }))
	})
}

func TestMembersTheDesignDoesNotNameAreIgnored(t *testing.T) {
	o := newOracle()
	expectEquivalent(t, o.Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"completionDate":"x","callForm":{"a":1}}`), aCase(t, "r1", refProject, r0, r0, "")))
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"title":"T"}`), aCase(t, "r1", refProject, r0, r0, "")), "title")
	// A state's title and the fixtures' titles are the server's display text.
	expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"state":{"id":"new","title":"New"},"parent":{"uuid":"tproject","title":"Campaign"}}`), aCase(t, "r1", refProject, r0, r0, "")))
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"state":{"id":"available","title":"Новое"}}`), aCase(t, "r1", refProject, r0, r0, "")), "state.id")
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"parent":{"uuid":"elsewhere"}}`), aCase(t, "r1", refProject, r0, r0, "")), "parent.uuid")
}

func TestNumbersCompareAsValues(t *testing.T) {
	expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"priority":1.0}`), aCase(t, "r1", refProject, r0, r0, "")))
	expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"priority":1e0}`), aCase(t, "r1", refProject, r0, r0, "")))
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"priority":2}`), aCase(t, "r1", refProject, r0, r0, "")), "priority")
	sb := func(code string) Answer {
		return Answer{Status: 404, Body: value(t, `{"code":`+code+`,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`)}
	}
	expectEquivalent(t, newOracle().Status("", sb("404.0"), sb("404")))
}

func TestCommentsAbsentNullOrEmpty(t *testing.T) {
	for _, c := range []string{`{"comment":null}`, `{"comment":""}`, `{"comment":null}`} {
		expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, c), aCase(t, "r1", refProject, r0, r0, `{"comment":""}`)))
	}
	expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"comment":""}`), aCase(t, "r1", refProject, r0, r0, `{"comment":null}`)))
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"comment":"c "}`), aCase(t, "r1", refProject, r0, r0, "")), "comment")
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"comment":""}`), aCase(t, "r1", refProject, r0, r0, "")), "comment")
}

func TestPhoneNumbersInAnyOrder(t *testing.T) {
	swapped := `{"phoneNumbers":{"phoneNumber":[{"value":"2","phoneNumberType":"WORK"},{"value":"1","phoneNumberType":"HOME"}]}}`
	expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, swapped), aCase(t, "r1", refProject, r0, r0, "")))
	for _, none := range []string{`{"phoneNumbers":null}`, `{"phoneNumbers":{}}`, `{"phoneNumbers":{"phoneNumber":[]}}`} {
		expectEquivalent(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, none), aCase(t, "r1", refProject, r0, r0, `{"phoneNumbers":{"phoneNumber":[]}}`)))
	}
	expectDivergence(t, newOracle().Case("body", aCase(t, "t1", tgtProject, t0, t0, `{"phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":"HOME"}]}}`), aCase(t, "r1", refProject, r0, r0, "")), "phoneNumbers")
}

func TestStatusBodies(t *testing.T) {
	sb := func(status int, s string) Answer { return Answer{Status: status, Body: value(t, s)} }
	ok := `{"code":200,"text":"OK","message":"Запрос выполнен успешно"}`
	t.Run("detail is free text", func(t *testing.T) {
		expectEquivalent(t, newOracle().Status("", sb(200, `{"code":200,"text":"OK","message":"Запрос выполнен успешно","detail":"anything","requestId":"x"}`), sb(200, ok)))
	})
	t.Run("the code", func(t *testing.T) {
		expectDivergence(t, newOracle().Status("", sb(201, ok), sb(200, ok)), "status")
	})
	t.Run("the message, exactly", func(t *testing.T) {
		expectDivergence(t, newOracle().Status("", sb(200, `{"code":200,"text":"OK","message":"Запрос выполнен успешно."}`), sb(200, ok)), "message")
	})
	t.Run("300's uuids as a set, mapped", func(t *testing.T) {
		o := newOracle()
		o.Pair("ta", "ra")
		o.Pair("tb", "rb")
		m := `"code":300,"text":"Multiple Choices","message":"m"`
		expectEquivalent(t, o.Status("", sb(300, `{`+m+`,"uuids":["tb","ta"]}`), sb(300, `{`+m+`,"uuids":["ra","rb"]}`)))
		expectDivergence(t, o.Status("", sb(300, `{`+m+`,"uuids":["ta"]}`), sb(300, `{`+m+`,"uuids":["ra","rb"]}`)), "uuids")
	})
	t.Run("batch items in request order", func(t *testing.T) {
		item := func(id, uuid string, code int) string {
			b, _ := json.Marshal(map[string]any{"id": id, "uuid": uuid, "code": code, "text": "x", "message": "y"})
			return string(b)
		}
		o := newOracle()
		expectEquivalent(t, o.Status("", sb(200, `{"code":200,"text":"OK","message":"m","result":[`+item("a", "t1", 201)+`,`+item("b", "t2", 201)+`]}`),
			sb(200, `{"code":200,"text":"OK","message":"m","result":[`+item("a", "r1", 201)+`,`+item("b", "r2", 201)+`]}`)))
		expectDivergence(t, newOracle().Status("", sb(200, `{"code":200,"text":"OK","message":"m","result":[`+item("b", "t2", 201)+`,`+item("a", "t1", 201)+`]}`),
			sb(200, `{"code":200,"text":"OK","message":"m","result":[`+item("a", "r1", 201)+`,`+item("b", "r2", 201)+`]}`)), "result[0].id")
	})
	t.Run("get-state may end with a newline", func(t *testing.T) {
		expectEquivalent(t, newOracle().Status("state", Answer{Status: 200, Text: "new\n"}, Answer{Status: 200, Text: "new"}))
		expectDivergence(t, newOracle().Status("state", Answer{Status: 200, Text: "New"}, Answer{Status: 200, Text: "new"}), "body")
	})
	t.Run("204 has no body", func(t *testing.T) {
		expectDivergence(t, newOracle().Status("", Answer{Status: 204, Body: value(t, `{}`)}, Answer{Status: 204}), "body")
	})
}

// exchange builds an answer as a server would send it, to test what the
// equivalence reads: Location and the XML spellings.
func exchange(t *testing.T, c *contract.Contract, base, method, path string, status int, header http.Header, body string) Answer {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := &client.Exchange{HTTPRequest: req, Status: status, Header: header, Body: []byte(body)}
	return answer(x, c, base)
}

func TestLocationAbsoluteOrRelative(t *testing.T) {
	const base = "http://target.test/fx/api/v1"
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	created := `{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`
	js := http.Header{"Content-Type": {"application/json"}}
	abs := exchange(t, c, base, "POST", "/json/callcases/?project=p", 201, http.Header{"Content-Type": {"application/json"}, "Location": {base + "/json/callcases/t1"}}, created)
	rel := exchange(t, c, base, "POST", "/json/callcases/?project=p", 201, http.Header{"Content-Type": {"application/json"}, "Location": {"t1"}}, created)
	root := exchange(t, c, base, "POST", "/json/callcases/?project=p", 201, http.Header{"Content-Type": {"application/json"}, "Location": {"/fx/api/v1/json/callcases/t1"}}, created)
	ref := Answer{Status: 201, Location: "/json/callcases/r1", Body: value(t, created)}
	for _, a := range []Answer{abs, rel, root} {
		expectEquivalent(t, newOracle().Status("", a, ref))
	}
	none := exchange(t, c, base, "POST", "/json/callcases/?project=p", 201, js, created)
	expectDivergence(t, newOracle().Status("", none, ref), "Location")
	other := exchange(t, c, base, "POST", "/json/callcases/?project=p", 201, http.Header{"Content-Type": {"application/json"}, "Location": {base + "/xml/callcases/t1"}}, created)
	expectDivergence(t, newOracle().Status("", other, ref), "Location")
}

func TestXMLSpellings(t *testing.T) {
	const base = "http://target.test/fx/api/v1"
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	xmlh := http.Header{"Content-Type": {"application/xml"}}
	plain := `<?xml version="1.0" encoding="UTF-8"?><callcase><uuid>t1</uuid><id>crm-1</id><title>t</title><parent><uuid>tproject</uuid><title>P</title></parent><state><id>new</id><title>x</title></state><priority>1</priority><comment></comment><phoneNumbers/><creationDate>` + t0 + `</creationDate><lastModified>` + t0 + `</lastModified></callcase>`
	other := "<callcase>\n  <lastModified>" + t0 + "</lastModified><creationDate>" + t0 + "</creationDate><phoneNumbers></phoneNumbers><comment/><priority>1.0</priority>" +
		"<state><title>y</title><id>new</id></state><parent><title>Q</title><uuid>tproject</uuid></parent><title><![CDATA[t]]></title><id>crm&#45;1</id><uuid>t1</uuid><extra a='1'/>\n</callcase>"
	ref := aCase(t, "r1", refProject, r0, r0, `{"comment":"","phoneNumbers":{"phoneNumber":[]}}`)
	for _, body := range []string{plain, other} {
		a := exchange(t, c, base, "GET", "/xml/callcases/t1", 200, xmlh, body)
		if a.BodyErr != nil {
			t.Fatalf("%s: %v", body, a.BodyErr)
		}
		expectEquivalent(t, newOracle().Status("case", a, read(ref)))
	}
	wrong := strings.Replace(plain, "<title>t</title>", "<title>t </title>", 1)
	expectDivergence(t, newOracle().Status("case", exchange(t, c, base, "GET", "/xml/callcases/t1", 200, xmlh, wrong), read(ref)), "title")
	_ = url.Values{}
}
