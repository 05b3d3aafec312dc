#!/bin/sh
# bench.sh - `make bench`: logtriage ingest against grep, envelope by size.
#
# Builds tools/gen_corpus.c (the corpora and their truth come from the tree,
# nothing from outside it) and for every envelope (plain: docker logs;
# docker-ts: docker logs -t; docker-json: json-file; compose: docker compose
# logs; compose-ts: with -t; mixed: each container in an envelope of its
# own; journald: journalctl -o json; untimed: plain with the stamps cut, as
# an application that writes none, every record of it untimed) and size
# (10M, 100M, 1G) writes a corpus, then runs `grep -c -E -f
# tools/bench_patterns.txt` (output to a file: to /dev/null GNU grep stops
# at the first match) and `logtriage ingest` into a fresh database,
# interleaved, 5 times for 10M, else 3; prints medians of wall time, MB/s,
# CPU seconds, the largest peak RSS and the ratio, and checks the stored
# counts of every cell against the truth.
# One more run of each cell of the largest size with `ingest --stats` shows
# where its time went and which thread set the pace, and against the
# writer's CPU the store's floor: what SQLite alone takes to store that
# many rows of that width (tools/store_floor.c); the largest mixed cell
# is read again with the generic rules off, with failures no rule claims
# (generic rules on and off), and through a pipe with and without context,
# for what those cost.
# Then: an empty input into a new database (timed from its start to its
# exit by tools/spawn_time.c, against `true` timed so), report, the TUI's
# first screen (from its launch in a pane of a running tmux to the summary
# written to the terminal) and every key of a tour of its views
# (tools/bench_tui.sh) on the largest mixed cell and on the 1M-event
# cardinality database, and hostile cardinality: ingest and report of 1M
# lines that are 1M distinct models and storm keys of one source, 1M
# lines with a compose prefix (a source) each, 1M provider timeouts
# that no fallback follows, and 250k errors over 2048 services.
# Last, every target of the matrix (ratios to grep, small and empty inputs,
# json-file's MB/s, peak RSS and its flatness, report, the TUI's first
# screen, the truth checks) with its verdict: met, MISSED or not measured.
#
# Environment:
#   BENCH_DIR       scratch directory (default: bench/ in the tree)
#   BENCH_QUICK=1   the 100M column only
#   BENCH_SIZES     sizes to run, K/M/G binary (default "10M 100M 1G")
#   BENCH_ENVELOPES envelopes to run (default all eight)
#   BENCH_RUNS      runs of each command (default 5: on a shared virtual
#                   machine three runs of a 1 GiB cell moved its ratio by
#                   a third from one bench to the next)
#   BENCH_FLAT=1    also ingest 1 GiB and 4 GiB of mixed (3 runs each, the heap on huge
#                   pages, then on small ones) and compare peak RSS, and the
#                   4 GiB run's peak after 1 GiB read with its peak at the end
#   BENCH_KEEP=1    keep every cell's database (default: only the report's)
#   BENCH_CARD_LINES lines of the cardinality corpora (default 1000000; 0 skips)
#   BENCH_RULES     rules directory passed to ingest (default: the binary's own)
#   LOGTRIAGE       binary to measure (default ./logtriage)
set -eu

LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dir=${BENCH_DIR:-$top/bench}
lt=${LOGTRIAGE:-$top/logtriage}
pats=$top/tools/bench_patterns.txt
rules_opt=
[ -z "${BENCH_RULES:-}" ] || rules_opt="--no-default-rules --rules $BENCH_RULES"
mkdir -p "$dir"

to_bytes() {
	case $1 in
	*[kK]) echo $(( ${1%?} * 1024 )) ;;
	*[mM]) echo $(( ${1%?} * 1048576 )) ;;
	*[gG]) echo $(( ${1%?} * 1073741824 )) ;;
	*) echo "$1" ;;
	esac
}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	sizes=${BENCH_SIZES:-100M}
else
	sizes=${BENCH_SIZES:-10M 100M 1G}
fi
envelopes=${BENCH_ENVELOPES:-plain docker-ts docker-json compose compose-ts mixed journald untimed}

# gen_envelope NAME: the generator's name of a bench envelope.
gen_envelope() {
	case $1 in
	compose-ts) echo mixed ;;
	mixed) echo blend ;;
	*) echo "$1" ;;
	esac
}

if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	have_time=1
else
	have_time=0
	echo "bench: GNU time not found; peak RSS not measured" >&2
fi

spawn=$dir/spawn_time
if [ ! -x "$spawn" ] || [ "$top/tools/spawn_time.c" -nt "$spawn" ]; then
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$spawn" "$top/tools/spawn_time.c"
fi

# linked with the SQLite the binary links (Makefile: static)
floor=$dir/store_floor
if [ ! -x "$floor" ] || [ "$top/tools/store_floor.c" -nt "$floor" ]; then
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$floor" "$top/tools/store_floor.c" \
	    -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -lpthread -lm 2> "$dir/store_floor.err" || {
		echo "bench: tools/store_floor.c not built (see $dir/store_floor.err); no store floor" >&2
		floor=
	}
fi

gen=$dir/gen_corpus
if [ ! -x "$gen" ] || [ "$top/tools/gen_corpus.c" -nt "$gen" ]; then
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$gen" "$top/tools/gen_corpus.c" -lm
fi

# corpus NAME ENVELOPE BYTES [OPTIONS]: (re)generate only when its arguments
# or the generator changed.
corpus() {
	name=$1 env=$2 bytes=$3
	shift 3
	args="--seed 42 --size $bytes --envelope $env $*"
	if [ -f "$dir/$name.log" ] && [ -f "$dir/$name.args" ] &&
	    [ "$(cat "$dir/$name.args")" = "$args" ] &&
	    [ ! "$gen" -nt "$dir/$name.log" ]; then
		return
	fi
	echo "bench: writing $dir/$name.log ($env, $bytes bytes)"
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	"$gen" $args --out "$dir/$name.log" --truth "$dir/$name.truth.json"
	t1=$(date +%s%N)
	echo "$args" > "$dir/$name.args"
	awk -v t="$(( t1 - t0 ))" -v b="$bytes" \
	    'BEGIN { printf "bench: generated in %.2f s (%.0f MB/s)\n", t / 1e9, b / 1e6 / (t / 1e9) }'
}

