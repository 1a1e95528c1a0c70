package explore

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"pgregory.net/rapid"
)

// Kinds of exploration, one catalogue row each per format.
const (
	Stateful = "stateful"
	BadInput = "bad-input"
)

// Budget bounds one exploration's search; shrinking a divergence it found
// has its own bound (Shrink).
type Budget struct {
	Requests int           // requests to the target
	Time     time.Duration // wall time
	Steps    int           // at most this many steps a sequence
	Shrink   time.Duration // at most this long shrinking a divergence; 0: it is reported as found
}

// DefaultBudget is a search of at most requests requests and d of time a
// row, sequences of up to 24 steps (48 of bad input, whose steps cost one
// request each), and up to four times d, at most 5 s, shrinking what it
// found (a long search must not make every divergence cost minutes).
func DefaultBudget(requests uint64, d time.Duration) Budget {
	return Budget{Requests: int(requests), Time: d, Steps: 24, Shrink: min(4*d, 5*time.Second)}
}

// Target is the server under test as exploration sees it.
type Target struct {
	Client   *client.Client
	User     client.Credentials
	Contract *contract.Contract
	Project  string // the main project: every case a step makes is in it
	Operator string // "" when the target has none: no step names one
	Marks    Marks
	// Own is told every uuid the target gave or was given for a case
	// before the request that makes it is sent, so that it is deleted when
	// the run is done.
	Own func(uuid string)
	// Gone, when set, is told a uuid Own was told of whose case the
	// target, read back at the end of a sequence, no longer holds: it
	// need not be deleted.
	Gone func(uuid string)
	// Redact, when set, takes secrets out of what the report shows of an
	// answer (a target may echo a password), before it is cut short.
	Redact func(string) string
	// Progress, when set, is called after every sequence.
	Progress func(Result)
}

// Result is what one exploration did and found.
type Result struct {
	Kind, Format string
	Seed         uint64
	Sequences    int
	Steps        int
	Exchanges    int           // with the target, shrinking included
	Oracle       time.Duration // time spent in the reference
	Elapsed      time.Duration
	Finding      *Finding // the first divergence, shrunk; nil when none
	// RunError is a failure of the transport or of the run, never a
	// verdict on the API.
	RunError error

	user string // the full-rights user, named in the replay script
}

// Finding is a divergence shrunk to a minimal sequence.
type Finding struct {
	Steps    []Traced
	First    int // index in Steps of the first divergence
	Original int // steps of the sequence that first diverged
	Replays  int // sequences replayed while shrinking
	rot      int // the sequence's rotation of choices (gen.rot)
}

// Traced is one step as it went: the request, both answers, and what
// differed.
type Traced struct {
	What        string
	Request     string
	Target      string
	Reference   string
	Divergences []Divergence
	Exchanges   []*client.Exchange // the target's
}

// rapid is configured through its command-line flags, which are global:
// one exploration at a time per process.
var rapidMu sync.Mutex

