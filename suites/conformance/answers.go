package conformance

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Reading an answer: its body decoded, its dates parsed (and the precision
// they are written in), and a read-back of what must not exist judged; an answer that does not read so fails the
// spec saying what it should have been.

// instant parses a date the API wrote (RFC 3339 with an offset).
func instant(s string) time.Time {
	GinkgoHelper()
	t, err := contract.ParseDate(s)
	if err != nil {
		Fail(fmt.Sprintf("date %q is not RFC 3339 with an offset: %v", s, err))
	}
	return t
}

// precision is the unit of the last digit of an RFC 3339 date as written:
// the date is that instant to within less than one unit, whether the
// target cut or rounded it. A target that drops trailing zeros writes fewer
// digits than it keeps, which only makes the unit coarser.
func precision(date string) time.Duration {
	_, fraction, ok := strings.Cut(date, ".")
	if !ok {
		return time.Second
	}
	unit := time.Second
	for _, r := range fraction {
		if r < '0' || r > '9' || unit == time.Nanosecond {
			break
		}
		unit /= 10
	}
	return unit
}

// expectGone judges a read-back of something that must not exist: it says
// the thing exists only when the read found it, and otherwise what was wrong
// with the answer (a 404 whose body is not the table's, another code).
func expectGone(x *client.Exchange, what string) {
	GinkgoHelper()
	if x.Err == nil && x.Status == http.StatusOK {
		x.Asserted = true
		interceptLoss()
		Fail(fmt.Sprintf("a read finds what must not exist\n(%s)%s", what, Shown(x)))
	}
	reason := fmt.Sprintf("what must not exist must be read back as the table's 404\n(%s)", what)
	if x.Err == nil && x.Status == http.StatusNotFound {
		// The thing's name on a line of its own: the first line is the
		// cause the reports group failures by.
		reason = fmt.Sprintf("the read-back of what must not exist answered 404, but the 404's body or contract is wrong\n(%s is gone)", what)
	}
	Expect(x).To(HaveResult(http.StatusNotFound), reason)
}

// decodeAs decodes an answer's body into v; a body that does not read as
// what it should be fails the spec saying so, with the exchange.
func decodeAs(x *client.Exchange, v any, what string) {
	GinkgoHelper()
	if err := x.Decode(v); err != nil {
		Fail(fmt.Sprintf("the answer is not %s: %v%s", what, err, Shown(x)))
	}
}

// statusBodyOf decodes an answer's status body; one that does not read as a
// status body fails the spec saying so, with the exchange.
func statusBodyOf(x *client.Exchange) client.StatusBody {
	GinkgoHelper()
	sb, err := x.StatusBody()
	if err != nil {
		Fail(fmt.Sprintf("the answer is not a status body: %v%s", err, Shown(x)))
	}
	return sb
}
