package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every field of Config is filled by exactly one row of the settings table,
// so that a setting cannot exist in one place and not the others.
func TestEveryFieldHasOneRow(t *testing.T) {
	var c Config
	v := reflect.ValueOf(&c).Elem()
	owners := map[uintptr][]string{}
	for _, s := range settings {
		if s.field == nil {
			t.Errorf("%s has no field", s.Env)
			continue
		}
		p := reflect.ValueOf(s.field(&c)).Field(0).Pointer()
		owners[p] = append(owners[p], s.Env)
	}
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		switch rows := owners[v.Field(i).Addr().Pointer()]; len(rows) {
		case 0:
			t.Errorf("Config.%s is filled by no row of the settings table", name)
		case 1:
		default:
			t.Errorf("Config.%s is filled by %d rows: %v", name, len(rows), rows)
		}
	}
	keys := map[string]bool{}
	for _, s := range settings {
		if s.Key != "" && keys[s.Key] {
			t.Errorf("YAML key %q is used twice", s.Key)
		}
		keys[s.Key] = true
		if s.Required && s.Default != "" {
			t.Errorf("%s is required and has a default", s.Env)
		}
	}
}

func TestDefaultsParse(t *testing.T) {
	var c Config
	if errs := c.apply(nil, ""); len(errs) > 0 {
		t.Fatalf("the table's defaults do not parse: %v", errs)
	}
	d := Defaults()
	if d.Timeout != DefaultTimeout || d.Deadline != DefaultDeadline || d.Reports != DefaultReports || strings.Join(d.Formats, ",") != DefaultFormats {
		t.Errorf("Defaults() = %+v; the constants say otherwise", d)
	}
}

// The README's settings table is the table's own rendering.
func TestREADMESettingsTableAgrees(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := MarkdownTable()
	header, _, _ := strings.Cut(want, "\n")
	readme := strings.ReplaceAll(string(b), "\r\n", "\n")
	i := strings.Index(readme, header+"\n")
	if i < 0 {
		t.Fatalf("README.md has no settings table (a line %q); it should hold:\n%s", header, want)
	}
	var got strings.Builder
	for _, line := range strings.SplitAfter(readme[i:], "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		got.WriteString(line)
	}
	if got.String() != want {
		t.Errorf("README.md's settings table disagrees with config's settings table; replace it with:\n%s\ngot:\n%s", want, got.String())
	}
}

// Relative paths are taken from the directory the command was run in
// (EnvWorkDir), whether given in the environment or in the file; the file's
// own path too.
func TestPathsAreTakenFromTheDirectoryTheCommandRanIn(t *testing.T) {
	dir := t.TempDir()
	ca := writeCA(t)
	if err := os.Rename(ca, filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conformance.yaml"), []byte("reports: from-file\nca_bundle: ca.pem\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(lookupIn(map[string]string{EnvWorkDir: dir, EnvConfig: "conformance.yaml"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.File != filepath.Join(dir, "conformance.yaml") || c.Reports != filepath.Join(dir, "from-file") || c.CABundle != filepath.Join(dir, "ca.pem") {
		t.Errorf("File %q, Reports %q, CABundle %q; want each in %s", c.File, c.Reports, c.CABundle, dir)
	}

	c, err = Load(lookupIn(map[string]string{EnvWorkDir: dir, EnvReports: "out", EnvCABundle: "ca.pem"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Reports != filepath.Join(dir, "out") || c.CABundle != filepath.Join(dir, "ca.pem") {
		t.Errorf("Reports %q, CABundle %q; want each in %s", c.Reports, c.CABundle, dir)
	}

	c, err = Load(lookupIn(map[string]string{EnvWorkDir: dir, EnvReports: "/abs/reports"}))
	if err != nil || c.Reports != "/abs/reports" {
		t.Errorf("an absolute path: Reports %q, %v; want it as given", c.Reports, err)
	}

	_, err = Load(lookupIn(map[string]string{EnvWorkDir: "relative/dir"}))
	if err == nil || !strings.Contains(err.Error(), EnvWorkDir) {
		t.Errorf("a relative %s: got %v, want an error naming it", EnvWorkDir, err)
	}
}
