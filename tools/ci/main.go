// Command ci builds the OCI image of callcases-conformance from the release
// binaries (make image); its tests check the image, the GitHub Action and
// the CI examples of the README and docs/ci.md.
//
//	go run . -dist DIR -name REPOSITORY -version V [-revision R] [-source URL] [-licenses SPDX] [-created UNIX]
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "make image:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	var o ImageOptions
	fs.StringVar(&o.Dist, "dist", "dist", "the release folder, which the image is written to")
	fs.StringVar(&o.Name, "name", "", "the image's repository, e.g. ghcr.io/callcases/conformance")
	fs.StringVar(&o.Version, "version", "", "the version stamped in the binaries, the image's tag")
	fs.StringVar(&o.Revision, "revision", "", "the commit")
	fs.StringVar(&o.Source, "source", "", "the repository's URL")
	fs.StringVar(&o.Licenses, "licenses", "", "SPDX license expression, when known")
	created := fs.String("created", "0", "the image's timestamps, in seconds since 1970 (SOURCE_DATE_EPOCH: the commit's time)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	secs, err := strconv.ParseInt(*created, 10, 64)
	if err != nil || secs < 0 {
		return fmt.Errorf("-created %q: expected seconds since 1970, such as the output of git log -1 --format=%%ct", *created)
	}
	o.Created = time.Unix(secs, 0).UTC()
	img, err := Build(o)
	if err != nil {
		return err
	}
	files, err := Write(img, o.Dist, o.Version)
	if err != nil {
		return err
	}
	digest, err := img.Index.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("%s@%s\n  OCI layout  %s\n", img.Ref, digest, files.Layout)
	for _, p := range Platforms {
		fmt.Printf("  %-11s %s (docker load -i, podman load -i)\n", p.OS+"/"+p.Architecture, files.Archives[p.Architecture])
	}
	return nil
}
