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

	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves until ctx ends (SIGINT or SIGTERM in main), then shuts down,
// letting requests in flight finish.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address; port 0 picks a free one")
	opts := reference.DefaultOptions()
	fs.DurationVar(&opts.FaultTimer, "fault-timer", opts.FaultTimer, "how long the timeout fault waits before answering 504")
	fs.StringVar(&opts.Username, "username", opts.Username, "the full-rights user")
	fs.StringVar(&opts.Password, "password", opts.Password, "the full-rights user's password")
	fs.StringVar(&opts.ReadOnlyUsername, "readonly-username", opts.ReadOnlyUsername, "the read-only user")
	fs.StringVar(&opts.ReadOnlyPassword, "readonly-password", opts.ReadOnlyPassword, "the read-only user's password")
	mutant := fs.String("mutant", "", "serve this mutant: a deliberate deviation from the contract (see -mutants)")
	list := fs.Bool("mutants", false, "list the mutants, one line each, and exit")
	variant := fs.String("variant", "", "serve this variant: "+mutants.VariantLiberal+" takes every liberty the design allows, a liberty's name that one alone (see -variants)")
	listVariants := fs.Bool("variants", false, "list the variants, one line each, and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, m := range mutants.All() {
			by := strings.Join(m.Kills, ", ")
			if m.Format != "" {
				by += " in " + m.Format
			}
			fmt.Fprintf(stdout, "%-30s %s (caught by %s)\n", m.Name, m.Breaks, by)
		}
		return nil
	}
	if *listVariants {
		fmt.Fprintf(stdout, "%-30s %s\n", mutants.VariantLiberal, "every liberty below at once")
		for _, l := range mutants.Liberties() {
			fmt.Fprintf(stdout, "%-30s %s\n", l.Name, l.Allows)
		}
		return nil
	}
	if *mutant != "" && *variant != "" {
		return errors.New("-mutant and -variant: the reference serves one or the other")
	}
	server := reference.New(opts)
	var handler http.Handler = server
	if *mutant != "" {
		h, err := mutants.Wrap(*mutant, server, opts)
		if err != nil {
			return err
		}
		handler = h
	}
	if *variant != "" {
		h, err := mutants.WrapVariant(*variant, server)
		if err != nil {
			return err
		}
		handler = h
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	root := "http://" + ln.Addr().String() // the real port when -addr asked for 0
	printSettings(stdout, server.Settings(root))
	// A shell comment, so that the output can still be sourced: it tells a
	// reader of stdout that the settings are complete and the server is up.
	as := ""
	switch {
	case *mutant != "":
		as = " as mutant " + *mutant
	case *variant != "":
		as = " as variant " + *variant
	}
	fmt.Fprintf(stdout, "# serving on %s%s\n", root, as)
	log.Printf("reference server listening on %s (API %s/fx/api/v1, fault hook %s/faults)", root, root, root)

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
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
