package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
)

// Build is what the suite must know of the target before it builds its spec
// tree, because it decides which specs are Serial. Every process of a run
// must build the same tree, so they must agree on it: the run's first
// process asks the target and the others read its answer.
type Build struct {
	HookConfigured bool // a fault hook is configured
	HookScopes     bool // and it supports scoped faults
	ClockFine      bool // the target writes lastModified finer than whole seconds

	shared string // the file the run's processes share the answer in; "" in a serial run
}

// buildFresh bounds the age of a shared answer: a run's processes all start
// within seconds, so an older file was left by a run that never cleaned up.
const buildFresh = 5 * time.Minute

// buildRecord is the shared answer, with what names the run it belongs to.
type buildRecord struct {
	Run     string    `json:"run"` // parallel host, parent process, target, hook
	Written time.Time `json:"written"`
	Build
}

// AtBuild answers for the processes of one run. args are the process's
// command line: Ginkgo gives the processes of one parallel run the same
// -ginkgo.parallel.host (the flags are not parsed yet when the tree is
// built), and they share their parent, Ginkgo's CLI. A serial run asks the
// target itself.
func AtBuild(cfg config.Config, args []string) Build {
	host := parallelHost(args)
	if cfg.Embedded() || host == "" { // the embedded reference needs no request
		return probeFor(cfg, probeAtBuild)
	}
	dir := os.TempDir()
	if progress := os.Getenv("CONFORMANCE_PROGRESS"); progress != "" {
		dir = filepath.Dir(progress) // callcases-conformance's work folder, which it removes
	}
	run := strings.Join([]string{host, fmt.Sprint(os.Getppid()), cfg.Target, cfg.FaultsURL}, "\n")
	return atBuild(cfg, run, dir, probeAtBuild)
}

// atBuild takes the run's lock, reads the answer another process wrote or,
// without a fresh one, probes and writes it. Should the sharing itself fail,
// the process probes alone, as a serial run does.
func atBuild(cfg config.Config, run, dir string, probe func(context.Context, config.Config) Build) Build {
	path := buildPath(dir, run)
	// The holder probes for at most cfg.Timeout; a longer wait means it hangs.
	wait, cancel := context.WithTimeout(context.Background(), 2*cfg.Timeout+10*time.Second)
	defer cancel()
	unlock, err := lockFile(wait, path+".lock")
	if err != nil {
		return probeFor(cfg, probe)
	}
	defer unlock()
	var rec buildRecord
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &rec) != nil || rec.Run != run || !fresh(rec.Written) {
		rec = buildRecord{Run: run, Build: probeFor(cfg, probe)}
		rec.Written = time.Now()
		if b, err := json.Marshal(rec); err == nil {
			_ = os.WriteFile(path, b, 0o600) // unwritten, the next process probes again
		}
	}
	rec.shared = path // for Forget, which removes the lock too
	return rec.Build
}

// fresh says whether an answer written then can be this run's.
func fresh(written time.Time) bool {
	age := time.Since(written)
	return age < buildFresh && age > -buildFresh
}

// buildPath is the run's file in dir.
func buildPath(dir, run string) string {
	sum := sha256.Sum256([]byte(run))
	return filepath.Join(dir, "callcases-conformance-build-"+hex.EncodeToString(sum[:8])+".json")
}

func probeFor(cfg config.Config, probe func(context.Context, config.Config) Build) Build {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	defer cancel()
	return probe(ctx, cfg)
}

// Forget removes the run's shared answer: process 1 calls it once every
// process is done.
func (b Build) Forget() {
	if b.shared != "" {
		_ = os.Remove(b.shared)
		_ = os.Remove(b.shared + ".lock")
	}
}

// parallelHost is the value of -ginkgo.parallel.host in args ("" if none).
func parallelHost(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "ginkgo.parallel.host" || !strings.HasPrefix(a, "-") {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// probeAtBuild asks the target. The embedded reference has a hook with
// scopes and a fine clock. A live target's answers need no validation, so no
// contract is loaded; the hook and the clock are asked at once. Whatever
// cannot be asked counts as the safe side: no scopes, whole seconds. The run
// checks the hook again in its preflight.
func probeAtBuild(ctx context.Context, cfg config.Config) Build {
	if cfg.Embedded() {
		return Build{HookConfigured: true, HookScopes: true, ClockFine: true}
	}
	b := Build{HookConfigured: cfg.FaultsURL != ""}
	env, err := probeEnv(cfg)
	if err != nil {
		return b
	}
	var wg sync.WaitGroup
	if b.HookConfigured {
		wg.Go(func() { b.HookScopes = env.hookScopesAtBuild(ctx) })
	}
	wg.Go(func() { b.ClockFine = env.clockFineAtBuild(ctx) })
	wg.Wait()
	return b
}

// probeEnv has the clients NewEnv builds, without the contract.
func probeEnv(cfg config.Config) (*Env, error) {
	tlsConfig, err := cfg.TLSConfig()
	if err != nil {
		return nil, err
	}
	opts := client.Options{Header: http.Header{RunHeader: {NewRunID()}},
		Base: cfg.Target, Timeout: cfg.Timeout, TLS: tlsConfig, Retries: cfg.Retries,
		User: client.Credentials{Username: cfg.Username, Password: cfg.Password},
	}
	env := &Env{Config: cfg}
	if env.API, err = client.New(opts); err != nil {
		return nil, err
	}
	if cfg.FaultsURL != "" {
		opts.Base = cfg.FaultsURL
		if env.Faults, err = client.New(opts); err != nil {
			return nil, err
		}
	}
	return env, nil
}
