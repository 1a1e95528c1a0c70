package suiterun

import (
	"slices"
	"testing"

	"github.com/callcases/conformance/config"
)

func TestARunInheritsNoSettingOfTheTableNorAnyOtherOfTheSuite(t *testing.T) {
	var environ []string
	for _, s := range config.Settings() {
		environ = append(environ, s.Env+"=from the shell")
	}
	environ = append(environ, "HOME=/home/u", "CONFORMANCE_MUTANT=status-500", config.EnvWorkDir+"=/elsewhere",
		"PATH=/bin", "MY_CONFORMANCE_TARGET=kept", "EMPTY=")
	got := CleanEnv(environ, "CONFORMANCE_REPORTS=/run/reports")
	want := []string{"HOME=/home/u", "PATH=/bin", "MY_CONFORMANCE_TARGET=kept", "EMPTY=", "CONFORMANCE_REPORTS=/run/reports"}
	if !slices.Equal(got, want) {
		t.Errorf("CleanEnv = %q, want %q", got, want)
	}
	for _, s := range config.Settings() {
		if !IsSetting(s.Env) {
			t.Errorf("%s, a row of the settings table, is not dropped", s.Env)
		}
	}
}

func TestTheCallersEnvironmentIsLeftAlone(t *testing.T) {
	environ := []string{"A=1", "CONFORMANCE_TARGET=x"}
	_ = CleanEnv(environ)
	if environ[1] != "CONFORMANCE_TARGET=x" {
		t.Errorf("CleanEnv changed its argument: %q", environ)
	}
}

func TestPairsAreSortedByName(t *testing.T) {
	got := Pairs(map[string]string{"CONFORMANCE_TARGET": "http://h/fx/api/v1", "CONFORMANCE_PASSWORD": "a b", "CONFORMANCE_FAULTS_URL": ""})
	want := []string{"CONFORMANCE_FAULTS_URL=", "CONFORMANCE_PASSWORD=a b", "CONFORMANCE_TARGET=http://h/fx/api/v1"}
	if !slices.Equal(got, want) {
		t.Errorf("Pairs = %q, want %q", got, want)
	}
}
