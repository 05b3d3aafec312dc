# follow.sh - `logtriage events --follow` and `--after-id` for log
# shippers: a follower started on a store that ingests in several steps,
# stopped (SIGTERM, once in the middle of an ingest), restarted with the
# last id from its stderr, stopped again (SIGINT): together its outputs
# hold every stored event exactly once, line for line what `events
# --after-id 0` prints.  --until ends a follower by itself.
. "$TOP/tests/e2e/lib.sh"

followers=
trap 'for p in $followers; do kill "$p" 2> /dev/null; done; rm -rf "$T"' EXIT

${CC:-cc} -std=gnu11 -O2 -o "$T/gen_corpus" "$TOP/tools/gen_corpus.c" -lm
"$T/gen_corpus" --seed 3 --size 1M --envelope mixed --out "$T/all.log" \
    --truth "$T/truth.json" 2> /dev/null
n=$(wc -l < "$T/all.log")
# step K: the log's first K fifths are on disk and ingested (resuming).
step() {
	head -n $((n * $1 / 5)) "$T/all.log" > "$T/app.log"
	$LT ingest --db "$T/f.db" --rules "$TOP/rules" "$T/app.log" 2> /dev/null
}
stored() {
	sql "$T/f.db" "SELECT count(*) FROM events_all"
}
# caught_up FILE: wait (10 s at most) until FILE holds every stored event.
caught_up() {
	i=0
	while [ $i -lt 100 ] && [ "$(wc -l < "$1")" -lt "$(stored)" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# stop PID SIGNAL: stop a follower and wait for it; its exit status.
stop() {
	kill "-$2" "$1"
	wait "$1"
}

step 1
# The files exist before the follower opens them: caught_up reads them at once.
: > "$T/out1"
$LT events --db "$T/f.db" --follow --poll-ms 50 > "$T/out1" 2> "$T/err1" &
p1=$!
followers=$p1
caught_up "$T/out1"
check_eq "the follower prints what was stored before it started" "$(stored)" \
    "$(wc -l < "$T/out1")"
step 2
caught_up "$T/out1"
check_eq "the follower prints a second ingest as it is stored" "$(stored)" \
    "$(wc -l < "$T/out1")"
# Stopped while the third ingest writes: wherever it stops, its last id
# is the position to resume from.
step 3 &
ing=$!
sleep 0.05
stop $p1 TERM
check_eq "SIGTERM: the follower exits 0" "0" "$?"
wait $ing
check_eq "SIGTERM: one line on stderr" "1" "$(wc -l < "$T/err1")"
last=$(sed -n 's/^logtriage: last id \([0-9][0-9]*\)$/\1/p' "$T/err1")
check_eq "SIGTERM: the last id is the id of the last line printed" \
    "$(tail -n 1 "$T/out1" | sed 's/.*"id":\([0-9]*\)}$/\1/')" "$last"

step 4
: > "$T/out2"
$LT events --db "$T/f.db" --follow --poll-ms 50 --after-id "$last" > "$T/out2" 2> "$T/err2" &
p2=$!
followers="$p1 $p2"
step 5
check_eq "all five steps stored events" "yes" \
    "$([ "$(stored)" -gt 0 ] && [ "$(sql "$T/f.db" "SELECT count(*) FROM ingests WHERE status = 'done'")" = 5 ] && echo yes)"
i=0
while [ $i -lt 100 ] && [ $(($(wc -l < "$T/out1") + $(wc -l < "$T/out2"))) -lt "$(stored)" ]; do
	sleep 0.1
	i=$((i + 1))
done
stop $p2 INT
check_eq "SIGINT: the follower exits 0" "0" "$?"
check_eq "SIGINT: the last id is the newest event's" \
    "logtriage: last id $(sql "$T/f.db" "SELECT max(id) FROM events_all")" "$(cat "$T/err2")"

$LT events --db "$T/f.db" --after-id 0 > "$T/whole" 2> "$T/whole.err"
check_eq "--after-id 0 prints every event, in id order" \
    "$(sql "$T/f.db" "SELECT id FROM events_all ORDER BY id" | tr '\n' ' ')" \
    "$(sed 's/.*"id":\([0-9]*\)}$/\1/' "$T/whole" | tr '\n' ' ')"
check_eq "--after-id reports the last id" \
    "logtriage: last id $(sql "$T/f.db" "SELECT max(id) FROM events_all")" "$(cat "$T/whole.err")"
cat "$T/out1" "$T/out2" > "$T/union"
check_eq "no event repeated across the restart" "" \
    "$(sed 's/.*"id":\([0-9]*\)}$/\1/' "$T/union" | sort | uniq -d | head -3)"
if cmp -s "$T/whole" "$T/union"; then
	ok "the two runs together print every event exactly once"
else
	not_ok "the two runs together print every event exactly once" \
	    "whole $(wc -l < "$T/whole"), union $(wc -l < "$T/union")"
fi
check_eq "the corpus gave events to follow" "yes" \
    "$([ "$(wc -l < "$T/union")" -gt 1000 ] && echo yes)"

# --after-id with filters, and a follower that stops at --until.
mid=$(sql "$T/f.db" "SELECT id FROM events_all ORDER BY id LIMIT 1 OFFSET 100")
check_eq "--after-id N --rule R: only R's events after N" \
    "$(sql "$T/f.db" "SELECT count(*) FROM events_all WHERE id > $mid AND rule = 'retry'")" \
    "$($LT events --db "$T/f.db" --after-id "$mid" --rule retry 2> /dev/null | wc -l)"
until=$(sql "$T/f.db" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', (min(ts) + max(ts)) / 2000, 'unixepoch') FROM events_all")
check_rc "--follow --until ends when the log time is reached" 0 \
    timeout 10 $LT events --db "$T/f.db" --follow --poll-ms 50 --until "$until"
check_eq "--follow --until prints the events before it" \
    "$($LT events --db "$T/f.db" --after-id 0 --until "$until" 2> /dev/null | wc -l)" \
    "$(wc -l < "$T/out")"
check_rc "bad --after-id: exit 2" 2 $LT events --db "$T/f.db" --after-id -1
check_rc "bad --poll-ms: exit 2" 2 $LT events --db "$T/f.db" --follow --poll-ms 0