// Explore runs sequences of generated steps against the target and a fresh
// reference each, in lock step, until the budget is spent or the first
// divergence, which it then shrinks.
//
// Shrinking is rapid's (see the package doc): it shrinks the random choices
// a sequence was drawn from, not the sequence, so that every candidate is a
// sequence the generator could have made (its steps name cases that exist
// in it, its values are edges of the schemas) and each is replayed from the
// start on fresh cases. A shrinker of our own would have to know, for every
// kind of step and value, how to make it smaller and keep it valid; rapid's
// does that once for every generator. What it costs: its settings are
// command-line flags (set here, one exploration at a time), and a replay is
// a whole sequence against the target.
func Explore(ctx context.Context, tgt Target, kind, format string, seed uint64, b Budget) Result {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	e := &explorer{ctx: ctx, tgt: tgt, kind: kind, budget: b, start: time.Now(),
		gen:    &gen{a: api{format}, marks: tgt.Marks, operator: tgt.Operator != "", enc: tgt.Client.Body},
		result: Result{Kind: kind, Format: format, Seed: seed, user: tgt.User.Username}}
	settings := map[string]string{
		"rapid.seed": strconv.FormatUint(rowSeed(seed, kind, format), 10), "rapid.nofailfile": "true",
		// A sequence sends at least one request: no more sequences are needed.
		"rapid.checks":     strconv.Itoa(min(max(b.Requests, 1), 100000)),
		"rapid.shrinktime": b.Shrink.String(), "rapid.v": "false", "rapid.log": "false",
		// Repeat's average number of steps: half the most a sequence takes.
		"rapid.steps": strconv.Itoa(max(1, mostSteps(kind, b)/2)),
	}
	for name, v := range settings {
		// rapid's settings are its flags: put back as they were after.
		if f := flag.Lookup(name); f != nil {
			defer flag.Set(name, f.Value.String())
		}
		if err := flag.Set(name, v); err != nil {
			e.result.RunError = fmt.Errorf("configuring the generator: %w", err)
			return e.result
		}
	}
	tb := &quietTB{}
	rapid.Check(tb, e.sequence)
	e.result.Elapsed = time.Since(e.start)
	if e.found != nil {
		e.result.Finding = e.found
	} else if e.runErr != nil {
		e.result.RunError = e.runErr
	} else if tb.failed && ctx.Err() == nil {
		e.result.RunError = fmt.Errorf("the generator failed: %s", tb.log.String())
	}
	return e.result
}

// traceHook, when set (tests), sees every sequence's trace.
var traceHook func([]Traced)

// rowSeed gives each kind and format its own seed from the run's, so that
// they explore differently and each repeats with the run's seed (never 0,
// which rapid takes for a random one).
func rowSeed(seed uint64, kind, format string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %s %s", seed, kind, format)
	return h.Sum64()%(1<<53) + 1
}

type explorer struct {
	ctx    context.Context
	tgt    Target
	kind   string
	budget Budget
	start  time.Time
	gen    *gen
	result Result
	runErr error
	found  *Finding
	sent   atomic.Int64 // the target's requests in the search
}

// MaxReplays bounds the sequences replayed while shrinking, whatever the
// time left: each replay makes fresh cases, and on a fast target a few
// seconds of shrinking would otherwise make thousands (all of them left
// behind when the target's delete is what is broken).
const MaxReplays = 300

// over: the search's budget is spent, the run interrupted, or it failed;
// or, while shrinking, the replays are spent (a candidate then passes
// without a request, and the shrink ends with what it has).
func (e *explorer) over() bool {
	return e.runErr != nil || e.ctx.Err() != nil ||
		(e.found == nil && (int(e.sent.Load()) >= e.budget.Requests || time.Since(e.start) >= e.budget.Time)) ||
		(e.found != nil && (e.found.Replays >= MaxReplays || e.budget.Shrink <= 0))
}

// aborted is a sequence cut short by the transport, the budget or an
// interrupt: it passes, and no later sequence runs.
var errAborted = errors.New("aborted")

// sequence is rapid's property: one sequence against a fresh reference.
func (e *explorer) sequence(t *rapid.T) {
	if e.over() {
		return
	}
	ref, err := newReference(e.tgt.Contract)
	if err != nil {
		e.runErr = err
		return
	}
	s := &seq{e: e, ref: ref, m: &model{},
		tgt: &side{name: "target", c: e.tgt.Client, user: e.tgt.User, project: e.tgt.Project, operator: e.tgt.Operator}}
	fixtures := map[string]string{s.tgt.project: ref.project}
	if s.tgt.operator != "" {
		fixtures[s.tgt.operator] = ref.operator
	}
	s.o = NewOracle(fixtures)
	if e.found == nil {
		e.result.Sequences++
		e.gen.rot = int(rowSeed(e.result.Seed, e.kind, fmt.Sprint("rotation ", e.result.Sequences)) % 1000003)
	} else {
		e.found.Replays++
		e.gen.rot = e.found.rot
	}
	err = s.run(t)
	if traceHook != nil {
		traceHook(s.trace)
	}
	if e.found == nil {
		e.result.Steps += len(s.trace)
	}
	if e.tgt.Progress != nil && e.found == nil {
		e.tgt.Progress(e.result)
	}
	if err == nil || errors.Is(err, errAborted) {
		return
	}
	first := len(s.trace) - 1
	if e.found == nil || len(s.trace) <= len(e.found.Steps) {
		f := &Finding{Steps: s.trace, First: first, Original: len(s.trace), rot: e.gen.rot}
		if e.found != nil {
			f.Original, f.Replays = e.found.Original, e.found.Replays
		}
		e.found = f
	}
	t.Fatalf("the target diverged from the reference at step %d", first+1)
}

