package report

import "regexp"

// unactionable are the shapes of a reason a person cannot act on: a
// matcher's bare first line, a Go value dump, a struct printed as Go
// prints it. A reason says what was wrong in the API's terms instead.
var unactionable = []struct {
	shape string
	re    *regexp.Regexp
}{
	{"a bare Gomega first line", regexp.MustCompile(`^(Expected(\s*<|$)|Unexpected error:|Expected success, but got an error)`)},
	{"a Go value dump", regexp.MustCompile(`<[^<>|]+ \| 0x[0-9a-f]+>|<(\*|\[\])?[\w.]+>: `)},
	{"a struct printed as Go prints it", regexp.MustCompile(`&\{|\{[A-Z]\w*:`)},
}

// Unactionable names the shape that makes a reason unactionable, or "" when
// it has none.
func Unactionable(reason string) string {
	for _, u := range unactionable {
		if u.re.MatchString(reason) {
			return u.shape
		}
	}
	return ""
}
