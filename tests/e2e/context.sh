#!/bin/sh
# context.sh - the lines around an event of warning severity or worse:
# `events --context N` reads them again from a file and from a .gz, shows
# those kept of standard input (one block shared by neighbouring events,
# compressed where that pays), says when the file has moved or changed,
# and info events pay nothing.  Exact outputs, paths as DIR.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
F=$TOP/tests/fixtures/context
D=$(pwd -P)
cp "$F/app.log" .
ctx() { "$LT" events "$@" | sed "s|$D|DIR|g"; }

# a file: read again around the event, its own line marked with ':'
"$LT" ingest -q --db f.db app.log
ctx --db f.db --context 2 > file.out
check_golden "file: 2 lines around each event, grep -C style" "$F/file.out" file.out
check_eq "file: only warning and error events have a context row" "2 1" \
    "$(sql f.db "SELECT count(*) FROM event_context WHERE offset IS NOT NULL AND block IS NULL"
    ) $(sql f.db "SELECT count(*) FROM context_files")"
check_eq "file: the offset is the byte where the event's line starts" \
    "$(head -5 app.log | wc -c)" "$(sql f.db "SELECT offset FROM event_context ORDER BY event_id LIMIT 1")"
check_eq "file: --context 0 is the event's own line" \
    "DIR/app.log:8:2025-10-25 23:31:14 WARNING tools.chat: Explicit model call failed; entering fallback chain" \
    "$(ctx --db f.db --context 0 --rule fallback | sed 1d)"
check_eq "file: the first lines of the file limit the context before" \
    "DIR/app.log-1- DIR/app.log-5- DIR/app.log:6:" \
    "$(ctx --db f.db --context 20 --rule provider-timeout | sed -n '2p;6p;7p' | cut -c1-14 | tr '\n' ' ' | sed 's/ $//')"

# a file that grew since is still read
cp app.log grow.log
"$LT" ingest -q --db g.db grow.log
echo "2025-10-25 23:31:30 INFO tools.chat: later" >> grow.log
check_eq "grown file: still read" "DIR/grow.log-9-2025-10-25 23:31:15 INFO tools.chat: trying glm-4.6" \
    "$(ctx --db g.db --context 1 --rule fallback | tail -1)"

# a .gz: decompressed from its start up to the event
cp app.log z.log && gzip -9 z.log
"$LT" ingest -q --db z.db z.log.gz
ctx --db z.db --context 1 --rule fallback --rule provider-timeout > gz.out
check_golden "gzip: the lines around each event" "$F/gz.out" gz.out

# standard input: the records before each event are kept, in one block
# for two neighbouring events
"$LT" ingest -q --db s.db --context-lines 3 < app.log
ctx --db s.db --context 3 > stdin.out
check_golden "stdin: the 3 records kept before each event" "$F/stdin.out" stdin.out
check_eq "stdin: one block shared by the two events, and no file" "1 2 0" \
    "$(sql s.db "SELECT count(*) FROM context_blocks") $(sql s.db "SELECT count(DISTINCT event_id) FROM event_context WHERE block = (SELECT id FROM context_blocks)") $(sql s.db "SELECT count(*) FROM context_files")"
"$LT" ingest -q --db s.db --context-lines 3 < app.log
check_eq "stdin read again: its events are stored, nothing more is kept" "4 2 1" \
    "$(sql s.db "SELECT count(*) FROM events_all") $(sql s.db "SELECT count(*) FROM event_context") $(sql s.db "SELECT count(*) FROM context_blocks")"
check_eq "stdin: the block holds records 3 to 8, compressed" "1" \
    "$(sql s.db "SELECT zlib FROM context_blocks")"
check_eq "stdin: --context 1 shows one of the records kept" \
    "(standard input)-5- (standard input):6: (standard input)-7-" \
    "$(ctx --db s.db --context 1 --rule provider-timeout | sed 1d | sed 's/2025.*//' | tr '\n' ' ' | sed 's/ $//')"
# through a pipe, and two events 10 records apart keep two blocks
{ cat app.log; sed 's/23:31:/23:41:/' app.log; } | "$LT" ingest -q --db p.db --source piped --context-lines 2 -
check_eq "pipe: events far apart keep blocks of their own" "2 4" \
    "$(sql p.db "SELECT count(*) FROM context_blocks") $(sql p.db "SELECT count(*) FROM event_context")"
check_eq "pipe: the second copy's event has its own records" \
    "(standard input)-16-2025-10-25 23:41:04 INFO tools.chat: streaming started" \
    "$(ctx --db p.db --context 5 --rule provider-timeout | sed -n '/23:41:12.000Z/,$p' | sed -n 2p)"
sed -n 8p "$F/app.log" | "$LT" ingest -q --db q.db
check_eq "stdin: a block of one short record stays as it is (zlib would not pay)" \
    "0 $(($(sed -n 8p "$F/app.log" | wc -c) + 2))" "$(sql q.db "SELECT zlib || ' ' || raw_len FROM context_blocks")"

