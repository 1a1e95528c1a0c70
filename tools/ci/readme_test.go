package main

// The CI examples (GitHub Actions and GitLab CI in the README, a Kubernetes
// Job in docs/ci.md): each is valid YAML, and what it names exists: the
// action and its inputs, the image's name, working folder and user, and the
// settings.

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callcases/conformance/config"
	"go.yaml.in/yaml/v3"
)

// ciExamples are the yaml blocks of the CI examples, by their first line
// (# GitHub Actions, # GitLab CI, # Kubernetes): the README's "In CI"
// section holds the first two, docs/ci.md the Kubernetes Job.
func ciExamples(t *testing.T) map[string]string {
	t.Helper()
	blocks := map[string]string{}
	for _, page := range []struct {
		file, section string // section: a heading line; "" for the whole page
		want          []string
	}{
		{"README.md", "## In CI", []string{"GitHub Actions", "GitLab CI"}},
		{filepath.Join("docs", "ci.md"), "", []string{"Kubernetes"}},
	} {
		b, err := os.ReadFile(filepath.Join(repo, page.file))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		if page.section != "" {
			_, section, ok := strings.Cut(text, "\n"+page.section+"\n")
			if !ok {
				t.Fatalf("%s has no section %s", page.file, page.section)
			}
			if end := regexp.MustCompile(`\n#{2,3} `).FindStringIndex(section); end != nil {
				section = section[:end[0]]
			}
			text = section
		}
		found := map[string]string{}
		for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(text, -1) {
			first, _, _ := strings.Cut(m[1], "\n")
			found[strings.TrimSpace(strings.TrimPrefix(first, "#"))] = m[1]
		}
		for _, want := range page.want {
			if _, ok := found[want]; !ok {
				t.Errorf("%s has no yaml example starting '# %s' (has %d)", page.file, want, len(found))
			}
			blocks[want] = found[want]
		}
	}
	return blocks
}

func parseYAML(t *testing.T, what, text string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("the %s example is not valid YAML: %v\n%s", what, err, text)
	}
}

func isSetting(env string) bool {
	return slices.ContainsFunc(config.Settings(), func(s config.Setting) bool { return s.Env == env })
}

func TestREADMEGitHubExampleUsesTheAction(t *testing.T) {
	text := ciExamples(t)["GitHub Actions"]
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string
				With map[string]string
			}
		}
	}
	parseYAML(t, "GitHub Actions", text, &wf)
	action := readAction(t)
	repository := strings.TrimPrefix(makeVariable(t, "IMAGE_SOURCE"), "https://github.com/")
	used, uploads := 0, 0
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			name, ref, _ := strings.Cut(step.Uses, "@")
			switch name {
			case repository:
				used++
				for k := range step.With {
					if _, ok := action.Inputs[k]; !ok {
						t.Errorf("the example gives the action an input %s, which action.yml does not have", k)
					}
				}
				if step.With["version"] != ref {
					t.Errorf("the example uses the action at %s but asks for the release %q", ref, step.With["version"])
				}
			case "actions/upload-artifact":
				uploads++
				if p := strings.TrimSuffix(step.With["path"], "/"); p != config.DefaultReports {
					t.Errorf("the example uploads %q; the reports are in %s", p, config.DefaultReports)
				}
			}
		}
	}
	if used != 1 || uploads != 1 {
		t.Errorf("the example uses %s %d times and actions/upload-artifact %d times; want once each", repository, used, uploads)
	}
}

var imageRef = regexp.MustCompile(`^(.+):(v[0-9][^ ]*)$`)

func checkImage(t *testing.T, what, ref string) {
	t.Helper()
	m := imageRef.FindStringSubmatch(ref)
	if m == nil || m[1] != makeVariable(t, "IMAGE") {
		t.Errorf("the %s example runs the image %q; make image makes %s:VERSION", what, ref, makeVariable(t, "IMAGE"))
	}
}

