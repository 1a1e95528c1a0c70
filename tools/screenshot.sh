#!/usr/bin/env bash
# Renders a conformance.html in headless Chromium to a PNG beside it, so that a
# change to the report's look can be checked by eye (and attached to a review).
#   tools/screenshot.sh [reports/conformance.html [out.png]]
# Needs Debian's chromium (apt-get install -y chromium); WIDTH and HEIGHT set
# the window, 1280x2000 by default.
set -euo pipefail

page=${1:-reports/conformance.html}
out=${2:-$(dirname "$page")/conformance.png}
width=${WIDTH:-1280}
height=${HEIGHT:-2000}

if [ ! -f "$page" ]; then
	echo "screenshot: no $page; run the suite first (make conformance)" >&2
	exit 1
fi
browser=""
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
	echo "screenshot: no Chromium found; install it with: apt-get install -y chromium" >&2
	exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs_page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
case $out in /*) abs_out=$out ;; *) abs_out=$PWD/$out ;; esac

# Offline and quiet: the page needs nothing from the network.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --user-data-dir="$profile" \
	--screenshot="$abs_out" --window-size="$width,$height" \
	"file://$abs_page" 2>"$profile/chromium.log" || {
	cat "$profile/chromium.log" >&2
	exit 1
}
test -s "$abs_out" || { cat "$profile/chromium.log" >&2; echo "screenshot: Chromium wrote no $abs_out" >&2; exit 1; }
echo "$abs_out"
