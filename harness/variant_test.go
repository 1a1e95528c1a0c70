package harness

import (
	"context"
	"strings"
	"testing"
)

// CONFORMANCE_VARIANT serves the embedded reference as a variant; a bad
// setting is a clear error naming it.
func TestVariantSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		says string // "" when the run starts
	}{
		{"the liberal variant", map[string]string{EnvVariant: "liberal"}, ""},
		{"one liberty", map[string]string{EnvVariant: "xml-cdata"}, ""},
		{"an unknown variant", map[string]string{EnvVariant: "lenient"}, EnvVariant + `: no variant "lenient"`},
		{"a variant and a mutant", map[string]string{EnvVariant: "liberal", EnvMutant: "no-location"}, "serves one or the other"},
		{"a variant of a live target", map[string]string{EnvVariant: "liberal", "CONFORMANCE_TARGET": "http://127.0.0.1:1/fx/api/v1", "CONFORMANCE_USERNAME": "u", "CONFORMANCE_PASSWORD": "p", "CONFORMANCE_PROJECT": "p1"}, "a variant is one of the embedded reference server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			s, _, err := Start(context.Background(), lookup)
			if s != nil {
				defer s.Close()
			}
			switch {
			case tc.says == "" && err != nil:
				t.Fatalf("the run did not start: %v", err)
			case tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)):
				t.Fatalf("got %v, want an error saying %q", err, tc.says)
			}
		})
	}
}