# untimed_corpus NAME SIZE BYTES: the plain corpus of SIZE with each line's
# leading stamp cut, its truth the plain one's (made again when that is).
untimed_corpus() {
	corpus "plain-$2" plain "$3"
	if [ -f "$dir/$1.log" ] && [ ! "$dir/plain-$2.log" -nt "$dir/$1.log" ]; then
		return
	fi
	echo "bench: writing $dir/$1.log (plain-$2 without its stamps)"
	sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:,.]+ //' "$dir/plain-$2.log" > "$dir/$1.log"
	cp "$dir/plain-$2.truth.json" "$dir/$1.truth.json"
}

# truth FILE KEY: a number from the truth JSON.
truth() {
	sed -n "s/^ *\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | head -n 1
}

median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# timed OUTFILE CMD...: run CMD, append "nanoseconds rss_kib cpu_seconds"
# (user + system, all threads) to OUTFILE.  The clock stops before the
# figures are read: a tail and an awk are no part of the command's time.
# The writes of the run before are flushed first, untimed: the kernel's
# writeback of one run's database must not be charged to the next run,
# of either tool.
timed() {
	out=$1
	shift
	sync
	t0=$(date +%s%N)
	if [ "$have_time" = 1 ]; then
		/usr/bin/time -f '%M %U %S' -o "$dir/.rss" "$@" > "$dir/.stdout" 2> "$dir/.stderr" ||
		    { echo "bench: failed: $*" >&2; cat "$dir/.stderr" >&2; return 1; }
		t1=$(date +%s%N)
		set -- $(tail -n 1 "$dir/.rss")
		rss=$1
		cpu=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
	else
		"$@" > "$dir/.stdout" 2> "$dir/.stderr" ||
		    { echo "bench: failed: $*" >&2; cat "$dir/.stderr" >&2; return 1; }
		t1=$(date +%s%N)
		rss=0
		cpu=0
	fi
	echo "$(( t1 - t0 )) $rss $cpu" >> "$out"
}

fresh_db() {
	rm -f "$1" "$1-wal" "$1-shm" "$1-journal" "$1-build-journal" "$1-lock"
}

# settled_fresh_db DB: fresh_db, and when DB was large, time for the file
# system to give its blocks back before the run that follows: on one
# mounted with discard that goes on for a second or two after the sync,
# and cost a 1 GiB cell's ingest run right after it 10-15% of its time
# (grep, which writes nothing, not at all).
settled_fresh_db() {
	db_bytes=0
	[ ! -f "$1" ] || db_bytes=$(wc -c < "$1")
	fresh_db "$1"
	if [ "$db_bytes" -gt 67108864 ]; then
		sync
		sleep 2
	fi
}

have_lt=1
if [ ! -x "$lt" ]; then
	echo "bench: $lt not built; measuring grep only" >&2
	have_lt=0
fi

results=$dir/results.txt
: > "$results"

# measure NAME: grep and logtriage, interleaved.
measure() {
	name=$1 file=$dir/$1.log db=$dir/$1.db
	bytes=$(wc -c < "$file")
	lines=$(truth "$dir/$name.truth.json" lines)
	n=${BENCH_RUNS:-5}
	rm -f "$dir/$name.grep" "$dir/$name.lt"
	# read once, untimed: otherwise the first run of the cell reads the
	# disk (the corpora outgrow the page cache) and both tools' medians
	# carry it
	cat "$file" > /dev/null
	i=0
	while [ "$i" -lt "$n" ]; do
		timed "$dir/$name.grep" grep -c -E -f "$pats" "$file" || [ -s "$dir/.stdout" ]
		gcount=$(cat "$dir/.stdout")
		if [ "$have_lt" = 1 ]; then
			settled_fresh_db "$db"
			# shellcheck disable=SC2086
			timed "$dir/$name.lt" "$lt" ingest --db "$db" $rules_opt -q "$file" || have_lt=0
		fi
		i=$((i + 1))
	done
	summarise "$name" grep "$dir/$name.grep" \
	    "grep -c counted $gcount matching lines;"
	if [ "$have_lt" = 1 ] && [ -s "$dir/$name.lt" ]; then
		summarise "$name" logtriage "$dir/$name.lt" "logtriage ingest"
	fi
}

# summarise NAME TOOL TIMES WHAT: the median wall time, largest peak RSS
# and median CPU of the runs in TIMES go to the results; the runs are shown.
summarise() {
	echo "$1 $2 $bytes $lines $(cut -d' ' -f1 "$3" | median)" \
	    "$(cut -d' ' -f2 "$3" | sort -n | tail -n 1)" \
	    "$(cut -d' ' -f3 "$3" | median)" >> "$results"
	echo "bench: $1: $4 runs (s):" $(awk '{ printf "%.3f ", $1 / 1e9 }' "$3")
}

# count_rule DB RULE [OPTION]: events stored for RULE (--untimed: those
# with no time, which events lists only so).
count_rule() {
	"$lt" events --db "$1" --rule "$2" ${3:-} --format ndjson | wc -l
}