// seq is one sequence under way.
type seq struct {
	e        *explorer
	tgt, ref *side
	o        *Oracle
	m        *model
	trace    []Traced
	refDates map[int]string // the reference's lastModified of each slot, as written
	// fetched: the target's answers to reads sent ahead (prefetch), by readKey.
	fetched map[string]*client.Exchange
}

// mostSteps is the most steps a sequence of the kind takes.
func mostSteps(kind string, b Budget) int {
	most := max(1, b.Steps)
	if kind == BadInput {
		most *= 2
	}
	return most
}

func (s *seq) run(t *rapid.T) error {
	most := mostSteps(s.e.kind, s.e.budget)
	if s.e.kind == BadInput {
		// Cases to break requests on, made as any sequence makes them.
		// Read back, so that a refused request that moves a date is seen.
		for range rapid.IntRange(1, 2).Draw(t, "cases") {
			st := s.e.gen.createExt(t, s.m)
			if err := s.do(st); err != nil {
				return err
			}
			if err := s.do(s.e.gen.read(st.creates)); err != nil {
				return err
			}
		}
	}
	// The steps are rapid's Repeat: each step's choices are one group that
	// its shrinker can take out whole, so that a divergence at step 24
	// shrinks to the steps it needs (with a count drawn first, taking out a
	// step would also have had to lower the count). Past the most steps or
	// the budget, a step sends nothing.
	var failure error
	taken := 0
	t.Repeat(map[string]func(*rapid.T){"step": func(t *rapid.T) {
		if failure != nil || taken >= most {
			return
		}
		if s.e.over() {
			if s.e.runErr != nil || s.e.ctx.Err() != nil {
				failure = errAborted
			}
			taken = most // the budget is spent: the sequence still reads its cases back
			return
		}
		taken++
		var st step
		if s.e.kind == BadInput {
			st = s.e.gen.bad(t, s.m)
		} else {
			st = s.e.gen.stateful(t, s.m)
		}
		failure = s.do(st)
	}})
	if failure != nil {
		return failure
	}
	return s.final()
}

// do sends one step to both servers and compares the answers.
func (s *seq) do(st step) error {
	if st.kind == "list" {
		return s.list(st)
	}
	// A write to one case whose dates the target has not shown yet reads
	// it first: what the write does to them is then judged.
	if k := st.observe - 1; k >= 0 && s.m.slots[k].alive {
		if _, known := s.o.Modified(s.tgt.uuid(k)); !known {
			if err := s.do(s.e.gen.read(k)); err != nil {
				return err
			}
		}
	}
	for _, k := range append([]int{st.creates}, st.batchCreates...) {
		if k < 0 {
			continue
		}
		if u := s.m.slots[k].chosen; u != "" {
			s.e.tgt.Own(u)
			s.o.Chose(u)
			s.tgt.setUUID(k, u)
			s.ref.setUUID(k, u)
		}
	}
	xr, xt, err := s.send(st, st.build(s.ref), st.build(s.tgt))
	if err != nil {
		return err
	}
	at, ar := s.answers(xt, xr)
	s.learn(st, at, ar)
	divs := s.o.Status(st.kind, at, ar)
	s.record(st, xt, xr, at, ar, divs)
	if len(divs) > 0 {
		return errDiverged
	}
	return nil
}

// errDiverged ends a sequence at its first divergence (the trace says which).
var errDiverged = errors.New("diverged")

