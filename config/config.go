// Package config is the conformance suite's configuration (SPEC section 4):
// which target to certify, the credentials and fixtures it offers, and how
// the suite talks to it.
//
// Settings come from three places, later ones winning: built-in defaults, the
// YAML file named by CONFORMANCE_CONFIG, and the environment. An environment
// variable that is set to the empty string counts as set-and-empty: it wins
// over the file and leaves the setting unconfigured (so its default applies),
// which is how `CONFORMANCE_TARGET= make conformance` runs against the
// embedded reference server even when the file names a live target.
//
// Relative paths (CONFORMANCE_CA_BUNDLE, CONFORMANCE_REPORTS) are resolved
// against the working directory, wherever they were given.
//
// Every problem is reported at once, each naming its environment variable
// and, for a value read from the file, the file's key, path and line.
package config

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the suite's configuration after defaults and validation.
type Config struct {
	Target             string        // CONFORMANCE_TARGET, API base URL; "" = the embedded reference server
	Username, Password string        // CONFORMANCE_USERNAME / CONFORMANCE_PASSWORD: a user with full rights
	ReadOnlyUsername   string        // CONFORMANCE_READONLY_USERNAME: a user with read rights only
	ReadOnlyPassword   string        // CONFORMANCE_READONLY_PASSWORD
	Project            string        // CONFORMANCE_PROJECT: a stopped manual-mode project the suite may add cases to
	AutoProject        string        // CONFORMANCE_AUTO_PROJECT: a project in automatic assignment mode
	CompletedProject   string        // CONFORMANCE_COMPLETED_PROJECT: a project whose run is completed
	Operator           string        // CONFORMANCE_OPERATOR: uuid of an operator not assigned to Project
	FaultsURL          string        // CONFORMANCE_FAULTS_URL: base URL of the fault hook (SPEC section 5)
	Formats            []string      // CONFORMANCE_FORMATS: "json", "xml" or "json,xml"; default [json]
	Timeout            time.Duration // CONFORMANCE_TIMEOUT: per-request timeout, default 10s
	Reports            string        // CONFORMANCE_REPORTS: report folder, default "reports"
	CABundle           string        // CONFORMANCE_CA_BUNDLE: PEM file of extra CAs to trust for https targets
	Insecure           bool          // CONFORMANCE_INSECURE: skip TLS verification; off by default
	File               string        // CONFORMANCE_CONFIG: the YAML file read, "" if none
}

// Defaults for the settings that have one.
const (
	DefaultTimeout = 10 * time.Second
	DefaultReports = "reports"
	DefaultFormat  = "json"
)

// Environment variable names, one per setting.
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
	EnvReports          = "CONFORMANCE_REPORTS"
	EnvCABundle         = "CONFORMANCE_CA_BUNDLE"
	EnvInsecure         = "CONFORMANCE_INSECURE"
	EnvConfig           = "CONFORMANCE_CONFIG"
)

// setting ties an environment variable to its YAML key and its field.
type setting struct {
	env    string
	key    string
	secret bool
	field  func(*Config) *string // nil for settings that are not plain strings
}

// settings lists every setting but CONFORMANCE_CONFIG, in the order of SPEC
// section 4; Lines echoes them in this order.
var settings = []setting{
	{env: EnvTarget, key: "target"},
	{env: EnvUsername, key: "username", field: func(c *Config) *string { return &c.Username }},
	{env: EnvPassword, key: "password", secret: true, field: func(c *Config) *string { return &c.Password }},
	{env: EnvReadOnlyUsername, key: "readonly_username", field: func(c *Config) *string { return &c.ReadOnlyUsername }},
	{env: EnvReadOnlyPassword, key: "readonly_password", secret: true, field: func(c *Config) *string { return &c.ReadOnlyPassword }},
	{env: EnvProject, key: "project", field: func(c *Config) *string { return &c.Project }},
	{env: EnvAutoProject, key: "auto_project", field: func(c *Config) *string { return &c.AutoProject }},
	{env: EnvCompletedProject, key: "completed_project", field: func(c *Config) *string { return &c.CompletedProject }},
	{env: EnvOperator, key: "operator", field: func(c *Config) *string { return &c.Operator }},
	{env: EnvFaultsURL, key: "faults_url"},
	{env: EnvFormats, key: "formats"},
	{env: EnvTimeout, key: "timeout"},
	{env: EnvReports, key: "reports", field: func(c *Config) *string { return &c.Reports }},
	{env: EnvCABundle, key: "ca_bundle"},
	{env: EnvInsecure, key: "insecure"},
}