# check NAME: stored counts against the generator's truth; the verdict
# goes to the results.
check() {
	name=$1 db=$dir/$1.db tj=$dir/$1.truth.json
	bad=0
	untimed=
	case $name in untimed-*) untimed=--untimed ;; esac
	echo "bench: $name: stored counts against the truth"
	for pair in retry:retry provider-timeout:timeout fallback:fallback \
	    semaphore-leak:semaphore_leak semaphore-health:semaphore_health \
	    semaphore-recovered:semaphore_recovery_success \
	    semaphore-recovery-failed:semaphore_recovery_failed \
	    semaphore-double-release:double_release \
	    ws-keepalive-1011:ws_1011_total response-time:latency_lines \
	    http-rate-limited:http_429 http-upstream-error:http_5xx; do
		rule=${pair%%:*} key=${pair#*:}
		want=$(truth "$tj" "$key")
		got=$(count_rule "$db" "$rule" "$untimed" 2>/dev/null || echo error)
		verdict=OK
		[ "$got" = "$want" ] || { verdict=MISMATCH; bad=$((bad + 1)); }
		printf '  %-26s %-9s truth %-8s stored %s\n' "$rule" "$verdict" "$want" "$got"
	done
	if [ -n "$untimed" ]; then
		# storms and expectations are windows of time: none without it
		echo "  (untimed: storms and unrecovered leaks need times, not checked)"
	elif command -v sqlite3 >/dev/null 2>&1; then
		want=$(grep -c '"peer":' "$tj" || true)
		got=$(sqlite3 "$db" "SELECT count(*) FROM incidents WHERE kind = 'storm' AND rule = 'ws-keepalive-1011'" 2>/dev/null || echo error)
		verdict=OK
		[ "$got" = "$want" ] || { verdict=MISMATCH; bad=$((bad + 1)); }
		printf '  %-26s %-9s truth %-8s stored %s\n' "storms" "$verdict" "$want" "$got"
		want=$(truth "$tj" unrecovered_leaks)
		got=$(sqlite3 "$db" "SELECT count(*) FROM incidents WHERE kind IN ('unresolved', 'open') AND rule = 'semaphore-leak'" 2>/dev/null || echo error)
		verdict=OK
		[ "$got" = "$want" ] || { verdict=MISMATCH; bad=$((bad + 1)); }
		printf '  %-26s %-9s truth %-8s stored %s\n' "unrecovered leaks" "$verdict" "$want" "$got"
	else
		echo "  (sqlite3 not installed: storms and unrecovered leaks not checked)"
	fi
	echo "$name truth $bad" >> "$results"
}

# The truth's time span, for report and TUI windows over the whole corpus.
window() {
	first=$(sed -n 's/.*"first_timestamp": "\([^"]*\)".*/\1/p' "$1")
	last=$(sed -n 's/.*"last_timestamp": "\([^"]*\)".*/\1/p' "$1")
	until=$(date -u -d "$last + 1 minute" +%Y-%m-%dT%H:%M:%SZ)
	echo "$first $until"
}

report_time() {
	name=$1 db=$dir/$1.db
	set -- $(window "$dir/$name.truth.json")
	rm -f "$dir/$name.report"
	i=0
	while [ "$i" -lt 3 ]; do
		timed "$dir/$name.report" "$lt" report --db "$db" --since "$1" \
		    --until "$2" --format json || return 0
		i=$((i + 1))
	done
	rt=$(cut -d' ' -f1 "$dir/$name.report" | median)
	events=$(sqlite3 "$db" "SELECT count(*) FROM events_all" 2>/dev/null || echo '?')
	echo "$name report $rt $events" >> "$results"
}

# The TUI's first screen: from the command's launch in a pane of a running
# tmux server (as in a terminal already open) until the TUI has written the
# summary to the terminal, as the TUI stamps it (LOGTRIAGE_TUI_TIMING), the
# median of five.  The pane is then checked for the summary.  Polling the
# pane instead would add a poll's 20-30 ms of process starts to each run.
tui_time() {
	name=$1 db=$dir/$1.db
	# the summary's first section, whichever the summary view shows first
	mark=${BENCH_TUI_MARK:-EVENTS BY CATEGORY|TOP FINDINGS}
	if ! command -v tmux >/dev/null 2>&1; then
		echo "bench: tmux not installed; TUI first screen not timed"
		return 0
	fi
	set -- $(window "$dir/$name.truth.json")
	: > "$dir/$name.tui.runs"
	stamp=$dir/$name.tui.stamp
	tm="tmux -L logtriage-bench-$$ -f /dev/null"
	$tm new-session -d -s base -x 120 -y 40 "sleep 600"
	for run in 1 2 3 4 5; do
		rm -f "$stamp"
		t0=$(date +%s%N)
		$tm new-window -t base: -n "run$run" \
		    "LOGTRIAGE_TUI_TIMING=$stamp $lt tui --db $db --since $1 --until $2"
		n=0
		while [ ! -s "$stamp" ] && [ "$n" -lt 1000 ]; do
			n=$((n + 1))
			sleep 0.01
		done
		sleep 0.05
		$tm capture-pane -p -t "base:run$run" > "$dir/$name.tui.txt" \
		    2>/dev/null || true
		$tm kill-window -t "base:run$run" 2>/dev/null || true
		at=$(awk '$1 == "first" { print $4 }' "$stamp" 2>/dev/null)
		if [ -z "$at" ] || ! grep -Eq "$mark" "$dir/$name.tui.txt"; then
			echo "bench: $name: the TUI did not show \"$mark\" within 10 s (screen in $dir/$name.tui.txt)"
			$tm kill-server 2>/dev/null || true
			return 0
		fi
		echo $((at - t0)) >> "$dir/$name.tui.runs"
	done
	$tm kill-server 2>/dev/null || true
	rm -f "$stamp"
	echo "$name tui $(median < "$dir/$name.tui.runs")" >> "$results"
}

# tui_keys NAME DB [tui options]: every key of the tour, wall and CPU.
tui_keys() {
	name=$1 db=$2
	shift 2
	LOGTRIAGE=$lt sh "$top/tools/bench_tui.sh" "$db" "$@" \
	    > "$dir/$name.tui-keys.txt" 2>&1 || true
	last=$(tail -1 "$dir/$name.tui-keys.txt")
	case $last in
	"tui keys:"*) echo "tuikeys $name ${last#tui keys: }" >> "$results" ;;
	*) echo "bench: $name: TUI keys not timed (see $dir/$name.tui-keys.txt)" ;;
	esac
}