// send sends the reference's request, then the target's; a transport
// failure on the target's is an error of the run.
func (s *seq) send(st step, rr, rt client.Request) (*client.Exchange, *client.Exchange, error) {
	rc, tc := s.ref.c, s.tgt.c
	if st.user != nil {
		rc, tc = rc.As(st.user(s.ref.user)), tc.As(st.user(s.tgt.user))
	}
	// The reference's client has no contract to write XML by: both get
	// the body the target's client writes.
	if rr.JSON != nil {
		b, ct, err := s.e.tgt.Client.Body(rr)
		if err != nil {
			s.e.runErr = fmt.Errorf("writing the reference's request: %w", err)
			return nil, nil, errAborted
		}
		rr.Raw, rr.JSON, rr.ContentType = b, nil, ct
	}
	rt.OffContract = st.bad
	// The HAR names each exchange's place: the sequence of the search, or
	// the replay while shrinking, and the step in it.
	rt.Purpose = s.purpose(len(s.trace)+1, st.what)
	began := time.Now()
	xr := rc.Do(s.e.ctx, rr)
	s.e.result.Oracle += time.Since(began)
	if s.e.found == nil {
		s.e.sent.Add(1)
	}
	s.e.result.Exchanges++
	// A read sent ahead (prefetch) is taken, once, instead of sent.
	key := readKey(rt)
	xt, fetched := s.fetched[key]
	if fetched && st.user == nil {
		delete(s.fetched, key)
	} else {
		xt = tc.Do(s.e.ctx, rt)
	}
	if xr.Err != nil {
		s.e.runErr = fmt.Errorf("the reference oracle: %w", xr.Err)
		return nil, nil, errAborted
	}
	if xt.Err != nil {
		if s.e.ctx.Err() == nil {
			s.e.runErr = fmt.Errorf("%s %s: %w", rt.Method, rt.Path, xt.Err)
		}
		return nil, nil, errAborted
	}
	return xr, xt, nil
}

func (s *seq) answers(xt, xr *client.Exchange) (Answer, Answer) {
	base := s.e.tgt.Client.Base()
	return answer(xt, s.e.tgt.Contract, base.String()), answer(asTarget(xr, base), s.e.tgt.Contract, base.String())
}

// asTarget readdresses the reference's exchange to the target's base, so
// that the contract (whose server is the target) reads its XML by the
// operation's schemas.
func asTarget(x *client.Exchange, base *url.URL) *client.Exchange {
	if x.HTTPRequest == nil {
		return x
	}
	c := *x
	req := x.HTTPRequest.Clone(x.HTTPRequest.Context())
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + strings.TrimPrefix(req.URL.Path, "/fx/api/v1")
	u.RawPath = ""
	u.RawQuery = req.URL.RawQuery
	req.URL = &u
	c.HTTPRequest = req
	if loc := x.Header.Get("Location"); loc != "" {
		c.Header = x.Header.Clone()
		c.Header.Set("Location", strings.Replace(loc, referenceBase, strings.TrimSuffix(base.String(), "/"), 1))
	}
	return &c
}

// learn takes from the answers the uuids each server gave the cases a step
// made, then reads every case of the sequence on the reference (the model:
// which are alive, their ids, whose lastModified the step moved).
func (s *seq) learn(st step, at, ar Answer) {
	if st.creates >= 0 {
		_, tu := splitLast(at.Location)
		_, ru := splitLast(ar.Location)
		if at.Status == 201 && tu != "" {
			s.e.tgt.Own(tu)
		}
		if ar.Status == 201 && at.Status == 201 {
			s.o.Forget(tu) // a uuid made again names a new case
			s.tgt.setUUID(st.creates, tu)
			s.ref.setUUID(st.creates, ru)
		}
	}
	if len(st.batchCreates) > 0 {
		ti, ri := asList(member(at.Body, "result")), asList(member(ar.Body, "result"))
		for i, k := range st.batchCreates {
			if i < len(ti) {
				if u, ok := member(ti[i], "uuid").(string); ok && u != "" {
					s.e.tgt.Own(u)
					s.tgt.setUUID(k, u)
				}
			}
			if i < len(ri) {
				if u, ok := member(ri[i], "uuid").(string); ok && u != "" {
					s.ref.setUUID(k, u)
				}
			}
		}
	}
	// A case neither server made is named, where a step names it, by a
	// uuid of the run's that names nothing on either: both answer 404.
	for _, k := range append([]int{st.creates}, st.batchCreates...) {
		if k >= 0 && s.tgt.uuid(k) == "" && s.ref.uuid(k) == "" {
			u := s.e.tgt.Marks.UUID()
			s.tgt.setUUID(k, u)
			s.ref.setUUID(k, u)
			s.o.Chose(u)
		}
	}
	if st.write || st.creates >= 0 || len(st.batchCreates) > 0 {
		s.refresh() // a read changes nothing on the reference: nothing to learn
	}
}

