package report

import "testing"

func TestUnactionableReasons(t *testing.T) {
	for reason, want := range map[string]string{
		"Expected": "a bare Gomega first line",
		"Expected success, but got an error: <*fmt.wrapError | 0x243c9226c140>: the body": "a bare Gomega first line",
		"Unexpected error: <*fmt.wrapError | 0x243c9226c140>: the body is not":            "a bare Gomega first line",
		"setup: <*errors.errorString | 0xc000010250>: boom":                               "a Go value dump",
		"the count <int>: 3":            "a Go value dump",
		"got {Code:0xc0000 Text:<nil>}": "a struct printed as Go prints it",
		"got &{200 OK}":                 "a struct printed as Go prints it",
		"expected result 404 Not Found «Объект или один из параметров запроса не найден»; 1 problem: - response /message: status body: message is not the code table's": "",
		`the answer is not a status body: json: cannot unmarshal string into Go struct field StatusBody.code of type int`:                                               "",
		`a 201 names the created case in Location: no Location header`:                                                                                                  "",
		`batch result item 1 (items are in request order): {"id":"x"} answered 404`:                                                                                     "",
	} {
		if got := Unactionable(reason); got != want {
			t.Errorf("Unactionable(%q) = %q, want %q", reason, got, want)
		}
	}
}
