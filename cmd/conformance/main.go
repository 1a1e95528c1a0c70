// Command conformance runs the suite in parallel processes (Ginkgo's -p) and
// shows its progress while it runs: Ginkgo keeps each process's output to
// itself until a spec ends, so the processes append a line per finished spec
// to a file (CONFORMANCE_PROGRESS) and this command prints them as they come:
//
//	[12/56] passed       S200-get (json)
//
// Its exit status is the suite's. Arguments after the flags go to ginkgo.
//
//	go run ./cmd/conformance -procs 4 -- --label-filter=code:409
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/callcases/conformance/config"
)

// EnvProgress names the file the spec processes append their progress to.
const EnvProgress = "CONFORMANCE_PROGRESS"

func main() {
	procs := flag.Int("procs", 4, "parallel processes, all against the same target")
	suite := flag.String("suite", "./suites/conformance", "the suite's package, or a compiled suite binary")
	flag.Parse()
	code, err := run(*procs, *suite, flag.Args(), os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
	}
	os.Exit(code)
}

func run(procs int, suite string, ginkgoArgs []string, stdout, stderr io.Writer) (int, error) {
	file, err := os.CreateTemp("", "conformance-progress-*")
	if err != nil {
		return 2, err
	}
	defer os.Remove(file.Name())
	defer file.Close()

	args := append([]string{"tool", "ginkgo", "-p", "--procs=" + strconv.Itoa(procs)}, ginkgoArgs...)
	cmd := exec.Command("go", append(args, suite)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = append(os.Environ(), EnvProgress+"="+file.Name())
	// go test runs the suite in its package's folder: relative paths in the
	// settings are taken from here, where the user ran the command.
	if _, set := os.LookupEnv(config.EnvWorkDir); !set {
		if wd, err := os.Getwd(); err == nil {
			cmd.Env = append(cmd.Env, config.EnvWorkDir+"="+wd)
		}
	}
	// Ctrl-C reaches the suite's processes from the terminal; this command
	// waits for them to clean up and report instead of dying first.
	signal.Ignore(os.Interrupt)
	if err := cmd.Start(); err != nil {
		return 2, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	p := &printer{out: stderr, lines: bufio.NewReader(file)}
	tick := time.NewTicker(100 * time.Millisecond) // how often the screen is refreshed
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			p.drain()
		case err := <-done:
			p.drain()
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return exit.ExitCode(), nil
			}
			if err != nil {
				return 2, err
			}
			return 0, nil
		}
	}
}

// printer turns the processes' lines ("total N", "outcome id format") into
// numbered progress lines.
type printer struct {
	out     io.Writer
	lines   *bufio.Reader
	partial string
	total   int
	done    int
}

func (p *printer) drain() {
	fresh := true // Ginkgo's dots may have left the cursor mid-line
	for {
		chunk, err := p.lines.ReadString('\n')
		p.partial += chunk
		if err != nil {
			return // the rest of the line is not written yet
		}
		line := strings.TrimSpace(p.partial)
		p.partial = ""
		fields := strings.Split(line, "\t")
		switch {
		case len(fields) == 2 && fields[0] == "total":
			p.total, _ = strconv.Atoi(fields[1])
		case len(fields) == 2 && fields[0] == "note": // a process waits, or the preflight found something to say
			if fresh {
				fmt.Fprintln(p.out)
				fresh = false
			}
			fmt.Fprintln(p.out, fields[1])
		case len(fields) == 3:
			p.done++
			if fresh {
				fmt.Fprintln(p.out)
				fresh = false
			}
			total := "?"
			if p.total > 0 {
				total = strconv.Itoa(p.total)
			}
			fmt.Fprintf(p.out, "[%*d/%s] %-12s %s (%s)\n", len(total), p.done, total, fields[0], fields[1], fields[2])
		}
	}
}
