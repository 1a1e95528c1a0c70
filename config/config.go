// Package config is the conformance suite's configuration: which target to
// certify, the credentials and fixtures it offers (docs/fixtures.md), and how
// the suite talks to it. Every setting is a row of one table (settings.go),
// which drives loading, defaults, checks, the echoed configuration, the
// fixtures and the README's table.
//
// Settings come from three places, later ones winning: built-in defaults, the
// YAML file named by CONFORMANCE_CONFIG, and the environment. An environment
// variable that is set to the empty string counts as set-and-empty: it wins
// over the file and leaves the setting unconfigured (so its default applies),
// which is how `CONFORMANCE_TARGET= make conformance` runs against the
// embedded reference server even when the file names a live target.
//
// Relative paths (CONFORMANCE_CONFIG, CONFORMANCE_CA_BUNDLE,
// CONFORMANCE_REPORTS) are taken from the directory the command was run in
// (EnvWorkDir), wherever they were given, and are absolute after loading.
//
// Every problem is reported at once, each naming its environment variable
// and, for a value read from the file, the file's key, path and line.
package config

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is the suite's configuration after defaults and validation.
type Config struct {
	Target             string         // CONFORMANCE_TARGET, API base URL; "" = the embedded reference server
	Username, Password string         // CONFORMANCE_USERNAME / CONFORMANCE_PASSWORD: a user with full rights
	ReadOnlyUsername   string         // CONFORMANCE_READONLY_USERNAME: a user with read rights only
	ReadOnlyPassword   string         // CONFORMANCE_READONLY_PASSWORD
	Project            string         // CONFORMANCE_PROJECT: a stopped manual-mode project the suite may add cases to
	AutoProject        string         // CONFORMANCE_AUTO_PROJECT: a project in automatic assignment mode
	CompletedProject   string         // CONFORMANCE_COMPLETED_PROJECT: a project whose run is completed
	Operator           string         // CONFORMANCE_OPERATOR: uuid of an operator not assigned to Project
	FaultsURL          string         // CONFORMANCE_FAULTS_URL: base URL of the fault hook
	Formats            []string       // CONFORMANCE_FORMATS: "json", "xml" or "json,xml"
	Timeout            time.Duration  // CONFORMANCE_TIMEOUT: per-request timeout, body included
	Deadline           time.Duration  // CONFORMANCE_DEADLINE: the whole run's deadline
	LeaseWait          time.Duration  // CONFORMANCE_LEASE_WAIT: how long a spec waits for the fault hook's lease
	Retries            int            // CONFORMANCE_RETRIES: more attempts for a request or a spec whose answer never came
	Reports            string         // CONFORMANCE_REPORTS: report folder, absolute
	CABundle           string         // CONFORMANCE_CA_BUNDLE: PEM file of extra CAs to trust for https targets, absolute
	Insecure           bool           // CONFORMANCE_INSECURE: skip TLS verification; off by default
	File               string         // CONFORMANCE_CONFIG: the YAML file read, absolute; "" if none
	ExploreSeed        uint64         // CONFORMANCE_EXPLORE_SEED: exploration's seed; 0 until the run chooses one
	ExploreRequests    uint64         // CONFORMANCE_EXPLORE_REQUESTS: requests each exploration row may send while it searches
	ExploreTime        time.Duration  // CONFORMANCE_EXPLORE_TIME: how long each exploration row may search
	ExploreShrink      *time.Duration // CONFORMANCE_EXPLORE_SHRINK: how long a row may shrink what it found; nil: the default, 0: not at all
}

// EnvWorkDir names the directory relative paths in settings are taken from:
// the one the user ran the command in. Commands that start the suite in
// another directory (go test runs it in its package's folder) set it; when
// it is unset, the process's working directory is used.
const EnvWorkDir = "CONFORMANCE_WORKDIR"

