package reference

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// The details docs/rules.md settles that an independent implementation
// read differently: each test names the rule.

func TestDatesReadInEitherCaseAndAtTheEndsOfTheYears(t *testing.T) { // dates: T and Z in either case, years 0001 to 9999 as written
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	target := api("/callcases/" + uuid + "/set-state")
	for _, tc := range []struct{ date, want string }{
		{"2030-01-02t03:04:05.5z", "2030-01-02T03:04:05.5Z"},
		{"2030-01-02T03:04:05z", "2030-01-02T03:04:05Z"},
		{"2030-01-02t03:04:05+05:00", "2030-01-02T03:04:05+05:00"},
		{"9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59-12:00"},
		{"0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00+05:00"},
		{"0001-01-01T00:00:00.125", "0001-01-01T00:00:00.125+03:00"}, // naive: the server's zone
	} {
		h.do("POST", target, withForm(url.Values{"state": {"adjourned"}, "date": {tc.date}})).is(200)
		c := h.getCase(uuid)
		want, _ := time.Parse(time.RFC3339Nano, tc.want)
		got, err := time.Parse(time.RFC3339Nano, *c.ScheduledTime)
		if err != nil || !got.Equal(want) {
			t.Errorf("date %s: scheduledTime %s, want the instant %s", tc.date, *c.ScheduledTime, tc.want)
		}
	}
	// the list's bounds read them too
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "modifiedAfter": {"2000-01-01t00:00:00z"}})).is(200)
}

func TestBatchItemsThatAreNoObjects(t *testing.T) { // batches: an item that is not an object is a 400 item, the batch stays 200
	h := start(t)
	items := h.do("POST", batchPath(h.fx.Project), withJSON(map[string]any{"callcase": []any{"text", map[string]any{"id": "j1", "title": "t"}, 5, nil, []any{}}}), offContract()).is(200).batch()
	checkItems(t, items, []wantItem{{400, nil, false}, {201, ptr("j1"), true}, {400, nil, false}, {400, nil, false}, {400, nil, false}})

	batch := xmlAPI("/projects/" + h.fx.Project + "/callcases-batch/")
	for _, verb := range []string{"POST", "PUT"} {
		code := map[string]int{"POST": 201, "PUT": 200}[verb]
		items = h.on(t).do(verb, batch, withXML(`<callcases>
  <callcase>text</callcase>
  <callcase><id>x1</id><title>t</title></callcase>
  loose text
  <callcase>5<id>x2</id><title>t</title></callcase>
  <unknown>ignored</unknown>
</callcases>`), offContract()).is(200).batch()
		checkItems(t, items, []wantItem{{400, nil, false}, {code, ptr("x1"), true}, {400, nil, false}, {400, nil, false}})
	}
	h.do("GET", api("/projects/"+h.fx.Project+"/callcases/x2")).is(404)
}

func TestBatchDeleteOfNoStrings(t *testing.T) { // batches: a delete's list holds strings only, else 400
	h := start(t)
	uuid := h.create(map[string]any{"id": "kept", "title": "t"})
	for _, body := range []map[string]any{
		{"uuid": []any{uuid, nil}},
		{"uuid": []any{uuid, 5}},
		{"id": []any{"kept", nil}},
		{"id": []any{"kept", map[string]any{}}},
		{"id": []any{"kept", true}},
	} {
		h.do("DELETE", batchPath(h.fx.Project), withJSON(body), offContract()).is(400).statusBody()
	}
	h.do("DELETE", xmlAPI("/projects/"+h.fx.Project+"/callcases-batch/"), withXML(`<objectLinks><id>kept</id><id><x/></id></objectLinks>`), offContract()).is(400)
	h.getCase(uuid)
}

