package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Environment variable names of the settings other code refers to by name.
const (
	EnvTarget           = "CONFORMANCE_TARGET"
	EnvUsername         = "CONFORMANCE_USERNAME"
	EnvPassword         = "CONFORMANCE_PASSWORD"
	EnvReadOnlyUsername = "CONFORMANCE_READONLY_USERNAME"
	EnvReadOnlyPassword = "CONFORMANCE_READONLY_PASSWORD"
	EnvProject          = "CONFORMANCE_PROJECT"
	EnvAutoProject      = "CONFORMANCE_AUTO_PROJECT"
	EnvCompletedProject = "CONFORMANCE_COMPLETED_PROJECT"
	EnvOperator         = "CONFORMANCE_OPERATOR"
	EnvFaultsURL        = "CONFORMANCE_FAULTS_URL"
	EnvFormats          = "CONFORMANCE_FORMATS"
	EnvTimeout          = "CONFORMANCE_TIMEOUT"
	EnvDeadline         = "CONFORMANCE_DEADLINE"
	EnvLeaseWait        = "CONFORMANCE_LEASE_WAIT"
	EnvRetries          = "CONFORMANCE_RETRIES"
	EnvReports          = "CONFORMANCE_REPORTS"
	EnvCABundle         = "CONFORMANCE_CA_BUNDLE"
	EnvInsecure         = "CONFORMANCE_INSECURE"
	EnvConfig           = "CONFORMANCE_CONFIG"
	EnvExploreSeed      = "CONFORMANCE_EXPLORE_SEED"
	EnvExploreRequests  = "CONFORMANCE_EXPLORE_REQUESTS"
	EnvExploreTime      = "CONFORMANCE_EXPLORE_TIME"
	EnvExploreShrink    = "CONFORMANCE_EXPLORE_SHRINK"
)

// KnownFormats are the API's representations, in the order reports show them.
var KnownFormats = []string{"json", "xml"}

// Defaults of the settings that have one, as a user would write them.
const (
	DefaultFormats  = "json,xml"       // both are certified unless a team narrows it
	DefaultTimeout  = 10 * time.Second // the table's default for CONFORMANCE_TIMEOUT
	DefaultDeadline = 15 * time.Minute // the table's default for CONFORMANCE_DEADLINE
	// DefaultLeaseWait is the table's default for CONFORMANCE_LEASE_WAIT:
	// another run holds the lease for seconds at a time, so two minutes is many turns.
	DefaultLeaseWait = 2 * time.Minute
	DefaultReports   = "reports"
	// DefaultRetries is the table's default for CONFORMANCE_RETRIES: with 2%
	// of connections cut, three attempts make a lost spec rare enough that 19
	// runs in 20 give a verdict (docs/shared-staging.md, "A flaky network").
	DefaultRetries = 2
	// MaxRetries bounds CONFORMANCE_RETRIES: a network that needs more is
	// broken, and each attempt of a spec costs its round trips again.
	MaxRetries = 10
	// The default exploration budget keeps a run's time to verdict: each
	// of its four rows searches this long at most, or this many requests.
	DefaultExploreRequests = "120"
	DefaultExploreTime     = "1s"
)

// Setting is one row of the settings table: everything the suite knows about
// a setting, from which the configuration is loaded, defaulted, checked,
// echoed and documented (the README's table is generated from these rows and
// a test holds it to them). Adding a setting is adding a row, and a field to
// Config for it to fill.
type Setting struct {
	Env     string // the environment variable
	Key     string // the YAML key in CONFORMANCE_CONFIG's file; "" for environment-only
	Meaning string // what it is, for the README and for "expected ..." in messages
	Default string // the value when unset, as a user would write it; "" for none
	Without string // what happens without it, when that is not a default value
	// Required: a live target cannot be certified without it.
	Required bool
	Secret   bool    // never echoed or shown
	Path     bool    // a file or folder, relative to the directory the command was run in
	Fixture  Fixture // the optional fixture it provides, if any
	// field binds the setting to its Config field and says how its text parses.
	field func(*Config) field
}

