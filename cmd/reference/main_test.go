package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunPrintsSettingsThenServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-fault-timer", "5ms", "-password", "it's secret"}, stdout)
	}()

	settings := map[string]string{}
	lines := bufio.NewScanner(out)
	var names []string
	for len(settings) < 10 && lines.Scan() {
		name, value, ok := strings.Cut(strings.TrimPrefix(lines.Text(), "export "), "=")
		if !ok || !strings.HasPrefix(lines.Text(), "export CONFORMANCE_") {
			t.Fatalf("line %q is not an export", lines.Text())
		}
		names = append(names, name)
		settings[name] = value
	}
	go func() { _, _ = io.Copy(io.Discard, out) }() // keep the pipe drained until run ends
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("exports not sorted: %v", names)
		}
	}
	if got := settings["CONFORMANCE_PASSWORD"]; got != `'it'\''s secret'` {
		t.Errorf("password printed as %s, want it shell-quoted", got)
	}
	target := settings["CONFORMANCE_TARGET"]
	if strings.HasSuffix(target, ":0/fx/api/v1") || !strings.HasPrefix(target, "http://127.0.0.1:") {
		t.Fatalf("target %q does not name the real port", target)
	}
	req, _ := http.NewRequest("GET", target+"/json/projects/"+settings["CONFORMANCE_PROJECT"], nil)
	req.SetBasicAuth(settings["CONFORMANCE_USERNAME"], "it's secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the main project answered %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
		stdout.Close()
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/fx/api/v1": "http://127.0.0.1:8080/fx/api/v1",
		"a b":                             "'a b'",
		"":                                "''",
		"$HOME":                           "'$HOME'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
