#!/bin/sh
# compare_builds.sh - two builds of logtriage over the same inputs must give
# the same outputs: each ingests the inputs into a database of its own, then
# runs the same commands (events, report in every format and window, patterns,
# rules, prune) against it.  Standard output, standard error and the exit
# status of every command are compared byte for byte, and so is the content
# of every table that does not hold wall-clock times (the events as the
# union of events and samples, with their ids: see tables below).
#
#   tools/compare_builds.sh OLD_BINARY NEW_BINARY INPUT...
#
# Prints one line per command, "same" or "DIFFERS" (with the first lines of
# the diff), and a summary; exits 1 when anything differs.  What is allowed
# to differ is left out on purpose and listed here: the Prometheus
# exposition's logtriage_last_ingest_timestamp_seconds (the wall clock of
# the ingest), the ingests table's started/finished columns, and the
# directory each binary lives in (its rules are found beside it), which
# is written as TOP.
#
# Environment:
#   COMPARE_DIR  scratch directory (default: a new one under ${TMPDIR:-/tmp})
#   COMPARE_KEEP keep the scratch directory when set
set -u

LC_ALL=C
export LC_ALL
[ $# -ge 3 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY INPUT..." >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
shift 2
dir=${COMPARE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")}
mkdir -p "$dir/old" "$dir/new"
same=0 differs=0

# tops: both builds' directories written as TOP.
tops() {
	sed -e "s|$(dirname "$old")|TOP|g" -e "s|$(dirname "$new")|TOP|g"
}

# run SIDE NAME ARGS...: one command of one build against its database,
# output to SIDE/NAME.out (stdout, then stderr, then the exit status).
run() {
	side=$1 name=$2
	shift 2
	bin=$old
	[ "$side" = new ] && bin=$new
	( cd "$dir/$side" && "$bin" "$@" > "$name.stdout" 2> "$name.stderr"
	  echo "exit $?" > "$name.status" )
	cat "$dir/$side/$name.stdout" "$dir/$side/$name.stderr" \
	    "$dir/$side/$name.status" |
	    grep -v '^logtriage_last_ingest_timestamp_seconds' |
	    tops > "$dir/$side/$name.out"
}

# verdict NAME: old/NAME.out against new/NAME.out, counted and printed.
verdict() {
	name=$1
	if cmp -s "$dir/old/$name.out" "$dir/new/$name.out"; then
		same=$((same + 1))
		echo "same     $name"
	else
		differs=$((differs + 1))
		echo "DIFFERS  $name"
		# the first lines of each side's part, so a short one shows too
		diff "$dir/old/$name.out" "$dir/new/$name.out" > "$dir/.diff"
		grep '^<' "$dir/.diff" | head -6
		grep '^>' "$dir/.diff" | head -6
	fi
}

check() {
	name=$1
	shift
	run old "$name" "$@"
	run new "$name" "$@"
	verdict "$name"
}

# tables SIDE: every table without wall-clock columns, in a stable order.
# Incidents without their ids: an open storm's row is replaced at each
# commit, and commits fall where a batch is due (after so many records,
# near a file's end, or on the wall clock), so ids are numbered in an
# order that two runs of one build need not share.
# Events are compared with their ids as the union of events and samples
# (the view events_all), so that a build that stores metric samples apart
# compares with one that does not; how the rows are split between the two
# tables, and the spans kept to deduplicate samples, are left out.
# events_of DB: the view of every event, or events in a database without it.
events_of() {
	if [ "$(sqlite3 "$1" "SELECT count(*) FROM sqlite_master
	    WHERE name = 'events_all'")" = 1 ]; then
		echo events_all
	else
		echo events
	fi
}

tables() {
	db=$dir/$1/t.db
	all=$(events_of "$db")
	for t in sources $all volume volume_marks event_minutes \
	    event_context context_blocks context_files input_ordinals rules; do
		echo "== ${t%_all}"
		sqlite3 "$db" "SELECT * FROM $t ORDER BY 1, 2, 3" 2>&1
	done
	echo "== incidents"
	sqlite3 "$db" "SELECT kind, rule, source_id, key, start, end, count,
	    peak_per_min, detected_at, event_id, details FROM incidents
	    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11" 2>&1
	echo "== ingests"
	sqlite3 "$db" "SELECT input, source, status, bytes, lines, records,
	    events, duplicates, malformed, truncated, no_timestamp, backwards,
	    bad_utf8, nul_bytes, regex_errors, skipped_bytes, first_ts, last_ts,
	    untimed FROM ingests ORDER BY id" 2>&1
	echo "== inputs"
	sqlite3 "$db" "SELECT path, fingerprint, offset, lineno, ordinals, ts,
	    rules FROM inputs ORDER BY path" 2>&1
}

# The inputs are copied, so that their paths name neither build's tree.
mkdir -p "$dir/in"
inputs=
for f in "$@"; do
	cp "$f" "$dir/in/"
	inputs="$inputs $dir/in/$(basename "$f")"
done
# Word splitting of $inputs is wanted: the names are the inputs' own.
# shellcheck disable=SC2086
check ingest ingest --db t.db $inputs
for side in old new; do
	tables "$side" | tops > "$dir/$side/tables.out"
done
verdict tables

# A window inside the data (times are stored in milliseconds): its middle
# third, so both edges cut the data.
span=$(sqlite3 "$dir/new/t.db" "SELECT min(ts), max(ts) FROM $(events_of "$dir/new/t.db") WHERE ts IS NOT NULL")
lo=${span%|*} hi=${span#*|}
since= until=
if [ -n "$lo" ] && [ -n "$hi" ]; then
	third=$(( (hi - lo) / 3 ))
	since=$(date -u -d "@$(( (lo + third) / 1000 ))" +%Y-%m-%dT%H:%M:%S)
	until=$(date -u -d "@$(( (lo + 2 * third) / 1000 ))" +%Y-%m-%dT%H:%M:%S)
fi

for fmt in text markdown json html prometheus; do
	check "report-$fmt" report --db t.db --format "$fmt"
	check "report-all-$fmt" report --db t.db --all --format "$fmt"
	check "report-tz-$fmt" report --db t.db --tz Asia/Kathmandu --format "$fmt"
	if [ -n "$since" ]; then
		check "report-window-$fmt" report --db t.db --since "$since" \
		    --until "$until" --compare previous --format "$fmt"
	fi
done
check report-fail-on report --db t.db --fail-on error
check report-slow report --db t.db --slow-ms 500
for fmt in ndjson tsv; do
	check "events-$fmt" events --db t.db --format "$fmt"
	check "events-tz-$fmt" events --db t.db --tz Asia/Tokyo --format "$fmt"
	check "events-error-$fmt" events --db t.db --category error --format "$fmt"
	[ -z "$since" ] || check "events-window-$fmt" events --db t.db \
	    --since "$since" --until "$until" --format "$fmt"
done
check events-untimed events --db t.db --untimed
check events-context events --db t.db --limit 50 --context 2
for fmt in text json; do
	check "patterns-$fmt" patterns --db t.db --format "$fmt"
done
check patterns-rule patterns --db t.db --rule 1
check rules-list rules list
check rules-test rules test
check prune-dry prune --db t.db --older-than 1h --dry-run
for side in old new; do
	sqlite3 "$dir/$side/t.db" ".backup '$dir/$side/p.db'"
done
check prune prune --db p.db --older-than 1h
check report-after-prune report --db p.db --format json

echo "$same same, $differs differ"
[ -n "${COMPARE_KEEP:-}" ] || rm -rf "$dir"
[ "$differs" -eq 0 ]
