package main

// The release folder that make image writes, built once for the tests of
// this package (linux/amd64 and linux/arm64, and the platform the tests run
// on, for the action), and the facts the tests take from the repository
// rather than from the build: the Makefile's variables, the commit.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

const repo = "../.."

type release struct {
	dir     string
	version string
	sums    map[string]string // file name -> sha256, from SHA256SUMS
}

var (
	distOnce sync.Once
	dist     release
	distErr  error
	distRoot string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if distRoot != "" {
		os.RemoveAll(distRoot)
	}
	os.Exit(code)
}

// builtRelease runs make image into a temporary folder, once.
func builtRelease(t *testing.T) release {
	t.Helper()
	distOnce.Do(func() {
		distRoot, distErr = os.MkdirTemp("", "ci-dist-*")
		if distErr != nil {
			return
		}
		dir := filepath.Join(distRoot, "dist")
		platforms := []string{"linux/amd64", "linux/arm64"}
		if host := runtime.GOOS + "/" + runtime.GOARCH; !slices.Contains(platforms, host) {
			platforms = append(platforms, host)
		}
		cmd := exec.Command("make", "-C", repo, "image", "DIST="+dir, "PLATFORMS="+strings.Join(platforms, " "))
		cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
			name, _, _ := strings.Cut(kv, "=")
			return name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL"
		})
		if out, err := cmd.CombinedOutput(); err != nil {
			distErr = fmt.Errorf("make image: %v\n%s", err, out)
			return
		}
		dist, distErr = readRelease(dir)
	})
	if distErr != nil {
		t.Fatal(distErr)
	}
	return dist
}

var releaseBinary = regexp.MustCompile(`^callcases-conformance-(.+)-linux-amd64$`)

func readRelease(dir string) (release, error) {
	r := release{dir: dir, sums: map[string]string{}}
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return r, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return r, fmt.Errorf("SHA256SUMS: line %q is not 'SUM  FILE'", sc.Text())
		}
		r.sums[file] = sum
		if m := releaseBinary.FindStringSubmatch(file); m != nil {
			r.version = m[1]
		}
	}
	if r.version == "" {
		return r, fmt.Errorf("SHA256SUMS names no linux/amd64 binary: %v", r.sums)
	}
	return r, sc.Err()
}

// makeVariable is a variable's default as the Makefile writes it (NAME ?= VALUE).
func makeVariable(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + name + `\s*\?=[ \t]*(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the Makefile sets no %s ?=", name)
	}
	return strings.TrimSpace(string(m[1]))
}

func gitRevision(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD: %v", err)
	}
	return strings.TrimSpace(string(out))
}
