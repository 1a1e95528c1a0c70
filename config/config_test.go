package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Distinctive passwords, so a leak is unmistakable.
const (
	fullPassword     = "pw-FULL-7f3a9c"
	readOnlyPassword = "pw-READONLY-2b8e1d"
)

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// live is a minimal valid environment for a live target.
func live() map[string]string {
	return map[string]string{
		EnvTarget:   "https://staging.example.com/fx/api/v1",
		EnvUsername: "suite",
		EnvPassword: fullPassword,
		EnvProject:  "proj-main",
	}
}

func with(env map[string]string, kv ...string) map[string]string {
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeCA writes a PEM file holding one self-signed CA certificate.
func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "conformance test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(lookupIn(nil))
	if err != nil {
		t.Fatalf("Load with nothing set: %v", err)
	}
	if !c.Embedded() || c.Target != "" {
		t.Errorf("Target = %q, Embedded = %v; want the embedded reference server", c.Target, c.Embedded())
	}
	if !slices.Equal(c.Formats, []string{"json", "xml"}) {
		t.Errorf("Formats = %q, want both, [json xml]", c.Formats)
	}
	if c.Timeout != 10*time.Second {
		t.Errorf("Timeout = %v, want 10s", c.Timeout)
	}
	if wd, _ := os.Getwd(); c.Reports != filepath.Join(wd, "reports") {
		t.Errorf("Reports = %q, want reports in the working directory %s", c.Reports, wd)
	}
	if c.Deadline != DefaultDeadline {
		t.Errorf("Deadline = %v, want %v", c.Deadline, DefaultDeadline)
	}
	if c.Insecure || c.CABundle != "" || c.File != "" {
		t.Errorf("Insecure = %v, CABundle = %q, File = %q; want all off", c.Insecure, c.CABundle, c.File)
	}
}

func TestExploreShrinkZeroIsNone(t *testing.T) {
	c, err := Load(lookupIn(map[string]string{EnvExploreShrink: "0"}))
	if err != nil {
		t.Fatalf("Load with %s=0: %v", EnvExploreShrink, err)
	}
	if c.ExploreShrink == nil || *c.ExploreShrink != 0 {
		t.Errorf("ExploreShrink = %v, want 0 (no shrinking), not unset", c.ExploreShrink)
	}
	if !slices.Contains(c.Lines(), EnvExploreShrink+"=0s") {
		t.Errorf("the configuration echoed does not show the shrinking as 0s: %q", c.Lines())
	}
	if c, _ := Load(lookupIn(map[string]string{EnvExploreShrink: "60s"})); !slices.Contains(c.Lines(), EnvExploreShrink+"=1m") {
		t.Errorf("the configuration echoed does not show 60s of shrinking as 1m: %q", c.Lines())
	}
	if c, _ := Load(lookupIn(nil)); c.ExploreShrink != nil {
		t.Errorf("ExploreShrink unset = %v, want nil (the default, from the search's time)", *c.ExploreShrink)
	}
}

func TestLoadLiveTarget(t *testing.T) {
	ca := writeCA(t)
	c, err := Load(lookupIn(with(live(),
		EnvTarget, " https://staging.example.com/fx/api/v1/ ",
		EnvReadOnlyUsername, "reader",
		EnvReadOnlyPassword, readOnlyPassword,
		EnvAutoProject, "proj-auto",
		EnvCompletedProject, "proj-done",
		EnvOperator, "op1",
		EnvFaultsURL, "http://staging.example.com:9000/faults/",
		EnvFormats, " xml , json ",
		EnvTimeout, "1m30s",
		EnvReports, "out/reports",
		EnvCABundle, ca,
		EnvInsecure, "false",
		EnvDeadline, "5m",
		EnvWorkDir, "/home/ci/checkout",
	)))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Target:   "https://staging.example.com/fx/api/v1",
		Username: "suite", Password: fullPassword,
		ReadOnlyUsername: "reader", ReadOnlyPassword: readOnlyPassword,
		Project: "proj-main", AutoProject: "proj-auto", CompletedProject: "proj-done", Operator: "op1",
		FaultsURL:       "http://staging.example.com:9000/faults",
		Formats:         []string{"xml", "json"},
		Timeout:         90 * time.Second,
		Deadline:        5 * time.Minute,
		LeaseWait:       DefaultLeaseWait,
		Retries:         DefaultRetries,
		Reports:         "/home/ci/checkout/out/reports",
		CABundle:        ca,
		ExploreRequests: 120, ExploreTime: time.Second,
	}
	if !equal(c, want) {
		t.Errorf("Load =\n%+v\nwant\n%+v", c, want)
	}
	if c.Embedded() {
		t.Error("Embedded() = true with a target")
	}
	tc, err := c.TLSConfig()
	if err != nil || tc == nil || tc.RootCAs == nil || tc.InsecureSkipVerify {
		t.Errorf("TLSConfig() = %+v, %v; want the bundle's roots and verification on", tc, err)
	}
}

