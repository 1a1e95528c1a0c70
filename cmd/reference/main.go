// Command reference serves the reference implementation of the Call Cases
// API and prints, first, the suite configuration that points at it:
//
//	go run ./cmd/reference -addr 127.0.0.1:8080 > reference.env &
//	. ./reference.env && make conformance
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/callcases/conformance/reference"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address; port 0 picks a free one")
	opts := reference.DefaultOptions()
	fs.DurationVar(&opts.FaultTimer, "fault-timer", opts.FaultTimer, "how long the timeout fault waits before answering 504")
	fs.StringVar(&opts.Username, "username", opts.Username, "the full-rights user")
	fs.StringVar(&opts.Password, "password", opts.Password, "the full-rights user's password")
	fs.StringVar(&opts.ReadOnlyUsername, "readonly-username", opts.ReadOnlyUsername, "the read-only user")
	fs.StringVar(&opts.ReadOnlyPassword, "readonly-password", opts.ReadOnlyPassword, "the read-only user's password")
	if err := fs.Parse(args); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	server := reference.New(opts)
	root := "http://" + ln.Addr().String() // the real port when -addr asked for 0
	printSettings(stdout, server.Settings(root))
	log.Printf("reference server listening on %s (API %s/fx/api/v1, fault hook %s/faults)", root, root, root)

	srv := &http.Server{Handler: server, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// printSettings writes one shell export per setting, sorted, so that the
// output can be sourced.
func printSettings(w io.Writer, settings map[string]string) {
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(w, "export %s=%s\n", name, shellQuote(settings[name]))
	}
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+,=-]+$`)

func shellQuote(v string) string {
	if shellSafe.MatchString(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
