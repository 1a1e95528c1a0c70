package main

// The OCI image of callcases-conformance, built from the release binaries
// with go-containerregistry: no daemon, no base image, nothing fetched from
// a registry. The library writes the layout, the manifests and the docker
// archive, computes every digest and checks them on reading back, which
// hand-written JSON and tar code would have to get right on its own; the
// one layer's tar is ours, so that its bytes depend on nothing but the inputs.

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The image's fixed facts: where things are inside it, and who runs it.
const (
	Binary     = "usr/local/bin/callcases-conformance"
	CAFile     = "etc/ssl/certs/ca-certificates.crt" // where Go (and most TLS stacks) look on Linux
	WorkDir    = "/work"                             // reports go to /work/reports
	UID        = 65532                               // the usual non-root id of images without a distribution
	UserName   = "conformance"
	binaryName = "callcases-conformance"
)

// Platforms are the image's, in the order of its index.
var Platforms = []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}

var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// ImageOptions says what to build from.
type ImageOptions struct {
	Dist     string    // the release folder: callcases-conformance-VERSION-linux-ARCH
	Name     string    // repository, e.g. ghcr.io/callcases/conformance; the tag is Version
	Version  string    // as stamped in the binaries
	Revision string    // the commit; "" when unknown
	Source   string    // the repository's URL
	Licenses string    // SPDX expression; "" when unknown (the label is then left out)
	Created  time.Time // every timestamp in the image: the commit's time, for reproducible digests
}

// Image is what Build made.
type Image struct {
	Index  v1.ImageIndex
	Images map[string]v1.Image // by architecture
	Ref    name.Tag
}

// BinaryPath is where the release keeps a platform's binary.
func BinaryPath(dist, version string, p v1.Platform) string {
	return filepath.Join(dist, fmt.Sprintf("%s-%s-%s-%s", binaryName, version, p.OS, p.Architecture))
}

// Build makes the image index from the release binaries; it writes nothing.
func Build(o ImageOptions) (*Image, error) {
	if o.Version == "" || o.Name == "" || o.Source == "" {
		return nil, errors.New("the version, the image name and the source URL are required")
	}
	ref, err := name.NewTag(o.Name+":"+o.Version, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("%s:%s is not an image reference: %w", o.Name, o.Version, err)
	}
	certs, n, err := caBundle()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("the CA bundle holds no certificate")
	}
	labels := map[string]string{
		"org.opencontainers.image.title":    binaryName,
		"org.opencontainers.image.source":   o.Source,
		"org.opencontainers.image.version":  o.Version,
		"org.opencontainers.image.revision": o.Revision,
		"org.opencontainers.image.licenses": o.Licenses,
		"org.opencontainers.image.created":  o.Created.UTC().Format(time.RFC3339),
	}
	maps.DeleteFunc(labels, func(_, v string) bool { return v == "" }) // unknown: no label
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	img := &Image{Images: map[string]v1.Image{}, Ref: ref}
	for _, p := range Platforms {
		path := BinaryPath(o.Dist, o.Version, p)
		bin, err := readBinary(path, p)
		if err != nil {
			return nil, err
		}
		layer, err := rootLayer(bin, certs, o.Created)
		if err != nil {
			return nil, err
		}
		i, err := platformImage(p, layer, labels, o.Created)
		if err != nil {
			return nil, err
		}
		img.Images[p.Architecture] = i
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: i, Descriptor: v1.Descriptor{Platform: &p}})
	}
	img.Index = mutate.Annotations(idx, labels).(v1.ImageIndex)
	return img, nil
}

// readBinary reads a release binary and checks that it is a static Linux
// executable for the platform: a darwin or amd64 file in an arm64 image
// would only fail when a user starts it.
func readBinary(path string, p v1.Platform) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the %s/%s release binary: %w (make image builds it with make release, whose PLATFORMS must include linux/amd64 and linux/arm64)", p.OS, p.Architecture, err)
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s is not a Linux executable: %w", path, err)
	}
	defer f.Close()
	if want := elfMachine[p.Architecture]; f.Machine != want {
		return nil, fmt.Errorf("%s is built for %s, not %s (%s)", path, f.Machine, p.Architecture, want)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return nil, fmt.Errorf("%s is linked dynamically (it names an interpreter); the image has no C library, build it with CGO_ENABLED=0", path)
		}
	}
	return b, nil
}

