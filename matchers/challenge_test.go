package matchers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/matchers"
)

func TestHaveBasicChallenge(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		match bool
		says  string
	}{
		{[]string{`Basic realm="callcases"`}, true, ""},
		{[]string{`Bearer realm="x", Basic realm="callcases"`}, true, ""},
		{[]string{`Bearer realm="x"`, `basic`}, true, ""},
		{nil, false, contract.TitleNoChallenge},
		{[]string{`Bearer realm="Basic"`}, false, contract.TitleNoBasicChallenge},
		{[]string{`Basic realm="x`}, false, contract.TitleChallengeSyntax},
	} {
		x := &client.Exchange{Status: 401, Header: http.Header{"Www-Authenticate": tc.lines}}
		m := matchers.HaveBasicChallenge()
		got, err := m.Match(x)
		if err != nil || got != tc.match {
			t.Errorf("%q: match %v, %v; want %v", tc.lines, got, err, tc.match)
			continue
		}
		if !got && !strings.Contains(m.FailureMessage(x), tc.says) {
			t.Errorf("%q: the failure should say %q:\n%s", tc.lines, tc.says, m.FailureMessage(x))
		}
	}
}
