package main

// The image as make image wrote it, read back with nothing of the build
// taken on trust: the expected values come from the Makefile, the commit and
// SHA256SUMS; every blob's digest and size is checked on reading
// (validate); and the amd64 file system, extracted, runs a whole passing
// run and verifies its own bundle.

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// What a user of the image relies on, as the README states it.
const (
	wantEntrypoint = "/usr/local/bin/callcases-conformance"
	wantWorkDir    = "/work"
	wantCAFile     = "etc/ssl/certs/ca-certificates.crt"
)

// layoutImages reads the OCI layout: one index, tagged with the version,
// of exactly the two platforms; every blob checked.
func layoutImages(t *testing.T, r release) (v1.ImageIndex, map[string]v1.Image) {
	t.Helper()
	dir := filepath.Join(r.dir, "callcases-conformance-"+r.version+"-image")
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("the OCI layout: %v", err)
	}
	if err := validate.Index(top); err != nil {
		t.Fatalf("the OCI layout does not hold what it says: %v", err)
	}
	// Readable by whoever serves or copies it (skopeo, a registry's upload).
	if err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil && info.Mode().Perm() != 0o644 {
				t.Errorf("%s is %v, want -rw-r--r--", p, info.Mode().Perm())
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tm, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(tm.Manifests) != 1 || tm.Manifests[0].MediaType != types.OCIImageIndex {
		t.Fatalf("index.json should name one image index, names %+v", tm.Manifests)
	}
	if got := tm.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != r.version {
		t.Errorf("index.json tags the index %q, want the version %q", got, r.version)
	}
	if got, want := tm.Manifests[0].Annotations["io.containerd.image.name"], makeVariable(t, "IMAGE")+":"+r.version; got != want {
		t.Errorf("index.json names the image %q, want %q", got, want)
	}
	idx, err := top.ImageIndex(tm.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]v1.Image{}
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS != "linux" || d.MediaType != types.OCIManifestSchema1 {
			t.Fatalf("the index holds %+v, want linux OCI image manifests with their platform", d)
		}
		if images[d.Platform.Architecture] != nil {
			t.Fatalf("two images for %s", d.Platform.Architecture)
		}
		if images[d.Platform.Architecture], err = idx.Image(d.Digest); err != nil {
			t.Fatal(err)
		}
	}
	if len(images) != 2 || images["amd64"] == nil || images["arm64"] == nil {
		t.Fatalf("the index's platforms are %v, want linux/amd64 and linux/arm64", im.Manifests)
	}
	return idx, images
}