// settings is the table, in the order the configuration is echoed and documented.
var settings = []Setting{
	{Env: EnvTarget, Key: "target", Meaning: "API base URL, e.g. `https://host/fx/api/v1`",
		Without: "the embedded reference server, in-process",
		field:   func(c *Config) field { return baseURL{&c.Target} }},
	{Env: EnvUsername, Key: "username", Meaning: "the login of a user with full rights", Required: true,
		field: func(c *Config) field { return text{&c.Username} }},
	{Env: EnvPassword, Key: "password", Meaning: "that user's password", Required: true, Secret: true,
		field: func(c *Config) field { return text{&c.Password} }},
	{Env: EnvReadOnlyUsername, Key: "readonly_username", Meaning: "the login of a user with read rights only",
		Without: "E403 specs not provoked", Fixture: ReadOnlyUser,
		field: func(c *Config) field { return text{&c.ReadOnlyUsername} }},
	{Env: EnvReadOnlyPassword, Key: "readonly_password", Meaning: "the read-only user's password", Secret: true,
		Without: "E403 specs not provoked", Fixture: ReadOnlyUser,
		field: func(c *Config) field { return text{&c.ReadOnlyPassword} }},
	{Env: EnvProject, Key: "project", Meaning: "a stopped manual-mode project the suite may add cases to", Required: true,
		field: func(c *Config) field { return text{&c.Project} }},
	{Env: EnvAutoProject, Key: "auto_project", Meaning: "a project in automatic assignment mode",
		Without: "E501 not provoked", Fixture: AutoProject,
		field: func(c *Config) field { return text{&c.AutoProject} }},
	{Env: EnvCompletedProject, Key: "completed_project", Meaning: "a project whose run is completed",
		Without: "E500-start-completed, S200-calllist-completed, E409-uuid-taken-other-project not provoked", Fixture: CompletedProject,
		field: func(c *Config) field { return text{&c.CompletedProject} }},
	{Env: EnvOperator, Key: "operator", Meaning: "uuid of an existing operator not assigned to the main project",
		Without: "operator specs not provoked", Fixture: Operator,
		field: func(c *Config) field { return text{&c.Operator} }},
	{Env: EnvFaultsURL, Key: "faults_url", Meaning: "base URL of the fault hook (docs/fault-hook.md)",
		Without: "fault specs not provoked", Fixture: Faults,
		field: func(c *Config) field { return baseURL{&c.FaultsURL} }},
	{Env: EnvFormats, Key: "formats", Meaning: "`json`, `xml` or `json,xml`; a target that serves only json is told to set `json` (its xml conditions are then reported not selected)", Default: DefaultFormats,
		field: func(c *Config) field { return formats{&c.Formats} }},
	{Env: EnvTimeout, Key: "timeout", Meaning: "per-request timeout, body included, a Go duration", Default: "10s",
		field: func(c *Config) field { return duration{&c.Timeout} }},
	{Env: EnvDeadline, Key: "deadline", Meaning: "the whole run's deadline, a Go duration; specs not started by then are run errors, cleanup still runs",
		Default: "15m",
		field:   func(c *Config) field { return duration{&c.Deadline} }},
	{Env: EnvLeaseWait, Key: "lease_wait", Meaning: "how long a spec waits for the fault hook's lease while another run holds it, a Go duration (docs/fault-hook.md)",
		Default: "2m",
		field:   func(c *Config) field { return duration{&c.LeaseWait} }},
	{Env: EnvRetries, Key: "retries", Meaning: "how many more times a request or a spec whose answer never came (a connection cut) is tried: a GET or a PUT that sets values is sent again, any other request's spec is run again from the start with new data; a wrong answer is never retried; `0` turns retries off",
		Default: strconv.Itoa(DefaultRetries),
		field:   func(c *Config) field { return count{&c.Retries, MaxRetries} }},
	{Env: EnvReports, Key: "reports", Meaning: "report folder", Default: DefaultReports, Path: true,
		field: func(c *Config) field { return text{&c.Reports} }},
	{Env: EnvCABundle, Key: "ca_bundle", Meaning: "PEM file of extra CAs for an https target", Without: "system roots", Path: true,
		field: func(c *Config) field { return caBundle{&c.CABundle} }},
	{Env: EnvInsecure, Key: "insecure", Meaning: "`true` skips TLS verification (explicit opt-in)", Default: "false",
		field: func(c *Config) field { return boolean{&c.Insecure} }},
	{Env: EnvExploreSeed, Key: "explore_seed", Meaning: "the seed exploration draws its steps from, a positive number: the same seed makes the same work on the same target",
		Without: "a new seed each run, shown in the reports",
		field:   func(c *Config) field { return positive{&c.ExploreSeed} }},
	{Env: EnvExploreRequests, Key: "explore_requests", Meaning: "requests each exploration row may send while it searches (shrinking what it found is bounded by time)",
		Default: DefaultExploreRequests,
		field:   func(c *Config) field { return positive{&c.ExploreRequests} }},
	{Env: EnvExploreTime, Key: "explore_time", Meaning: "how long each exploration row may search, a Go duration",
		Default: DefaultExploreTime,
		field:   func(c *Config) field { return duration{&c.ExploreTime} }},
	{Env: EnvExploreShrink, Key: "explore_shrink", Meaning: "how long each exploration row may shrink a divergence it found, a Go duration; `0` reports it as found, unshrunk (a kill matrix needs only the verdict)",
		Without: "four times the search's time, at most 5s",
		field:   func(c *Config) field { return shrinkBound{&c.ExploreShrink} }},
	{Env: EnvConfig, Meaning: "a YAML file with these settings under the keys shown (`target:`, `readonly_username:`, ...); the environment wins",
		Without: "none", Path: true,
		field: func(c *Config) field { return text{&c.File} }},
}