// value is one setting's raw text and where it came from.
type value struct {
	text   string
	list   []string // formats given as a YAML sequence
	isList bool
	from   string // for messages: "from the environment", `key "timeout" in f.yaml, line 3`
}

// problem formats an error about one setting: what was wrong, what is expected.
func problem(env, from, format string, args ...any) error {
	return fmt.Errorf("%s (%s): %s", env, from, fmt.Sprintf(format, args...))
}

// Load reads CONFORMANCE_CONFIG (a YAML file with the same settings), then the
// environment, which wins over the file; applies defaults; validates.
// lookup is os.LookupEnv in production, a map in tests.
func Load(lookup func(string) (string, bool)) (Config, error) {
	workDir, err := workDir(lookup)
	if err != nil {
		return Config{}, err
	}
	raw := map[string]value{}
	var errs []error
	var file string
	if path, ok := lookup(EnvConfig); ok && path != "" {
		file = resolve(workDir, path)
		fromFile, err := readFile(file)
		if fromFile == nil {
			// Unreadable or unparseable: nothing else can be judged fairly.
			return Config{}, err
		}
		errs = append(errs, err) // unknown keys and the like; the rest still counts
		maps.Copy(raw, fromFile)
	}
	for _, s := range settings {
		if text, ok := lookup(s.Env); ok && s.Env != EnvConfig {
			raw[s.Env] = value{text: text, from: "from the environment"}
		}
	}
	c := Config{File: file}
	errs = append(errs, c.apply(raw, workDir)...)
	hint := func(s Setting) string {
		if c.File == "" {
			return fmt.Sprintf("set it in the environment, or as %q in a YAML file named by %s", s.Key, EnvConfig)
		}
		return fmt.Sprintf("set it in the environment or as %q in %s", s.Key, c.File)
	}
	errs = append(errs, c.checkTogether(c.Target != "", hint, raw)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// workDir is where relative paths are taken from.
func workDir(lookup func(string) (string, bool)) (string, error) {
	if dir, ok := lookup(EnvWorkDir); ok && dir != "" {
		if !filepath.IsAbs(dir) {
			return "", fmt.Errorf("%s: %q is not an absolute path; expected the directory the command was run in", EnvWorkDir, dir)
		}
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("the working directory, which relative paths in settings are taken from: %w", err)
	}
	return dir, nil
}

// Resolve takes a path given in a setting from the directory the command was
// run in, as Load does; for the rare path used when the configuration could
// not be loaded (where to write the report that says so).
func Resolve(lookup func(string) (string, bool), path string) string {
	dir, err := workDir(lookup)
	if err != nil {
		return path
	}
	return resolve(dir, path)
}

func resolve(dir, path string) string {
	if path == "" || filepath.IsAbs(path) || dir == "" {
		return path
	}
	return filepath.Join(dir, path)
}

// apply sets every setting from its raw value (absent or empty: unset, so
// its default applies), resolving paths against dir ("" leaves them as given).
func (c *Config) apply(raw map[string]value, dir string) []error {
	var errs []error
	for _, s := range settings {
		if s.Env == EnvConfig {
			continue // read before the others: it says where they are
		}
		f := s.field(c)
		v, given := raw[s.Env]
		switch {
		case given && v.isList:
			l, ok := f.(lister)
			if !ok {
				errs = append(errs, problem(s.Env, v.from, "a list is not allowed here; expected a single value"))
				continue
			}
			if err := l.setList(v.list); err != nil {
				errs = append(errs, problem(s.Env, v.from, "%s", err))
			}
			continue
		case given && strings.TrimSpace(v.text) != "":
			text := v.text
			if s.Path {
				text = resolve(dir, strings.TrimSpace(text))
			}
			if err := f.set(text); err != nil {
				errs = append(errs, problem(s.Env, v.from, "%s", err))
			}
			continue
		}
		text := s.Default
		if s.Path {
			text = resolve(dir, text)
		}
		if err := f.set(text); err != nil {
			errs = append(errs, fmt.Errorf("%s: the default %q: %w", s.Env, s.Default, err))
		}
	}
	return errs
}

// Embedded reports whether no target is configured (the suite then starts the
// reference server in-process).
func (c Config) Embedded() bool { return c.Target == "" }

// WithSettings returns a copy with fields set from env-var-named settings (the
// embedded reference server gives such a map), then validated as a live
// target's config would be; used when Embedded. An empty value clears a
// setting, as an empty environment variable does; settings not given keep
// their value.
func (c Config) WithSettings(given map[string]string) (Config, error) {
	c.Formats = slices.Clone(c.Formats)
	var errs []error
	raw := map[string]value{}
	for _, s := range settings {
		if s.Env != EnvConfig {
			raw[s.Env] = value{text: s.field(&c).String(), from: "as loaded"}
		}
	}
	for _, env := range slices.Sorted(maps.Keys(given)) {
		if _, ok := settingByEnv(env); !ok || env == EnvConfig {
			errs = append(errs, fmt.Errorf("%s (given to WithSettings): unknown setting; expected one of %s", env, names(false)))
			continue
		}
		raw[env] = value{text: given[env], from: "given to WithSettings"}
	}
	errs = append(errs, c.apply(raw, "")...)
	hint := func(Setting) string { return "the settings given to WithSettings lack it" }
	errs = append(errs, c.checkTogether(true, hint, raw)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkTogether checks the rules that involve more than one setting: what a
// live target requires, and fixtures given by halves. hint tells the user
// where a missing setting can be given.
func (c Config) checkTogether(live bool, hint func(Setting) string, raw map[string]value) []error {
	var errs []error
	missing := func(s Setting, needed string) {
		from := "not set"
		if v, ok := raw[s.Env]; ok && v.from != "as loaded" {
			from = "empty, " + v.from
		}
		errs = append(errs, problem(s.Env, from, "required %s; expected %s: %s", needed, s.Meaning, hint(s)))
	}
	if live {
		for _, s := range settings {
			switch {
			case s.Env == EnvTarget && c.Target == "":
				missing(s, "for a live target")
			case s.Required && s.field(&c).String() == "":
				missing(s, fmt.Sprintf("for a live target (%s is %s)", EnvTarget, c.Target))
			}
		}
	}
	for _, f := range fixtures() {
		var set, unset []Setting
		for _, s := range f.settings() {
			if s.field(&c).String() == "" {
				unset = append(unset, s)
			} else {
				set = append(set, s)
			}
		}
		if len(set) > 0 {
			for _, s := range unset {
				missing(s, "when "+set[0].Env+" is set")
			}
		}
	}
	return errs
}

// Lines returns the configuration echoed at start, one "NAME=value" per
// setting, passwords shown as "<redacted>" (or "<unset>").
func (c Config) Lines() []string {
	lines := make([]string, 0, len(settings))
	for _, s := range settings {
		v := s.field(&c).String()
		switch {
		case v == "" && s.Env == EnvTarget:
			v = "<unset: embedded reference server>"
		case v == "":
			v = "<unset>"
		case s.Secret:
			v = "<redacted>"
		}
		lines = append(lines, s.Env+"="+v)
	}
	return lines
}

// Secrets returns the non-empty secret settings, for scrubbing output and
// reports, together with each user's Basic credential (base64 of
// "user:password"), which is how a password travels in a recorded
// Authorization header. Longest first, so that replacing them one after
// another never leaves part of a secret. client.Redact removes every
// encoding of them a report can hold.
func (c Config) Secrets() []string {
	var secrets []string
	for _, s := range settings {
		if v := s.field(&c).String(); s.Secret && v != "" {
			secrets = append(secrets, v)
		}
	}
	for _, u := range [][2]string{{c.Username, c.Password}, {c.ReadOnlyUsername, c.ReadOnlyPassword}} {
		if u[1] != "" {
			secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(u[0]+":"+u[1])))
		}
	}
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(secrets)
}
