#!/bin/sh
# overlap_check.sh - the same corpus three ways into three databases, which
# must then hold identical events, incidents and volume:
#   whole   one ingest of the whole corpus through standard input;
#   windows 24 overlapping --since-style windows through standard input,
#           each from half a window before the previous one ended (the
#           daily `docker compose logs --since 25h` cron);
#   grow    a file that grows in 24 steps cut at arbitrary bytes (lines
#           and records cut in two), ingested after each step like a
#           cron every 10 s.
# Compares md5 sums of each table's content (ids and line numbers, which
# depend on the input, left out) and prints them; exit 1 when they differ.
#
# Environment:
#   OVERLAP_DIR       scratch directory (default: bench/overlap in the tree)
#   OVERLAP_SIZE      corpus size, K/M/G binary (default 1G)
#   OVERLAP_WINDOWS   number of windows and growth steps (default 24)
#   OVERLAP_INTERVAL  seconds to sleep between growth steps (default 0)
#   OVERLAP_RULES     rules passed to ingest (default: the binary's own)
#   LOGTRIAGE         binary (default ./logtriage)
set -eu

LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${OVERLAP_DIR:-$top/bench/overlap}
lt=${LOGTRIAGE:-$top/logtriage}
nwin=${OVERLAP_WINDOWS:-24}
interval=${OVERLAP_INTERVAL:-0}
rules_opt=
[ -z "${OVERLAP_RULES:-}" ] || rules_opt="--no-default-rules --rules $OVERLAP_RULES"
mkdir -p "$dir"
cd "$dir"

sz=${OVERLAP_SIZE:-1G}
case $sz in
*[kK]) size=$(( ${sz%?} * 1024 )) ;;
*[mM]) size=$(( ${sz%?} * 1048576 )) ;;
*[gG]) size=$(( ${sz%?} * 1073741824 )) ;;
*) size=$sz ;;
esac

if [ ! -x gen_corpus ] || [ "$top/tools/gen_corpus.c" -nt gen_corpus ]; then
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o gen_corpus "$top/tools/gen_corpus.c" -lm
fi
args="--seed 42 --size $size --envelope mixed"
if [ ! -f c.log ] || [ "$(cat c.args 2> /dev/null)" != "$args" ]; then
	# shellcheck disable=SC2086
	./gen_corpus $args --out c.log --truth c.truth.json > /dev/null
	echo "$args" > c.args
fi
bytes=$(wc -c < c.log)

# lt DB ARGS...: one ingest, quiet
ingest() {
	db=$1; shift
	# shellcheck disable=SC2086
	"$lt" ingest -q --db "$db" $rules_opt "$@"
}

rm -f whole.db* windows.db* grow.db* grow.log
t0=$(date +%s)
ingest whole.db - < c.log
t1=$(date +%s)

# Window bounds in log time: the envelope stamp is the third field.
first=$(head -n 1 c.log | awk '{ print substr($3, 1, 19) }')
last=$(tail -n 1 c.log | awk '{ print substr($3, 1, 19) }')
s0=$(date -u -d "$first" +%s)
s1=$(( $(date -u -d "$last" +%s) + 1 ))
part=$(( (s1 - s0 + nwin - 1) / nwin ))
# every bound, sorted: window k is [s0 + k*part - part/2, s0 + (k+1)*part)
: > bounds
k=0
while [ $k -le "$nwin" ]; do
	echo $((s0 + k * part)) >> bounds
	[ $k -eq 0 ] || [ $k -eq "$nwin" ] || echo $((s0 + k * part - part / 2)) >> bounds
	k=$((k + 1))
done
sort -n -u bounds | while read -r s; do date -u -d "@$s" +%Y-%m-%dT%H:%M:%S; done > bounds.t
# the byte offset where each bound is first reached (one pass)
awk 'NR == FNR { t[n++] = $0; next }
	{ while (i < n && substr($3, 1, 19) >= t[i]) print t[i++], off; off += length($0) + 1 }
	END { while (i < n) print t[i++], off }' bounds.t c.log > bounds.off
offset_of() { awk -v t="$1" '$1 == t { print $2 }' bounds.off; }
at() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S; }
k=0
while [ $k -lt "$nwin" ]; do
	from=$((s0 + k * part - part / 2))
	[ $k -gt 0 ] || from=$s0
	a=$(offset_of "$(at "$from")")
	b=$(offset_of "$(at $((s0 + (k + 1) * part)))")
	tail -c +$((a + 1)) c.log | head -c $((b - a)) | ingest windows.db -
	k=$((k + 1))
done
t2=$(date +%s)

# The growing file: steps cut at arbitrary bytes.
k=1
prev=0
while [ $k -le "$nwin" ]; do
	cut=$((bytes * k / nwin + (k * 7919) % 4093))
	[ $cut -le "$bytes" ] && [ $k -lt "$nwin" ] || cut=$bytes
	tail -c +$((prev + 1)) c.log | head -c $((cut - prev)) >> grow.log
	prev=$cut
	ingest grow.db grow.log
	[ "$interval" = 0 ] || sleep "$interval"
	k=$((k + 1))
done
t3=$(date +%s)

sums() {
	sqlite3 -batch -noheader "$1" "SELECT s.name, e.rule, e.ts, e.hash,
	    e.ordinal, e.stream, e.text, e.fields, e.value, e.grp
	    FROM events_all e JOIN sources s ON s.id = e.source_id
	    ORDER BY s.name, e.rule, e.ts, e.hash, e.ordinal" | md5sum | cut -c1-32
	sqlite3 -batch -noheader "$1" "SELECT i.kind, i.rule, s.name, i.key,
	    i.start, i.end, i.count, i.peak_per_min, i.detected_at
	    FROM incidents i JOIN sources s ON s.id = i.source_id
	    ORDER BY s.name, i.rule, i.kind, i.start, i.key" | md5sum | cut -c1-32
	sqlite3 -batch -noheader "$1" "SELECT s.name, v.minute, v.lines,
	    v.records, v.bytes, v.malformed, v.truncated
	    FROM volume v JOIN sources s ON s.id = v.source_id
	    ORDER BY s.name, v.minute" | md5sum | cut -c1-32
	sqlite3 -batch -noheader "$1" "SELECT (SELECT count(*) FROM events_all) || ' events, ' ||
	    (SELECT count(*) FROM incidents) || ' incidents, ' ||
	    (SELECT sum(lines) FROM volume) || ' lines, ' ||
	    (SELECT sum(records) FROM volume) || ' records, ' ||
	    (SELECT sum(bytes) FROM volume) || ' bytes'"
}
echo "overlap_check: $bytes bytes, $(wc -l < c.log) lines; $nwin windows, $nwin growth steps"
echo "overlap_check: whole $((t1 - t0)) s, windows $((t2 - t1)) s, grow $((t3 - t2)) s"
sums whole.db | paste -sd ' ' | sed 's/^/whole   /'
sums windows.db | paste -sd ' ' | sed 's/^/windows /'
sums grow.db | paste -sd ' ' | sed 's/^/grow    /'
w=$(sums whole.db | head -n 3)
if [ "$w" = "$(sums windows.db | head -n 3)" ] && [ "$w" = "$(sums grow.db | head -n 3)" ]; then
	echo "overlap_check: identical"
else
	echo "overlap_check: DIFFERENT"
	exit 1
fi
