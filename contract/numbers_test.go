package contract_test

import (
	"testing"

	"github.com/callcases/conformance/contract"
)

func TestUnmarshalJSONReadsIntegersByValue(t *testing.T) {
	type item struct {
		Code int `json:"code"`
	}
	var v struct {
		Code     *int     `json:"code"`
		Priority int64    `json:"priority"`
		Title    string   `json:"title"`
		Result   []item   `json:"result"`
		Ratio    float64  `json:"ratio"`
		Tags     []string `json:"tags"`
	}
	body := `{"code":200.0,"priority":-1e0,"title":"a <b> 1.0 \"q\"","result":[{"code":2.01E2},{"code":404}],"ratio":1.5,"tags":["x"],"other":{"n":[1.0,{"m":2e0}]}}`
	if err := contract.UnmarshalJSON([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if *v.Code != 200 || v.Priority != -1 || v.Title != `a <b> 1.0 "q"` || len(v.Result) != 2 || v.Result[0].Code != 201 || v.Result[1].Code != 404 || v.Ratio != 1.5 || v.Tags[0] != "x" {
		t.Fatalf("decoded %+v", v)
	}
}

func TestUnmarshalJSONRefusesWhatIsNoInteger(t *testing.T) {
	var v struct {
		Code int `json:"code"`
	}
	for _, body := range []string{`{"code":1.5}`, `{"code":"200"}`, `{"code":1e400}`, `{"code":1e999999999}`, `{"code":200.0`, `{"code":9007199254740993.0}`} {
		if err := contract.UnmarshalJSON([]byte(body), &v); err == nil {
			t.Errorf("%s decoded to %+v, want an error", body, v)
		}
	}
}

func TestParseDateTakesEitherCase(t *testing.T) {
	for _, s := range []string{"2026-01-02T10:00:00.123000000-09:30", "2026-01-02t10:00:00z", "2026-01-02T10:00:00Z"} {
		if _, err := contract.ParseDate(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"2026-01-02 10:00:00Z", "2026-01-02T10:00:00", "2026-02-30T10:00:00Z"} {
		if _, err := contract.ParseDate(s); err == nil {
			t.Errorf("%s read as a date", s)
		}
	}
}
