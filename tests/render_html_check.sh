#!/bin/sh
# Opens an HTML report in headless Chromium, takes a screenshot and prints
# it to PDF, and checks both came out whole.
# Usage: render_html_check.sh REPORT.html SCRATCH_DIR
# Exit 0 when both look whole, 77 when Chromium or pdfinfo is missing
# (install them with LARDER_WITH_TEST_PACKAGES=1 scripts/deps), 1 else.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 REPORT.html SCRATCH_DIR" >&2
	exit 1
fi
html=$1
dir=$2
for tool in chromium pdfinfo timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "render_html_check: $tool not found, skipped" >&2
		exit 77
	fi
done
if [ ! -s "$html" ]; then
	echo "render_html_check: $html: missing or empty" >&2
	exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
rm -f "$dir/page.png" "$dir/page.pdf"

# chromium_run ARG: one headless run writing ARG's file, at most 60 s.
chromium_run() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$dir/profile" --window-size=1200,2400 \
	    --no-pdf-header-footer "$1" "$url" >>"$dir/chromium.log" 2>&1
}

# fail MESSAGE: says what went wrong, with Chromium's last words.
fail() {
	echo "render_html_check: $1" >&2
	tail -n 5 "$dir/chromium.log" >&2 2>/dev/null || true
	exit 1
}

: >"$dir/chromium.log"
chromium_run --screenshot="$dir/page.png" ||
    fail "chromium failed or timed out taking the screenshot"
chromium_run --print-to-pdf="$dir/page.pdf" ||
    fail "chromium failed or timed out printing to PDF"

[ -f "$dir/page.png" ] || fail "no screenshot written"
[ -f "$dir/page.pdf" ] || fail "no PDF written"
png=$(wc -c <"$dir/page.png")
pdf=$(wc -c <"$dir/page.pdf")
[ "$png" -gt 20480 ] || fail "screenshot is only $png bytes"
[ "$pdf" -gt 5120 ] || fail "PDF is only $pdf bytes"
pages=$(timeout 60 pdfinfo "$dir/page.pdf" 2>/dev/null |
    sed -n 's/^Pages: *\([0-9][0-9]*\)$/\1/p')
if [ -z "$pages" ] || [ "$pages" -lt 1 ]; then
	fail "pdfinfo finds no pages in $dir/page.pdf"
fi
echo "render_html_check: ok: screenshot $png bytes, PDF $pdf bytes," \
    "$pages pages"
