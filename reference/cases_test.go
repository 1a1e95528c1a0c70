package reference

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateAndReadACase(t *testing.T) { // S201-create, S200-get
	h := start(t)
	before := time.Now().Add(-time.Second)
	uuid := h.create(map[string]any{
		"title": "Иванов И.И.", "id": "crm-42", "priority": 3, "comment": "перезвонить",
		"phoneNumbers": map[string]any{"phoneNumber": []map[string]string{
			{"value": "8000000000", "phoneNumberType": "HOME"}, {"value": "8000000001", "phoneNumberType": "OTHER"},
		}},
		// server-managed and unknown members are ignored
		"state": map[string]string{"id": "finished"}, "parent": map[string]string{"uuid": "x"}, "color": "blue",
	})
	c := h.getCase(uuid)
	if c.UUID != uuid || deref(c.ID) != `"crm-42"` || c.Title != "Иванов И.И." || c.Priority != 3 || c.Comment != "перезвонить" {
		t.Errorf("read back %+v", c)
	}
	if c.Parent.UUID != h.fx.Project || c.Parent.Title == "" {
		t.Errorf("parent %+v, want the main project", c.Parent)
	}
	if c.State.ID != "new" || c.State.Title != "Новое" {
		t.Errorf("state %+v, want new", c.State)
	}
	want := []phoneView{{"8000000000", "HOME"}, {"8000000001", "OTHER"}}
	if !slices.Equal(c.PhoneNumbers.PhoneNumber, want) {
		t.Errorf("phones %+v, want %+v", c.PhoneNumbers.PhoneNumber, want)
	}
	if c.ScheduledTime != nil || c.Operator != nil {
		t.Errorf("scheduledTime %v operator %v, want null", c.ScheduledTime, c.Operator)
	}
	created, err := time.Parse(time.RFC3339, c.CreationDate)
	if err != nil || created.Before(before) || created.After(time.Now().Add(time.Second)) {
		t.Errorf("creationDate %q: %v", c.CreationDate, err)
	}
	if !strings.HasSuffix(c.CreationDate, "+03:00") || len(c.CreationDate) != len("2016-10-18T09:58:24.594+03:00") {
		t.Errorf("creationDate %q is not milliseconds in the server zone", c.CreationDate)
	}
	if c.LastModified != c.CreationDate {
		t.Errorf("a new case has lastModified %q, creationDate %q", c.LastModified, c.CreationDate)
	}
}

func TestCreateDefaults(t *testing.T) {
	h := start(t)
	c := h.getCase(h.create(map[string]any{"title": "t"}))
	if c.ID != nil || c.Priority != 0 || c.Comment != "" || c.PhoneNumbers.PhoneNumber == nil || len(c.PhoneNumbers.PhoneNumber) != 0 {
		t.Errorf("defaults %+v", c)
	}
	if len(c.UUID) != 32 || !uuidShape.MatchString(c.UUID) {
		t.Errorf("server uuid %q is not 32 chars of [0-9a-z]", c.UUID)
	}
}

func TestCreateWithClientUUID(t *testing.T) { // E409-uuid-taken
	h := start(t)
	uuid := h.create(map[string]any{"title": "t", "uuid": "client0chosen1uuid"})
	if uuid != "client0chosen1uuid" {
		t.Errorf("Location names %q, want the client's uuid", uuid)
	}
	// uuids are global: taken in another project, or by a project or an operator
	h.do("POST", api("/callcases/?project="+h.fx.AutoProject), withJSON(map[string]any{"title": "t", "uuid": uuid})).is(409).statusBody()
	h.do("POST", api("/callcases/?project="+h.fx.Project), withJSON(map[string]any{"title": "t", "uuid": h.fx.Operator})).is(409)
	if n := h.caseCount(); n != 1 {
		t.Errorf("%d cases after the conflicts, want 1", n)
	}
}

func TestCreateAcceptsJSONWithParameters(t *testing.T) {
	h := start(t)
	h.do("POST", api("/callcases/?project="+h.fx.Project), withRaw("application/json; charset=utf-8", `{"title":"t","priority":1e3}`)).is(201)
	h.do("POST", api("/callcases/?project="+h.fx.Project), withRaw("application/json", `{"title":"t","id":null,"comment":null}`), offContract()).is(201)
}

