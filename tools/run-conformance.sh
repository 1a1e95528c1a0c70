#!/bin/sh
# make conformance (and make conformance-clean): build
# callcases-conformance, then become it.
#
#   tools/run-conformance.sh GO BIN [arguments of callcases-conformance]
#
# A signal at any moment stops the run properly. During the build (Ctrl-C,
# or the SIGTERM that make passes on when CI cancels) the go command is
# interrupted and waited for, so that no compiler is left running and
# nothing was sent to the target; after it, this shell is the binary
# itself (exec), which stops the run, cleans up and reports INTERRUPTED.
set -u
go=$1 bin=$2
shift 2
stopped=
pid=
# A mutant or a variant of the embedded reference (CONFORMANCE_MUTANT,
# CONFORMANCE_VARIANT) is served only by a binary built with the tag
# "deviations"; it goes to a file of its own, so that bin/ never holds a
# vendor binary that links the mutants.
tags=
if [ -n "${CONFORMANCE_MUTANT:-}" ] || [ -n "${CONFORMANCE_VARIANT:-}" ]; then
	tags=deviations bin=$bin-deviations
fi
trap 'stopped=1; [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null' INT TERM
"$go" build -tags "$tags" -o "$bin" ./cmd/callcases-conformance &
pid=$!
while :; do
	wait "$pid"
	status=$?
	# wait also returns when a signal arrives; the build may still be running.
	kill -0 "$pid" 2>/dev/null || break
done
if [ -n "$stopped" ]; then
	echo "callcases-conformance: interrupted while building; nothing was sent to the target" >&2
	exit 130
fi
[ "$status" -eq 0 ] || exit "$status"
trap - INT TERM
exec "$bin" "$@"