func settingByEnv(env string) (setting, bool) {
	i := slices.IndexFunc(settings, func(s setting) bool { return s.env == env })
	if i < 0 {
		return setting{}, false
	}
	return settings[i], true
}

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
	var c Config
	var errs []error
	raw := map[string]value{}

	if path, ok := lookup(EnvConfig); ok && path != "" {
		c.File = path
		fromFile, err := readFile(path)
		if fromFile == nil {
			// Unreadable or unparseable: nothing else can be judged fairly.
			return Config{}, err
		}
		errs = append(errs, err) // unknown keys and the like; the rest still counts
		for env, v := range fromFile {
			raw[env] = v
		}
	}
	for _, s := range settings {
		if text, ok := lookup(s.env); ok {
			raw[s.env] = value{text: text, from: "from the environment"}
		}
	}

	for _, s := range settings {
		if v, ok := raw[s.env]; ok {
			errs = append(errs, c.set(s, v))
		}
	}
	c.applyDefaults()

	hint := func(key string) string {
		if c.File == "" {
			return fmt.Sprintf("set it in the environment, or as %q in a YAML file named by %s", key, EnvConfig)
		}
		return fmt.Sprintf("set it in the environment or as %q in %s", key, c.File)
	}
	errs = append(errs, c.checkTogether(c.Target != "", hint, raw)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Embedded reports whether no target is configured (the suite then starts the
// reference server in-process).
func (c Config) Embedded() bool { return c.Target == "" }

// WithSettings returns a copy with fields set from env-var-named settings (the
// embedded reference server gives such a map), then validated as a live
// target's config would be; used when Embedded. An empty value clears a
// setting, as an empty environment variable does.
func (c Config) WithSettings(given map[string]string) (Config, error) {
	c.Formats = slices.Clone(c.Formats)
	var errs []error
	raw := map[string]value{}
	for _, env := range slices.Sorted(maps.Keys(given)) {
		s, ok := settingByEnv(env)
		if !ok {
			errs = append(errs, fmt.Errorf("%s (given to WithSettings): unknown setting; expected one of %s", env, envNames()))
			continue
		}
		v := value{text: given[env], from: "given to WithSettings"}
		raw[env] = v
		errs = append(errs, c.set(s, v))
	}
	c.applyDefaults()
	hint := func(string) string { return "the settings given to WithSettings lack it" }
	errs = append(errs, c.checkTogether(true, hint, raw)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

func envNames() string {
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = s.env
	}
	return strings.Join(names, ", ")
}

// set parses one setting's raw value into c. An empty value leaves the
// setting unconfigured.
func (c *Config) set(s setting, v value) error {
	if s.env != EnvFormats && v.isList {
		return problem(s.env, v.from, "a list is not allowed here; expected a single value")
	}
	text := v.text
	switch s.env {
	case EnvTarget, EnvFaultsURL:
		u, err := parseBaseURL(text)
		if err != nil {
			return problem(s.env, v.from, "%s", err)
		}
		if s.env == EnvTarget {
			c.Target = u
		} else {
			c.FaultsURL = u
		}
	case EnvFormats:
		items := v.list
		if !v.isList {
			if strings.TrimSpace(text) == "" {
				c.Formats = nil
				return nil
			}
			items = strings.Split(text, ",")
		}
		formats, err := parseFormats(items)
		if err != nil {
			return problem(s.env, v.from, "%s; expected a non-empty list of json and xml without repeats, e.g. \"json,xml\"", err)
		}
		c.Formats = formats
	case EnvTimeout:
		text = strings.TrimSpace(text)
		if text == "" {
			c.Timeout = 0
			return nil
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			return problem(s.env, v.from, "%q is not a Go duration; expected one such as \"10s\" or \"1m30s\"", text)
		}
		if d <= 0 {
			return problem(s.env, v.from, "%q is not positive; expected a Go duration greater than zero, such as \"10s\"", text)
		}
		c.Timeout = d
	case EnvCABundle:
		if text != "" {
			if _, err := readCertificates(text); err != nil {
				return problem(s.env, v.from, "%s; expected a PEM file holding at least one CA certificate (relative paths are resolved against the working directory)", err)
			}
		}
		c.CABundle = text
	case EnvInsecure:
		text = strings.TrimSpace(text)
		if text == "" {
			c.Insecure = false
			return nil
		}
		b, err := strconv.ParseBool(text)
		if err != nil {
			return problem(s.env, v.from, "%q is not a boolean; expected true or false", text)
		}
		c.Insecure = b
	default:
		*s.field(c) = text
	}
	return nil
}

func (c *Config) applyDefaults() {
	if len(c.Formats) == 0 {
		c.Formats = []string{DefaultFormat}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Reports == "" {
		c.Reports = DefaultReports
	}
}

// checkTogether checks the rules that involve more than one setting. hint
// tells the user where a missing setting, by its YAML key, can be given.
func (c Config) checkTogether(live bool, hint func(key string) string, raw map[string]value) []error {
	var errs []error
	missing := func(env, needed, meaning string) {
		s, _ := settingByEnv(env)
		from := "not set"
		if v, ok := raw[env]; ok {
			from = "empty, " + v.from
		}
		errs = append(errs, problem(env, from, "required %s; expected %s: %s", needed, meaning, hint(s.key)))
	}
	if live {
		needed := fmt.Sprintf("for a live target (%s is %s)", EnvTarget, c.Target)
		if c.Target == "" {
			missing(EnvTarget, "for a live target", "the API base URL")
		}
		if c.Username == "" {
			missing(EnvUsername, needed, "the login of a user with full rights")
		}
		if c.Password == "" {
			missing(EnvPassword, needed, "that user's password")
		}
		if c.Project == "" {
			missing(EnvProject, needed, "a stopped manual-mode project the suite may add cases to")
		}
	}
	if c.ReadOnlyUsername != "" && c.ReadOnlyPassword == "" {
		missing(EnvReadOnlyPassword, "when "+EnvReadOnlyUsername+" is set", "the read-only user's password")
	}
	if c.ReadOnlyUsername == "" && c.ReadOnlyPassword != "" {
		missing(EnvReadOnlyUsername, "when "+EnvReadOnlyPassword+" is set", "the login of a user with read rights only")
	}
	return errs
}

// parseBaseURL checks an absolute http(s) URL with a host and no query,
// fragment or credentials, and trims trailing slashes. An empty text is
// allowed: the setting is then unconfigured.
func parseBaseURL(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil
	}
	const expected = "expected an absolute http or https URL with a host and no query or fragment, e.g. http://host:8080/fx/api/v1"
	u, err := url.Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL; %s", showURL(text), expected)
	}
	var wrong string
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		wrong = "has no http or https scheme"
	case u.Host == "" || u.Hostname() == "":
		wrong = "has no host"
	case u.User != nil:
		// Credentials in a URL would be echoed in the configuration and reports.
		wrong = fmt.Sprintf("carries credentials (give them in %s and %s)", EnvUsername, EnvPassword)
	case u.RawQuery != "" || u.ForceQuery:
		wrong = "has a query"
	case u.Fragment != "" || strings.Contains(text, "#"):
		wrong = "has a fragment"
	}
	if wrong != "" {
		return "", fmt.Errorf("%s %s; %s", showURL(text), wrong, expected)
	}
	return strings.TrimRight(text, "/"), nil
}

// showURL quotes a URL for a message without any password it may carry.
func showURL(text string) string {
	if u, err := url.Parse(text); err == nil {
		return strconv.Quote(u.Redacted())
	}
	if strings.Contains(text, "@") {
		return "the value (not shown: it may hold credentials)"
	}
	return strconv.Quote(text)
}

func parseFormats(items []string) ([]string, error) {
	if len(items) == 0 {
		return nil, errors.New("no format is given")
	}
	var formats []string
	for _, item := range items {
		f := strings.TrimSpace(item)
		switch {
		case f == "":
			return nil, errors.New("an entry is empty")
		case f != "json" && f != "xml":
			return nil, fmt.Errorf("%q is not a format", f)
		case slices.Contains(formats, f):
			return nil, fmt.Errorf("%q is given twice", f)
		}
		formats = append(formats, f)
	}
	return formats, nil
}

// readCertificates returns the certificates in a PEM file, or an error when
// it cannot be read or holds none.
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", path, cause(err))
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%q holds a certificate that does not parse: %v", path, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%q holds no PEM certificate", path)
	}
	return certs, nil
}

