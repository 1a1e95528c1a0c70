package reference

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func batchPath(project string) string { return api("/projects/" + project + "/callcases-batch/") }

type wantItem struct {
	code int
	id   *string
	uuid bool // a uuid, not null
}

func checkItems(t *testing.T, items []batchItem, want []wantItem) {
	t.Helper()
	if len(items) != len(want) {
		t.Fatalf("%d result items, want %d", len(items), len(want))
	}
	for i, w := range want {
		it := items[i]
		row := table.MustLookup(w.code)
		if it.Code != w.code || it.Text != row.Text || it.Message != row.Message {
			t.Errorf("item %d: %d %q %q, want %d %q %q", i, it.Code, it.Text, it.Message, w.code, row.Text, row.Message)
		}
		if deref(it.ID) != deref(w.id) {
			t.Errorf("item %d: id %s, want %s", i, deref(it.ID), deref(w.id))
		}
		if (it.UUID != nil) != w.uuid {
			t.Errorf("item %d (%d): uuid %s", i, it.Code, deref(it.UUID))
		}
	}
}

func TestBatchCreate(t *testing.T) { // E209-batch-duplicate
	h := start(t)
	h.create(map[string]any{"id": "exists", "title": "t"})
	taken := h.create(map[string]any{"title": "t"})
	items := h.do("POST", batchPath(h.fx.Project), withJSON(map[string]any{"callcase": []any{
		map[string]any{"id": "b1", "title": "one"},
		map[string]any{"id": "exists", "title": "two"},
		map[string]any{"id": "b2", "title": "three"},
		map[string]any{"id": "b2", "title": "repeats b2"},
		map[string]any{"id": "b3"},
		map[string]any{"title": "no id"},
		map[string]any{"id": "b4", "title": "t", "uuid": taken},
		map[string]any{"id": "b5", "title": "t", "uuid": "chosen0by0client"},
	}}), offContract()).is(200).batch()
	checkItems(t, items, []wantItem{
		{201, ptr("b1"), true}, {209, ptr("exists"), false}, {201, ptr("b2"), true}, {209, ptr("b2"), false},
		{400, ptr("b3"), false}, {400, nil, false}, {409, ptr("b4"), false}, {201, ptr("b5"), true},
	})
	if *items[7].UUID != "chosen0by0client" {
		t.Errorf("client uuid became %s", *items[7].UUID)
	}
	for _, i := range []int{0, 2} {
		if c := h.getCase(*items[i].UUID); deref(c.ID) != deref(items[i].ID) {
			t.Errorf("item %d made %+v", i, c)
		}
	}
	if n := h.caseCount(); n != 5 {
		t.Errorf("%d cases, want 2 + 3 created", n)
	}
}

func TestBatchItemsThatAreNotCases(t *testing.T) {
	h := start(t)
	items := h.do("POST", batchPath(h.fx.Project), withRaw("application/json",
		`{"callcase":[5,null,"x",{"id":7,"title":"t"},{"id":"ok","title":"t","priority":"high"},{"id":"","title":"t"}]}`), offContract()).is(200).batch()
	checkItems(t, items, []wantItem{{400, nil, false}, {400, nil, false}, {400, nil, false}, {400, nil, false}, {400, ptr("ok"), false}, {400, ptr(""), false}})
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases", n)
	}
}

func TestBatchUpdate(t *testing.T) {
	h := start(t)
	u1 := h.create(map[string]any{"id": "u1", "title": "old", "comment": "keep"})
	twins(h, "twin")
	items := h.do("PUT", batchPath(h.fx.Project), withJSON(map[string]any{"callcase": []any{
		map[string]any{"id": "u1", "title": "new"},
		map[string]any{"id": "twin", "title": "x"},
		map[string]any{"id": "nosuchid", "title": "x"},
		map[string]any{"title": "no id"},
		map[string]any{"id": "u1", "title": ""},
	}}), offContract()).is(200).batch()
	checkItems(t, items, []wantItem{{200, ptr("u1"), true}, {300, ptr("twin"), false}, {404, ptr("nosuchid"), false}, {400, nil, false}, {400, ptr("u1"), false}})
	if *items[0].UUID != u1 || len(items[1].UUIDs) != 2 {
		t.Errorf("items %+v", items)
	}
	if c := h.getCase(u1); c.Title != "new" || c.Comment != "keep" {
		t.Errorf("after batch update %+v", c)
	}
}