func equal(a, b Config) bool {
	return reflect.DeepEqual(a, b)
}

func TestPrecedence(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		file  string // YAML; "" means no file
		env   map[string]string
		check func(Config) string
	}{
		{
			name: "file alone",
			file: "timeout: 5s\nreports: file-reports\ninsecure: true\n",
			check: func(c Config) string {
				if c.Timeout != 5*time.Second || c.Reports != filepath.Join(wd, "file-reports") || !c.Insecure {
					return "file values not applied"
				}
				return ""
			},
		},
		{
			name: "env wins over file",
			file: "timeout: 5s\nformats: xml\nauto_project: from-file\n",
			env:  map[string]string{EnvTimeout: "7s", EnvFormats: "json,xml", EnvAutoProject: "from-env"},
			check: func(c Config) string {
				if c.Timeout != 7*time.Second || !slices.Equal(c.Formats, []string{"json", "xml"}) || c.AutoProject != "from-env" {
					return "env values did not win"
				}
				return ""
			},
		},
		{
			name: "env set to empty wins over file and leaves the setting unset",
			file: "target: https://live.example.com/api\nusername: u\npassword: p\nproject: p1\noperator: op-file\n",
			env:  map[string]string{EnvTarget: "", EnvOperator: ""},
			check: func(c Config) string {
				if !c.Embedded() || c.Operator != "" {
					return "empty env vars did not clear the file's target and operator"
				}
				return ""
			},
		},
		{
			name: "env set to empty falls back to the default",
			file: "timeout: 5s\nformats: [xml]\n",
			env:  map[string]string{EnvTimeout: "", EnvFormats: ""},
			check: func(c Config) string {
				if c.Timeout != DefaultTimeout || !slices.Equal(c.Formats, []string{"json", "xml"}) {
					return "defaults not applied after empty env vars"
				}
				return ""
			},
		},
		{
			name: "file and env combine to complete a live target",
			file: "target: https://live.example.com/api/\nusername: suite\nproject: p1\n",
			env:  map[string]string{EnvPassword: fullPassword},
			check: func(c Config) string {
				if c.Target != "https://live.example.com/api" || c.Username != "suite" || c.Password != fullPassword {
					return "file and env not combined"
				}
				return ""
			},
		},
		{
			name:  "empty file sets nothing",
			file:  "",
			env:   map[string]string{},
			check: func(c Config) string { return "" },
		},
		{
			name:  "comment-only file sets nothing",
			file:  "# nothing configured yet\n",
			check: func(c Config) string { return "" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			path := writeFile(t, "conformance.yaml", tt.file)
			env[EnvConfig] = path
			c, err := Load(lookupIn(env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.File != path {
				t.Errorf("File = %q, want %q", c.File, path)
			}
			if msg := tt.check(c); msg != "" {
				t.Errorf("%s: got %+v", msg, c)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		env  string // CONFORMANCE_FORMATS, when file is ""
		file string // YAML
		want []string
	}{
		{name: "env json", env: "json", want: []string{"json"}},
		{name: "env xml", env: "xml", want: []string{"xml"}},
		{name: "env both", env: "json,xml", want: []string{"json", "xml"}},
		{name: "env whitespace", env: "  json ,\txml  ", want: []string{"json", "xml"}},
		{name: "yaml string", file: "formats: json,xml\n", want: []string{"json", "xml"}},
		{name: "yaml string with spaces", file: "formats: \"xml, json\"\n", want: []string{"xml", "json"}},
		{name: "yaml flow list", file: "formats: [json, xml]\n", want: []string{"json", "xml"}},
		{name: "yaml block list", file: "formats:\n  - xml\n", want: []string{"xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			if tt.file != "" {
				env[EnvConfig] = writeFile(t, "c.yaml", tt.file)
			} else {
				env[EnvFormats] = tt.env
			}
			c, err := Load(lookupIn(env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !slices.Equal(c.Formats, tt.want) {
				t.Errorf("Formats = %q, want %q", c.Formats, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	notPEM := "not a certificate\n"
	tests := []struct {
		name string
		env  map[string]string
		file *string  // YAML content; nil means no file
		want []string // each must appear in the error; {file} stands for the file's path
	}{
		// URLs.
		{name: "target not http", env: with(live(), EnvTarget, "ftp://host/api"),
			want: []string{EnvTarget, `"ftp://host/api"`, "no http or https scheme", "expected an absolute http or https URL"}},
		{name: "target relative", env: with(live(), EnvTarget, "/fx/api/v1"),
			want: []string{EnvTarget, "no http or https scheme"}},
		{name: "target without host", env: with(live(), EnvTarget, "http:///fx/api"),
			want: []string{EnvTarget, "has no host"}},
		{name: "target with query", env: with(live(), EnvTarget, "http://host/api?x=1"),
			want: []string{EnvTarget, "has a query"}},
		{name: "target with fragment", env: with(live(), EnvTarget, "http://host/api#top"),
			want: []string{EnvTarget, "has a fragment"}},
		{name: "target with credentials", env: with(live(), EnvTarget, "http://u:"+fullPassword+"@host/api"),
			want: []string{EnvTarget, "carries credentials", EnvUsername}},
		{name: "target not a URL", env: with(live(), EnvTarget, "http://host:port/api"),
			want: []string{EnvTarget, "is not a URL"}},
		{name: "faults URL not http", env: with(live(), EnvFaultsURL, "localhost:9000"),
			want: []string{EnvFaultsURL, "expected an absolute http or https URL"}},
		{name: "faults URL with query", env: with(live(), EnvFaultsURL, "http://host/faults?a"),
			want: []string{EnvFaultsURL, "has a query"}},

		// Formats.
		{name: "formats unknown", env: with(live(), EnvFormats, "json,yaml"),
			want: []string{EnvFormats, `"yaml" is not a format`, "expected a non-empty list of json and xml"}},
		{name: "formats duplicate", env: with(live(), EnvFormats, "json, json"),
			want: []string{EnvFormats, `"json" is given twice`}},
		{name: "formats empty entry", env: with(live(), EnvFormats, "json,,xml"),
			want: []string{EnvFormats, "an entry is empty"}},
		{name: "formats wrong case", env: with(live(), EnvFormats, "JSON"),
			want: []string{EnvFormats, `"JSON" is not a format`}},

		// Timeout.
		{name: "timeout not a duration", env: with(live(), EnvTimeout, "10"),
			want: []string{EnvTimeout, `"10" is not a Go duration`, `expected one such as "10s"`}},
		{name: "timeout zero", env: with(live(), EnvTimeout, "0s"),
			want: []string{EnvTimeout, `"0s" is not positive`, "greater than zero"}},
		{name: "timeout negative", env: with(live(), EnvTimeout, "-5s"),
			want: []string{EnvTimeout, "is not positive"}},

		// Exploration's shrinking: zero is a value (none), not a missing one.
		{name: "explore shrink not a duration", env: with(live(), EnvExploreShrink, "5"),
			want: []string{EnvExploreShrink, `"5" is not a Go duration`, `"0" for none`}},
		{name: "explore shrink negative", env: with(live(), EnvExploreShrink, "-1s"),
			want: []string{EnvExploreShrink, "is negative"}},

		// Retries.
		{name: "retries not a number", env: with(live(), EnvRetries, "two"),
			want: []string{EnvRetries, `"two" is not a whole number from 0 to 10`, `expected one such as "2"`}},
		{name: "retries negative", env: with(live(), EnvRetries, "-1"),
			want: []string{EnvRetries, "is not a whole number"}},
		{name: "retries too many", env: with(live(), EnvRetries, "11"),
			want: []string{EnvRetries, "from 0 to 10"}},

		// Required for a live target.
		{name: "live target missing user, password and project",
			env:  map[string]string{EnvTarget: "http://host/api"},
			want: []string{EnvUsername + " (not set): required for a live target", EnvPassword + " (not set)", EnvProject + " (not set)", `as "username"`}},
		{name: "live target with empty password",
			env:  with(live(), EnvPassword, ""),
			want: []string{EnvPassword + " (empty, from the environment): required"}},
		{name: "read-only user without password",
			env:  with(live(), EnvReadOnlyUsername, "reader"),
			want: []string{EnvReadOnlyPassword, "required when " + EnvReadOnlyUsername + " is set"}},
		{name: "read-only password without user",
			env:  with(live(), EnvReadOnlyPassword, readOnlyPassword),
			want: []string{EnvReadOnlyUsername, "required when " + EnvReadOnlyPassword + " is set"}},

		// TLS.
		{name: "CA bundle missing", env: with(live(), EnvCABundle, "/nonexistent/ca.pem"),
			want: []string{EnvCABundle, `cannot read "/nonexistent/ca.pem"`, "expected a PEM file"}},
		{name: "CA bundle without certificates", env: with(live(), EnvCABundle, "{notpem}"),
			want: []string{EnvCABundle, "holds no PEM certificate"}},
		{name: "insecure not a bool", env: with(live(), EnvInsecure, "sure"),
			want: []string{EnvInsecure, `"sure" is not a boolean`, "expected true or false"}},

		// The file itself.
		{name: "file unreadable", env: map[string]string{EnvConfig: "/nonexistent/conformance.yaml"},
			want: []string{EnvConfig, `"/nonexistent/conformance.yaml" cannot be read`}},
		{name: "file not YAML", file: ptr("target: [unclosed\n"),
			want: []string{EnvConfig, `"{file}" is not valid YAML`}},
		{name: "file not a mapping", file: ptr("- target\n- username\n"),
			want: []string{EnvConfig, `"{file}" holds a list at the top`, "expected a YAML mapping"}},
		{name: "file with two documents", file: ptr("timeout: 5s\n---\ntimeout: 6s\n"),
			want: []string{EnvConfig, "more than one YAML document"}},
		{name: "file unknown key", file: ptr("timeout: 5s\ncolour: blue\n"),
			want: []string{EnvConfig, `"{file}" line 2: unknown key "colour"`, "expected one of target, username"}},
		{name: "file env-style key", file: ptr("CONFORMANCE_TARGET: http://host/api\n"),
			want: []string{`unknown key "CONFORMANCE_TARGET"`}},
		{name: "file duplicate key", file: ptr("timeout: 5s\ntimeout: 6s\n"),
			want: []string{`line 2: key "timeout" is given again (first on line 1)`}},
		{name: "file list where one value is expected", file: ptr("project: [a, b]\n"),
			want: []string{EnvProject, `key "project" in {file}, line 1`, "expected a single value"}},
		{name: "file mapping where one value is expected", file: ptr("timeout:\n  seconds: 5\n"),
			want: []string{EnvTimeout, "the value is a mapping"}},
		{name: "file formats list with a nested list", file: ptr("formats: [[json]]\n"),
			want: []string{EnvFormats, "an entry is a list"}},
		{name: "file formats empty list", file: ptr("formats: []\n"),
			want: []string{EnvFormats, "no format is given"}},
		{name: "file bad timeout names key, file and line", file: ptr("reports: r\ntimeout: soon\n"),
			want: []string{EnvTimeout + ` (key "timeout" in {file}, line 2): "soon" is not a Go duration`}},
		{name: "file bad target names key and file", file: ptr("target: ftp://host\n"),
			want: []string{EnvTarget + ` (key "target" in {file}, line 1)`, "no http or https scheme"}},
		{name: "file bad insecure", file: ptr("insecure: yes please\n"),
			want: []string{EnvInsecure + ` (key "insecure" in {file}, line 1)`, "not a boolean"}},
		{name: "file live target missing settings names the file", file: ptr("target: http://host/api\n"),
			want: []string{EnvUsername + " (not set)", `as "username" in {file}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "{notpem}", "")
			}
			if v, ok := tt.env[EnvCABundle]; ok && v == "{notpem}" {
				env[EnvCABundle] = writeFile(t, "notpem.pem", notPEM)
			}
			path := ""
			if tt.file != nil {
				path = writeFile(t, "conformance.yaml", *tt.file)
				env[EnvConfig] = path
			}
			c, err := Load(lookupIn(env))
			if err == nil {
				t.Fatalf("Load succeeded with %+v; want an error", c)
			}
			msg := err.Error()
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "{file}", path)
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%s", w, msg)
				}
			}
			for _, secret := range []string{fullPassword, readOnlyPassword} {
				if strings.Contains(msg, secret) {
					t.Errorf("error leaks a password:\n%s", msg)
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	path := writeFile(t, "c.yaml", "timeout: never\nshade: dark\n")
	_, err := Load(lookupIn(map[string]string{
		EnvConfig:   path,
		EnvTarget:   "ftp://host",
		EnvFormats:  "csv",
		EnvInsecure: "maybe",
	}))
	if err == nil {
		t.Fatal("Load succeeded; want an error")
	}
	for _, want := range []string{EnvTarget, EnvFormats, EnvInsecure, EnvTimeout, `unknown key "shade"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestLines(t *testing.T) {
	full, err := Load(lookupIn(with(live(),
		EnvReadOnlyUsername, "reader",
		EnvReadOnlyPassword, readOnlyPassword,
		EnvFormats, "json,xml",
		EnvWorkDir, "/home/ci",
	)))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := Load(lookupIn(map[string]string{EnvWorkDir: "/home/ci"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{name: "live target", c: full, want: []string{
			"CONFORMANCE_TARGET=https://staging.example.com/fx/api/v1",
			"CONFORMANCE_USERNAME=suite",
			"CONFORMANCE_PASSWORD=<redacted>",
			"CONFORMANCE_READONLY_USERNAME=reader",
			"CONFORMANCE_READONLY_PASSWORD=<redacted>",
			"CONFORMANCE_PROJECT=proj-main",
			"CONFORMANCE_AUTO_PROJECT=<unset>",
			"CONFORMANCE_COMPLETED_PROJECT=<unset>",
			"CONFORMANCE_OPERATOR=<unset>",
			"CONFORMANCE_FAULTS_URL=<unset>",
			"CONFORMANCE_FORMATS=json,xml",
			"CONFORMANCE_TIMEOUT=10s",
			"CONFORMANCE_DEADLINE=15m",
			"CONFORMANCE_LEASE_WAIT=2m",
			"CONFORMANCE_RETRIES=2",
			"CONFORMANCE_REPORTS=/home/ci/reports",
			"CONFORMANCE_CA_BUNDLE=<unset>",
			"CONFORMANCE_INSECURE=false",
			"CONFORMANCE_EXPLORE_SEED=<unset>",
			"CONFORMANCE_EXPLORE_REQUESTS=120",
			"CONFORMANCE_EXPLORE_TIME=1s",
			"CONFORMANCE_EXPLORE_SHRINK=<unset>",
			"CONFORMANCE_CONFIG=<unset>",
		}},
		{name: "embedded", c: embedded, want: []string{
			"CONFORMANCE_TARGET=<unset: embedded reference server>",
			"CONFORMANCE_USERNAME=<unset>",
			"CONFORMANCE_PASSWORD=<unset>",
			"CONFORMANCE_READONLY_USERNAME=<unset>",
			"CONFORMANCE_READONLY_PASSWORD=<unset>",
			"CONFORMANCE_PROJECT=<unset>",
			"CONFORMANCE_AUTO_PROJECT=<unset>",
			"CONFORMANCE_COMPLETED_PROJECT=<unset>",
			"CONFORMANCE_OPERATOR=<unset>",
			"CONFORMANCE_FAULTS_URL=<unset>",
			"CONFORMANCE_FORMATS=json,xml",
			"CONFORMANCE_TIMEOUT=10s",
			"CONFORMANCE_DEADLINE=15m",
			"CONFORMANCE_LEASE_WAIT=2m",
			"CONFORMANCE_RETRIES=2",
			"CONFORMANCE_REPORTS=/home/ci/reports",
			"CONFORMANCE_CA_BUNDLE=<unset>",
			"CONFORMANCE_INSECURE=false",
			"CONFORMANCE_EXPLORE_SEED=<unset>",
			"CONFORMANCE_EXPLORE_REQUESTS=120",
			"CONFORMANCE_EXPLORE_TIME=1s",
			"CONFORMANCE_EXPLORE_SHRINK=<unset>",
			"CONFORMANCE_CONFIG=<unset>",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.Lines()
			if !slices.Equal(got, tt.want) {
				t.Errorf("Lines() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			all := strings.Join(got, "\n")
			for _, secret := range tt.c.Secrets() {
				if strings.Contains(all, secret) {
					t.Errorf("Lines() leaks a secret:\n%s", all)
				}
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	basic := func(user, password string) string {
		return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	}
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{name: "none", c: Config{Username: "suite"}, want: nil},
		{name: "full user", c: Config{Username: "suite", Password: fullPassword},
			want: []string{basic("suite", fullPassword), fullPassword}},
		{name: "both users", c: Config{Username: "suite", Password: fullPassword, ReadOnlyUsername: "reader", ReadOnlyPassword: readOnlyPassword},
			want: []string{basic("reader", readOnlyPassword), basic("suite", fullPassword), readOnlyPassword, fullPassword}},
		{name: "shared password listed once", c: Config{Username: "a", Password: "same", ReadOnlyUsername: "b", ReadOnlyPassword: "same"},
			want: []string{basic("a", "same"), basic("b", "same"), "same"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.Secrets()
			if !slices.Equal(got, tt.want) {
				t.Errorf("Secrets() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	all := Config{
		ReadOnlyUsername: "reader", ReadOnlyPassword: readOnlyPassword,
		AutoProject: "a", CompletedProject: "c", Operator: "o", FaultsURL: "http://h/f",
	}
	tests := []struct {
		fixture Fixture
		want    string
	}{
		{ReadOnlyUser, "not provoked: CONFORMANCE_READONLY_USERNAME is not set"},
		{AutoProject, "not provoked: CONFORMANCE_AUTO_PROJECT is not set"},
		{CompletedProject, "not provoked: CONFORMANCE_COMPLETED_PROJECT is not set"},
		{Operator, "not provoked: CONFORMANCE_OPERATOR is not set"},
		{Faults, "not provoked: CONFORMANCE_FAULTS_URL is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture.Setting(), func(t *testing.T) {
			if got := (Config{}).Missing(tt.fixture); got != tt.want {
				t.Errorf("Missing on an empty config = %q, want %q", got, tt.want)
			}
			if got := all.Missing(tt.fixture); got != "" {
				t.Errorf("Missing with every fixture = %q, want \"\"", got)
			}
		})
	}
}

func TestWithSettings(t *testing.T) {
	reference := map[string]string{
		EnvTarget:           "http://127.0.0.1:43211/fx/api/v1/",
		EnvUsername:         "admin",
		EnvPassword:         fullPassword,
		EnvReadOnlyUsername: "viewer",
		EnvReadOnlyPassword: readOnlyPassword,
		EnvProject:          "proj-main",
		EnvAutoProject:      "proj-auto",
		EnvCompletedProject: "proj-done",
		EnvOperator:         "op-free",
		EnvFaultsURL:        "http://127.0.0.1:43211/faults",
	}
	embedded, err := Load(lookupIn(map[string]string{EnvFormats: "json,xml", EnvTimeout: "3s"}))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("fills an embedded config", func(t *testing.T) {
		c, err := embedded.WithSettings(reference)
		if err != nil {
			t.Fatalf("WithSettings: %v", err)
		}
		if c.Embedded() || c.Target != "http://127.0.0.1:43211/fx/api/v1" {
			t.Errorf("Target = %q; want the reference server's URL, slash trimmed", c.Target)
		}
		if c.Password != fullPassword || c.ReadOnlyUsername != "viewer" || c.Operator != "op-free" || c.FaultsURL == "" {
			t.Errorf("settings not applied: %+v", c)
		}
		if !slices.Equal(c.Formats, []string{"json", "xml"}) || c.Timeout != 3*time.Second {
			t.Errorf("user's own settings lost: Formats %q, Timeout %v", c.Formats, c.Timeout)
		}
		for _, f := range []Fixture{ReadOnlyUser, AutoProject, CompletedProject, Operator, Faults} {
			if why := c.Missing(f); why != "" {
				t.Errorf("Missing(%s) = %q after the reference's settings", f.Setting(), why)
			}
		}
		if !embedded.Embedded() || embedded.Password != "" {
			t.Errorf("WithSettings changed its receiver: %+v", embedded)
		}
	})

	errorCases := []struct {
		name string
		drop []string
		set  map[string]string
		want []string
	}{
		{name: "missing password and project", drop: []string{EnvPassword, EnvProject},
			want: []string{EnvPassword + " (not set): required for a live target", EnvProject, "WithSettings lack it"}},
		{name: "missing target", drop: []string{EnvTarget},
			want: []string{EnvTarget + " (not set): required for a live target"}},
		{name: "bad URL", set: map[string]string{EnvFaultsURL: "127.0.0.1:1/faults"},
			want: []string{EnvFaultsURL + " (given to WithSettings)", "expected an absolute http or https URL"}},
		{name: "unknown setting", set: map[string]string{"CONFORMANCE_COLOUR": "blue", EnvConfig: "x.yaml"},
			want: []string{"CONFORMANCE_COLOUR (given to WithSettings): unknown setting", EnvConfig + " (given to WithSettings): unknown setting"}},
		{name: "bad timeout", set: map[string]string{EnvTimeout: "fast"},
			want: []string{EnvTimeout + " (given to WithSettings)", "not a Go duration"}},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			given := map[string]string{}
			for k, v := range reference {
				given[k] = v
			}
			for _, k := range tt.drop {
				delete(given, k)
			}
			for k, v := range tt.set {
				given[k] = v
			}
			_, err := embedded.WithSettings(given)
			if err == nil {
				t.Fatal("WithSettings succeeded; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), fullPassword) || strings.Contains(err.Error(), readOnlyPassword) {
				t.Errorf("error leaks a password:\n%v", err)
			}
		})
	}
}

func TestTLSConfig(t *testing.T) {
	tests := []struct {
		name         string
		c            Config
		wantNil      bool
		wantInsecure bool
		wantRoots    bool
	}{
		{name: "defaults", c: Config{}, wantNil: true},
		{name: "insecure", c: Config{Insecure: true}, wantInsecure: true},
		{name: "CA bundle", c: Config{CABundle: writeCA(t)}, wantRoots: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.TLSConfig()
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != tt.wantNil {
				t.Fatalf("TLSConfig() = %+v, want nil: %v", got, tt.wantNil)
			}
			if got == nil {
				return
			}
			if got.InsecureSkipVerify != tt.wantInsecure || (got.RootCAs != nil) != tt.wantRoots {
				t.Errorf("InsecureSkipVerify = %v, RootCAs set = %v; want %v, %v", got.InsecureSkipVerify, got.RootCAs != nil, tt.wantInsecure, tt.wantRoots)
			}
		})
	}
}