# flat: peak RSS of 1 GiB and 4 GiB of the mixed corpus, medians of 3 runs
# each: one run's peak has moved by 6 MiB from the next one's.  Then the
# same on small pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=0, where
# memtune leaves the heap alone): on huge pages a heap a few hundred KiB
# higher touches one more 2 MiB page, so the peak moves in 2 MiB steps
# with where the heap's top happens to fall; the small-page figure is
# without that rounding (both still move with how many batches wait for
# the writer at the peak).
flat() {
	corpus flat-1g mixed "$(to_bytes 1G)" --storms 12
	corpus flat-4g mixed "$(to_bytes 4G)" --storms 48
	for pages in huge small; do
		tunables=${GLIBC_TUNABLES:-}
		[ "$pages" = huge ] || tunables=glibc.malloc.hugetlb=0
		for f in flat-1g flat-4g; do
			rm -f "$dir/flat.$f"
			for i in 1 2 3; do
				fresh_db "$dir/flat.db"
				# shellcheck disable=SC2086
				timed "$dir/flat.$f" env GLIBC_TUNABLES="$tunables" \
				    "$lt" ingest --db "$dir/flat.db" $rules_opt -q \
				    "$dir/$f.log" || return 0
			done
			echo "flat $f-$pages $(cut -d ' ' -f 1 "$dir/flat.$f" | median)" \
			    "$(cut -d ' ' -f 2 "$dir/flat.$f" | median)" >> "$results"
		done
	done
	fresh_db "$dir/flat.db"
	flat_within
}

# flat_within: growth with the input within one run, free of the moves
# from one run's peak to the next: the 4 GiB run's peak RSS when it has
# read 1 GiB (rchar) and at its last sample, at most 50 ms before its
# exit, sampled every 50 ms; three runs, as where the heap's top lands
# moves the peak by a huge page or two from one run to the next.
flat_within() {
	for _ in 1 2 3; do
		fresh_db "$dir/flat.db"
		# shellcheck disable=SC2086
		"$lt" ingest --db "$dir/flat.db" $rules_opt -q "$dir/flat-4g.log" &
		pid=$!
		at1g='' hwm=''
		while kill -0 "$pid" 2>/dev/null; do
			# shellcheck disable=SC2046
			set -- $(awk '$1 == "rchar:" { r = $2 } $1 == "VmHWM:" { h = $2 }
			    END { printf "%.0f %.0f\n", r, h }' "/proc/$pid/io" \
			    "/proc/$pid/status" 2>/dev/null)
			if [ "${2:-0}" -gt 0 ]; then
				hwm=$2
				[ -z "$at1g" ] && [ "$1" -ge 1073741824 ] && at1g=$2
			fi
			sleep 0.05
		done
		wait "$pid" || return 0
		[ -n "$at1g" ] && echo "flatwithin $at1g $hwm" >> "$results"
	done
	fresh_db "$dir/flat.db"
}

# card NAME: a cardinality corpus, one line a second.  models: a model
# of its own on even lines, a storm peer of its own on odd ones, one
# source; sources: the same with a compose prefix (a source) per line;
# timeouts: a provider's timeout for a model of its own on every line and
# no fallback, so what the links keep of targets to come must stay as
# long as the window, not the log; services: an error on every line, the
# lines of 2048 services in turn (as many as an input names), four to a
# second, a quarter as many lines: every batch of a new database changes
# pages of every service.
card_n() {
	if [ "$1" = services ]; then echo $(( card_lines / 4 )); else echo "$card_lines"; fi
}

card() {
	f=$dir/card-$1.log
	n=$(card_n "$1")
	if [ -f "$f" ] && [ "$(wc -l < "$f")" = "$n" ]; then
		return
	fi
	echo "bench: writing $f ($n lines)"
	awk -v n="$n" -v shape="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			d = sprintf("2025-10-%02d", 1 + int(i / 86400))
			c = sprintf("%02d:%02d:%02d", int(i / 3600) % 24, int(i / 60) % 60, i % 60)
			p = shape == "sources" ? sprintf("svc-%d", i) : "app"
			if (shape == "services")
				printf "svc-%d  | %s %02d:%02d:%02d ERROR app: job %d failed: disk full\n", i % 2048, d, int(i / 14400) % 24, int(i / 240) % 60, int(i / 4) % 60, i
			else if (shape == "timeouts")
				printf "%s %s ERROR src.providers.mixins.retry_mixin: OpenAI Compatible chat completion for m-%d error after 2 attempts: Request timed out.\n", d, c, i
			else if (i % 2 == 0)
				printf "%s  | %sT%s.000000000Z INFO tools.chat: Completed: {\047model\047: \047m-%d\047, \047ai_response_time_ms\047: %d}\n", p, d, c, i, 100 + i % 900
			else
				printf "%s  | %sT%s.000000000Z WARNING src.monitoring.resilient_websocket: Connection closed for 10.%d.%d.%d:1: sent 1011 (internal error) keepalive ping timeout\n", p, d, c, int(i / 65536) % 256, int(i / 256) % 256, i % 256
		}
	}' > "$f"
}

# cardinality NAME: one ingest and one report; wall and CPU seconds.
cardinality() {
	name=card-$1 db=$dir/card-$1.db
	fresh_db "$db"
	rm -f "$dir/$name.ingest" "$dir/$name.report"
	# shellcheck disable=SC2086
	timed "$dir/$name.ingest" "$lt" ingest --db "$db" $rules_opt -q "$dir/$name.log" || return 0
	timed "$dir/$name.report" "$lt" report --db "$db" --format json || return 0
	echo "card $1 $(card_n "$1") $(cat "$dir/$name.ingest") $(cat "$dir/$name.report")" >> "$results"
}

card_lines=${BENCH_CARD_LINES:-1000000}

