package conformance

import (
	"fmt"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
)

// The identifiers and titles a run gives what it makes: each carries the
// run's mark, so that only the run's own data is ever deleted.

var sequence atomic.Int64

// newUUID is a case uuid this run owns: the run id, the process, a counter.
// The suite chooses uuids itself (docs/rules.md, identifiers) so that it can
// clean up a case even when the answer that created it was lost.
func newUUID() string {
	return fmt.Sprintf("%s%02d%06d", env.UUIDPrefix(), GinkgoParallelProcess(), sequence.Add(1))
}

// newExternalID is an external id this run owns; it has a space in it, so
// every path that carries it exercises percent-encoding.
func newExternalID() string {
	return fmt.Sprintf("%s%02d-%06d", env.ExternalIDPrefix(), GinkgoParallelProcess(), sequence.Add(1))
}

func newTitle(what string) string {
	return env.TitlePrefix() + what
}

// unknownUUID is a uuid no target has: this run's id and a counter, never created.
func unknownUUID() string { return "zz" + newUUID() }

// tooLongExternalID is an external id this run owns, one character over
// the 255 an external id may have.
func tooLongExternalID() string {
	id := newExternalID()
	return id + strings.Repeat("x", 256-len([]rune(id)))
}
