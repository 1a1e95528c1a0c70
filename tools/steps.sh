#!/bin/sh
# Runs make targets one after the other, as make test's steps: prints each
# step's wall time when it ends, and a table of all of them at the close
# (also when a step fails, which ends the run with that step's status).
make=$1; shift
summary=""
total_start=$(date +%s)
for step in "$@"; do
	start=$(date +%s)
	echo "=== step $step"
	"$make" --no-print-directory "$step"
	status=$?
	took=$(( $(date +%s) - start ))
	if [ "$status" -ne 0 ]; then
		summary="$summary$(printf '%-16s %5ss  FAILED' "$step" "$took")
"
		printf '\n=== steps\n%s' "$summary"
		exit "$status"
	fi
	echo "=== step $step: ${took}s"
	summary="$summary$(printf '%-16s %5ss' "$step" "$took")
"
done
printf '\n=== steps\n%s%-16s %5ss\n' "$summary" total "$(( $(date +%s) - total_start ))"