// Defaults is the configuration with every setting at its default (paths as
// written in the table, not yet resolved): what a run uses where it could
// not load the user's configuration.
func Defaults() Config {
	var c Config
	_ = c.apply(nil, "") // the table's defaults parse: TestDefaultsParse
	return c
}

// Settings returns the settings table, in the order it is echoed and documented.
func Settings() []Setting { return slices.Clone(settings) }

func settingByEnv(env string) (Setting, bool) {
	i := slices.IndexFunc(settings, func(s Setting) bool { return s.Env == env })
	if i < 0 {
		return Setting{}, false
	}
	return settings[i], true
}

func settingByKey(key string) (Setting, bool) {
	i := slices.IndexFunc(settings, func(s Setting) bool { return s.Key != "" && s.Key == key })
	if i < 0 {
		return Setting{}, false
	}
	return settings[i], true
}

// names lists the settings' environment variables, or their YAML keys.
func names(yamlKeys bool) string {
	var out []string
	for _, s := range settings {
		switch {
		case !yamlKeys:
			out = append(out, s.Env)
		case s.Key != "":
			out = append(out, s.Key)
		}
	}
	return strings.Join(out, ", ")
}

// MarkdownTable is the settings table as the README shows it.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| setting | YAML key | meaning | without it |\n|---|---|---|---|\n")
	for _, s := range settings {
		key := "(environment only)"
		if s.Key != "" {
			key = "`" + s.Key + "`"
		}
		without := s.Without
		switch {
		case s.Default != "":
			without = "`" + s.Default + "`"
		case s.Required:
			without = "required with a target"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Env, key, s.Meaning, without)
	}
	return b.String()
}

// A field is a Config field as a setting sees it: set from text ("" leaves
// it unset), shown as text ("" when unset).
type field interface {
	set(text string) error
	String() string
}

