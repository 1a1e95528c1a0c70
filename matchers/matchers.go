// Package matchers holds the Gomega matchers the specs assert with: one line
// per assertion, and on failure every mismatch of the exchange at once
// (code, text, message, contract) followed by the whole exchange, redacted.
package matchers

import (
	"fmt"
	"strings"
	"sync"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/report"
	"github.com/onsi/gomega/gcustom"
	"github.com/onsi/gomega/types"
)

// RunErrorPrefix starts every failure that is the run's own (the target
// unreachable, a timeout, setup that could not make its data), so that reports
// keep those apart from verdicts on the API.
const RunErrorPrefix = report.RunErrorPrefix

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
	check    func(x *client.Exchange) []string
	problems []string
	x        *client.Exchange
	runError bool
}

func (m *exchangeMatcher) Match(actual any) (bool, error) {
	x, ok := actual.(*client.Exchange)
	if !ok || x == nil {
		return false, fmt.Errorf("matchers: want a *client.Exchange, got %T", actual)
	}
	m.x = x
	x.Asserted = true
	if x.Err != nil {
		m.runError = true
		m.problems = []string{x.Err.Error()}
		return false, nil
	}
	m.problems = m.check(x)
	for _, v := range x.Violations {
		m.problems = append(m.problems, "contract: "+v)
	}
	return len(m.problems) == 0, nil
}

func (m *exchangeMatcher) FailureMessage(any) string {
	var b strings.Builder
	if m.runError {
		b.WriteString(RunErrorPrefix)
	}
	fmt.Fprintf(&b, "expected %s; %d problem(s):\n", m.want, len(m.problems))
	for _, p := range m.problems {
		fmt.Fprintf(&b, "  - %s\n", p)
	}
	b.WriteString("\nthe exchange:\n")
	b.WriteString(m.x.Format(Secrets()...))
	return client.Redact(b.String(), Secrets()...)
}

func (m *exchangeMatcher) NegatedFailureMessage(any) string {
	return client.Redact(fmt.Sprintf("expected anything but %s:\n%s", m.want, m.x.Format(Secrets()...)), Secrets()...)
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
	return &exchangeMatcher{want: want, check: func(x *client.Exchange) []string {
		var p []string
		if !documented {
			return []string{fmt.Sprintf("%d is not in the result-code table", code)}
		}
		if x.Status != code {
			p = append(p, fmt.Sprintf("status: got %d, want %d", x.Status, code))
		}
		if code == 204 {
			if len(x.Body) > 0 {
				p = append(p, fmt.Sprintf("body: got %d bytes, want none", len(x.Body)))
			}
			return p
		}
		sb, err := x.StatusBody()
		if err != nil {
			return append(p, "body: "+err.Error())
		}
		switch {
		case sb.Code == nil:
			p = append(p, "body: no code")
		case *sb.Code != code:
			p = append(p, fmt.Sprintf("body code: got %d, want %d", *sb.Code, code))
		}
		switch {
		case sb.Text == nil:
			p = append(p, "body: no text")
		case *sb.Text != row.Text:
			p = append(p, fmt.Sprintf("text: got %q, want %q", *sb.Text, row.Text))
		}
		switch {
		case sb.Message == nil:
			p = append(p, "body: no message")
		case *sb.Message != row.Message:
			p = append(p, fmt.Sprintf("message: got %q, want %q", *sb.Message, row.Message))
		}
		return p
	}}
}

// BeRead succeeds when a read answered 200 with a resource that keeps the contract.
func BeRead() types.GomegaMatcher {
	return &exchangeMatcher{want: "a 200 read of the resource", check: func(x *client.Exchange) []string {
		if x.Status != 200 {
			return []string{fmt.Sprintf("status: got %d, want 200", x.Status)}
		}
		return nil
	}}
}

// KeepContract succeeds when the exchange broke no rule of the contract,
// whatever its code.
func KeepContract() types.GomegaMatcher {
	return &exchangeMatcher{want: "an exchange that keeps the contract", check: func(*client.Exchange) []string { return nil }}
}

// HaveHeader succeeds when the response carries the header with a value
// starting (case-insensitively) with prefix.
func HaveHeader(name, prefix string) types.GomegaMatcher {
	return &exchangeMatcher{want: fmt.Sprintf("a %s header starting with %q", name, prefix), check: func(x *client.Exchange) []string {
		for _, v := range x.Header.Values(name) {
			if strings.HasPrefix(strings.ToLower(v), strings.ToLower(prefix)) {
				return nil
			}
		}
		return []string{fmt.Sprintf("header %s: got %q", name, x.Header.Values(name))}
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
