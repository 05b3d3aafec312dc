#!/bin/sh
# signals.sh - SIGINT and SIGTERM stop `logtriage ingest` wherever it
# reads: a quiet pipe, an endless line through a FIFO, a file in --follow.
# What was read is committed (status stopped) and the exit status is the
# signal's (130 for SIGINT, 143 for SIGTERM).  Times are checked against
# generous bounds only: a loaded machine must not fail them.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"

retry() {	# retry N: N retry lines, one second apart
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
	    printf "2025-10-26 03:00:%02d INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds\n", i }'
}
# started DB: wait (up to 10 s) until the ingest has opened its input
started() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(sql "$1" "SELECT count(*) FROM ingests" 2> /dev/null)" = 1 ] && return
		sleep 0.1
		i=$((i + 1))
	done
}
# stop PID SIGNAL: send it and wait for PID; sets rc and ms (the time it
# took).  A process still there after 10 s is killed, so nothing hangs.
stop() {
	( sleep 10; kill -9 "$1" ) 2> /dev/null &
	dog=$!
	t0=$(date +%s%N)
	kill "-$2" "$1"
	wait "$1"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	kill "$dog" 2> /dev/null
	wait "$dog" 2> /dev/null
}
# within NAME MS: the stop took at most 2 s
within() {
	if [ "$2" -le 2000 ]; then ok "$1 (${2} ms)"; else not_ok "$1" "took $2 ms"; fi
}

# --- a quiet pipe: 5 lines, then a writer that stays silent
for sig in INT TERM; do
	[ $sig = INT ] && code=130 || code=143
	rm -f quiet.fifo
	mkfifo quiet.fifo
	{ retry 5; exec sleep 60; } > quiet.fifo &
	wpid=$!
	"$LT" ingest --db "quiet$sig.db" --source app - < quiet.fifo 2> "quiet$sig.err" &
	pid=$!
	started "quiet$sig.db"
	sleep 0.5
	stop "$pid" "$sig"
	kill "$wpid" 2> /dev/null
	wait "$wpid" 2> /dev/null
	within "quiet pipe: SIG$sig stops the ingest within 2 s" "$ms"
	check_eq "quiet pipe: SIG$sig: exit $code" "$code" "$rc"
	check_eq "quiet pipe: SIG$sig: the 5 lines before it are stored, status stopped" \
	    "stopped|5|5|5" "$(sql "quiet$sig.db" "SELECT status, lines, records,
	    (SELECT count(*) FROM events_all WHERE rule = 'retry') FROM ingests")"
	check_contains "quiet pipe: SIG$sig: the summary counts them" "quiet$sig.err" \
	    "logtriage: 5 lines, "
done

# --- an endless line: /dev/zero through a FIFO, after two whole lines
rm -f zero.fifo
mkfifo zero.fifo
{ retry 2; exec cat /dev/zero; } > zero.fifo &
wpid=$!
"$LT" ingest -q --db zero.db --source app zero.fifo &
pid=$!
started zero.db
sleep 0.5
stop "$pid" INT
kill "$wpid" 2> /dev/null
wait "$wpid" 2> /dev/null
within "endless line: SIGINT stops the ingest within 2 s" "$ms"
check_eq "endless line: exit 130" "130" "$rc"
check_eq "endless line: the lines before it are stored, the long one cut" \
    "stopped|2|1" "$(sql zero.db "SELECT status, (SELECT count(*) FROM events_all WHERE rule = 'retry'),
    truncated FROM ingests")"

# --- a regular file in --follow, and an unfinished line at its end (over
# 4 KiB before it, so that the file keeps its identity when it grows)
{ retry 60; printf '2025-10-26 03:01:00 INFO openai._base_client: Retrying'; } > follow.log
"$LT" ingest -q -f --db follow.db --source app follow.log &
pid=$!
started follow.db
sleep 1
stop "$pid" TERM
within "--follow: SIGTERM stops the ingest within 2 s" "$ms"
check_eq "--follow: SIGTERM: exit 143, 60 events, the unfinished line left for the next run" \
    "143|stopped|60|60" "$rc|$(sql follow.db "SELECT status, lines, (SELECT count(*) FROM events_all) FROM ingests")"
printf ' request to /chat/completions in 0.5 seconds\n' >> follow.log
check_rc "--follow: the next run reads the line whole" 0 "$LT" ingest -q --db follow.db --source app follow.log
check_eq "--follow: 61 retries in all, 1 line read by the next run" "61|1|1" \
    "$(sql follow.db "SELECT (SELECT count(*) FROM events_all WHERE rule = 'retry'),
    (SELECT lines FROM ingests ORDER BY id DESC LIMIT 1), (SELECT records FROM ingests ORDER BY id DESC LIMIT 1)")"
