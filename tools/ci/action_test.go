package main

// action.yml, the GitHub Action: its inputs are the settings table's
// (config/settings.go) plus its own three, and its shell step, run here as
// the runner would run it against a local folder standing in for the
// release, fetches the binary for the runner, checks it against SHA256SUMS,
// runs the suite with the inputs given, and leaves the reports, the step
// summary and its outputs.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/callcases/conformance/config"
	"go.yaml.in/yaml/v3"
)

// The action's own inputs, beside one per setting.
var actionInputs = []string{"version", "release-url", "args"}

type actionInput struct {
	Description string  `yaml:"description"`
	Required    bool    `yaml:"required"`
	Default     *string `yaml:"default"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
}

type actionFile struct {
	Name        string                 `yaml:"name"`
	Description string                 `yaml:"description"`
	Author      string                 `yaml:"author"`
	Branding    map[string]string      `yaml:"branding"`
	Inputs      map[string]actionInput `yaml:"inputs"`
	Outputs     map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true) // a misspelt key is an error here, not a silently ignored setting there
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// inputName is a setting's input: CONFORMANCE_READONLY_USERNAME is readonly-username.
func inputName(s config.Setting) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(s.Env, "CONFORMANCE_")), "_", "-")
}

// settingVariable is the step's variable for a setting's input; the step
// exports it as the setting when it is not empty.
func settingVariable(s config.Setting) string {
	return "SETTING_" + strings.TrimPrefix(s.Env, "CONFORMANCE_")
}

func inputDescription(s config.Setting) string {
	d := s.Meaning
	switch {
	case s.Default != "":
		d += "; default `" + s.Default + "`"
	case s.Required:
		d += "; required with a target"
	case s.Without != "":
		d += "; without it: " + s.Without
	}
	if s.Secret {
		d += ". Pass it from a secret"
	}
	return d + " (" + s.Env + ")"
}

// The inputs are the settings table's, each passed to the step as its
// setting, with no default of the action's own (an empty input leaves the
// setting to CONFORMANCE_CONFIG's file, the job's environment, or the
// suite's default).
func TestActionInputsAreTheSettings(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) != 1 {
		t.Fatalf("action.yml runs %q with %d steps; want one composite step", a.Runs.Using, len(a.Runs.Steps))
	}
	step := a.Runs.Steps[0]
	var want strings.Builder // what action.yml should say, for the failure message
	ok := true
	for _, s := range config.Settings() {
		name := inputName(s)
		fmt.Fprintf(&want, "  %s:\n    description: %s\n", name, yamlString(inputDescription(s)))
		in, found := a.Inputs[name]
		switch {
		case !found:
			t.Errorf("action.yml has no input %s for %s", name, s.Env)
			ok = false
		case in.Description != inputDescription(s) || in.Required || in.Default != nil:
			t.Errorf("input %s: description %q, required %v, default %v; want the settings table's description, not required, no default",
				name, in.Description, in.Required, in.Default)
			ok = false
		}
		if got, exp := step.Env[settingVariable(s)], "${{ inputs."+name+" }}"; got != exp {
			t.Errorf("the step's env %s is %q, want %q", settingVariable(s), got, exp)
		}
	}
	for name := range a.Inputs {
		if !slices.Contains(actionInputs, name) && !slices.ContainsFunc(config.Settings(), func(s config.Setting) bool { return inputName(s) == name }) {
			t.Errorf("input %s is neither a setting nor one of the action's own %v", name, actionInputs)
			ok = false
		}
	}
	for v := range step.Env {
		if rest, found := strings.CutPrefix(v, "SETTING_"); found &&
			!slices.ContainsFunc(config.Settings(), func(s config.Setting) bool { return s.Env == "CONFORMANCE_"+rest }) {
			t.Errorf("the step's env %s names no setting", v)
		}
	}
	if !ok {
		t.Logf("the settings' inputs should read:\n%s", want.String())
	}
}

func yamlString(s string) string {
	b, _ := yaml.Marshal(s)
	return strings.TrimSpace(string(b))
}

// The step's script takes every value from its environment: an expression
// in the script itself would be pasted into it before bash reads it (a
// target URL with a quote in it would become code). Its environment's
// expressions are the inputs only, which this test can stand in for.
func TestActionStepTakesInputsThroughItsEnvironment(t *testing.T) {
	a := readAction(t)
	step := a.Runs.Steps[0]
	if step.Shell != "bash" || step.ID == "" || step.Run == "" {
		t.Fatalf("the step: shell %q, id %q; want a bash step with an id and a script", step.Shell, step.ID)
	}
	if strings.Contains(step.Run, "${{") {
		t.Errorf("the script holds an expression; pass it through the step's env instead")
	}
	for k, v := range step.Env {
		if strings.Contains(v, "${{") && !inputExpr.MatchString(v) {
			t.Errorf("env %s: %q; want a plain ${{ inputs.NAME }}", k, v)
		}
		if m := inputExpr.FindStringSubmatch(v); m != nil {
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("env %s names the input %s, which action.yml does not declare", k, m[1])
			}
		}
	}
	for name, o := range a.Outputs {
		if o.Value != "${{ steps."+step.ID+".outputs."+name+" }}" || !strings.Contains(step.Run, name+"=") {
			t.Errorf("output %s: value %q; the step should write it to GITHUB_OUTPUT", name, o.Value)
		}
	}
}

var inputExpr = regexp.MustCompile(`^\$\{\{ inputs\.([a-z0-9-]+) \}\}$`)

// runner stands in for GitHub's runner: a workspace, the runner's
// variables, and the step's script run as a composite bash step is
// (bash --noprofile --norc -eo pipefail FILE) with its env's inputs replaced.
type runner struct {
	workspace, temp, output, summary string
}

func newRunner(t *testing.T) runner {
	t.Helper()
	d := t.TempDir()
	r := runner{workspace: filepath.Join(d, "workspace"), temp: filepath.Join(d, "runner-temp"),
		output: filepath.Join(d, "output"), summary: filepath.Join(d, "step-summary")}
	for _, dir := range []string{r.workspace, r.temp} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

type stepResult struct {
	code    int
	out     string
	outputs map[string]string
	summary string
}

func (r runner) run(t *testing.T, a actionFile, inputs map[string]string, jobEnv ...string) stepResult {
	t.Helper()
	step := a.Runs.Steps[0]
	script := filepath.Join(r.temp, "step.sh")
	if err := os.WriteFile(script, []byte(step.Run), 0o644); err != nil {
		t.Fatal(err)
	}
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	osName := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	env := append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "CONFORMANCE_") || strings.HasPrefix(kv, "GITHUB_") || strings.HasPrefix(kv, "RUNNER_")
	}), "RUNNER_OS="+osName, "RUNNER_ARCH="+arch, "RUNNER_TEMP="+r.temp,
		"GITHUB_OUTPUT="+r.output, "GITHUB_STEP_SUMMARY="+r.summary, "GITHUB_WORKSPACE="+r.workspace)
	env = append(env, jobEnv...)
	for k, v := range step.Env {
		if m := inputExpr.FindStringSubmatch(v); m != nil {
			v = inputs[m[1]]
			if in := a.Inputs[m[1]]; v == "" && in.Default != nil {
				v = *in.Default
			}
		}
		env = append(env, k+"="+v)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir, cmd.Env = r.workspace, env
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	res := stepResult{code: cmd.ProcessState.ExitCode(), out: string(out), outputs: map[string]string{}}
	if b, err := os.ReadFile(r.output); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				res.outputs[k] = v
			}
		}
	}
	if b, err := os.ReadFile(r.summary); err == nil {
		res.summary = string(b)
	}
	return res
}

// serveRelease serves dir as RELEASE-URL/VERSION/ on loopback.
func serveRelease(t *testing.T, version, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.StripPrefix("/"+version, http.FileServer(http.Dir(dir))))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestActionRunsTheReleaseForTheRunner(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl, which the action's step uses (GitHub's runners have it)")
	}
	rel := builtRelease(t)
	a := readAction(t)
	url := serveRelease(t, rel.version, rel.dir)

	t.Run("a run with settings from the inputs and from the job", func(t *testing.T) {
		r := newRunner(t)
		// formats from the job's environment: the empty input must not clear it.
		res := r.run(t, a, map[string]string{"version": rel.version, "release-url": url, "args": "-procs 2", "timeout": "20s"},
			"CONFORMANCE_FORMATS=json")
		if res.code != 0 {
			t.Fatalf("the step failed (exit %d):\n%s", res.code, res.out)
		}
		reports := filepath.Join(r.workspace, "reports")
		if res.outputs["verdict"] != "PASS" || res.outputs["reports"] != reports {
			t.Errorf("outputs %v; want verdict PASS and reports %s", res.outputs, reports)
		}
		result, err := os.ReadFile(filepath.Join(reports, "result.json"))
		if err != nil {
			t.Fatalf("no reports left for upload-artifact: %v", err)
		}
		var rows struct {
			Results []struct{ Format, Outcome string }
		}
		if err := json.Unmarshal(result, &rows); err != nil || len(rows.Results) == 0 {
			t.Fatalf("result.json: %v", err)
		}
		for _, row := range rows.Results {
			if row.Format == "xml" && row.Outcome != "not selected" {
				t.Fatalf("an xml condition %s: the job's CONFORMANCE_FORMATS=json did not reach the run (an empty input cleared it?)", row.Outcome)
			}
		}
		if !strings.Contains(res.summary, "Conformance summary: PASS") || !strings.Contains(res.summary, "CONFORMANCE_TIMEOUT") ||
			!strings.Contains(res.summary, "20s") {
			t.Errorf("the step summary does not show the passing run and the timeout input:\n%s", res.summary)
		}
	})

	t.Run("a binary that is not the release's is not run", func(t *testing.T) {
		tampered := t.TempDir()
		for name := range rel.sums {
			b, err := os.ReadFile(filepath.Join(rel.dir, name))
			if err != nil {
				continue // a platform this test did not build
			}
			if err := os.WriteFile(filepath.Join(tampered, name), append(b, 0), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		sums, _ := os.ReadFile(filepath.Join(rel.dir, "SHA256SUMS"))
		if err := os.WriteFile(filepath.Join(tampered, "SHA256SUMS"), sums, 0o644); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t)
		res := r.run(t, a, map[string]string{"version": rel.version, "release-url": serveRelease(t, rel.version, tampered)})
		if res.code == 0 || !strings.Contains(res.out, "SHA256SUMS says") {
			t.Errorf("the step ran a binary SHA256SUMS does not vouch for (exit %d):\n%s", res.code, res.out)
		}
		if _, err := os.Stat(filepath.Join(r.workspace, "reports")); err == nil {
			t.Errorf("the tampered binary ran: it wrote reports")
		}
		if !strings.Contains(res.summary, "SHA256SUMS says") {
			t.Errorf("the step summary does not say why nothing ran:\n%s", res.summary)
		}
	})

	for _, tc := range []struct {
		name   string
		inputs map[string]string
		says   string
	}{
		{"no version", map[string]string{"release-url": url}, "the version input is required"},
		{"a version that was not released", map[string]string{"version": "v0.0.0-none", "release-url": url}, "could not fetch"},
		{"a bad setting", map[string]string{"version": rel.version, "release-url": url, "timeout": "soon"}, "CONFORMANCE_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := newRunner(t).run(t, a, tc.inputs)
			if res.code == 0 || !strings.Contains(res.out, tc.says) {
				t.Errorf("exit %d; want a failure saying %q:\n%s", res.code, tc.says, res.out)
			}
		})
	}
}

// A runner the suite has no release for is told so, before anything is fetched.
func TestActionNamesARunnerWithoutARelease(t *testing.T) {
	res := newRunner(t).run(t, readAction(t), map[string]string{"version": "v1.0.0", "release-url": "http://127.0.0.1:9/unused"},
		"RUNNER_OS=macOS", "RUNNER_ARCH=X64") // the job's variables come last, and win
	if res.code == 0 || !strings.Contains(res.out, "no release for a macOS X64 runner") {
		t.Errorf("exit %d; want the runner named:\n%s", res.code, res.out)
	}
}