func TestImageConfig(t *testing.T) {
	r := builtRelease(t)
	idx, images := layoutImages(t, r)
	labels := map[string]string{
		"org.opencontainers.image.source":   makeVariable(t, "IMAGE_SOURCE"),
		"org.opencontainers.image.version":  r.version,
		"org.opencontainers.image.revision": gitRevision(t),
	}
	if l := makeVariable(t, "IMAGE_LICENSES"); l != "" {
		labels["org.opencontainers.image.licenses"] = l
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range labels {
		if im.Annotations[k] != v {
			t.Errorf("the index's annotation %s is %q, want %q", k, im.Annotations[k], v)
		}
	}
	for arch, img := range images {
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		c := cfg.Config
		if cfg.OS != "linux" || cfg.Architecture != arch {
			t.Errorf("%s: the config says %s/%s", arch, cfg.OS, cfg.Architecture)
		}
		if !slices.Equal(c.Entrypoint, []string{wantEntrypoint}) || len(c.Cmd) > 0 {
			t.Errorf("%s: entrypoint %q, cmd %q; want [%s] and no cmd", arch, c.Entrypoint, c.Cmd, wantEntrypoint)
		}
		if c.WorkingDir != wantWorkDir {
			t.Errorf("%s: working folder %q, want %s", arch, c.WorkingDir, wantWorkDir)
		}
		uid, gid, ok := numericUser(c.User)
		if !ok || uid == 0 || gid == 0 {
			t.Errorf("%s: user %q; want a numeric user and group other than root (runAsNonRoot checks a number)", arch, c.User)
		}
		for k, v := range labels {
			if c.Labels[k] != v {
				t.Errorf("%s: label %s is %q, want %q", arch, k, c.Labels[k], v)
			}
		}
		if layers, err := img.Layers(); err != nil || len(layers) != 1 {
			t.Errorf("%s: %d layers (%v), want the one", arch, len(layers), err)
		}
	}
}

func numericUser(s string) (uid, gid int, ok bool) {
	u, g, found := strings.Cut(s, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	return uid, gid, found && err1 == nil && err2 == nil
}

// A file of the image's file system, as its layer holds it.
type file struct {
	hdr  *tar.Header
	body []byte
}

func filesOf(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(path.Clean(h.Name), "/")
		if _, dup := files[name]; dup {
			t.Errorf("%s twice in the layer", name)
		}
		files[name] = file{h, body}
	}
	return files
}

// The file system holds the binary, the certificates, the user database,
// the folders they need, the working folder and /tmp: nothing else.
func TestImageFiles(t *testing.T) {
	r := builtRelease(t)
	_, images := layoutImages(t, r)
	for arch, img := range images {
		t.Run(arch, func(t *testing.T) {
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			uid, gid, _ := numericUser(cfg.Config.User)
			files := filesOf(t, img)
			bin := strings.TrimPrefix(wantEntrypoint, "/")
			regular := []string{bin, wantCAFile, "etc/passwd", "etc/group"}
			dirs := []string{"tmp", strings.TrimPrefix(wantWorkDir, "/")}
			for _, f := range regular {
				for d := path.Dir(f); d != "."; d = path.Dir(d) {
					if !slices.Contains(dirs, d) {
						dirs = append(dirs, d)
					}
				}
			}
			for name, f := range files {
				h := f.hdr
				switch {
				case h.Typeflag == tar.TypeReg && slices.Contains(regular, name):
				case h.Typeflag == tar.TypeDir && slices.Contains(dirs, name):
				default:
					t.Errorf("the image holds %s (type %c), which it should not", name, h.Typeflag)
				}
				ownerUID, ownerGID := 0, 0
				if "/"+name == wantWorkDir {
					ownerUID, ownerGID = uid, gid // the user writes its reports there
				}
				if h.Uid != ownerUID || h.Gid != ownerGID {
					t.Errorf("%s is owned by %d:%d, want %d:%d", name, h.Uid, h.Gid, ownerUID, ownerGID)
				}
				if h.Mode&0o022 != 0 && name != "tmp" {
					t.Errorf("%s is writable by others (%o)", name, h.Mode)
				}
			}
			for _, name := range append(slices.Clone(regular), dirs...) {
				if _, ok := files[name]; !ok {
					t.Errorf("the image has no %s", name)
				}
			}
			if files["tmp"].hdr != nil && files["tmp"].hdr.Mode&0o1777 != 0o1777 {
				t.Errorf("/tmp is %o, want 1777", files["tmp"].hdr.Mode)
			}

			// The binary is the release's, byte for byte, for this platform.
			b := files[bin]
			sum := sha256.Sum256(b.body)
			if want := r.sums["callcases-conformance-"+r.version+"-linux-"+arch]; hex.EncodeToString(sum[:]) != want {
				t.Errorf("the binary's sha256 is %x, SHA256SUMS says %s", sum, want)
			}
			if b.hdr != nil && b.hdr.Mode&0o111 != 0o111 {
				t.Errorf("the binary is not executable (%o)", b.hdr.Mode)
			}
			if f, err := elf.NewFile(bytes.NewReader(b.body)); err != nil || f.Machine != map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch] {
				t.Errorf("the binary is not a linux/%s executable: %v", arch, err)
			}

			// The user runs in the working folder, which is its home.
			passwd := string(files["etc/passwd"].body)
			if !slices.ContainsFunc(strings.Split(passwd, "\n"), func(l string) bool {
				f := strings.Split(l, ":")
				return len(f) == 7 && f[2] == strconv.Itoa(uid) && f[3] == strconv.Itoa(gid) && f[5] == wantWorkDir
			}) {
				t.Errorf("/etc/passwd has no entry for %d:%d with home %s:\n%s", uid, gid, wantWorkDir, passwd)
			}
			if !strings.Contains(string(files["etc/group"].body), ":x:"+strconv.Itoa(gid)+":") {
				t.Errorf("/etc/group has no group %d:\n%s", gid, files["etc/group"].body)
			}

			// Certificates: PEM, every one a CA, and enough to reach the web.
			n := 0
			for rest := files[wantCAFile].body; ; {
				var blk *pem.Block
				if blk, rest = pem.Decode(rest); blk == nil {
					if len(bytes.TrimSpace(rest)) > 0 {
						t.Errorf("the CA file has %d bytes that are not PEM", len(rest))
					}
					break
				}
				c, err := x509.ParseCertificate(blk.Bytes)
				if err != nil || !c.IsCA {
					t.Errorf("the CA file holds a block that is not a CA certificate (%v)", err)
					continue
				}
				n++
			}
			if n < 100 {
				t.Errorf("the CA file holds %d certificates; a system bundle holds well over 100", n)
			}
		})
	}
}

