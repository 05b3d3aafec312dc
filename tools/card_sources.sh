#!/bin/sh
# card_sources.sh N... - ingest and report cost against the number of
# distinct sources.  For each N, writes N lines each from its own compose
# prefix (a model line and a storm-peer line in turn, one second apart,
# as the cardinality corpus of tools/bench.sh), ingests it into a fresh
# database and reports it as JSON, RUNS times (default 3), and prints the
# medians: ingest wall and CPU seconds and lines/s (by the wall time),
# report wall and CPU seconds, and the report's peak RSS.  CPU seconds
# are the figures to compare on a busy machine.
#
#   tools/card_sources.sh 100000 300000 1000000
#
# Environment: LOGTRIAGE (default ./logtriage), CARD_RULES (default
# rules/), CARD_DIR (scratch, default a temporary directory, removed), RUNS.
# Needs GNU time (/usr/bin/time).
set -eu
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
lt=${LOGTRIAGE:-$top/logtriage}
rules=${CARD_RULES:-$top/rules}
runs=${RUNS:-3}
if [ -n "${CARD_DIR:-}" ]; then
	dir=$CARD_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi

# gen N: N lines, a compose prefix each
gen() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			t = sprintf("2025-10-%02dT%02d:%02d:%02d.000000000Z", 1 + int(i / 86400),
			    int(i / 3600) % 24, int(i / 60) % 60, i % 60)
			if (i % 2 == 0)
				printf "svc-%d  | %s INFO tools.chat: Completed: {\047model\047: \047m-%d\047, \047ai_response_time_ms\047: %d}\n", i, t, i, 100 + i % 900
			else
				printf "svc-%d  | %s WARNING src.monitoring.resilient_websocket: Connection closed for 10.%d.%d.%d:1: sent 1011 (internal error) keepalive ping timeout\n", i, t, int(i / 65536) % 256, int(i / 256) % 256, i % 256
		}
	}'
}

# timed CMD...: wall and CPU (user + system) seconds of CMD, its output
# dropped; fails with it
timed() {
	/usr/bin/time -f '%e %U %S' -o "$dir/time" "$@" > /dev/null
	awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$dir/time"
}

# median K: the median of column K
median() {
	awk -v k="$1" '{ print $k }' | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

printf '%9s %9s %9s %9s %9s %9s %9s\n' sources ingest_s cpu_s lines/s \
    report_s cpu_s rss_mb
for n in "$@"; do
	gen "$n" > "$dir/card.log"
	: > "$dir/ingest" && : > "$dir/report"
	r=0
	while [ "$r" -lt "$runs" ]; do
		rm -f "$dir/card.db" "$dir/card.db-wal" "$dir/card.db-shm"
		timed "$lt" ingest -q --rules "$rules" --db "$dir/card.db" \
		    "$dir/card.log" >> "$dir/ingest"
		timed "$lt" report --db "$dir/card.db" --format json >> "$dir/report"
		r=$((r + 1))
	done
	/usr/bin/time -f %M -o "$dir/rss" "$lt" report --db "$dir/card.db" \
	    --format json > /dev/null
	i=$(median 1 < "$dir/ingest")
	awk -v n="$n" -v i="$i" -v ic="$(median 2 < "$dir/ingest")" \
	    -v r="$(median 1 < "$dir/report")" -v rc="$(median 2 < "$dir/report")" \
	    -v m="$(cat "$dir/rss")" \
	    'BEGIN { printf "%9d %9.2f %9.2f %9.0f %9.2f %9.2f %9.0f\n", n, i, ic, n / i, r, rc, m / 1024 }'
done