# builtin NAME: what two parts of ingest's built-in work cost on a cell,
# interleaved: the file as the matrix reads it; the same with the generic
# rules (log-error, log-critical, log-warning) turned off by a rules layer
# of three "enabled = false" sections; both again on a copy of the cell
# with every hundredth INFO record made ERROR (in the generator's corpora
# a specific rule claims every failure, so only these give the generic
# rules templates to mine); standard input through a pipe, keeping the
# default 20 records of context before each event of warning severity or
# worse (a file keeps none: it is read again to show them); and the pipe
# with --context-lines 0.  The pipe's cat is in both pipe rows.  Each
# round starts one row later than the one before.  Each row's last
# database gives its events, generic events and context.
builtin() {
	name=$1 file=$dir/$1.log db=$dir/builtin.db off=$dir/builtin-rules
	errs=$dir/$1-errors.log
	rows="file generic-off errors errors-generic-off pipe-ctx20 pipe-ctx0"
	mkdir -p "$off"
	printf '[%s]\nenabled = false\n\n' log-error log-critical log-warning \
	    > "$off/generic-off.rules"
	if [ ! -f "$errs" ] || [ "$file" -nt "$errs" ]; then
		awk '/ INFO / && ++n % 100 == 0 { sub(/ INFO /, " ERROR ") }
		    { print }' "$file" > "$errs"
	fi
	n=${BENCH_RUNS:-5}
	cat "$file" "$errs" > /dev/null
	for v in $rows; do
		rm -f "$dir/builtin.$v"
	done
	i=0 order=$rows
	while [ "$i" -lt "$n" ]; do
		for v in $order; do
			fresh_db "$db"
			src=$file opts=
			case $v in
			generic-off) opts="--rules $off" ;;
			errors) src=$errs ;;
			errors-generic-off) src=$errs opts="--rules $off" ;;
			pipe-ctx0) opts="--context-lines 0" ;;
			esac
			# shellcheck disable=SC2086
			case $v in
			pipe-*) timed "$dir/builtin.$v" sh -c \
			    'f=$1; shift; cat "$f" | "$@"' sh "$src" "$lt" \
			    ingest --db "$db" $rules_opt $opts -q - ;;
			*) timed "$dir/builtin.$v" "$lt" ingest --db "$db" \
			    $rules_opt $opts -q "$src" ;;
			esac || return 0
			counts="- - -"
			command -v sqlite3 > /dev/null 2>&1 &&
			    counts=$(sqlite3 "$db" "SELECT count(*) FROM events_all;
			    SELECT count(*) FROM events WHERE rule IN
			    ('log-error', 'log-critical', 'log-warning');
			    SELECT count(*) FROM event_context;" | tr '\n' ' ')
			echo "$counts" > "$dir/builtin.$v.counts"
		done
		# each round starts one row later: no row always follows the same one
		set -- $order
		first=$1
		shift
		order="$* $first"
		i=$((i + 1))
	done
	for v in $rows; do
		echo "$name builtin $v $(cut -d' ' -f1 "$dir/builtin.$v" | median)" \
		    "$(cut -d' ' -f3 "$dir/builtin.$v" | median)" \
		    "$(cat "$dir/builtin.$v.counts")" >> "$results"
	done
	fresh_db "$db"
}

# empty: an empty input into a new database, median of 9 interleaved with
# `true`, each timed by spawn_time from its start to its exit: the
# harness's own process starts are outside the span.
empty() {
	: > "$dir/empty.log"
	rm -f "$dir/empty.t" "$dir/empty.true"
	# The cells before leave their databases' pages to be written back:
	# an empty run's three syncs would time that writeback, not the run.
	sync
	i=0
	while [ "$i" -lt 9 ]; do
		fresh_db "$dir/empty.db"
		# shellcheck disable=SC2086
		"$spawn" 1 "$lt" ingest --db "$dir/empty.db" $rules_opt -q \
		    "$dir/empty.log" >> "$dir/empty.t" || return 0
		"$spawn" 1 true >> "$dir/empty.true" || return 0
		i=$((i + 1))
	done
	fresh_db "$dir/empty.db"
	echo "empty ms $(cut -d' ' -f1 "$dir/empty.t" | median) $(cut -d' ' -f2 "$dir/empty.t" | median)" \
	    "$(cut -d' ' -f1 "$dir/empty.true" | median)" >> "$results"
}