// TLSConfig returns the TLS client settings for the target: the system roots
// plus CONFORMANCE_CA_BUNDLE, and verification off when CONFORMANCE_INSECURE.
// It returns nil, nil when neither is set, so the defaults apply.
func (c Config) TLSConfig() (*tls.Config, error) {
	if c.CABundle == "" && !c.Insecure {
		return nil, nil
	}
	t := &tls.Config{InsecureSkipVerify: c.Insecure} // only when the user asks for it by name
	if c.CABundle != "" {
		certs, err := readCertificates(c.CABundle)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvCABundle, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
		t.RootCAs = pool
	}
	return t, nil
}

// Lines returns the configuration echoed at start, one "NAME=value" per
// setting, passwords shown as "<redacted>" (or "<unset>").
func (c Config) Lines() []string {
	lines := make([]string, 0, len(settings)+1)
	for _, s := range settings {
		v := c.text(s)
		switch {
		case v == "" && s.env == EnvTarget:
			v = "<unset: embedded reference server>"
		case v == "":
			v = "<unset>"
		case s.secret:
			v = "<redacted>"
		}
		lines = append(lines, s.env+"="+v)
	}
	file := c.File
	if file == "" {
		file = "<unset>"
	}
	return append(lines, EnvConfig+"="+file)
}