// refresh reads every case of the sequence on the reference, in process:
// alive or not, its external id, and whether its lastModified moved since
// (then the target's may move too).
func (s *seq) refresh() {
	if s.refDates == nil {
		s.refDates = map[int]string{}
	}
	for k := range s.m.slots {
		u := s.ref.uuid(k)
		if u == "" {
			s.m.slots[k].alive = false
			continue
		}
		x := s.ref.c.Do(s.e.ctx, client.Request{Method: http.MethodGet, Path: "/json/callcases/" + u})
		if x.Status != 200 {
			if s.m.slots[k].alive {
				s.o.Forget(s.tgt.uuid(k)) // deleted: a case made again under its uuid is another
			}
			s.m.slots[k].alive = false
			delete(s.refDates, k)
			continue
		}
		a := answer(x, nil, referenceBase)
		s.m.slots[k].alive = true
		id, _ := member(a.Body, "id").(string)
		s.m.slots[k].extID = id
		s.m.noteID(id)
		lm, _ := member(a.Body, "lastModified").(string)
		if prev, ok := s.refDates[k]; ok && prev != lm {
			s.o.Wrote(s.tgt.uuid(k))
		}
		s.refDates[k] = lm
	}
}

func (s *seq) record(st step, xt, xr *client.Exchange, at, ar Answer, divs []Divergence) {
	s.trace = append(s.trace, s.e.shown(Traced{What: st.what, Request: describe(xt.Request), Target: summary(xt, at), Reference: summary(xr, ar), Divergences: divs, Exchanges: []*client.Exchange{xt}}))
}

// shown is a step as the report keeps it: redacted, then cut short.
func (e *explorer) shown(t Traced) Traced {
	r := func(s string, n int) string {
		if e.tgt.Redact != nil {
			s = e.tgt.Redact(s)
		}
		return clip(s, n)
	}
	t.What, t.Request, t.Target, t.Reference = r(t.What, 300), r(t.Request, 600), r(t.Target, 600), r(t.Reference, 600)
	divs := make([]Divergence, len(t.Divergences))
	for i, d := range t.Divergences {
		divs[i] = Divergence{Where: r(d.Where, 200), Target: r(d.Target, 300), Reference: r(d.Reference, 300), Rule: d.Rule}
	}
	t.Divergences = divs
	return t
}

// summary is an answer in one line for the report.
func summary(x *client.Exchange, a Answer) string {
	var b strings.Builder
	fmt.Fprint(&b, a.Status)
	if a.Location != "" {
		b.WriteString(" Location " + a.Location)
	}
	switch {
	case a.Text != "":
		fmt.Fprintf(&b, " %q", a.Text)
	case a.Body != nil:
		b.WriteString(" " + show(a.Body))
	case len(x.Body) > 0:
		fmt.Fprintf(&b, " %q", string(x.Body))
	}
	return b.String()
}

