package suiterun

import (
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/callcases/conformance/config"
)

// internalPrefix is the prefix every setting of config's table shares, and
// with it the variables the suite's own processes pass each other
// (CONFORMANCE_WORKDIR, CONFORMANCE_STATS, CONFORMANCE_MUTANT, ...): none
// of the caller's may steer a run that names its own target.
const internalPrefix = "CONFORMANCE_"

// IsSetting tells the variables a run must not inherit: every setting of
// config's table, and any other variable of the suite's.
func IsSetting(name string) bool {
	if strings.HasPrefix(name, internalPrefix) {
		return true
	}
	return slices.ContainsFunc(config.Settings(), func(s config.Setting) bool { return s.Env == name })
}

// CleanEnv is environ (NAME=value pairs) without any suite setting, then extra.
func CleanEnv(environ []string, extra ...string) []string {
	env := slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return IsSetting(name)
	})
	return append(env, extra...)
}

// Env is this process's environment without any suite setting (a
// CONFORMANCE_TARGET exported in the shell must not redirect a run), then extra.
func Env(extra ...string) []string { return CleanEnv(os.Environ(), extra...) }

// Pairs are settings as NAME=value, sorted by name.
func Pairs(settings map[string]string) []string {
	out := make([]string, 0, len(settings))
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		out = append(out, name+"="+settings[name])
	}
	return out
}