// caBundle is the Mozilla NSS roots that golang.org/x/crypto/x509roots
// carries, as PEM. A root NSS trusts only with a constraint (distrust after
// a date) cannot say so in a PEM file, and is left out.
func caBundle() ([]byte, int, error) {
	var b bytes.Buffer
	n := 0
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		if _, err := x509.ParseCertificate(root.Certificate); err != nil {
			return nil, 0, fmt.Errorf("the CA bundle: %w", err)
		}
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			return nil, 0, err
		}
		n++
	}
	return b.Bytes(), n, nil
}

type entry struct {
	name string
	mode int64
	uid  int
	body []byte // nil: a folder
}

// rootLayer is the whole file system: the binary, the CA bundle, the user
// database, the working folder and /tmp (the binary makes its temporary
// folder there). Entries are sorted, owned by root unless the user must
// write there, and stamped with created, so that the same inputs give the
// same bytes.
func rootLayer(bin, certs []byte, created time.Time) (v1.Layer, error) {
	entries := []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, body: fmt.Appendf(nil, "root:x:0:\n%s:x:%d:\n", UserName, UID)},
		{name: "etc/passwd", mode: 0o644, body: fmt.Appendf(nil,
			"root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:%s:/sbin/nologin\n", UserName, UID, UID, UserName, WorkDir)},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: CAFile, mode: 0o644, body: certs},
		{name: "tmp/", mode: 0o1777},
		{name: "usr/", mode: 0o755},
		{name: "usr/local/", mode: 0o755},
		{name: "usr/local/bin/", mode: 0o755},
		{name: Binary, mode: 0o755, body: bin},
		{name: strings.TrimPrefix(WorkDir, "/") + "/", mode: 0o755, uid: UID},
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.uid, ModTime: created.UTC(), Format: tar.FormatPAX}
		if e.body == nil {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithMediaType(types.OCILayer))
}

func platformImage(p v1.Platform, layer v1.Layer, labels map[string]string, created time.Time) (v1.Image, error) {
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	user := fmt.Sprintf("%d:%d", UID, UID) // numeric, so that Kubernetes' runAsNonRoot can check it
	cfg := &v1.ConfigFile{
		Architecture: p.Architecture,
		OS:           p.OS,
		Created:      v1.Time{Time: created.UTC()},
		Config: v1.Config{
			Entrypoint: []string{"/" + Binary},
			User:       user,
			WorkingDir: WorkDir,
			Env:        []string{"PATH=/usr/local/bin"},
			Labels:     labels,
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	img, err := mutate.ConfigFile(base, cfg)
	if err != nil {
		return nil, err
	}
	return mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: created.UTC()}, CreatedBy: "make image", Comment: "the release binary, CA certificates, the user " + UserName,
	}})
}

// Files are what Write puts in the release folder.
type Files struct {
	Layout   string            // the OCI layout of the index
	Archives map[string]string // by architecture: docker load / podman load archives
}

// Write puts the image in dist: an OCI image layout holding the index
// (dist/image), and for each platform an archive that docker load and
// podman load accept (one image each: that format has one image per tag).
func Write(img *Image, dist, version string) (Files, error) {
	f := Files{Layout: filepath.Join(dist, binaryName+"-"+version+"-image"), Archives: map[string]string{}}
	if err := os.RemoveAll(f.Layout); err != nil {
		return f, err
	}
	p, err := layout.Write(f.Layout, empty.Index)
	if err != nil {
		return f, err
	}
	if err := p.AppendIndex(img.Index, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": img.Ref.TagStr(), // what oci:dist/...:TAG names (skopeo, podman)
		"io.containerd.image.name":          img.Ref.Name(),   // what containerd (and docker on it) tags it
	})); err != nil {
		return f, err
	}
	// The library writes blobs as 0600 or 0755; a layout is served and copied by others.
	if err := filepath.WalkDir(f.Layout, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chmod(p, 0o644)
	}); err != nil {
		return f, err
	}
	for _, pl := range Platforms {
		path := filepath.Join(dist, fmt.Sprintf("%s-%s-image-%s-%s.tar", binaryName, version, pl.OS, pl.Architecture))
		if err := tarball.WriteToFile(path, img.Ref, img.Images[pl.Architecture]); err != nil {
			return f, err
		}
		f.Archives[pl.Architecture] = path
	}
	return f, nil
}