# store_floor NAME DB: what SQLite alone takes to store as many rows as
# NAME's ingest stored in DB, of their mean width (tools/store_floor.c),
# median CPU of 3: the least the writer thread could take with every event
# a row.  Needs the sqlite3 shell; without it there is no floor section.
store_floor() {
	[ -n "$floor" ] && command -v sqlite3 >/dev/null 2>&1 || return 0
	set -- "$1" $(sqlite3 -separator ' ' "$2" "SELECT count(*),
	    CAST(round(avg(length(text))) AS INTEGER),
	    CAST(round(avg(coalesce(length(fields), 0))) AS INTEGER)
	    FROM events_all" 2>/dev/null)
	[ $# -eq 4 ] && [ "$2" -gt 0 ] || return 0
	: > "$dir/floor.cpu"
	for _ in 1 2 3; do
		"$floor" "$dir/floor.db" "$2" "$3" "$4" >> "$dir/floor.cpu" || break
	done
	fresh_db "$dir/floor.db"
	[ "$(wc -l < "$dir/floor.cpu")" -eq 3 ] || return 0
	echo "$1 floor $2 $(median < "$dir/floor.cpu")" >> "$results"
}

# pace NAME: one more run of a cell with --stats, for where its time went
# (not in the medians).
pace() {
	name=$1
	fresh_db "$dir/pace.db"
	# shellcheck disable=SC2086
	"$lt" ingest --db "$dir/pace.db" $rules_opt -q --stats "$dir/$name.log" \
	    2> "$dir/$name.stats" || return 0
	store_floor "$name" "$dir/pace.db"
	fresh_db "$dir/pace.db"
	tail -n 1 "$dir/$name.stats" | tr -d ',;:()' | awk -v n="$name" '$2 == "time" {
		for (i = 1; i <= NF; i++) {
			if ($i == "set-up") su = $(i + 1)
			if ($i == "reading") { rd = $(i + 1); rc = $(i + 3); rw = $(i + 6) }
			if ($i == "writer") { wc = $(i + 1); co = $(i + 5); ww = $(i + 7) }
			if ($i == "checkpoints") ck = $(i + 1)
			if ($i == "closing") cl = $(i + 1)
		}
		print n, "pace", $3, su, rd, rc, rw, wc, co, ww, ck, cl
	}' >> "$results"
}

echo "bench: envelopes: $envelopes; sizes: $sizes"
echo "bench: interleaved, LC_ALL=C, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null);" \
    "each corpus read once, untimed, before its runs"
last_mixed=
# (the functions above set name and env: the loop keeps its own)
for size in $sizes; do
	bytes_arg=$(to_bytes "$size")
	for cell_env in $envelopes; do
		cell=$cell_env-$size
		if [ "$cell_env" = untimed ]; then
			untimed_corpus "$cell" "$size" "$bytes_arg"
		else
			corpus "$cell" "$(gen_envelope "$cell_env")" "$bytes_arg"
		fi
		measure "$cell"
		if [ "$have_lt" = 1 ]; then
			check "$cell"
			if [ "$cell_env" = mixed ]; then
				[ -z "$last_mixed" ] || [ "${BENCH_KEEP:-0}" = 1 ] || fresh_db "$dir/$last_mixed.db"
				last_mixed=$cell
			elif [ "${BENCH_KEEP:-0}" != 1 ]; then
				fresh_db "$dir/$cell.db"
			fi
		fi
	done
done
if [ "$have_lt" = 1 ]; then
	# the largest size: what sets each envelope's pace
	for cell_env in $envelopes; do
		pace "$cell_env-$size"
	done
	empty
	if [ -n "$last_mixed" ]; then
		builtin "$last_mixed"
		report_time "$last_mixed"
		tui_time "$last_mixed"
		# shellcheck disable=SC2046
		tui_keys "$last_mixed" "$dir/$last_mixed.db" $(window "$dir/$last_mixed.truth.json" |
		    awk '{ print "--since", $1, "--until", $2 }')
	fi
	if [ "${BENCH_FLAT:-0}" = 1 ]; then
		flat
	fi
	if [ "$card_lines" -gt 0 ]; then
		card models
		card sources
		card timeouts
		card services
		cardinality models
		cardinality sources
		cardinality timeouts
		cardinality services
		BENCH_TUI_GOTO=2025-10-03T12:00 tui_keys card-models "$dir/card-models.db"
	fi
fi

awk '
function mb(b, t) { return b / 1e6 / (t / 1e9) }
# cost(title, on, off, what): what row on takes more than row off
function cost(title, on, off, what) {
	if (!(on in bt) || !(off in bt))
		return
	printf "%s: %+.3f s wall (%+.1f%%), %+.2f s CPU, for %s\n", title, (bt[on] - bt[off]) / 1e9,
	    (bt[on] - bt[off]) / bt[off] * 100, bc[on] - bc[off], what
}
$2 == "grep" || $2 == "logtriage" {
	key = $1; tool = $2
	t[key, tool] = $5; rss[key, tool] = $6; cpu[key, tool] = $7; bytes[key] = $3; lines[key] = $4
	if (!(key in seen)) { seen[key] = 1; order[++n] = key }
}
$2 == "truth" { truth[$1] = $3 == 0 ? "ok" : $3 " wrong" }
$2 == "floor" { frows[$1] = $3; fcpu[$1] = $4; forder[++nfloor] = $1 }
$2 == "pace" {
	wcpu[$1] = $8
	pace[++npace] = sprintf("%-16s %7.3f %7.3f %8.3f %6.3f %7.3f | %8.3f %7.3f %7.3f | %6.3f %7.3f | %s", $1, $3, $4,
	    $5, $6, $7, $8, $9, $10, $11, $12, $7 < $10 ? "reading" : "writer")
}
$2 == "builtin" {
	bcell = $1; bt[$3] = $4; bc[$3] = $5; bev[$3] = $6; bgen[$3] = $7; bctx[$3] = $8
	brow[++nbuiltin] = $3
}
$1 == "empty" {
	empty_ns = $3
	empty = sprintf("empty input into a new database: %.1f ms wall, %.3f s CPU (median of 9, from its start to its exit; true the same way: %.1f ms): %s",
	    $3 / 1e6, $4, $5 / 1e6, $3 <= 10e6 ? "met" : "MISSED")
}
$2 == "report" {
	rep_ns = $3
	rep = sprintf("report --format json over %s events: %.3f s (median of 3)", $4, $3 / 1e9)
}
$2 == "tui" {
	tui_ns = $3
	tui = sprintf("TUI first screen: %.3f s (median of 5, from its launch in a tmux pane to the summary on the terminal)", $3 / 1e9)
}
$1 == "tuikeys" { k = $2; $1 = ""; $2 = ""; keys[++nkeys] = sprintf("TUI keys (%s, per key, key to screen):%s", k, $0) }
$1 == "flat" { frss[$2] = $4; ft[$2] = $3 }
$1 == "flatwithin" { nw++; fw1[nw] = $2; fw4[nw] = $3 }
$1 == "card" {
	if ($5 > crss) { crss = $5; crk = $2 }
	card[++ncard] = sprintf("%-8s %9d %10.2f %12.0f %8.2f %9.1f %10.2f %8.2f %9.1f", $2, $3, $4 / 1e9, $3 / ($4 / 1e9), $6, $5 / 1024, $7 / 1e9, $9, $8 / 1024)
}
END {
	# the run of the median growth within the 4 GiB run
	for (i = 1; i <= nw; i++) {
		gw[i] = (fw4[i] - fw1[i]) / fw1[i]
		wo[i] = i
		for (j = i; j > 1 && gw[wo[j]] < gw[wo[j - 1]]; j--) {
			x = wo[j]; wo[j] = wo[j - 1]; wo[j - 1] = x
		}
	}
	if (nw > 0) {
		w1 = fw1[wo[int((nw + 1) / 2)]]
		w4 = fw4[wo[int((nw + 1) / 2)]]
	}
	printf "\n%-16s %10s | %8s %7s %6s | %8s %7s %6s %7s | %6s %6s | %s\n", "cell", "bytes",
	    "grep s", "MB/s", "CPU s", "lt s", "MB/s", "CPU s", "RSS MiB", "ratio", "CPU r", "truth"
	for (i = 1; i <= n; i++) {
		k = order[i]
		if ((k, "logtriage") in t) {
			printf "%-16s %10d | %8.3f %7.0f %6.2f | %8.3f %7.0f %6.2f %7.1f | %6.2f %6.2f | %s\n", k, bytes[k],
			    t[k, "grep"] / 1e9, mb(bytes[k], t[k, "grep"]), cpu[k, "grep"],
			    t[k, "logtriage"] / 1e9, mb(bytes[k], t[k, "logtriage"]), cpu[k, "logtriage"],
			    rss[k, "logtriage"] / 1024, t[k, "logtriage"] / t[k, "grep"],
			    (cpu[k, "grep"] > 0 ? cpu[k, "logtriage"] / cpu[k, "grep"] : 0),
			    (k in truth) ? truth[k] : "-"
		} else {
			printf "%-16s %10d | %8.3f %7.0f %6.2f | %s\n", k, bytes[k], t[k, "grep"] / 1e9,
			    mb(bytes[k], t[k, "grep"]), cpu[k, "grep"], "(logtriage not measured)"
		}
	}
	print "(lt = logtriage ingest into a new database; ratio = logtriage / grep wall time,"
	print " CPU r = the same in CPU seconds (user + system, all threads); medians; RSS = the"
	print " largest peak; truth = stored counts, storms and unrecovered leaks against the"
	print " generator'"'"'s truth; wall above CPU means the machine was busy)"
	# the small-input targets, each 10 MB cell against twice grep
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (k !~ /-10M$/ || !((k, "logtriage") in t))
			continue
		r = t[k, "logtriage"] / t[k, "grep"]
		small = small sprintf("  %-16s %.3f s against grep'"'"'s %.3f s: %.2fx, %s\n", k,
		    t[k, "logtriage"] / 1e9, t[k, "grep"] / 1e9, r, r <= 2 ? "met" : "MISSED")
		# for the targets: the largest
		if (r > small_worst) { small_worst = r; small_wk = k }
	}
	if (npace > 0) {
		print "\nwhere the time went (one more run of each largest cell, ingest --stats; seconds):"
		printf "%-16s %7s %7s %8s %6s %7s | %8s %7s %7s | %6s %7s | %s\n", "cell", "time", "set-up",
		    "reading", "CPU", "waited", "writer", "correl", "waited", "ckpt", "closing", "pace set by"
		for (i = 1; i <= npace; i++)
			print pace[i]
		print "(reading: wall from the first input to the last, its thread'"'"'s CPU, and its wait for"
		print " the writer; writer: its thread'"'"'s CPU, the correlation'"'"'s share, its wait for batches;"
		print " the thread that waited less sets the pace)"
	}
	if (nfloor > 0) {
		print "\nthe store'"'"'s floor (tools/store_floor.c: SQLite alone storing as many rows of the same mean width"
		print " into a table without an index, nothing read or matched; median CPU of 3), against the writer above:"
		printf "%-16s %9s %10s %10s %8s %14s\n", "cell", "rows", "floor CPU", "writer CPU", "w/floor", "0.6 x grep s"
		for (i = 1; i <= nfloor; i++) {
			k = forder[i]
			w = "-"; wf = "-"; g = 0
			if (k in wcpu) {
				w = sprintf("%.3f", wcpu[k])
				if (fcpu[k] > 0)
					wf = sprintf("%.2f", wcpu[k] / fcpu[k])
			}
			if ((k, "grep") in t)
				g = 0.6 * t[k, "grep"] / 1e9
			printf "%-16s %9d %10.3f %10s %8s %14.3f\n", k, frows[k], fcpu[k], w, wf, g
		}
	}
	if (nbuiltin > 0) {
		print "\nthe built-in work (" bcell ", interleaved, medians; CPU: all threads, and cat in the pipe rows):"
		printf "%-34s %8s %7s %9s %8s %8s\n", "row", "wall s", "CPU s", "events", "generic", "context"
		label["file"] = "the file, as in the matrix"
		label["generic-off"] = "the file, generic rules off"
		label["errors"] = "1% of INFO made ERROR"
		label["errors-generic-off"] = "1% of INFO made ERROR, generic off"
		label["pipe-ctx20"] = "a pipe, 20 records of context"
		label["pipe-ctx0"] = "a pipe, --context-lines 0"
		for (i = 1; i <= nbuiltin; i++) {
			v = brow[i]
			printf "%-34s %8.3f %7.2f %9s %8s %8s\n", label[v], bt[v] / 1e9, bc[v], bev[v], bgen[v], bctx[v]
		}
		cost("generic rules", "file", "generic-off", bgen["file"] " events of theirs")
		cost("generic rules with failures to mine", "errors", "errors-generic-off",
		    bgen["errors"] " events of theirs")
		cost("context on a pipe", "pipe-ctx20", "pipe-ctx0", bctx["pipe-ctx20"] " events with context")
	}
	if (small != "" || empty != "")
		print "\nsmall inputs (targets: 10 MB in at most 2x grep'"'"'s time, an empty input in at most 10 ms):"
	printf "%s", small
	if (empty != "") print "  " empty
	if (ncard > 0) {
		print "\nhostile cardinality (models: a distinct model or storm key per line, one source; sources: also a compose prefix per line;"
		print " timeouts: a provider timeout per line, a model each, that no fallback follows; services: an error per line over 2048 services)"
		printf "%-8s %9s %10s %12s %8s %9s %10s %8s %9s\n", "corpus", "lines", "ingest s", "lines/s", "CPU s", "RSS MiB", "report s", "CPU s", "RSS MiB"
		for (i = 1; i <= ncard; i++)
			print card[i]
		print "(targets: ingest >= 100000 lines/s within 64 MiB, report < 5 s)"
	}
	if (rep != "") print rep
	if (tui != "") print tui
	for (i = 1; i <= nkeys; i++)
		print keys[i]
	if (nkeys > 0) print "(target: every key under 100 ms; the tours are in " dir "/*.tui-keys.txt)"
	for (i = 1; i <= 2; i++) {
		pg = i == 1 ? "huge" : "small"
		a = "flat-1g-" pg; b = "flat-4g-" pg
		if (!(a in frss && b in frss))
			continue
		d = (frss[b] - frss[a]) / frss[a] * 100
		printf "RSS flatness, heap on %s pages: 1 GiB %.1f MiB (%.2f s), 4 GiB %.1f MiB (%.2f s): %+.1f%% %s\n",
		    pg, frss[a] / 1024, ft[a] / 1e9, frss[b] / 1024, ft[b] / 1e9, d,
		    (d <= 10 && d >= -10) ? "(flat)" : "(NOT flat)"
	}
	if ("flat-1g-huge" in frss)
		print "(medians of 3; on huge pages the peak moves in 2 MiB steps with where the heap'"'"'s top falls)"
	if (w1 > 0) {
		d = (w4 - w1) / w1 * 100
		printf "RSS flatness within the 4 GiB run: peak %.1f MiB when 1 GiB was read, %.1f MiB at its end: %+.1f%% %s (the median of %d runs)\n",
		    w1 / 1024, w4 / 1024, d, (d <= 10 && d >= -10) ? "(flat)" : "(NOT flat)", nw
	}
	targets()
}
# verdict(what, measured, ok, detail): one line of the targets
function verdict(what, measured, ok, detail) {
	printf "  %-52s %s\n", what, !measured ? "not measured" : (ok ? "met" : "MISSED") (detail != "" ? " (" detail ")" : "")
}
# The targets the matrix is measured against, each with its verdict.
function targets(    i, k, r, ok, m, big, worst, wk, over, jk, jmb, mxr, mxk, bad) {
	print "\ntargets:"
	ok = 1; m = 0; over = ""; worst = 0
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (bytes[k] < 100e6 || !((k, "logtriage") in t))
			continue
		m = 1; r = t[k, "logtriage"] / t[k, "grep"]
		if (r > worst) { worst = r; wk = k }
		if (r > 1.0) { ok = 0; over = over sprintf(" %s %.2f", k, r) }
	}
	verdict("ratio <= 1.0 in every cell of 100 MB and more", m, ok,
	    ok ? sprintf("largest %.2f, %s", worst, wk) : "over:" over)
	ok = 1; m = 0; over = ""
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (k !~ /^(mixed|compose)-1G$/ || !((k, "logtriage") in t))
			continue
		m = 1; r = t[k, "logtriage"] / t[k, "grep"]
		if (r > 0.6) ok = 0
		over = over sprintf("%s%s %.2f", over == "" ? "" : ", ", k, r)
	}
	verdict("ratio <= 0.6 on 1 GiB of mixed and of compose", m, ok, over)
	verdict("10 MB in at most 2x grep'"'"'s time", small_wk != "", small_worst <= 2,
	    small_wk != "" ? sprintf("largest %.3fx, %s", small_worst, small_wk) : "")
	verdict("an empty input into a new database in at most 10 ms", empty_ns > 0, empty_ns <= 10e6,
	    empty_ns > 0 ? sprintf("%.1f ms", empty_ns / 1e6) : "")
	jmb = -1; big = 0
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (k ~ /^docker-json-/ && ((k, "logtriage") in t) && bytes[k] >= 100e6 && bytes[k] > big) {
			big = bytes[k]; jk = k; jmb = mb(bytes[k], t[k, "logtriage"])
		}
	}
	verdict("json-file at 600 MB/s (its largest cell of 100 MB up)", jmb >= 0, jmb >= 600,
	    jmb >= 0 ? sprintf("%.0f MB/s, %s", jmb, jk) : "")
	mxr = 0; m = 0
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!((k, "logtriage") in t))
			continue
		m = 1
		if (rss[k, "logtriage"] > mxr) { mxr = rss[k, "logtriage"]; mxk = k }
	}
	verdict("peak RSS at most 64 MiB in every cell", m, mxr <= 64 * 1024,
	    m ? sprintf("largest %.1f MiB, %s", mxr / 1024, mxk) : "")
	verdict("peak RSS at most 64 MiB in every cardinality corpus", crss > 0,
	    crss <= 64 * 1024, crss > 0 ? sprintf("largest %.1f MiB, %s", crss / 1024, crk) : "")
	r = w1 > 0 ? (w4 - w1) / w1 * 100 : 0
	verdict("peak RSS flat from 1 to 4 GiB (BENCH_FLAT=1)", w1 > 0, r <= 10 && r >= -10,
	    w1 > 0 ? sprintf("%+.1f%% within the 4 GiB run", r) : "")
	verdict("report under 1 s", rep_ns > 0, rep_ns < 1e9, rep_ns > 0 ? sprintf("%.3f s", rep_ns / 1e9) : "")
	verdict("the TUI'"'"'s first screen under 100 ms", tui_ns > 0, tui_ns < 100e6,
	    tui_ns > 0 ? sprintf("%.0f ms", tui_ns / 1e6) : "")
	ok = 1; m = 0; bad = ""
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in truth))
			continue
		m = 1
		if (truth[k] != "ok") { ok = 0; bad = bad " " k }
	}
	verdict("the truth checks of every cell", m, ok, ok ? "" : "wrong:" bad)
}' dir="$dir" "$results"
