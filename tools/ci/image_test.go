package main

// The builder on its own, with small stand-in executables: the same inputs
// give the same digest, a changed input another, and bad inputs a clear
// error. The image make image really writes is checked in image_dist_test.go.

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fakeELF is the 64-byte header of a static ELF64 executable for machine.
func fakeELF(machine elf.Machine, body string) []byte {
	h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT), Ehsize: 64}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, h); err != nil {
		panic(err)
	}
	return append(b.Bytes(), body...)
}

func fakeRelease(t *testing.T, version string, machines map[string]elf.Machine) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range Platforms {
		if m, ok := machines[p.Architecture]; ok {
			if err := os.WriteFile(BinaryPath(dir, version, p), fakeELF(m, p.Architecture), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

var bothMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

func options(dist string) ImageOptions {
	return ImageOptions{Dist: dist, Name: "example.net/callcases/conformance", Version: "v1.2.3", Revision: "abc",
		Source: "https://example.net/callcases/conformance", Created: time.Unix(1700000000, 0)}
}

func digestOf(t *testing.T, o ImageOptions) v1.Hash {
	t.Helper()
	img, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Index.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSameInputsGiveTheSameDigest(t *testing.T) {
	o := options(fakeRelease(t, "v1.2.3", bothMachines))
	first := digestOf(t, o)
	again := options(fakeRelease(t, "v1.2.3", bothMachines)) // other files, other times on disk
	if d := digestOf(t, again); d != first {
		t.Errorf("two builds of the same inputs: %s and %s", first, d)
	}
	// Written out and read back, the layout holds that digest.
	img, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Write(img, o.Dist, o.Version)
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(files.Layout, "index.json"))
	if err != nil || !bytes.Contains(index, []byte(first.String())) {
		t.Errorf("index.json does not name %s (%v):\n%s", first, err, index)
	}
	for _, change := range []struct {
		what string
		edit func(*ImageOptions)
	}{
		{"the time", func(o *ImageOptions) { o.Created = o.Created.Add(time.Second) }},
		{"the revision", func(o *ImageOptions) { o.Revision = "abd" }},
		{"the licenses", func(o *ImageOptions) { o.Licenses = "Apache-2.0" }},
	} {
		c := o
		change.edit(&c)
		if digestOf(t, c) == first {
			t.Errorf("changing %s left the digest as it was", change.what)
		}
	}
}

func TestBadInputsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		machines map[string]elf.Machine
		edit     func(*ImageOptions)
		says     string
	}{
		{"a platform missing", map[string]elf.Machine{"amd64": elf.EM_X86_64}, nil, "linux/arm64 release binary"},
		{"the wrong architecture", map[string]elf.Machine{"amd64": elf.EM_AARCH64, "arm64": elf.EM_AARCH64}, nil, "not amd64"},
		{"no version", bothMachines, func(o *ImageOptions) { o.Version = "" }, "version"},
		{"a version no tag can hold", bothMachines, func(o *ImageOptions) { o.Version = "v1/2" }, "not an image reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options(fakeRelease(t, "v1.2.3", tc.machines))
			if tc.edit != nil {
				tc.edit(&o)
			}
			_, err := Build(o)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Build: %v; want an error saying %q", err, tc.says)
			}
		})
	}
	// Not an executable at all.
	dir := fakeRelease(t, "v1.2.3", bothMachines)
	if err := os.WriteFile(BinaryPath(dir, "v1.2.3", Platforms[0]), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(options(dir)); err == nil || !strings.Contains(err.Error(), "not a Linux executable") {
		t.Errorf("Build of a script: %v", err)
	}
	// The command line: a bad timestamp.
	if err := run([]string{"-created", "yesterday"}); err == nil || !strings.Contains(err.Error(), "seconds since 1970") {
		t.Errorf("-created yesterday: %v", err)
	}
}