// text is a setting's value as it would be written in the environment.
func (c Config) text(s setting) string {
	switch s.env {
	case EnvTarget:
		return c.Target
	case EnvFaultsURL:
		return c.FaultsURL
	case EnvFormats:
		return strings.Join(c.Formats, ",")
	case EnvTimeout:
		return c.Timeout.String()
	case EnvCABundle:
		return c.CABundle
	case EnvInsecure:
		return strconv.FormatBool(c.Insecure)
	}
	return *s.field(&c)
}

// Secrets returns the non-empty passwords, for scrubbing output and reports,
// together with each user's Basic credential (base64 of "user:password"), which
// is how a password travels in a recorded Authorization header. Longest first,
// so that replacing them one after another never leaves part of a secret.
func (c Config) Secrets() []string {
	var secrets []string
	add := func(user, password string) {
		if password == "" {
			return
		}
		secrets = append(secrets, password, base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	}
	add(c.Username, c.Password)
	add(c.ReadOnlyUsername, c.ReadOnlyPassword)
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(secrets)
}

// Fixture is an optional capability of a target, given by a setting; the
// specs that need it are skipped, reported "not provoked", without it.
type Fixture int

// The optional fixtures of SPEC section 4.
const (
	ReadOnlyUser     Fixture = iota // CONFORMANCE_READONLY_USERNAME/_PASSWORD: the E403 specs
	AutoProject                     // CONFORMANCE_AUTO_PROJECT: E501
	CompletedProject                // CONFORMANCE_COMPLETED_PROJECT: E500-start-completed
	Operator                        // CONFORMANCE_OPERATOR: the operator specs
	Faults                          // CONFORMANCE_FAULTS_URL: E500-dialer-down, E503, E504
)

// Setting is the environment variable that provides the fixture.
func (f Fixture) Setting() string {
	switch f {
	case ReadOnlyUser:
		return EnvReadOnlyUsername
	case AutoProject:
		return EnvAutoProject
	case CompletedProject:
		return EnvCompletedProject
	case Operator:
		return EnvOperator
	case Faults:
		return EnvFaultsURL
	}
	return fmt.Sprintf("Fixture(%d)", int(f))
}

// Missing returns why a spec that needs fixture f cannot run, e.g.
// "not provoked: CONFORMANCE_AUTO_PROJECT is not set", or "" when f is
// configured. A spec says:
//
//	if why := cfg.Missing(config.AutoProject); why != "" {
//		Skip(why)
//	}
func (c Config) Missing(f Fixture) string {
	var set bool
	switch f {
	case ReadOnlyUser:
		set = c.ReadOnlyUsername != "" && c.ReadOnlyPassword != ""
	case AutoProject:
		set = c.AutoProject != ""
	case CompletedProject:
		set = c.CompletedProject != ""
	case Operator:
		set = c.Operator != ""
	case Faults:
		set = c.FaultsURL != ""
	}
	if set {
		return ""
	}
	return "not provoked: " + f.Setting() + " is not set"
}

// readFile reads the YAML configuration file. It returns nil settings and an
// error when the file cannot be read or parsed; otherwise the settings it
// gives (by environment variable name) and an error for each key it does not
// know or value of the wrong shape.
func readFile(path string) (map[string]value, error) {
	fail := func(format string, args ...any) (map[string]value, error) {
		return nil, fmt.Errorf("%s: config file %q %s; expected a YAML mapping of settings, e.g. \"target: http://host:8080/fx/api/v1\"",
			EnvConfig, path, fmt.Sprintf(format, args...))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: config file %q cannot be read: %v; expected a readable YAML file (or %s unset)", EnvConfig, path, cause(err), EnvConfig)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return map[string]value{}, nil // an empty file sets nothing
	} else if err != nil {
		return fail("is not valid YAML: %v", err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		return fail("holds more than one YAML document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return map[string]value{}, nil // a document of only comments
	}
	if root.Kind != yaml.MappingNode {
		return fail("holds a %s at the top", kindName(root))
	}

	found := map[string]value{}
	lines := map[string]int{}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, n := root.Content[i], root.Content[i+1]
		where := fmt.Sprintf("%s: config file %q line %d", EnvConfig, path, k.Line)
		if k.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Errorf("%s: a key is a %s; expected a setting name such as \"target\"", where, kindName(k)))
			continue
		}
		s, ok := settingByKey(k.Value)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown key %q; expected one of %s", where, k.Value, keyNames()))
			continue
		}
		if first, dup := lines[k.Value]; dup {
			errs = append(errs, fmt.Errorf("%s: key %q is given again (first on line %d); expected each setting once", where, k.Value, first))
			continue
		}
		lines[k.Value] = k.Line
		from := fmt.Sprintf("key %q in %s, line %d", s.key, path, k.Line)
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch {
		case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
			// "key:" with no value sets nothing.
		case n.Kind == yaml.ScalarNode:
			found[s.env] = value{text: n.Value, from: from}
		case n.Kind == yaml.SequenceNode && s.env == EnvFormats:
			v := value{isList: true, from: from, list: []string{}}
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
					errs = append(errs, problem(s.env, from, "an entry is a %s; expected a list of format names such as [json, xml]", kindName(item)))
					v.list = nil
					break
				}
				v.list = append(v.list, item.Value)
			}
			if v.list != nil {
				found[s.env] = v
			}
		default:
			errs = append(errs, problem(s.env, from, "the value is a %s; expected a single value", kindName(n)))
		}
	}
	return found, errors.Join(errs...)
}

func settingByKey(key string) (setting, bool) {
	i := slices.IndexFunc(settings, func(s setting) bool { return s.key == key })
	if i < 0 {
		return setting{}, false
	}
	return settings[i], true
}

func keyNames() string {
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = s.key
	}
	return strings.Join(names, ", ")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "single value"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// cause drops the path an *fs.PathError repeats, since messages quote it already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
