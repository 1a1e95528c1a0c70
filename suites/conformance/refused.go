package conformance

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Creates the rules refuse, for the specs of input (inputs.go): bodies made
// from the format's own encoding of a value, then changed as bytes (a
// spelling spliced in place of a marker, a comment filled to one byte over
// the limit), and the judge of a refused create.

// marker stands in a title for what is spliced into the encoded body.
const marker = "SPLICEDHERE"

// createSpliced is a create of a case with this uuid whose title holds, in
// the body as the format writes it, spelled in place of the marker.
func createSpliced(a api, uuid string, spelled []byte) client.Request {
	GinkgoHelper()
	body, contentType := encoded(a, map[string]any{"uuid": uuid, "title": newTitle("spliced ") + marker})
	if !bytes.Contains(body, []byte(marker)) {
		runError("the %s body the suite wrote lost its marker: %q", a.format, body)
	}
	return client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), ContentType: contentType,
		Raw: bytes.Replace(body, []byte(marker), spelled, 1), OffContract: true}
}

// maxBody is the size past which a body is 400 (docs/rules.md, media types).
const maxBody = 16 << 20

// oversizedCreate is a create of a case with this uuid, valid but for its
// size: its comment fills the body, as the format writes it, to one byte
// over maxBody. The client sends a body it holds, so the body is built in
// place, once, and lives only as long as the spec's exchanges.
func oversizedCreate(a api, uuid string) client.Request {
	GinkgoHelper()
	small, contentType := encoded(a, map[string]any{"uuid": uuid, "title": newTitle("body over 16 MiB"), "comment": marker})
	head, tail, ok := bytes.Cut(small, []byte(marker))
	if !ok {
		runError("the %s body the suite wrote lost its marker: %q", a.format, small)
	}
	body := make([]byte, maxBody+1)
	copy(body, head)
	copy(body[len(body)-len(tail):], tail)
	fill := body[len(head) : len(body)-len(tail)]
	if len(fill) > 0 {
		fill[0] = 'x'
		for n := 1; n < len(fill); n *= 2 { // doubling copies, not 16 million stores
			copy(fill[n:], fill[:n])
		}
	}
	return client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), ContentType: contentType,
		Raw: body, OffContract: true, Purpose: fmt.Sprintf("create case %s, its comment filling the body to 16 MiB and one byte", uuid)}
}

// expectRefusedCreate sends a create that must answer 400 and create nothing.
func expectRefusedCreate(ctx SpecContext, a api, uuid string, r client.Request, why string) {
	GinkgoHelper()
	Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), why)
	cases(a).expectGone(ctx, uuid)
}
