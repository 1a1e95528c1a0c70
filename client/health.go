package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// TripAfter is how many exchanges in a row may time out before the client
// stops waiting on the target: a target that trickles or hangs then costs
// the run a few timeouts, not one per request it would have sent.
const TripAfter = 3

// LostInARow is how many answers in a row may be lost (the connection
// broke) before the client stops sending requests again, and the suite
// stops running specs again: a network that drops one connection in fifty
// loses that many in a row next to never, while a target that closes every
// connection would otherwise cost every request and every spec its retries.
// One answer puts things back.
const LostInARow = 8

// health is what a client and its copies (As, WithAuthorization) know of the
// target's timeliness. Once TripAfter exchanges in a row timed out, requests
// fail at once, as run errors that say why, except one probe at a time, at
// most once per retry interval, whose full answer puts things back.
type health struct {
	mu       sync.Mutex
	timeouts int       // exchanges in a row that timed out
	probing  bool      // a probe is in flight
	next     time.Time // no probe before this
	retry    time.Duration
	lost     int // answers in a row that were lost
}

// answered records whether an exchange got its answer or lost it.
func (h *health) answered(x *Exchange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case x.Lost:
		h.lost++
	case x.Err == nil:
		h.lost = 0
	}
}

// retrying: fewer than LostInARow answers in a row were lost.
func (h *health) retrying() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lost < LostInARow
}

func newHealth(timeout time.Duration) *health { return &health{retry: 5 * timeout} }

// admit says whether a request may go out, and whether it is a probe.
func (h *health) admit(now time.Time) (probe, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.timeouts < TripAfter:
		return false, true
	case h.probing || now.Before(h.next):
		return false, false
	}
	h.probing = true
	return true, true
}

// done records how an admitted exchange ended.
func (h *health) done(probe, timedOut bool, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if probe {
		h.probing = false
		h.next = now.Add(h.retry)
	}
	if timedOut {
		h.timeouts++
		if h.timeouts == TripAfter {
			h.next = now.Add(h.retry)
		}
	} else {
		h.timeouts = 0
	}
}

func (h *health) refusal(timeout time.Duration) error {
	return fmt.Errorf("not sent: the target did not answer within the suite's timeout of %s (CONFORMANCE_TIMEOUT) %d times in a row, so the suite stops waiting on it (it tries one request every %s)",
		timeout, TripAfter, h.retry)
}

// timedOut: the exchange ended on the client's timeout, not because the run
// was stopped.
func timedOut(ctx context.Context, x *Exchange) bool {
	if x.Err == nil || ctx.Err() != nil {
		return false
	}
	return errors.Is(x.Err, context.DeadlineExceeded) || isTimeout(x.Err)
}
