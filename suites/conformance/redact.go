package conformance

import (
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
)

// RedactedFail is Ginkgo's Fail with every credential removed from the
// message, in every encoding it may take (client.Redact): whatever a
// failure quotes (an exchange, an error, a value Gomega prints), the console
// and the reports never show a credential. Register it as the fail handler:
//
//	RegisterFailHandler(conformance.RedactedFail)
func RedactedFail(message string, callerSkip ...int) {
	interceptLoss() // a failure behind a lost answer ends the attempt instead (attempts.go)
	skip := 1
	if len(callerSkip) > 0 {
		skip += callerSkip[0]
	}
	Fail(client.Redact(message, matchers.Secrets()...), skip)
}
