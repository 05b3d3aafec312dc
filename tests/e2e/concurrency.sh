#!/bin/sh
# concurrency.sh - readers while an ingest writes (report, events and the
# tui: no "database is locked"), and two ingests into one database at the
# same time (no corruption, no duplicate events, the incidents of a clean
# ingest).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/fixtures/hostile/common.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# shellcheck disable=SC2086
if ! gen_corpus 100M c.log $DENSE; then
	not_ok "corpus generator builds and runs"
	exit 0
fi
"$LT" ingest -q --db clean.db c.log
dump_events clean.db > clean.events
dump_incidents clean.db > clean.incidents

# --- report, events and tui read while an ingest writes.  The ingest reads
# a pipe fed piece by piece, and one round of reads runs while each piece
# is written, so the reads overlap the ingest however fast it is.
"$LT" ingest -q --db pipe.db - < c.log
dump_events pipe.db > pipe.events
check_eq "the same events from the file and from a pipe" \
    "$(wc -l < clean.events)" "$(wc -l < pipe.events)"
# wait_events DB: until the first batch is committed (up to 60 s)
wait_events() {
	i=0
	while [ $i -lt 600 ]; do
		[ "$(sql "$1" "SELECT count(*) > 0 FROM events_all" 2> /dev/null)" = 1 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
split -n l/9 c.log piece.
mkfifo feed
"$LT" ingest -q --follow --db live.db - < feed 2> live.err &
wpid=$!
exec 3> feed
cat piece.aa >&3
rm piece.aa
wait_events live.db || not_ok "the ingest commits a first batch"
TUI=no
reads=0 bad=0 during=0
for p in piece.*; do
	cat "$p" >&3 &
	cpid=$!
	if [ "$TUI" = no ] && command -v tmux > /dev/null 2>&1; then
		TM="tmux -L lt$$ -f /dev/null"
		trap '$TM kill-server 2> /dev/null; rm -rf "$T"' EXIT
		# 3>&-: the tmux server must not hold the pipe open
		$TM new-session -d -s keep -x 120 -y 40 "sleep 600" 3>&-
		$TM new-session -d -s tui -x 120 -y 40 \
		    "cd '$T' && export TERM=xterm-256color NO_COLOR=1 LC_ALL=C.UTF-8 && '$LT' tui --db live.db 2> tui.err; echo \$? > tui.rc; sleep 30" 3>&-
		TUI=yes
	fi
	for cmd in "report --db live.db" "report --db live.db --format json" \
	    "events --db live.db --limit 5 --format tsv"; do
		# shellcheck disable=SC2086
		if ! "$LT" $cmd > r.out 2> r.err || [ -s r.err ]; then
			bad=$((bad + 1))
			echo "# $cmd: $(head -c 300 r.err)"
		fi
		reads=$((reads + 1))
	done
	kill -0 "$wpid" 2> /dev/null && during=$((during + 3))
	if [ "$TUI" = yes ]; then
		$TM send-keys -t tui Tab
		$TM capture-pane -p -t tui >> tui.screens
	fi
	wait "$cpid"
done
exec 3>&-
wait "$wpid"
check_eq "ingest under readers: exit 0, nothing on stderr" "0|" "$?|$(cat live.err)"
check_eq "readers during the ingest: every one exited 0 with no message" "0" "$bad"
check_eq "readers ran during the ingest: 8 rounds of 3" "24|24" "$reads|$during"
if [ "$TUI" = yes ]; then
	$TM send-keys -t tui q
	i=0
	while [ $i -lt 100 ] && [ ! -s tui.rc ]; do sleep 0.1; i=$((i + 1)); done
	check_eq "tui during the ingest: quits with 0, no message" "0|" "$(cat tui.rc 2> /dev/null)|$(cat tui.err 2> /dev/null)"
	check_eq "tui during the ingest: never says locked or busy" 0 \
	    "$(grep -ci -e locked -e busy -e 'logtriage:' tui.screens)"
	check_eq "tui during the ingest: the screen was drawn" 1 \
	    "$(($(grep -c 'Tab view' tui.screens) > 0))"
else
	not_ok "tmux is installed" "the tui read needs tmux"
fi
dump_events live.db > live.events
check_eq "ingest under readers: the events of a plain pipe ingest" "" "$(cmp live.events pipe.events 2>&1)"

# --- the same file ingested twice at once
"$LT" ingest -q --db two.db c.log 2> a.err &
apid=$!
"$LT" ingest -q --db two.db c.log 2> b.err &
bpid=$!
wait "$apid"; arc=$?
wait "$bpid"; brc=$?
check_eq "same file, two ingests at once: both exit 0, no message" "0|0||" "$arc|$brc|$(cat a.err)|$(cat b.err)"
check_eq "same file, two ingests at once: integrity" ok "$(sql two.db "PRAGMA integrity_check")"
dump_events two.db > two.events
dump_incidents two.db > two.incidents
check_eq "same file, two ingests at once: the clean events, none twice" "" "$(cmp two.events clean.events 2>&1)"
check_eq "same file, two ingests at once: the clean incidents" "" "$(cmp two.incidents clean.incidents 2>&1)"
check_eq "same file, two ingests at once: each event stored by one of them" \
    "$(wc -l < clean.events)" "$(sql two.db "SELECT sum(events) FROM ingests")"

# --- two halves of it, one ingest each, at the same time
n=$(wc -l < c.log)
head -n $((n / 2)) c.log > a.log
tail -n +$((n / 2 + 1)) c.log > b.log
"$LT" ingest -q --db seq.db a.log
"$LT" ingest -q --db seq.db b.log
"$LT" ingest -q --db par.db a.log 2> a.err &
apid=$!
"$LT" ingest -q --db par.db b.log 2> b.err &
bpid=$!
wait "$apid"; arc=$?
wait "$bpid"; brc=$?
check_eq "two files at once: both exit 0, no message" "0|0||" "$arc|$brc|$(cat a.err)|$(cat b.err)"
check_eq "two files at once: integrity" ok "$(sql par.db "PRAGMA integrity_check")"
dump_events seq.db > seq.events
dump_events par.db > par.events
dump_incidents seq.db > seq.incidents
dump_incidents par.db > par.incidents
check_eq "two files at once: the events of one after the other" "" "$(cmp par.events seq.events 2>&1)"
check_eq "two files at once: the incidents of one after the other" "" "$(cmp par.incidents seq.incidents 2>&1)"
check_eq "two files at once: no duplicates counted" "0" "$(sql par.db "SELECT sum(duplicates) FROM ingests")"
