#!/bin/sh
# backdated.sh - storms and expectations of sources first seen in this run,
# with lines dated before lines already read: one ingest of the whole
# file, and the file ingested in two resumed halves at any cut, give the
# same events and incidents.  The lines of the storm and leak sources
# straddle the commits of a whole run (the first batches end after 8,192
# and 24,576 records); 30,000 lines between them name 1,900 sources, so
# that with those 76 the input names fewer than the 2,048 sources an input
# may name (past them, a name is the input's other sources, sources.sh).
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# Sixty storm sources of 15 to 44 ws-1011 closes 50 to 400 ms apart (the
# rule storms at 20 in 60 s): on every seventh the last close is dated
# 0.5 s before the first and written 1,000 to 1,400 lines later.  Eight
# more of 30 closes: 10, then 20 dated from 0.5 s after the first on.
# Eight leak sources: a kimi leak, 30 s later a status line, then 400
# lines later a glm leak dated 5 s before the first; none recovered.
awk 'function stamp(ms) {
	return sprintf("2025-10-25 %02d:%02d:%02d.%03d", 10 + int(ms / 3600000),
	    int(ms / 60000) % 60, int(ms / 1000) % 60, ms % 1000)
}
function ws(src, ms, i, peer) {
	return sprintf("%s-1  | %s WARNING src.monitoring.resilient_websocket: Connection closed for %s:%d: sent 1011 (internal error) keepalive ping timeout; no close frame received\n",
	    src, stamp(ms), peer, 40000 + i)
}
function leak(j, ms, scope) {
	return sprintf("sem%d-1  | %s WARNING src.monitoring.metrics: Semaphore leak detected: %s expected=3, actual=2\n",
	    j, stamp(ms), scope)
}
BEGIN {
	for (s = 0; s < 60; s++) {
		k = 15 + (s * 7) % 30
		t0 = 5000 + s * 7300
		t = t0
		for (i = 0; i < k; i++) {
			at = 9000 + 300 * s + 15 * i
			if (s % 7 == 0 && i == k - 1) {
				t = t0 - 500
				at += 1000 + 100 * (s % 5)
			}
			after[at] = after[at] ws("ws" s, t, i, "10.0." s ".1")
			t += 50 + (s * 37 + i * 91) % 351
		}
	}
	for (j = 0; j < 8; j++) {
		for (i = 0; i < 30; i++) {
			at = 23000 + 150 * j + (i < 10 ? 10 * i : 100 + 10 * i)
			t = 1000000 * (j + 1) + (i < 10 ? 200 * i : 500 + 150 * (i - 10))
			after[at] = after[at] ws("late" j, t, i, "10.1." j ".1")
		}
		t = 1000000 * (j + 1) + 200000
		at = 23005 + 150 * j
		after[at] = after[at] leak(j, t, "kimi")
		after[at + 1] = after[at + 1] sprintf("sem%d-1  | %s INFO src.monitoring.metrics: Semaphore status: global 5/5 available, kimi 3/3, glm 4/4\n", j, stamp(t + 30000))
		after[at + 400] = after[at + 400] leak(j, t - 5000, "glm")
	}
	for (i = 0; i < 30000; i++) {
		printf "svc%d-1  | %s INFO src.daemon.ws_server: Tool call received: chat (request_id=req-%d)\n", i % 1900, stamp(i * 50), i
		if (i in after)
			printf "%s", after[i]
	}
}' > all.log
check_eq "fixture: lines" "32034" "$(wc -l < all.log | tr -d ' ')"

events() {
	sql "$1" "SELECT s.name, e.rule, e.ts, e.hash, e.ordinal, e.line, e.fields,
	    e.link, e.dup_of FROM events_all e JOIN sources s ON s.id = e.source_id
	    ORDER BY s.name, e.ts, e.rule, e.hash, e.ordinal"
}
incidents() {
	sql "$1" "SELECT i.kind, i.rule, s.name, i.key, i.start, i.end, i.count,
	    i.peak_per_min, i.detected_at, i.event_id IS NOT NULL
	    FROM incidents i JOIN sources s ON s.id = i.source_id
	    ORDER BY s.name, i.rule, i.start, i.key"
}
# what the fixture implies: 50 storm sources of 20 closes or more, with
# 1,600 closes in all, and the 8 of 30; 16 leaks unrecovered
totals() {
	sql "$1" "SELECT group_concat(kind || '=' || n || '/' || c, ' ') FROM
	    (SELECT kind, count(*) AS n, sum(count) AS c FROM incidents
	    GROUP BY kind ORDER BY kind)"
}
want="storm=58/1840 unresolved=16/16"

"$LT" ingest -q --db whole.db all.log
check_eq "whole: storms and unresolved leaks" "$want" "$(totals whole.db)"
check_eq "whole: a back-dated close joins its storm" "ws42-1|10.0.42.1|39" \
    "$(sql whole.db "SELECT s.name, i.key, i.count FROM incidents i JOIN sources s
	ON s.id = i.source_id WHERE s.name = 'ws42-1'")"
check_eq "whole: the first closes of a source count when later ones are earlier" \
    "30 30 30 30 30 30 30 30" \
    "$(sql whole.db "SELECT i.count FROM incidents i JOIN sources s
	ON s.id = i.source_id WHERE s.name LIKE 'late%' ORDER BY s.name" | tr '\n' ' ' | sed 's/ $//')"
check_eq "whole: one unresolved row per leak" "kimi glm" \
    "$(sql whole.db "SELECT i.key FROM incidents i JOIN sources s
	ON s.id = i.source_id WHERE s.name = 'sem3-1' ORDER BY i.start DESC" | tr '\n' ' ' | sed 's/ $//')"
events whole.db > whole.ev
incidents whole.db > whole.inc

for cut in 5000 9500 16000 23100 24600 28000; do
	rm -f split.db split.db-wal split.db-shm
	head -n "$cut" all.log > grow.log
	"$LT" ingest -q --db split.db grow.log
	tail -n +"$((cut + 1))" all.log >> grow.log
	"$LT" ingest -q --db split.db grow.log
	check_eq "cut at line $cut: storms and unresolved leaks" "$want" "$(totals split.db)"
	events split.db > split.ev
	incidents split.db > split.inc
	if cmp -s whole.ev split.ev; then ok "cut at line $cut: the events of one ingest"; else
		not_ok "cut at line $cut: the events of one ingest" \
		    "$(diff whole.ev split.ev | head -5)"; fi
	if cmp -s whole.inc split.inc; then ok "cut at line $cut: the incidents of one ingest"; else
		not_ok "cut at line $cut: the incidents of one ingest" \
		    "$(diff whole.inc split.inc | head -5)"; fi
done
