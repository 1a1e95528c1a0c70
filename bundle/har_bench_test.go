package bundle

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecord is what every exchange of a run costs the recorder: the
// HAR entry, its redaction, and its line in the part file.
func BenchmarkRecord(b *testing.B) {
	body := bytes.Repeat([]byte(`{"uuid":"r1-01-000042","title":"conformance case","state":"open"},`), 30)
	for _, tc := range []struct{ name, password string }{
		{"no secret", "pw"},
		{"a secret", "reference-password"}, // echoed in the request body
	} {
		b.Run(tc.name, func(b *testing.B) {
			x := exchange(b, tc.password, body)
			rec := NewRecorder(1, 2, 2, func() []string { return []string{"reference-password", "dXNlcjpyZWZlcmVuY2UtcGFzc3dvcmQ="} })
			if err := rec.Begin(b.TempDir(), "run1"); err != nil {
				b.Fatal(err)
			}
			defer rec.Close()
			for b.Loop() {
				rec.Record(x, Tags{Condition: "S200-list", Format: "json"})
			}
		})
	}
}

// BenchmarkMerge merges two processes' parts of 500 exchanges each into the
// HAR, as process 1 does at the end of a run.
func BenchmarkMerge(b *testing.B) {
	body := bytes.Repeat([]byte(`{"uuid":"r1-01-000042","title":"conformance case","state":"open"},`), 30)
	dir := b.TempDir()
	secrets := func() []string { return []string{"reference-password"} }
	write := func() {
		for p := 1; p <= 2; p++ {
			rec := NewRecorder(p, 2, 2, secrets)
			if err := rec.Begin(dir, "run1"); err != nil {
				b.Fatal(err)
			}
			for i := range 500 {
				x := exchange(b, "pw", body)
				x.Started = x.Started.Add(time.Duration(i*2+p) * time.Millisecond)
				rec.Record(x, Tags{Condition: fmt.Sprintf("S200-%d", i), Format: "json"})
			}
			if err := rec.Close(); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		b.StopTimer()
		write()
		b.StartTimer()
		if err := Merge(dir, "run1", "http://api.test/fx/api/v1", Creator{Name: "bench", Version: "1"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
