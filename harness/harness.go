// Package harness connects the specs to a target: it reads the
// configuration, starts the embedded reference server when no target is
// named, checks every named fixture before any spec runs (the preflight), and
// hands each parallel process the same target, users and run id.
package harness

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/coverage"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/speed"
)

// EmbeddedFaultTimer is the embedded reference's timer for 504: short, so
// that the timeout conditions cost little, and far below any sane suite timeout.
const EmbeddedFaultTimer = 100 * time.Millisecond

// EnvMutant names a mutant for the embedded reference server to serve, so that
// anyone can watch the suite fail: CONFORMANCE_MUTANT=no-location make conformance.
const EnvMutant = "CONFORMANCE_MUTANT"

// Deviation serves the embedded reference as a mutant or a variant (EnvMutant,
// EnvVariant; one of them is ""). The vendor binary leaves it nil, so that it
// links no mutant: the suite's test binary sets it (suites/conformance's
// deviation_test.go), and so does callcases-conformance built with the tag
// "deviations", which make conformance builds when either setting is given.
var Deviation func(mutant, variant string, ref *reference.Server, opts reference.Options) (http.Handler, error)

// EnvVariant names a variant of the embedded reference server: "liberal"
// takes every liberty the design allows at once, a liberty's name that one
// alone (go run ./cmd/reference -variants lists them). The suite must pass
// every one: CONFORMANCE_VARIANT=liberal make conformance.
const EnvVariant = "CONFORMANCE_VARIANT"

// Shared is what the first process hands every other: enough to rebuild the Env.
type Shared struct {
	Config  config.Config `json:"config"`
	RunID   string        `json:"runID"`
	Started time.Time     `json:"started"` // the suite's clock; the final sweep looks from a margin before it
	// Scopes: the fault hook supports scoped faults (the preflight read it).
	Scopes bool `json:"scopes"`
	// OperatorAssigned: the preflight found CONFORMANCE_OPERATOR assigned to
	// the main project, so that the operator specs leave it alone.
	OperatorAssigned bool `json:"operatorAssigned"`
}

// Record, when set, sees every exchange of every Env's clients, from the
// preflight on: the run's certification bundle records them all.
var Record func(*client.Exchange)

// Env is one process's view of the target.
type Env struct {
	Config   config.Config
	RunID    string
	Started  time.Time
	Contract *contract.Contract
	API      *client.Client    // the full-rights user
	ReadOnly *client.Client    // the read-only user; nil when not configured
	Faults   *client.Client    // the fault hook; nil when not configured
	Log      *client.Log       // every exchange of this process since the last Take
	Coverage *coverage.Tracker // the coverage matrix's facts of this process's exchanges
	Speed    *speed.Tracker    // round trips and dependent chains of this process's exchanges, for make bench
	Scopes   bool              // the fault hook supports scoped faults: faults act on one spec's requests only
	Process  int               // this process's number in the run (1 when not parallel); part of lease holders and scopes
	Notify   func(string)      // shows a message to the user while the run waits (nil: none shown)
	Notes    []string          // what the preflight found worth saying that is not a problem
	// OperatorAssigned: the preflight found the fixture operator assigned to the main project.
	OperatorAssigned bool
	// RunFolder is where the run's processes coordinate (runlock.go); ""
	// chooses one of the run's id (runFolder).
	RunFolder string
}

// Session is the first process's hold on the run: the embedded server, if any.
type Session struct {
	Shared   Shared
	server   *httptest.Server
	Embedded *reference.Server
}

// Start reads the configuration, starts the embedded reference when no target
// is configured, and runs the preflight. Every error names the setting to fix.
func Start(ctx context.Context, lookup func(string) (string, bool)) (*Session, *Env, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		return nil, nil, err
	}
	if cfg.ExploreSeed == 0 {
		cfg.ExploreSeed = NewSeed() // every process explores from the same one, shown in the reports
	}
	s := &Session{}
	mutant, _ := lookup(EnvMutant)
	if mutant != "" && !cfg.Embedded() {
		return nil, nil, fmt.Errorf("%s: a mutant is a deviation of the embedded reference server; unset it or %s", EnvMutant, config.EnvTarget)
	}
	variant, _ := lookup(EnvVariant)
	switch {
	case variant != "" && !cfg.Embedded():
		return nil, nil, fmt.Errorf("%s: a variant is one of the embedded reference server; unset it or %s", EnvVariant, config.EnvTarget)
	case variant != "" && mutant != "":
		return nil, nil, fmt.Errorf("%s and %s: the embedded reference serves one or the other; unset one", EnvMutant, EnvVariant)
	}
	if cfg.Embedded() {
		opts := reference.Options{FaultTimer: EmbeddedFaultTimer}
		s.Embedded = reference.New(opts)
		var handler http.Handler = s.Embedded
		if mutant != "" || variant != "" {
			setting := EnvMutant
			if variant != "" {
				setting = EnvVariant
			}
			if Deviation == nil {
				return nil, nil, fmt.Errorf("%s: this binary carries no mutants or variants (a certification never needs them); "+
					"run the suite with go test ./suites/conformance or make conformance, or serve one with go run ./cmd/reference -mutant NAME (-variant NAME) and set %s", setting, config.EnvTarget)
			}
			if handler, err = Deviation(mutant, variant, s.Embedded, opts); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", setting, err)
			}
		}
		s.server = httptest.NewServer(handler)
		if cfg, err = cfg.WithSettings(s.Embedded.Settings(s.server.URL)); err != nil {
			s.Close()
			return nil, nil, fmt.Errorf("the embedded reference server's settings: %w", err)
		}
	}
	s.Shared = Shared{Config: cfg, RunID: NewRunID(), Started: time.Now()}
	env, err := NewEnv(s.Shared)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	if err := env.Preflight(ctx); err != nil {
		s.Close()
		return nil, nil, err
	}
	s.Shared.Scopes, s.Shared.OperatorAssigned = env.Scopes, env.OperatorAssigned
	return s, env, nil
}