func TestREADMEGitLabExampleRunsTheImage(t *testing.T) {
	var jobs map[string]struct {
		Image     string
		Variables map[string]string
		Script    []string
		Artifacts struct {
			Paths   []string
			Reports map[string]string
		}
	}
	parseYAML(t, "GitLab CI", ciExamples(t)["GitLab CI"], &jobs)
	if len(jobs) != 1 {
		t.Fatalf("the GitLab example has %d jobs, want 1", len(jobs))
	}
	for _, job := range jobs {
		passed, ran, copied := map[string]bool{}, false, false
		container := ""
		for _, line := range job.Script {
			f := strings.Fields(line)
			switch {
			case len(f) > 2 && f[0] == "docker" && f[1] == "run":
				ran = true
				for i := 2; i < len(f); i++ {
					switch {
					case f[i] == "-e" && i+1 < len(f):
						i++
						passed[f[i]] = true
						if !isSetting(f[i]) {
							t.Errorf("docker run passes %s, which is no setting", f[i])
						}
					case f[i] == "--name" && i+1 < len(f):
						i++
						container = f[i]
					case !strings.HasPrefix(f[i], "-"):
						checkImage(t, "GitLab", f[i])
						i = len(f) // the rest are the binary's arguments
					}
				}
			case len(f) == 4 && f[0] == "docker" && f[1] == "cp":
				copied = f[2] == container+":"+WorkDir+"/reports" && f[3] == config.DefaultReports
			}
		}
		if !ran || !copied {
			t.Errorf("the GitLab job should docker run the image and docker cp %s/reports out of it: %q", WorkDir, job.Script)
		}
		for k := range job.Variables {
			if !isSetting(k) || !passed[k] {
				t.Errorf("the job's variable %s is no setting, or is not passed to the container", k)
			}
		}
		if !passed[config.EnvPassword] {
			t.Errorf("the password (a masked variable) is not passed to the container")
		}
		if !slices.Contains(job.Artifacts.Paths, config.DefaultReports+"/") || job.Artifacts.Reports["junit"] != config.DefaultReports+"/junit.xml" {
			t.Errorf("the job keeps %v and %v; want the reports and junit.xml", job.Artifacts.Paths, job.Artifacts.Reports)
		}
	}
}

func TestREADMEKubernetesExampleRunsTheImage(t *testing.T) {
	type mount struct {
		Name      string
		MountPath string `yaml:"mountPath"`
	}
	var job struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string
		Spec       struct {
			Template struct {
				Spec struct {
					RestartPolicy   string `yaml:"restartPolicy"`
					SecurityContext struct {
						RunAsNonRoot bool `yaml:"runAsNonRoot"`
						FSGroup      int  `yaml:"fsGroup"`
					} `yaml:"securityContext"`
					Containers []struct {
						Image           string
						Env             []struct{ Name string }
						SecurityContext struct {
							ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
						} `yaml:"securityContext"`
						VolumeMounts []mount `yaml:"volumeMounts"`
					}
					Volumes []struct{ Name string }
				}
			}
		}
	}
	parseYAML(t, "Kubernetes", ciExamples(t)["Kubernetes"], &job)
	pod := job.Spec.Template.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || pod.RestartPolicy != "Never" || len(pod.Containers) != 1 {
		t.Fatalf("the Kubernetes example is a %s %s with %d containers, restart %q; want one batch/v1 Job that never restarts",
			job.APIVersion, job.Kind, len(pod.Containers), pod.RestartPolicy)
	}
	c := pod.Containers[0]
	checkImage(t, "Kubernetes", c.Image)
	for _, e := range c.Env {
		if !isSetting(e.Name) {
			t.Errorf("the Job sets %s, which is no setting", e.Name)
		}
	}
	if !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.FSGroup != UID {
		t.Errorf("the Job should run as non-root with fsGroup %d (the image's user), so that it may write its reports: %+v", UID, pod.SecurityContext)
	}
	want := []string{WorkDir + "/" + config.DefaultReports}
	if c.SecurityContext.ReadOnlyRootFilesystem {
		want = append(want, "/tmp") // the binary's temporary folder
	}
	for _, p := range want {
		i := slices.IndexFunc(c.VolumeMounts, func(m mount) bool { return m.MountPath == p })
		if i < 0 || !slices.ContainsFunc(pod.Volumes, func(v struct{ Name string }) bool { return v.Name == c.VolumeMounts[i].Name }) {
			t.Errorf("the Job mounts no volume at %s", p)
		}
	}
}