// Each archive is the layout's image for its platform, tagged IMAGE:VERSION,
// in the format docker load and podman load read (manifest.json).
func TestImageArchives(t *testing.T) {
	r := builtRelease(t)
	_, images := layoutImages(t, r)
	tag := makeVariable(t, "IMAGE") + ":" + r.version
	for arch, want := range images {
		t.Run(arch, func(t *testing.T) {
			p := filepath.Join(r.dir, fmt.Sprintf("callcases-conformance-%s-image-linux-%s.tar", r.version, arch))
			var manifest []struct {
				Config   string
				RepoTags []string
				Layers   []string
			}
			if err := json.Unmarshal(tarMember(t, p, "manifest.json"), &manifest); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
			if len(manifest) != 1 || !slices.Equal(manifest[0].RepoTags, []string{tag}) || len(manifest[0].Layers) != 1 {
				t.Fatalf("manifest.json is %+v; want one image tagged %s with one layer", manifest, tag)
			}
			img, err := tarball.ImageFromPath(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Fatalf("the archive does not hold what it says: %v", err)
			}
			for _, get := range []func(v1.Image) (v1.Hash, error){
				func(i v1.Image) (v1.Hash, error) { return i.ConfigName() },
				func(i v1.Image) (v1.Hash, error) { l, err := i.Layers(); return must(l, err)[0].Digest() },
			} {
				got, err1 := get(img)
				exp, err2 := get(want)
				if err := errors.Join(err1, err2); err != nil || got != exp {
					t.Errorf("the archive holds %s where the layout holds %s (%v)", got, exp, err)
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func tarMember(t *testing.T, archive, name string) []byte {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no %s (%v)", archive, name, err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// The amd64 file system, extracted to a folder, is enough for a whole run:
// the binary starts from there, with the image's working folder, /tmp and
// certificates and nothing from the host (no PATH, no toolchain), passes the
// embedded reference, and accepts its own bundle. What this cannot check is
// the runtime's part (the user switch, the mounts): docs/ci.md says how to
// check that where a container runtime exists.
func TestImageRunsFromItsOwnFiles(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("the amd64 image's binary cannot run on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	r := builtRelease(t)
	_, images := layoutImages(t, r)
	img := images["amd64"]
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	files := filesOf(t, img)
	names := slices.Sorted(maps.Keys(files)) // a folder before what it holds
	for _, name := range names {
		f := files[name]
		p := filepath.Join(root, filepath.FromSlash(name))
		if f.hdr.Typeflag == tar.TypeDir {
			err = os.MkdirAll(p, 0o755)
		} else {
			err = os.WriteFile(p, f.body, os.FileMode(f.hdr.Mode)&0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(root, filepath.FromSlash(cfg.Config.Entrypoint[0]))
	work := filepath.Join(root, filepath.FromSlash(cfg.Config.WorkingDir))
	tmp := filepath.Join(root, "tmp")
	env := []string{"HOME=" + work, "TMPDIR=" + tmp, "SSL_CERT_FILE=" + filepath.Join(root, wantCAFile)}
	for _, kv := range cfg.Config.Env { // the image's PATH, inside the folder
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			kv = "PATH=" + filepath.Join(root, v)
		}
		env = append(env, kv)
	}
	runIn := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env, cmd.WaitDelay = work, env, 10*time.Second
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}

	out, code := runIn("--version")
	if code != 0 || !strings.HasPrefix(out, "callcases-conformance "+r.version+"\n") || !strings.Contains(out, gitRevision(t)) {
		t.Fatalf("--version (exit %d) does not name the version %s and the commit:\n%s", code, r.version, out)
	}
	out, code = runIn("-procs", "2")
	if code != 0 {
		t.Fatalf("a run against the embedded reference failed (exit %d):\n%s", code, out)
	}
	var res struct {
		Verdict string
		Counts  map[string]int
	}
	raw, err := os.ReadFile(filepath.Join(work, "reports", "result.json"))
	if err != nil {
		t.Fatalf("no reports in %s/reports: %v", cfg.Config.WorkingDir, err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != "PASS" || res.Counts["passed"] == 0 || res.Counts["failed"]+res.Counts["error"] > 0 {
		t.Errorf("result.json: verdict %s, counts %v", res.Verdict, res.Counts)
	}
	out, code = runIn("verify", "reports")
	if code != 0 || !strings.Contains(out, "ACCEPTED") {
		t.Errorf("verify rejected the run's own bundle (exit %d):\n%s", code, out)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the run left %d entries in /tmp", len(left))
	}
}
