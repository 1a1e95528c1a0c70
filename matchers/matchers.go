// Package matchers holds the Gomega matchers the specs assert with: one line
// per assertion, and on failure every broken rule of the exchange once
// (code, text, message, contract), the whole exchange and a curl command
// that sends the request again, all redacted.
package matchers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/onsi/gomega/gcustom"
	"github.com/onsi/gomega/types"
)

var (
	mu      sync.RWMutex
	secrets []string
)

// Redact sets the secrets that failure messages must never show.
func Redact(s ...string) {
	mu.Lock()
	defer mu.Unlock()
	secrets = append([]string(nil), s...)
}

// Secrets returns what Redact was given.
func Secrets() []string {
	mu.RLock()
	defer mu.RUnlock()
	return secrets
}

type exchangeMatcher struct {
	want     string
	check    func(x *client.Exchange) contract.Violations
	problems contract.Violations
	x        *client.Exchange
}

func (m *exchangeMatcher) Match(actual any) (bool, error) {
	x, ok := actual.(*client.Exchange)
	if !ok || x == nil {
		return false, fmt.Errorf("matchers: want a *client.Exchange, got %T", actual)
	}
	m.x = x
	x.Asserted = true
	if x.Err != nil {
		m.problems = nil
		return false, nil
	}
	// What the assertion saw first, then what the contract saw besides:
	// one broken rule is listed once, whichever check found it.
	m.problems = m.check(x).Merge(x.Violations...)
	return len(m.problems) == 0, nil
}

// FailureMessage lists every problem of the exchange once, then the whole
// exchange, then a curl command that sends the same request again; all of
// it redacted. An exchange that got no answer says so and why: that is an
// error of the run, which the suite reports apart from verdicts.
func (m *exchangeMatcher) FailureMessage(any) string {
	var b strings.Builder
	if m.x.Err != nil {
		fmt.Fprintf(&b, "expected %s, but the exchange got no answer (an error of the run, not a verdict on the API):\n  %v\n", m.want, m.x.Err)
	} else {
		fmt.Fprintf(&b, "expected %s; %s:\n", m.want, count(len(m.problems), "problem"))
		for _, p := range m.problems {
			fmt.Fprintf(&b, "  - %s\n", client.Clip(p.String(), client.ShownLine))
		}
	}
	writeExchange(&b, m.x)
	return client.Redact(b.String(), Secrets()...)
}

func (m *exchangeMatcher) NegatedFailureMessage(any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected anything but %s\n", m.want)
	writeExchange(&b, m.x)
	return client.Redact(b.String(), Secrets()...)
}

// writeExchange shows the exchange (its violations are listed above it, not
// again in it) and the command that reproduces it.
func writeExchange(b *strings.Builder, x *client.Exchange) {
	shown := *x
	shown.Violations, shown.Err = nil, nil
	b.WriteString("\nthe exchange:\n")
	b.WriteString(shown.Format(Secrets()...))
	if c := Curl(x); c != "" {
		b.WriteString("\nto send it again:\n  " + c + "\n")
	}
}

