#!/bin/sh
# Checks the systemd unit: systemd-analyze verify finds nothing wrong, and
# its sandbox's exposure, as systemd-analyze security scores it, is at most
# 1.5 (0 is fully locked down, 10 fully exposed).
# Usage: systemd_check.sh UNIT_TEMPLATE LARDERD SCRATCH_DIR
# Exit 0 when both hold, 77 when systemd-analyze is missing, 1 else.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 UNIT_TEMPLATE LARDERD SCRATCH_DIR" >&2
	exit 1
fi
command -v systemd-analyze >/dev/null 2>&1 || {
	echo "systemd_check: systemd-analyze not found, skipped" >&2
	exit 77
}
mkdir -p "$3"
unit="$3/larderd.service"
sed "s|@LARDERD@|$2|" "$1" >"$unit"

systemd-analyze verify --man=no "$unit"
echo "systemd_check: verify: ok"

score=$(systemd-analyze security --offline=true "$unit" 2>&1 |
    sed -n 's/.*Overall exposure level for larderd.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
	echo "systemd_check: no exposure score from systemd-analyze" >&2
	exit 1
fi
echo "systemd_check: exposure $score (at most 1.5)"
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'