func TestLoneSurrogates(t *testing.T) { // strings: a \u escape of half a surrogate pair names no character
	for raw, want := range map[string]bool{
		`"\ud800"`:             true,
		`"\uDC00x"`:            true,
		`"\ud800\u0041"`:       true,
		`"\ud800\\udc00"`:      true, // the second is text after an escaped backslash
		`"x\ud83d"`:            true,
		`"\ud83d\ude00"`:       false,
		`"\\ud800"`:            false, // a backslash, then text
		`"\\\ud83d\ude00"`:     false,
		`"\u0041\u00e9 plain"`: false,
		`"ends in \u"`:         false,
		`"\ud8"`:               false, // not an escape: the body does not parse anyway
		`"\uD83D\uDE00\uDBFF"`: true,
	} {
		if got := loneSurrogate([]byte(raw)); got != want {
			t.Errorf("loneSurrogate(%s) = %v, want %v", raw, got, want)
		}
	}
	h := start(t)
	for _, body := range []string{`{"title":"t\ud800"}`, `{"title":"t","comment":"\udfff"}`, `{"title":"t","id":"\ud800x"}`} {
		h.do("POST", api("/callcases/?project="+h.fx.Project), withRaw("application/json", body)).is(400)
	}
	uuid := h.do("POST", api("/callcases/?project="+h.fx.Project), withRaw("application/json", `{"title":"\ud83d\ude00 \\ud800"}`)).is(201).created(h)
	if c := h.getCase(uuid); c.Title != "😀 \\ud800" {
		t.Errorf("title %q", c.Title)
	}
}

func TestXMLCharacterReferencesOutsideMarkupOnly(t *testing.T) { // strings: CDATA, comments and instructions hold no references
	h := start(t)
	uuid := h.do("POST", xmlAPI("/callcases/?project="+h.fx.Project), withXML(`<?xml version="1.0"?><?note &#xD800;?><callcase><!-- &#xD800; --><title><![CDATA[&#xD800;]]> &#x1F600;&#9;</title></callcase>`)).is(201).created(h)
	if c := h.getCase(uuid); c.Title != "&#xD800; 😀\t" {
		t.Errorf("title %q", c.Title)
	}
}

func TestWhiteSpaceTitleIsKept(t *testing.T) { // required fields: white space only is non-empty, read back as it is
	h := start(t)
	uuid := h.create(map[string]any{"title": " \t "})
	viaXML := h.do("POST", xmlAPI("/callcases/?project="+h.fx.Project), withXML("<callcase><title>\n  </title></callcase>")).is(201).created(h)
	for id, want := range map[string]string{uuid: " \t ", viaXML: "\n  "} {
		if c := h.readBoth(id); c.Title != want {
			t.Errorf("title %q, want %q", c.Title, want)
		}
	}
}

func TestPriorityBounds(t *testing.T) { // required fields: priority is at most 2^53 - 1 in magnitude
	h := start(t)
	create := api("/callcases/?project=" + h.fx.Project)
	for _, p := range []string{"9007199254740992", "-9007199254740992", "9007199254740993.0", "1e16"} {
		h.do("POST", create, withRaw("application/json", `{"title":"t","priority":`+p+`}`), offContract()).is(400)
	}
	for _, p := range []string{"9007199254740991", "-9007199254740991", "9.007199254740991e15"} {
		h.do("POST", create, withRaw("application/json", `{"title":"t","priority":`+p+`}`), offContract()).is(201)
	}
}

func TestMalformedUUIDsInPaths(t *testing.T) { // identifiers: a uuid not of its shape is 400 wherever it is given, a path too
	h := start(t)
	for _, tc := range []struct{ method, target string }{
		{"GET", api("/callcases/Not-A-Uuid")},
		{"GET", api("/callcases/a%2Fb")},
		{"DELETE", api("/callcases/UPPER")},
		{"GET", api("/callcases/" + strings.Repeat("a", 65) + "/get-state")},
		{"POST", api("/callcases/Not-A-Uuid/set-state")},
		{"DELETE", api("/projects/" + h.fx.Project + "/operators/Not-A-Uuid")},
		{"DELETE", api("/projects/nosuchproject/operators/Not-A-Uuid")},               // 400 before 404
		{"DELETE", xmlAPI("/projects/" + h.fx.AutoProject + "/operators/Not-A-Uuid")}, // 400 before 501
	} {
		h.do(tc.method, tc.target, withForm(url.Values{"state": {"new"}})).is(400).statusBody()
	}
	if len(h.project(h.fx.Project).UUID) == 0 {
		t.Error("the main project is gone")
	}
}