// list walks a list's pages on both servers and compares them.
func (s *seq) list(st step) error {
	qt, qr := st.list(s.tgt), st.list(s.ref)
	var tied func(string) bool
	if st.bound != 0 {
		k := st.tieBound
		tu := s.tgt.uuid(k)
		tm, ok := s.o.modifiedText(tu)
		if !ok {
			// The target's lastModified of the case is not known as it is now: read it first.
			if err := s.do(s.e.gen.read(k)); err != nil {
				return err
			}
			if tm, ok = s.o.modifiedText(tu); !ok {
				return nil
			}
		}
		rm := s.refDates[k]
		name := map[int]string{1: "modifiedAfter", 2: "modifiedBefore"}[st.bound]
		qt.Set(name, tm)
		qr.Set(name, rm)
		at, _ := parseDate(tm)
		tied = func(u string) bool {
			m, ok := s.o.Modified(u)
			return ok && m.Equal(at)
		}
	}
	var tp, rp []Answer
	var xs []*client.Exchange
	var first, firstRef *client.Exchange
	for page := 1; page <= maxPages; page++ {
		qt.Set("page", strconv.Itoa(page))
		qr.Set("page", strconv.Itoa(page))
		more := false
		if len(rp) == 0 || rp[len(rp)-1].Status == 200 {
			xr, xt, err := s.send(st, client.Request{Method: http.MethodGet, Path: s.e.gen.a.cases(), Query: cloneQuery(qr)},
				client.Request{Method: http.MethodGet, Path: s.e.gen.a.cases(), Query: cloneQuery(qt)})
			if err != nil {
				return err
			}
			at, ar := s.answers(xt, xr)
			tp, rp, xs = append(tp, at), append(rp, ar), append(xs, xt)
			if first == nil {
				first, firstRef = xt, xr
			}
			more = at.Status == 200
		} else {
			x := s.e.tgt.Client.Do(s.e.ctx, client.Request{Method: http.MethodGet, Path: s.e.gen.a.cases(), Query: cloneQuery(qt), Purpose: "exploration: the list's next page"})
			s.e.result.Exchanges++
			if s.e.found == nil {
				s.e.sent.Add(1)
			}
			if x.Err != nil {
				if s.e.ctx.Err() == nil {
					s.e.runErr = fmt.Errorf("GET %s: %w", x.Request.Path, x.Err)
				}
				return errAborted
			}
			at := answer(x, s.e.tgt.Contract, s.e.tgt.Client.Base().String())
			tp, xs = append(tp, at), append(xs, x)
			more = at.Status == 200
		}
		if !more {
			break
		}
	}
	divs := s.o.List(tp, rp, tied)
	s.trace = append(s.trace, s.e.shown(Traced{What: st.what + fmt.Sprintf(" (%d pages on the target, %d on the reference)", len(tp), len(rp)),
		Request: describe(first.Request), Target: summary(first, tp[0]), Reference: summary(firstRef, rp[0]), Divergences: divs, Exchanges: xs}))
	if len(divs) > 0 {
		return errDiverged
	}
	return nil
}

// maxPages bounds a list's walk on the target (100 cases a page).
const maxPages = 30