# many blocks in one batch: 100 warnings 30 records apart
awk 'BEGIN { for (i = 1; i <= 3000; i++) {
	s = sprintf("2025-10-25 23:%02d:%02d", int(i / 60) % 60, i % 60)
	if (i % 30 == 0)
		print s " WARNING tools.chat: Explicit model call failed; entering fallback chain"
	else
		print s " INFO tools.chat: step " i
} }' > many.log
"$LT" ingest -q --db m.db --context-lines 2 - < many.log
check_eq "stdin: 100 events far apart, a block each" "100 100" \
    "$(sql m.db "SELECT count(*) FROM context_blocks") $(sql m.db "SELECT count(DISTINCT block) FROM event_context")"
check_eq "stdin: the last of them" \
    "(standard input)-2998-2025-10-25 23:49:58 INFO tools.chat: step 2998" \
    "$(ctx --db m.db --context 9 | tail -3 | head -1)"

# prune takes the context of the events it removes with them
"$LT" prune --db s.db --older-than 5s > /dev/null
check_eq "prune: the context of removed events goes, and their block" "1 0 0" \
    "$(sql s.db "SELECT count(*) FROM events_all") $(sql s.db "SELECT count(*) FROM event_context") $(sql s.db "SELECT count(*) FROM context_blocks")"
"$LT" prune --db m.db --older-than 10m > /dev/null
check_eq "prune: the blocks of the events kept stay" "21 21 21" \
    "$(sql m.db "SELECT count(*) FROM events_all") $(sql m.db "SELECT count(*) FROM event_context") $(sql m.db "SELECT count(*) FROM context_blocks")"

# the file moved, then changed
mv app.log moved.log
ctx --db f.db --context 2 --rule fallback > moved.out
check_golden "moved file: said so, the event's own line shown" "$F/moved.out" moved.out
sed 's/trying/Trying/' moved.log > app.log
check_eq "changed file: said so" \
    "context not available: the file has changed since it was read (DIR/app.log holds other data)" \
    "$(ctx --db f.db --context 2 --rule fallback | sed -n 2p)"
head -c 4096 /dev/zero | tr '\0' x > big.log
printf '\n2025-10-25 23:31:14 WARNING tools.chat: Explicit model call failed; entering fallback chain\n' >> big.log
"$LT" ingest -q --db b.db big.log
printf '%s\n' "$(head -c 4097 big.log)" "2025-10-25 23:31:13 INFO inserted" \
    "2025-10-25 23:31:14 WARNING tools.chat: Explicit model call failed; entering fallback chain" > big2.log
mv big2.log big.log
check_eq "changed after its first bytes: its last bytes tell" \
    "context not available: the file has changed since it was read (DIR/big.log was rewritten)" \
    "$(ctx --db b.db --context 1 | sed -n 2p)"

# off, and the bounds
"$LT" ingest -q --db o.db --context-lines 0 "$F/app.log"
"$LT" ingest -q --db o.db --context-lines 0 --source s - < "$F/app.log"
check_eq "--context-lines 0: nothing kept" "0 0 0" \
    "$(sql o.db "SELECT count(*) FROM event_context") $(sql o.db "SELECT count(*) FROM context_files") $(sql o.db "SELECT count(*) FROM context_blocks")"
check_eq "--context-lines 0: events say none was kept" \
    "context not available: none was kept when it was ingested" \
    "$(ctx --db o.db --context 1 --rule fallback --source s | sed -n 2p)"
check_rc "--context-lines 201: exit 2" 2 "$LT" ingest --db o.db --context-lines 201 "$F/app.log"
check_contains "--context-lines 201: message" "$T/err" "logtriage: ingest: bad --context-lines '201' (0 to 200)"
check_rc "--context -1: exit 2" 2 "$LT" events --db o.db --context -1
check_rc "--context x: exit 2" 2 "$LT" events --db o.db --context x

# a database made before the context tables: read as without context,
# and the next ingest adds them
cp "$F/app.log" old.log
"$LT" ingest -q --db old.db --context-lines 0 old.log
sql old.db "DROP TABLE event_context; DROP TABLE context_files; DROP TABLE context_blocks"
check_eq "old database: events --context reads it" \
    "context not available: none was kept when it was ingested" \
    "$(ctx --db old.db --context 1 --rule fallback | sed -n 2p)"
echo "2025-10-25 23:32:00 WARNING tools.chat: Explicit model call failed; entering fallback chain" >> old.log
"$LT" ingest -q --db old.db old.log
check_eq "old database: upgraded, the new event has context" \
    "DIR/old.log-12-2025-10-25 23:31:22 INFO src.daemon.ws_server: client 10.0.0.7 left" \
    "$(ctx --db old.db --context 1 --rule fallback | tail -2 | head -1)"
