package explore

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/reference"
)

// side is one of the two servers a step goes to: its client, its fixtures,
// and the uuid it gave each case of the sequence (by slot).
type side struct {
	name     string // "target" or "reference"
	c        *client.Client
	user     client.Credentials
	project  string
	operator string
	uuids    []string // by slot; "" while this server has given none
}

func (s *side) uuid(slot int) string {
	if slot < len(s.uuids) {
		return s.uuids[slot]
	}
	return ""
}

func (s *side) setUUID(slot int, uuid string) {
	for len(s.uuids) <= slot {
		s.uuids = append(s.uuids, "")
	}
	s.uuids[slot] = uuid
}

// inProcess carries requests to a handler without a socket: the reference
// oracle answers in microseconds, so that a step costs the target's round
// trip and little more.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if req.Body == nil {
		req.Body = http.NoBody
	}
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// referenceBase is the base URL the in-process reference is addressed by.
const referenceBase = "http://reference.invalid/fx/api/v1"

// newReference starts a fresh reference seeded with the fixtures and
// returns its side: its project and operator stand for the target's.
func newReference(c *contract.Contract) (*side, error) {
	ref := reference.New(reference.Options{FaultTimer: time.Second})
	opts := reference.DefaultOptions()
	user := client.Credentials{Username: opts.Username, Password: opts.Password}
	// No contract for validation: the oracle's answers are not judged, only
	// read (XML by the contract's schemas, set on each exchange).
	cl, err := client.New(client.Options{Base: referenceBase, Timeout: 10 * time.Second, User: user, Transport: inProcess{ref}})
	if err != nil {
		return nil, err
	}
	f := ref.Fixtures()
	return &side{name: "reference", c: cl, user: user, project: f.Project, operator: f.Operator}, nil
}

// answer decodes an exchange into what the equivalence compares.
func answer(x *client.Exchange, c *contract.Contract, base string) Answer {
	a := Answer{Status: x.Status}
	if loc, err := x.Location(); err == nil {
		a.Location = strings.TrimPrefix(loc, strings.TrimSuffix(base, "/"))
	}
	if len(x.Body) == 0 {
		return a
	}
	if strings.HasPrefix(strings.ToLower(x.Header.Get("Content-Type")), "text/plain") {
		a.Text = string(x.Body)
		return a
	}
	x.ReadBy(c)
	a.Body, a.BodyErr = x.Value()
	return a
}

// send sends a request on one side.
func (s *side) send(ctx context.Context, r client.Request) *client.Exchange {
	return s.c.Do(ctx, r)
}