// Marshal encodes what the other processes need.
func (s *Session) Marshal() []byte {
	b, err := json.Marshal(s.Shared)
	if err != nil {
		panic(err) // plain strings and numbers: cannot fail
	}
	return b
}

// Close stops the embedded server, if one was started.
func (s *Session) Close() {
	if s != nil && s.server != nil {
		s.server.Close()
	}
}

// Attach rebuilds the Env in a parallel process from the first one's data.
func Attach(data []byte) (*Env, error) {
	var shared Shared
	if err := json.Unmarshal(data, &shared); err != nil {
		return nil, fmt.Errorf("the run's shared settings: %w", err)
	}
	return NewEnv(shared)
}

// NewEnv builds the clients for a configuration.
func NewEnv(shared Shared) (*Env, error) {
	cfg := shared.Config
	tlsConfig, err := cfg.TLSConfig()
	if err != nil {
		return nil, err
	}
	c, err := contract.Load(cfg.Target)
	if err != nil {
		return nil, err
	}
	env := &Env{Config: cfg, RunID: shared.RunID, Started: shared.Started, Contract: c, Log: &client.Log{}, Coverage: &coverage.Tracker{}, Speed: &speed.Tracker{}, Scopes: shared.Scopes, OperatorAssigned: shared.OperatorAssigned, Process: 1}
	opts := client.Options{Record: env.record, Header: http.Header{RunHeader: {shared.RunID}},
		Base: cfg.Target, Contract: c, Timeout: cfg.Timeout, TLS: tlsConfig, Retries: cfg.Retries,
		User: client.Credentials{Username: cfg.Username, Password: cfg.Password},
	}
	if env.API, err = client.New(opts); err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvTarget, err)
	}
	if cfg.Missing(config.ReadOnlyUser) == "" {
		env.ReadOnly = env.API.As(client.Credentials{Username: cfg.ReadOnlyUsername, Password: cfg.ReadOnlyPassword})
	}
	if cfg.FaultsURL != "" {
		opts.Base, opts.Contract = cfg.FaultsURL, nil // the hook is not part of the API contract
		if env.Faults, err = client.New(opts); err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvFaultsURL, err)
		}
	}
	return env, nil
}

// record keeps an exchange for the spec under way and the coverage, and
// hands it to Record.
func (e *Env) record(x *client.Exchange) {
	e.Log.Add(x)
	e.Coverage.Add(x)
	e.Speed.Add(x)
	if Record != nil {
		Record(x)
	}
}

// Secrets are the strings no output may show: the passwords and the Basic
// credentials they encode to.
func (e *Env) Secrets() []string {
	return e.Config.Secrets()
}

// NewRunID is 8 characters of [0-9a-z]: short enough to fit in uuids and
// external ids, random enough that two runs on one staging never collide.
func NewRunID() string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NewSeed is a seed for exploration when none is set: short enough to
// read off a report and type again.
func NewSeed() uint64 {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return uint64(b[0])<<16 | uint64(b[1])<<8 | uint64(b[2]) + 1
}

// errs collects preflight problems so that a user fixes them all in one go.
type errs struct {
	list []error
	// unreachable: the target as a whole failed (no answer, not the API), so
	// that checking the other fixtures would only repeat the same failure.
	unreachable bool
}

func (e *errs) add(format string, args ...any) { e.list = append(e.list, fmt.Errorf(format, args...)) }

func (e *errs) addUnreachable(format string, args ...any) {
	e.add(format, args...)
	e.unreachable = true
}

// err puts the first problem on the first line, which is what a summary
// shows, and lists every problem below when there are several.
func (e errs) err() error {
	switch len(e.list) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("preflight: %w", e.list[0])
	}
	lines := make([]string, len(e.list))
	for i, err := range e.list {
		lines[i] = "  - " + err.Error()
	}
	return fmt.Errorf("preflight: %v (and %d more problems; all of them:)\n%s", e.list[0], len(e.list)-1, strings.Join(lines, "\n"))
}