func cloneQuery(q map[string][]string) map[string][]string {
	c := make(map[string][]string, len(q))
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// final reads every case of the sequence back, by uuid and by external
// id, and lists them: what the steps left is what the reference left.
// Reads change nothing, so the target's are sent at once before the first
// is judged (prefetch), and then judged one by one, in order, as if each
// had been sent in its turn: the sequence's end costs a slow network one
// round trip, not one per case and id.
func (s *seq) final() error {
	var reads []step
	for k := range s.m.slots {
		if s.tgt.uuid(k) != "" || s.ref.uuid(k) != "" {
			reads = append(reads, s.e.gen.read(k))
		}
	}
	var byID []step
	if s.e.kind != BadInput {
		seen := map[string]bool{}
		for _, id := range s.m.ids {
			if id != "" && !seen[id] {
				seen[id] = true
				byID = append(byID, step{what: fmt.Sprintf("read back by external id %q", clip(id, 40)), kind: "case", creates: -1,
					build: func(sd *side) client.Request {
						return client.Request{Method: http.MethodGet, Path: s.e.gen.a.byExternalID(sd.project, id)}
					}})
			}
		}
	}
	all := append(append([]step(nil), reads...), byID...)
	requests := make([]client.Request, len(all))
	for i, st := range all {
		requests[i] = st.build(s.tgt)
		requests[i].Purpose = s.purpose(len(s.trace)+1+i, st.what)
	}
	if s.e.kind != BadInput && len(s.m.slots) > 0 {
		requests = append(requests, client.Request{Method: http.MethodGet, Path: s.e.gen.a.cases(), Query: url.Values{"project": {s.tgt.project}, "page": {"1"}},
			Purpose: s.purpose(len(s.trace)+1+len(all), finalList)})
	}
	s.prefetch(requests)
	defer func() { s.fetched = nil }()
	for _, st := range reads {
		k := st.slots[0]
		if err := s.do(st); err != nil {
			return err
		}
		if last := s.trace[len(s.trace)-1]; s.e.tgt.Gone != nil && len(last.Exchanges) == 1 && last.Exchanges[0].Status == http.StatusNotFound {
			s.e.tgt.Gone(s.tgt.uuid(k))
		}
	}
	if s.e.kind == BadInput {
		return nil // a refused request changed nothing: the cases read back as the reference's say
	}
	// Every external id the sequence gave or asked for, the ones changed
	// away from included: what no case holds any more must be 404.
	for _, st := range byID {
		if err := s.do(st); err != nil {
			return err
		}
	}
	if len(s.m.slots) == 0 {
		return nil
	}
	return s.list(step{what: finalList, kind: "list", creates: -1, tieBound: -1, list: func(sd *side) url.Values {
		return url.Values{"project": {sd.project}}
	}})
}

const finalList = "list every case back"

// prefetchWidth bounds the reads a sequence has in flight at once.
const prefetchWidth = 16

// prefetch sends requests to the target at once and keeps their
// exchanges for send, which takes one instead of sending its request when
// it is the same (method, path and query): only reads, whose answers do
// not depend on the order they are sent in.
func (s *seq) prefetch(requests []client.Request) {
	xs := make([]*client.Exchange, len(requests))
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, prefetchWidth)
	for i, r := range requests {
		wg.Go(func() {
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			xs[i] = s.tgt.c.Do(s.e.ctx, r)
		})
	}
	wg.Wait()
	s.fetched = map[string]*client.Exchange{}
	for i, r := range requests {
		s.fetched[readKey(r)] = xs[i]
	}
}

// readKey names a request by what a read is (a prefetch holds GETs
// without a body only): method, path and query.
func readKey(r client.Request) string {
	return r.Method + " " + r.Path + "?" + r.Query.Encode()
}

// purpose is what the HAR says of the target's request of the sequence's
// step n.
func (s *seq) purpose(n int, what string) string {
	where := fmt.Sprintf("sequence %d", s.e.result.Sequences)
	if s.e.found != nil {
		where = fmt.Sprintf("shrinking replay %d", s.e.found.Replays)
	}
	return fmt.Sprintf("exploration (%s), %s, step %d: %s", s.e.kind, where, n, what)
}

// quietTB is the testing.TB rapid reports to: the outcome is read from the
// explorer, the log kept for an error of the generator itself.
type quietTB struct {
	failed bool
	log    strings.Builder
}

func (q *quietTB) Helper()                          {}
func (q *quietTB) Name() string                     { return "explore" }
func (q *quietTB) Logf(format string, args ...any)  { fmt.Fprintf(&q.log, format+"\n", args...) }
func (q *quietTB) Log(args ...any)                  { fmt.Fprintln(&q.log, args...) }
func (q *quietTB) Skipf(format string, args ...any) {}
func (q *quietTB) Skip(args ...any)                 {}
func (q *quietTB) SkipNow()                         {}
func (q *quietTB) Errorf(format string, args ...any) {
	q.failed = true
	q.Logf(format, args...)
}
func (q *quietTB) Error(args ...any)                 { q.failed = true; q.Log(args...) }
func (q *quietTB) Fatalf(format string, args ...any) { q.Errorf(format, args...) }
func (q *quietTB) Fatal(args ...any)                 { q.Error(args...) }
func (q *quietTB) FailNow()                          { q.failed = true }
func (q *quietTB) Fail()                             { q.failed = true }
func (q *quietTB) Failed() bool                      { return q.failed }