func TestCreateBadRequests(t *testing.T) { // E400-*
	h := start(t)
	project := api("/callcases/?project=" + h.fx.Project)
	xmlProject := xmlAPI("/callcases/?project=" + h.fx.Project)
	long := strings.Repeat("я", 256)
	for _, tc := range []struct {
		name, target, contentType, body string
	}{
		{"empty body", project, "application/json", ""},
		{"no title", project, "application/json", `{"comment":"c"}`},
		{"empty title", project, "application/json", `{"title":""}`},
		{"null title", project, "application/json", `{"title":null}`},
		{"malformed JSON", project, "application/json", `{"title":`},
		{"trailing garbage", project, "application/json", `{"title":"t"} x`},
		{"not an object", project, "application/json", `["title"]`},
		{"null body", project, "application/json", `null`},
		{"wrong content type", project, "text/plain", `{"title":"t"}`},
		{"form content type", project, "application/x-www-form-urlencoded", `title=t`},
		{"no content type", project, "", `{"title":"t"}`},
		{"no project param", api("/callcases/"), "application/json", `{"title":"t"}`},
		{"empty project param", api("/callcases/?project="), "application/json", `{"title":"t"}`},
		{"malformed query", project + "&x=%zz", "application/json", `{"title":"t"}`},
		{"title not a string", project, "application/json", `{"title":5}`},
		{"priority not an integer", project, "application/json", `{"title":"t","priority":1.5}`},
		{"priority a string", project, "application/json", `{"title":"t","priority":"1"}`},
		{"priority too large", project, "application/json", `{"title":"t","priority":1e300}`},
		{"comment not a string", project, "application/json", `{"title":"t","comment":{}}`},
		{"bad uuid shape", project, "application/json", `{"title":"t","uuid":"ABC"}`},
		{"uuid too long", project, "application/json", `{"title":"t","uuid":"` + strings.Repeat("a", 65) + `"}`},
		{"empty uuid", project, "application/json", `{"title":"t","uuid":""}`},
		{"empty id", project, "application/json", `{"title":"t","id":""}`},
		{"id over 255 chars", project, "application/json", `{"title":"t","id":"` + long + `"}`},
		{"phoneNumbers not an object", project, "application/json", `{"title":"t","phoneNumbers":[]}`},
		{"phoneNumber not a list", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":{"value":"1"}}}`},
		{"phone without value", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"phoneNumberType":"HOME"}]}}`},
		{"phone of unknown type", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":"FAX"}]}}`},
		{"phone not an object", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":["1"]}}`},
		{"phone without type", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"value":"1"}]}}`},
		{"phone of a null type", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":null}]}}`},
		{"phone of a lower-case type", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":"home"}]}}`},
		{"phone with an empty value", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"value":"","phoneNumberType":"HOME"}]}}`},
		{"phone value with a control character", project, "application/json", `{"title":"t","phoneNumbers":{"phoneNumber":[{"value":"1\u0007","phoneNumberType":"HOME"}]}}`},
		{"title with a control character", project, "application/json", `{"title":"t\u0001"}`},
		{"comment with a control character", project, "application/json", `{"title":"t","comment":"\u001b[0m"}`},
		{"title with U+FFFF", project, "application/json", `{"title":"t\uffff"}`},
		{"a body that is not UTF-8", project, "application/json", "{\"title\":\"t\xff\"}"},
		{"an XML body that is not UTF-8", xmlProject, "application/xml", "<callcase><title>t\xc3</title></callcase>"},
		{"an XML title with a control character", xmlProject, "application/xml", "<callcase><title>t&#x1;</title></callcase>"},
		{"an XML title with half a surrogate pair", xmlProject, "application/xml", "<callcase><title>t&#xD800;</title></callcase>"},
		{"an XML comment with half a surrogate pair", xmlProject, "application/xml", "<callcase><title>t</title><comment>&#56320;</comment></callcase>"},
		{"an XML phone type with U+FFFF", xmlProject, "application/xml", `<callcase><title>t</title><phoneNumbers><phoneNumber phoneNumberType="HOME&#xFFFF;">1</phoneNumber></phoneNumbers></callcase>`},
		{"an XML reference past Unicode", xmlProject, "application/xml", "<callcase><title>&#x110000;</title></callcase>"},
		{"an XML phone without type", xmlProject, "application/xml", "<callcase><title>t</title><phoneNumbers><phoneNumber>1</phoneNumber></phoneNumbers></callcase>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.on(t).do("POST", tc.target, withRaw(tc.contentType, tc.body)).is(400).statusBody()
		})
	}
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases after bad requests, want none", n)
	}
}

func TestCreateOverSixteenMiBIsBadRequest(t *testing.T) {
	h := start(t)
	body := `{"title":"t","comment":"` + strings.Repeat("x", maxBody) + `"}`
	h.do("POST", api("/callcases/?project="+h.fx.Project), withRaw("application/json", body)).is(400)
	// exactly 16 MiB is fine
	body = `{"title":"t","comment":"` + strings.Repeat("x", maxBody-len(`{"title":"t","comment":""}`)) + `"}`
	h.do("POST", api("/callcases/?project="+h.fx.Project), withRaw("application/json", body)).is(201)
}

func TestCreateInUnknownProject(t *testing.T) { // E404 unknown project param
	h := start(t)
	h.do("POST", api("/callcases/?project=nosuchproject"), withJSON(map[string]any{"title": "t"})).is(404).statusBody()
}

func TestReadUnknownCase(t *testing.T) { // E404 get, put, delete, state
	h := start(t)
	h.do("GET", api("/callcases/nosuchcase")).is(404).statusBody()
	h.do("DELETE", api("/callcases/nosuchcase")).is(404)
	h.do("PUT", api("/callcases/"), withJSON(map[string]any{"uuid": "nosuchcase", "title": "t"})).is(404)
	h.do("GET", api("/callcases/nosuchcase/get-state")).is(404)
	h.do("POST", api("/callcases/nosuchcase/set-state"), withForm(url.Values{"state": {"adjourned"}})).is(404)
}

func TestUpdateIsPartial(t *testing.T) { // S200-update
	h := start(t)
	uuid := h.create(map[string]any{"title": "old", "id": "x1", "priority": 2, "comment": "c",
		"phoneNumbers": map[string]any{"phoneNumber": []map[string]string{{"value": "1", "phoneNumberType": "WORK"}}}})
	before := h.getCase(uuid)
	h.do("PUT", api("/callcases/"), withJSON(map[string]any{
		"uuid": uuid, "title": "new",
		"state": map[string]string{"id": "finished"}, "creationDate": "2000-01-01T00:00:00Z", "operator": map[string]string{"uuid": h.fx.Operator},
	})).is(200).statusBody()
	after := h.getCase(uuid)
	if after.Title != "new" || after.Priority != 2 || after.Comment != "c" || deref(after.ID) != `"x1"` || len(after.PhoneNumbers.PhoneNumber) != 1 {
		t.Errorf("after a title update: %+v", after)
	}
	if after.State.ID != "new" || after.CreationDate != before.CreationDate || after.Operator != nil {
		t.Errorf("server-managed members changed: %+v", after)
	}
	if after.LastModified == before.LastModified {
		t.Errorf("lastModified did not change: %s", after.LastModified)
	}
	// every member the client manages can change, phones can be emptied
	h.do("PUT", api("/callcases/"), withJSON(map[string]any{"uuid": uuid, "id": "x2", "priority": -1, "comment": "",
		"phoneNumbers": map[string]any{"phoneNumber": []any{}}})).is(200)
	after = h.getCase(uuid)
	if deref(after.ID) != `"x2"` || after.Priority != -1 || after.Comment != "" || len(after.PhoneNumbers.PhoneNumber) != 0 {
		t.Errorf("after a full update: %+v", after)
	}
	h.do("GET", api("/projects/"+h.fx.Project+"/callcases/x2")).is(200)
	h.do("GET", api("/projects/"+h.fx.Project+"/callcases/x1")).is(404)
}

func TestUpdateBadRequests(t *testing.T) {
	h := start(t)
	uuid := h.create(map[string]any{"title": "keep"})
	for name, body := range map[string]string{
		"no uuid":        `{"title":"t"}`,
		"null uuid":      `{"uuid":null,"title":"t"}`,
		"empty uuid":     `{"uuid":"","title":"t"}`,
		"uuid shape":     `{"uuid":"Not-A-Uuid","title":"t"}`,
		"uuid a number":  `{"uuid":5}`,
		"empty title":    `{"uuid":"` + uuid + `","title":""}`,
		"title a number": `{"uuid":"` + uuid + `","title":1}`,
		"malformed":      `{"uuid":`,
		"empty body":     ``,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("PUT", api("/callcases/"), withRaw("application/json", body)).is(400)
		})
	}
	h.do("PUT", api("/callcases/"), withRaw("text/plain", `{"uuid":"`+uuid+`","title":"t"}`)).is(400)
	// 400 comes before 404
	h.do("PUT", api("/callcases/"), withRaw("application/json", `{"uuid":"nosuchcase","title":""}`)).is(400)
	if c := h.getCase(uuid); c.Title != "keep" {
		t.Errorf("title %q after bad updates", c.Title)
	}
}

func TestDeleteCase(t *testing.T) { // S200-delete
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	h.do("DELETE", api("/callcases/"+uuid)).is(200).statusBody()
	h.do("GET", api("/callcases/"+uuid)).is(404)
	h.do("DELETE", api("/callcases/"+uuid)).is(404)
	// a deleted uuid is free again
	if again := h.create(map[string]any{"title": "t", "uuid": uuid}); again != uuid {
		t.Errorf("recreated as %q", again)
	}
}

func TestSetAndGetState(t *testing.T) { // S200-state
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	e := h.do("GET", api("/callcases/"+uuid+"/get-state")).is(200)
	if string(e.body) != "new" || e.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("get-state: %q %q", e.header.Get("Content-Type"), e.body)
	}
	before := h.getCase(uuid)
	h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {"adjourned"}})).is(200).statusBody()
	if e := h.do("GET", api("/callcases/"+uuid+"/get-state")).is(200); string(e.body) != "adjourned" {
		t.Errorf("get-state after set-state: %q", e.body)
	}
	after := h.getCase(uuid)
	if after.State.ID != "adjourned" || after.State.Title == "" || after.LastModified == before.LastModified || after.Operator != nil || after.ScheduledTime != nil {
		t.Errorf("after set-state: %+v", after)
	}

	// operator and date: the date keeps its instant, written in the server's zone
	h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{
		"state": {"available"}, "operator": {h.fx.Operator}, "date": {"2030-01-02T03:04:05.678Z"},
	})).is(200)
	after = h.getCase(uuid)
	if after.Operator == nil || after.Operator.UUID != h.fx.Operator || after.Operator.Login == "" {
		t.Errorf("operator %+v, want the fixture operator", after.Operator)
	}
	if after.ScheduledTime == nil || *after.ScheduledTime != "2030-01-02T06:04:05.678+03:00" {
		t.Errorf("scheduledTime %s, want 2030-01-02T06:04:05.678+03:00", deref(after.ScheduledTime))
	}
	// a naive date is in the server's zone; state alone keeps operator and date
	h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {"finished"}, "date": {"2030-05-06T07:08:09"}})).is(200)
	after = h.getCase(uuid)
	if after.ScheduledTime == nil || *after.ScheduledTime != "2030-05-06T07:08:09.000+03:00" || after.Operator == nil {
		t.Errorf("after a naive date: scheduledTime %s operator %v", deref(after.ScheduledTime), after.Operator)
	}
	// every state is known
	for _, s := range caseStates {
		h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {s.id}})).is(200)
		if c := h.getCase(uuid); c.State.ID != s.id || c.State.Title != s.title {
			t.Errorf("state %+v, want %s", c.State, s.id)
		}
	}
}

func TestSetStateBadRequests(t *testing.T) { // E400 unknown state, bad date; E404 unknown operator
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	target := api("/callcases/" + uuid + "/set-state")
	for name, form := range map[string]string{
		"no state":          ``,
		"empty state":       `state=`,
		"unknown state":     `state=sleeping`,
		"bad date":          `state=new&date=tomorrow`,
		"date with a comma": `state=new&date=2030-01-02T03:04:05,678Z`,
		"year 0000":         `state=new&date=0000-12-31T23:59:59Z`,
		"year 0000 naive":   `state=new&date=0000-06-01T00:00:00`,
		"five-digit year":   `state=new&date=10000-01-01T00:00:00Z`,
		"date only":         `state=new&date=2030-01-02`,
		"space for T":       `state=new&date=2030-01-02+03:04:05Z`,
		"offset sign as +":  `state=new&date=2030-01-02T03:04:05+03:00`,
		"impossible date":   `state=new&date=2030-02-30T00:00:00`,
		"operator shape":    `state=new&operator=Not-A-Uuid`,
		"empty operator":    `state=new&operator=`,
		"empty date":        `state=new&date=`,
		"malformed form":    `state=%zz`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("POST", target, withRaw("application/x-www-form-urlencoded", form)).is(400).statusBody()
		})
	}
	h.do("POST", target, withRaw("application/json", `{"state":"new"}`)).is(400)
	h.do("POST", target+"?state=new", withRaw("", "")).is(400) // the state goes in the body
	h.do("POST", target, withForm(url.Values{"state": {"new"}, "operator": {"nosuchoperator"}})).is(404).statusBody()
	// 400 before 404
	h.do("POST", api("/callcases/nosuchcase/set-state"), withForm(url.Values{"state": {"sleeping"}})).is(400)
	if c := h.getCase(uuid); c.State.ID != "new" || c.LastModified != c.CreationDate {
		t.Errorf("the case changed: %+v", c)
	}
}
