#!/bin/sh
# scale.sh: the scale scenario. Generates a national-size month (10,000
# members, a million offers) as a real larderd database, then times each
# stage with its peak memory: the generation, `larder report --db` beside
# the sqlite3 tool summing the same month's grams, and `larder simulate`
# of the month under fcfs and fairshare. Prints figures; asserts nothing.
#
#	tests/bench/scale.sh [--quick] [BUILD_DIR]
#
# BUILD_DIR defaults to build-test; the scratch files go in BUILD_DIR/scale.
# --quick uses 100,000 offers (SCALE_OFFERS=N sets any number).
# SCALE_SIM_TIMEOUT (seconds, default 600) bounds each simulate run; one
# that runs out is reported as not finished. SCALE_SIMULATE=0 stops after
# the report (tests/bench/run does, for its month of a million events).

set -eu

usage() {
	echo "usage: tests/bench/scale.sh [--quick] [BUILD_DIR]" >&2
	exit 2
}

build="build-test"
offers=1000000
members=10000
month=2026-11
sim_timeout=${SCALE_SIM_TIMEOUT:-600}
for arg in "$@"; do
	case $arg in
	--quick) offers=100000 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) build=$arg ;;
	esac
done
offers=${SCALE_OFFERS:-$offers}

larder=$build/larder
gen=$build/tests/bench/gen_month
for bin in "$larder" "$gen"; do
	if [ ! -x "$bin" ]; then
		echo "scale: $bin is missing; build the larder and gen_month" \
		    "targets in $build" >&2
		exit 1
	fi
done

scratch=$build/scale
db=$scratch/month.db
rm -rf "$scratch"
mkdir -p "$scratch"

if [ -x /usr/bin/time ]; then
	have_time=1
else
	have_time=0
	echo "scale: /usr/bin/time is missing: elapsed times only, no memory"
fi
have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1

# now: seconds since the epoch, with nanoseconds where date has them.
now() {
	date +%s.%N 2>/dev/null | sed 's/\.N$//'
}

# measure NAME COMMAND...: runs the command with its output in the scratch
# directory and sets elapsed (seconds), rss (MB, or n/a) and status.
measure() {
	name=$1
	shift
	status=0
	if [ "$have_time" = 1 ]; then
		/usr/bin/time -v -o "$scratch/$name.time" "$@" \
		    >"$scratch/$name.out" 2>"$scratch/$name.err" || status=$?
		elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {
			n = split($2, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]
			printf "%.2f", s }' "$scratch/$name.time")
		rss=$(awk -F': ' '/Maximum resident set size/ {
			printf "%.1f", $2 / 1024 }' "$scratch/$name.time")
	else
		t0=$(now)
		"$@" >"$scratch/$name.out" 2>"$scratch/$name.err" || status=$?
		t1=$(now)
		elapsed=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
		rss=n/a
	fi
	[ -n "$elapsed" ] || elapsed=n/a
	[ -n "$rss" ] || rss=n/a
}

# show STAGE: prints what the last measure found.
show() {
	if [ "$status" = 0 ]; then
		printf '%-34s %10s s %10s MB\n' "$1" "$elapsed" "$rss"
	elif [ "$status" = 124 ]; then
		printf '%-34s %10s s %10s MB  (stopped after %s s)\n' "$1" \
		    "$elapsed" "$rss" "$sim_timeout"
	else
		printf '%-34s failed (exit %s); see %s\n' "$1" "$status" \
		    "$scratch"
	fi
}

# figure NAME VALUE UNIT: one line of the summary, kept for the end.
figures=
figure() {
	figures="${figures}figure: $1 $2 $3
"
}

echo "scale: $members members, $offers offers in $month, into $db"

measure gen "$gen" --offers "$offers" --members "$members" --month "$month" \
    "$db"
show "generate the month"
if [ "$status" != 0 ]; then
	cat "$scratch/gen.err" >&2
	exit 1
fi
events=$(awk '/^figure: gen_events / { print $3 }' "$scratch/gen.out")
grep -v '^figure:' "$scratch/gen.out" | sed 's/^/  /'
figure scale_events "$events" events
figure scale_gen_seconds "$elapsed" s
figure scale_gen_rss_mb "$rss" MB

measure report "$larder" report --db "$db" --month "$month"
show "larder report --db"
report_s=$elapsed
if [ "$status" != 0 ] || ! grep -q "report for $month" "$scratch/report.out"
then
	echo "scale: the report failed; see $scratch/report.err" >&2
	report_s=n/a
fi
figure scale_report_seconds "$report_s" s
figure scale_report_rss_mb "$rss" MB
if [ "$report_s" != n/a ]; then
	figure scale_report_seconds_per_1m_events "$(echo "$report_s $events" |
	    awk '{ printf "%.3f", $1 / $2 * 1e6 }')" s
	figure scale_report_events_per_s "$(echo "$report_s $events" |
	    awk '{ printf "%.0f", $2 / ($1 > 0 ? $1 : 0.01) }')" events/s
fi

# The same month's grams summed by kind (and waste by cause) in SQL.
if ! command -v sqlite3 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	apt-get install -y sqlite3 >/dev/null 2>&1 || true
fi
if command -v sqlite3 >/dev/null 2>&1; then
	from=$(date -u -d "$month-01" +%s)
	to=$(date -u -d "$month-01 +1 month" +%s)
	sql="SELECT json_extract(body, '\$.kind') AS kind,
	    coalesce(json_extract(body, '\$.cause'), '') AS cause,
	    sum(json_extract(body, '\$.grams')) AS grams, count(*)
	    FROM events WHERE at >= $from AND at < $to
	    AND kind IN ('offer.posted', 'allocation.accepted',
	        'allocation.claimed', 'allocation.collected', 'waste.recorded')
	    GROUP BY kind, cause ORDER BY kind, cause;"
	measure sqlite sqlite3 -readonly "$db" "$sql"
	show "sqlite3: the month's sums by kind"
	sed 's/^/  /' "$scratch/sqlite.out"
	figure scale_sqlite_seconds "$elapsed" s
	if [ "$report_s" != n/a ] && [ "$status" = 0 ]; then
		ratio=$(echo "$report_s $elapsed" |
		    awk '{ printf "%.2f", $1 / ($2 > 0 ? $2 : 0.01) }')
		echo "  larder report takes $ratio times as long as the sums"
		figure scale_report_over_sqlite "$ratio" ratio
	fi
else
	echo "scale: no sqlite3 (apt-get install sqlite3): no comparison"
fi

policies="fcfs fairshare"
[ "${SCALE_SIMULATE:-1}" = 0 ] && policies=""
for policy in $policies; do
	if [ "$have_timeout" = 1 ]; then
		measure "sim-$policy" timeout "$sim_timeout" "$larder" simulate \
		    --db "$db" --month "$month" --policy "$policy"
	else
		measure "sim-$policy" "$larder" simulate --db "$db" \
		    --month "$month" --policy "$policy"
	fi
	show "larder simulate --policy $policy"
	done=0
	[ "$status" = 0 ] && done=1
	[ "$status" = 0 ] && grep -E 'reached|nobody took' \
	    "$scratch/sim-$policy.out" | sed 's/^/  /'
	figure "scale_sim_${policy}_seconds" "$elapsed" s
	figure "scale_sim_${policy}_rss_mb" "$rss" MB
	figure "scale_sim_${policy}_finished" "$done" bool
done

printf '%s' "$figures"