func TestBatchDelete(t *testing.T) {
	h := start(t)
	d1 := h.create(map[string]any{"id": "d1", "title": "t"})
	d2 := h.create(map[string]any{"title": "t"})
	other := h.createIn(h.fx.AutoProject, map[string]any{"title": "t"})
	twins(h, "twin")
	items := h.do("DELETE", batchPath(h.fx.Project), withJSON(map[string]any{"uuid": []string{d1, d2, d2, other, "nosuchcase", "Bad-Shape"}}), offContract()).is(200).batch()
	checkItems(t, items, []wantItem{{200, ptr("d1"), true}, {200, nil, true}, {404, nil, true}, {404, nil, true}, {404, nil, true}, {400, nil, true}})
	for i, want := range []string{d2, other, "nosuchcase", "Bad-Shape"} { // a failed delete echoes the uuid it was asked by
		if got := items[2+i].UUID; got == nil || *got != want || items[2+i].ID != nil {
			t.Errorf("item %d: uuid %s id %s, want uuid %q and id null", 2+i, deref(got), deref(items[2+i].ID), want)
		}
	}
	h.do("GET", api("/callcases/"+other)).is(200) // another project's case is not reached

	h.create(map[string]any{"id": "d3", "title": "t"})
	items = h.do("DELETE", batchPath(h.fx.Project), withJSON(map[string]any{"id": []string{"d3", "twin", "d3", "nosuchid"}})).is(200).batch()
	checkItems(t, items, []wantItem{{200, ptr("d3"), true}, {300, ptr("twin"), false}, {404, ptr("d3"), false}, {404, ptr("nosuchid"), false}})
	if n := h.caseCount(); n != 2 {
		t.Errorf("%d cases, want the twins", n)
	}
}

func TestBatchBadRequests(t *testing.T) { // E400 empty batch, batch over 1000
	h := start(t)
	over := make([]map[string]string, maxBatch+1)
	for i := range over {
		over[i] = map[string]string{"id": fmt.Sprint(i), "title": "t"}
	}
	overBody := fmt.Sprintf(`{"callcase":%s}`, mustJSON(over))
	overUUIDs := `{"uuid":[` + strings.TrimSuffix(strings.Repeat(`"a",`, maxBatch+1), ",") + `]}`
	for _, tc := range []struct{ name, method, body string }{
		{"empty create", "POST", `{"callcase":[]}`},
		{"create over 1000", "POST", overBody},
		{"create without list", "POST", `{}`},
		{"create list null", "POST", `{"callcase":null}`},
		{"create list an object", "POST", `{"callcase":{"id":"x","title":"t"}}`},
		{"create malformed", "POST", `{"callcase":[`},
		{"empty update", "PUT", `{"callcase":[]}`},
		{"update over 1000", "PUT", overBody},
		{"delete neither", "DELETE", `{}`},
		{"delete both", "DELETE", `{"uuid":["a"],"id":["b"]}`},
		{"delete empty", "DELETE", `{"uuid":[]}`},
		{"delete over 1000", "DELETE", overUUIDs},
		{"delete not strings", "DELETE", `{"id":[1,2]}`},
		{"delete not a list", "DELETE", `{"id":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.on(t).do(tc.method, batchPath(h.fx.Project), withRaw("application/json", tc.body)).is(400).statusBody()
		})
	}
	h.do("POST", batchPath(h.fx.Project), withRaw("text/plain", `{"callcase":[{"id":"x","title":"t"}]}`)).is(400)
	// 400 before 404, then 404 for the project
	h.do("POST", batchPath("nosuchproject"), withRaw("application/json", `{"callcase":[]}`)).is(400)
	for _, method := range []string{"POST", "PUT"} {
		h.do(method, batchPath("nosuchproject"), withJSON(map[string]any{"callcase": []any{map[string]string{"id": "x", "title": "t"}}})).is(404)
	}
	h.do("DELETE", batchPath("nosuchproject"), withJSON(map[string]any{"id": []string{"x"}})).is(404)
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases after bad batches", n)
	}
}

func TestBatchOfExactlyAThousand(t *testing.T) {
	h := start(t)
	items := make([]map[string]string, maxBatch)
	ids := make([]string, maxBatch)
	for i := range items {
		ids[i] = fmt.Sprint("k", i)
		items[i] = map[string]string{"id": ids[i], "title": "t"}
	}
	res := h.do("POST", batchPath(h.fx.Project), withJSON(map[string]any{"callcase": items})).is(200).batch()
	if len(res) != maxBatch || slices.ContainsFunc(res, func(it batchItem) bool { return it.Code != 201 }) {
		t.Errorf("a batch of %d: %d items, not all 201", maxBatch, len(res))
	}
	res = h.do("DELETE", batchPath(h.fx.Project), withJSON(map[string]any{"id": ids})).is(200).batch()
	if len(res) != maxBatch || slices.ContainsFunc(res, func(it batchItem) bool { return it.Code != 200 }) {
		t.Errorf("deleting %d: not all 200", maxBatch)
	}
}