// lister is a field that may also be given as a YAML list.
type lister interface {
	setList(items []string) error
}

type text struct{ p *string }

func (f text) set(s string) error { *f.p = s; return nil }
func (f text) String() string     { return *f.p }

type baseURL struct{ p *string }

func (f baseURL) set(s string) error {
	u, err := parseBaseURL(s)
	*f.p = u
	return err
}
func (f baseURL) String() string { return *f.p }

type duration struct{ p *time.Duration }

func (f duration) set(s string) error {
	s = strings.TrimSpace(s)
	*f.p = 0
	if s == "" {
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a Go duration; expected one such as \"10s\" or \"1m30s\"", s)
	}
	if d <= 0 {
		return fmt.Errorf("%q is not positive; expected a Go duration greater than zero, such as \"10s\"", s)
	}
	*f.p = d
	return nil
}

func (f duration) String() string {
	if *f.p == 0 {
		return ""
	}
	return formatDuration(*f.p)
}

// formatDuration writes a duration as a user would: "15m", not "15m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if d == 0 {
		return s
	}
	if d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
	}
	if d%time.Hour == 0 {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// count is a whole number from 0 to max.
type count struct {
	p   *int
	max int
}

func (f count) set(s string) error {
	s = strings.TrimSpace(s)
	*f.p = 0
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > f.max {
		return fmt.Errorf("%q is not a whole number from 0 to %d; expected one such as \"2\"", s, f.max)
	}
	*f.p = n
	return nil
}
func (f count) String() string { return strconv.Itoa(*f.p) }

// shrinkBound is a duration that may be zero; nil when unset (the default,
// which depends on another setting).
type shrinkBound struct{ p **time.Duration }

func (f shrinkBound) set(s string) error {
	s = strings.TrimSpace(s)
	*f.p = nil
	if s == "" {
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a Go duration; expected one such as \"5s\", or \"0\" for none", s)
	}
	if d < 0 {
		return fmt.Errorf("%q is negative; expected a Go duration of zero or more, such as \"5s\"", s)
	}
	*f.p = &d
	return nil
}

func (f shrinkBound) String() string {
	if *f.p == nil {
		return ""
	}
	return formatDuration(**f.p)
}

// positive is a positive whole number (a seed, a budget); "" when unset.
type positive struct{ p *uint64 }

func (f positive) set(s string) error {
	s = strings.TrimSpace(s)
	*f.p = 0
	if s == "" {
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return fmt.Errorf("%q is not a positive whole number; expected one such as \"42\"", s)
	}
	*f.p = n
	return nil
}

func (f positive) String() string {
	if *f.p == 0 {
		return ""
	}
	return strconv.FormatUint(*f.p, 10)
}

type boolean struct{ p *bool }

func (f boolean) set(s string) error {
	s = strings.TrimSpace(s)
	*f.p = false
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not a boolean; expected true or false", s)
	}
	*f.p = b
	return nil
}
func (f boolean) String() string { return strconv.FormatBool(*f.p) }

type formats struct{ p *[]string }

func (f formats) set(s string) error {
	if strings.TrimSpace(s) == "" {
		*f.p = nil
		return nil
	}
	return f.setList(strings.Split(s, ","))
}

func (f formats) setList(items []string) error {
	got, err := parseFormats(items)
	if err != nil {
		return fmt.Errorf("%s; expected a non-empty list of json and xml without repeats, e.g. \"json,xml\"", err)
	}
	*f.p = got
	return nil
}
func (f formats) String() string { return strings.Join(*f.p, ",") }

type caBundle struct{ p *string }

func (f caBundle) set(s string) error {
	*f.p = s
	if s == "" {
		return nil
	}
	if _, err := readCertificates(s); err != nil {
		return fmt.Errorf("%s; expected a PEM file holding at least one CA certificate (a relative path is taken from the directory the command was run in)", err)
	}
	return nil
}
func (f caBundle) String() string { return *f.p }
