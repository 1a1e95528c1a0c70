package conformance

import (
	"context"

	"github.com/callcases/conformance/client"
)

// A spec's independent requests go out together: a slow network costs a spec
// one round trip per step of its dependent chain, not one per request
// (package speed measures both). The assertions stay where they were, in
// the spec's own goroutine, in the same order.

// doAll sends the requests at once through c (at most familyWidth in
// flight) and returns the exchanges in request order.
func doAll(ctx context.Context, c *client.Client, requests ...client.Request) []*client.Exchange {
	senders := make([]*client.Client, len(requests))
	for i := range senders {
		senders[i] = c
	}
	return doEach(ctx, senders, requests)
}