// Shown is an exchange as a failure that is not a matcher's shows it (a
// read-back that finds the wrong thing): the whole exchange, its contract
// violations included, then the command that sends its request again; all
// of it redacted.
func Shown(x *client.Exchange) string {
	var b strings.Builder
	b.WriteString("\nthe exchange:\n")
	b.WriteString(x.Format(Secrets()...))
	if c := Curl(x); c != "" {
		b.WriteString("\nto send it again:\n  " + c + "\n")
	}
	return client.Redact(b.String(), Secrets()...)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func unexpectedStatus(x *client.Exchange, want int) contract.Violation {
	return contract.Violation{In: "response", Title: contract.TitleUnexpectedStatus, Detail: fmt.Sprintf("got %d, want %d", x.Status, want)}
}

// HaveResult succeeds when the exchange answered code with the status body
// the code table prescribes (text and message), or no body for 204, and kept
// the contract.
func HaveResult(code int) types.GomegaMatcher {
	row, documented := contract.DefaultTable().Lookup(code)
	want := fmt.Sprintf("result %d", code)
	if documented && row.Text != "" {
		want = fmt.Sprintf("result %d %s «%s»", code, row.Text, row.Message)
	}
	return &exchangeMatcher{want: want, check: func(x *client.Exchange) contract.Violations {
		if !documented {
			return contract.Violations{{In: "expectation", Title: TitleNotInTable, Detail: strconv.Itoa(code)}}
		}
		if x.Status != code {
			// Text and message of another code's body would only repeat that.
			return contract.Violations{unexpectedStatus(x, code)}
		}
		if code == http.StatusNoContent {
			if len(x.Body) > 0 {
				return contract.Violations{{In: "response", Title: contract.TitleBodyOn204, Detail: fmt.Sprintf("%d bytes", len(x.Body))}}
			}
			return nil
		}
		sb, err := x.StatusBody()
		syntax, xmlErr := (*json.SyntaxError)(nil), (*contract.XMLError)(nil)
		switch {
		case errors.As(err, &xmlErr):
			// In the words of the contract's check of an XML body.
			return contract.Violations{xmlErr.Violation("", "response")}
		case errors.As(err, &syntax):
			// In the words of the contract's check of a status body.
			return contract.Violations{{In: "response", Title: contract.TitleStatusBodyJSON, Detail: syntax.Error()}}
		case err != nil:
			return contract.Violations{{In: "response", Title: TitleNoStatusBody, Detail: err.Error()}}
		}
		// Missing members in the words of the contract's schema check, so
		// that the two are one problem.
		var v contract.Violations
		for _, m := range []struct {
			name    string
			missing bool
		}{{"code", sb.Code == nil}, {"text", sb.Text == nil}, {"message", sb.Message == nil}} {
			if m.missing {
				v = append(v, contract.Violation{In: "response", Pointer: "/" + m.name, Title: contract.TitleSchema, Detail: fmt.Sprintf("property %q is missing", m.name)})
			}
		}
		if sb.Code == nil {
			return v // no status body, which the contract's check does not hold to the table either
		}
		// The same check the contract makes of every status body, JSON or
		// XML: a validated exchange lists it once.
		return append(v, contract.StatusBodyRules("", row, sb.Code, sb.Text, sb.Message)...)
	}}
}

// TitleNoStatusBody and TitleNotInTable are the stable titles of what only the matchers check.
const (
	TitleNoStatusBody = "no status body"
	TitleNotInTable   = "the expected code is not in the result-code table"
)

// BeRead succeeds when a read answered 200 with a resource that keeps the contract.
func BeRead() types.GomegaMatcher {
	return &exchangeMatcher{want: "a 200 read of the resource", check: func(x *client.Exchange) contract.Violations {
		if x.Status != http.StatusOK {
			return contract.Violations{unexpectedStatus(x, http.StatusOK)}
		}
		return nil
	}}
}

// KeepContract succeeds when the exchange broke no rule of the contract,
// whatever its code.
func KeepContract() types.GomegaMatcher {
	return &exchangeMatcher{want: "an exchange that keeps the contract", check: func(*client.Exchange) contract.Violations { return nil }}
}

// AnswerOneOf succeeds when the exchange meets any of the given exchange
// matchers (HaveResult, BeRead, ...): for an answer the contract allows in
// several ways, such as a list that is 200 or 204. On failure it speaks
// like them: the problems of the alternative whose code the target
// answered, or the code against every alternative's, then the exchange.
func AnswerOneOf(alternatives ...types.GomegaMatcher) types.GomegaMatcher {
	options := make([]*exchangeMatcher, len(alternatives))
	wants := make([]string, len(alternatives))
	for i, a := range alternatives {
		m, ok := a.(*exchangeMatcher)
		if !ok {
			panic(fmt.Sprintf("matchers: AnswerOneOf takes the exchange matchers of this package, not %T", a))
		}
		options[i], wants[i] = m, m.want
	}
	return &exchangeMatcher{want: strings.Join(wants, ", or "), check: func(x *client.Exchange) contract.Violations {
		var codes []string
		for _, m := range options {
			v := m.check(x)
			if len(v) == 0 {
				return nil
			}
			if !slices.ContainsFunc(v, func(p contract.Violation) bool { return p.Title == contract.TitleUnexpectedStatus }) {
				return v // the code is this alternative's; what else is wrong with it
			}
			for _, p := range v {
				if p.Title == contract.TitleUnexpectedStatus {
					_, want, _ := strings.Cut(p.Detail, "want ")
					codes = append(codes, want)
				}
			}
		}
		return contract.Violations{{In: "response", Title: contract.TitleUnexpectedStatus,
			Detail: fmt.Sprintf("got %d, want %s", x.Status, strings.Join(slices.Compact(codes), " or "))}}
	}}
}

// HaveHeader succeeds when the response carries the header with a value
// starting (case-insensitively) with prefix.
func HaveHeader(name, prefix string) types.GomegaMatcher {
	return &exchangeMatcher{want: fmt.Sprintf("a %s header starting with %q", name, prefix), check: func(x *client.Exchange) contract.Violations {
		for _, v := range x.Header.Values(name) {
			if strings.HasPrefix(strings.ToLower(v), strings.ToLower(prefix)) {
				return nil
			}
		}
		if len(x.Header.Values(name)) == 0 {
			// In the contract check's words, so that a header the contract
			// requires is one problem when it is missing.
			return contract.Violations{{In: "response", Title: contract.TitleUndocumented, Detail: fmt.Sprintf("response header %q missing", name)}}
		}
		return contract.Violations{{In: "response", Parameter: "header " + name, Title: "header not as expected",
			Detail: fmt.Sprintf("got %q, want a value starting with %q", x.Header.Values(name), prefix)}}
	}}
}

// HaveBasicChallenge succeeds when the response's WWW-Authenticate
// challenges include one for the Basic scheme: in any of the header's lines,
// before or after other challenges (RFC 9110 section 11.6.1). It says what is
// wrong in the contract check's words, so that a 401 without its challenge
// is one problem.
func HaveBasicChallenge() types.GomegaMatcher {
	return &exchangeMatcher{want: "a Basic challenge in WWW-Authenticate", check: func(x *client.Exchange) contract.Violations {
		return contract.ChallengeViolations("", x.Header)
	}}
}

// HaveItemResult succeeds when a batch result item has the code, text and
// message the code table prescribes.
func HaveItemResult(code int) types.GomegaMatcher {
	row, _ := contract.DefaultTable().Lookup(code)
	return gcustom.MakeMatcher(func(item client.Item) (bool, error) {
		return item.Code == code && item.Text == row.Text && item.Message == row.Message, nil
	}).WithTemplate("Expected batch item\n{{.FormattedActual}}\n{{.To}} have code {{.Data.Code}}, text {{printf \"%q\" .Data.Text}} and message {{printf \"%q\" .Data.Message}}", row)
}
