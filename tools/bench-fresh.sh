#!/bin/sh
# make bench as a fresh machine runs it, for CI: with an empty Go module
# cache, so that every module is downloaded and every dependency (the
# ginkgo command included) compiled from it while bench reads the go
# command's answers, in a short mode whose figures are not the point.
#
#   tools/bench-fresh.sh MAKE [make variables for bench]
#
# The cache is removed at the end, also when the run fails or is stopped.
set -u
make=$1
shift
modcache=$(mktemp -d "${TMPDIR:-/tmp}/bench-modcache-XXXXXX") || exit 1
cleanup() { chmod -R u+w "$modcache" 2>/dev/null; rm -rf "$modcache"; }
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
# -modcacherw: the cache's files stay removable; the go command's other
# flags (go env GOFLAGS) are kept.
flags="$(${GO:-go} env GOFLAGS) -modcacherw"
GOMODCACHE=$modcache GOFLAGS=$flags "$make" --no-print-directory bench "$@"
status=$?
cleanup
exit "$status"
