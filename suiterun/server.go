package suiterun

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// The lines cmd/reference and cmd/latencyproxy print once they listen.
const (
	ServingOn  = "# serving on "
	ProxyingOn = "# proxying on "
)

// ReadyWithin bounds how long a server may take to say it listens: a
// machine loaded by other runs starts a binary slowly, a broken one never.
const ReadyWithin = time.Minute

// Announcement is what a server printed before it was ready: its suite
// settings ("export NAME=value" lines, values unquoted), the ready line,
// and the root URL that line names.
type Announcement struct {
	Settings map[string]string
	Ready    string // the ready line, without its newline
	Root     string // the ready line's first word after the prefix
}

var exportLine = regexp.MustCompile(`^export (CONFORMANCE_[A-Z_]+)=(.*)$`)

// ReadAnnouncement reads r up to and including the line that begins with
// ready: "export NAME=value" lines of suite settings and comments before
// it. A line that is neither, a quoted value that does not close, or an
// end before the ready line is an error that shows what was read.
func ReadAnnouncement(r *bufio.Reader, ready string) (Announcement, error) {
	a := Announcement{Settings: map[string]string{}}
	var seen strings.Builder
	for {
		line, err := r.ReadString('\n')
		seen.WriteString(line)
		line = strings.TrimSuffix(line, "\n")
		switch m := exportLine.FindStringSubmatch(line); {
		case strings.HasPrefix(line, ready):
			a.Ready = line
			if f := strings.Fields(strings.TrimPrefix(line, ready)); len(f) > 0 {
				a.Root = f[0]
			}
			return a, nil
		case m != nil:
			v, ok := shellUnquote(m[2])
			if !ok {
				return a, fmt.Errorf("line %q: the value of %s is not a shell word", line, m[1])
			}
			a.Settings[m[1]] = v
		case line == "", strings.HasPrefix(line, "#"):
		default:
			return a, fmt.Errorf("line %q is neither an export of a suite setting nor %q", line, strings.TrimSpace(ready))
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("its output ended")
			}
			return a, fmt.Errorf("no %q line: %w; it printed:\n%s", strings.TrimSpace(ready), err, seen.String())
		}
	}
}

// shellUnquote undoes cmd/reference's quoting: a bare word, or a value in
// single quotes where a quote inside is closed, escaped and reopened.
func shellUnquote(v string) (string, bool) {
	if !strings.HasPrefix(v, "'") {
		return v, !strings.ContainsAny(v, "' \t")
	}
	if len(v) < 2 || !strings.HasSuffix(v, "'") {
		return "", false
	}
	inner := strings.ReplaceAll(v[1:len(v)-1], `'\''`, "")
	if strings.Contains(inner, "'") {
		return "", false
	}
	return strings.ReplaceAll(v[1:len(v)-1], `'\''`, `'`), true
}

// Server is a child process that announced itself on standard output.
type Server struct {
	Announcement
	cmd  *exec.Cmd
	rest bytes.Buffer // standard output after the ready line, complete once Stop returns
	done chan struct{}
}

// StartServer starts cmd and reads its announcement (ReadAnnouncement) for
// at most bound; a server that ends, prints something else or is still
// silent by then is stopped, and the error says which. cmd's standard
// output must be unset; its standard error is the caller's to set.
func StartServer(cmd *exec.Cmd, ready string, bound time.Duration) (*Server, error) {
	name := filepath.Base(cmd.Path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	r := bufio.NewReader(stdout)
	type read struct {
		a   Announcement
		err error
	}
	got := make(chan read, 1)
	go func() {
		a, err := ReadAnnouncement(r, ready)
		got <- read{a, err}
	}()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	var res read
	select {
	case res = <-got:
	case <-timer.C:
		_ = cmd.Process.Kill()
		_ = stdout.Close() // in case a child of its holds the pipe open
		res = <-got
		res.err = fmt.Errorf("not ready within %s (%w)", bound, res.err)
	}
	if res.err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("%s: %w", name, res.err)
	}
	s.Announcement = res.a
	go func() { _, _ = io.Copy(&s.rest, r); close(s.done) }()
	return s, nil
}

// StartReference serves cmd/reference (the binary bin) on a free loopback
// port, with args, and returns it once it printed its settings; its
// standard error goes to stderr (nil: discarded).
func StartReference(ctx context.Context, bin string, stderr io.Writer, args ...string) (*Server, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = stderr
	s, err := StartServer(cmd, ServingOn, ReadyWithin)
	if err != nil {
		return nil, fmt.Errorf("starting the reference: %w", err)
	}
	if len(s.Settings) == 0 || s.Root == "" {
		s.Stop()
		return nil, fmt.Errorf("starting the reference: it printed no settings or no root before %q", s.Ready)
	}
	return s, nil
}

// StartProxy serves cmd/latencyproxy (the binary bin) in front of target
// on a free loopback port, with args; Root is where it listens.
func StartProxy(ctx context.Context, bin, target string, stderr io.Writer, args ...string) (*Server, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"-target", target, "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = stderr
	s, err := StartServer(cmd, ProxyingOn, ReadyWithin)
	if err != nil {
		return nil, fmt.Errorf("starting the latency proxy: %w", err)
	}
	return s, nil
}

// Through are settings with every URL that names from (a server's root)
// naming to instead (a proxy's root in front of it).
func Through(settings map[string]string, from, to string) map[string]string {
	out := maps.Clone(settings)
	for name, v := range out {
		if strings.HasPrefix(v, from) {
			out[name] = to + strings.TrimPrefix(v, from)
		}
	}
	return out
}

// Env is the server's settings as NAME=value, sorted.
func (s *Server) Env() []string { return Pairs(s.Settings) }

// Stop ends the server with SIGTERM (SIGKILL after 5 s) and returns what
// it printed after its ready line (a proxy's tallies, say). It may be
// called more than once.
func (s *Server) Stop() string {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done: // standard output closed: the process has ended
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	_ = s.cmd.Wait()
	return s.rest.String()
}
