#!/bin/sh
# metrics.sh - metrics in their units end to end: durations logged in s,
# ms or captured units stored in ms and shown in a sensible unit, a count
# never shown as ms, thresholds from the rules, repeats of one sample
# stored once whatever the ingest order, rates over counted requests, and
# a refused release after a recovery reported as the recovery's doing.
. "$TOP/tests/e2e/lib.sh"

FIX=$TOP/tests/fixtures/metrics
RULES=$FIX/metrics.rules

# --- units: normalised to ms at ingest, shown in their unit
check_rc "ingest durations in four units" 0 "$LT" ingest --db u.db --rules "$RULES" "$FIX/units.log"
check_eq "stored in ms: 20.78s, 0.638s, 16475ms, 0.25ms" "20780.0 638.0 16475.0 0.25" \
    "$(sql u.db "SELECT group_concat(value, ' ') FROM (SELECT value FROM events_all WHERE rule = 'duration' ORDER BY id)")"
check_eq "a count keeps its own value and unit" "812.0 5120.0|tokens" \
    "$(sql u.db "SELECT group_concat(value, ' ') FROM events_all WHERE rule = 'tokens'")|$(sql u.db "SELECT unit FROM rules WHERE id = 'tokens'")"
"$LT" report --db u.db > u.txt
check_contains "durations: table in a readable unit, sub-second kept" u.txt \
    "  -                                   4     9.47 s     638 ms     20.8 s     20.8 s     20.8 s"
check_contains "a non-duration table names its unit" u.txt "Metric: tokens (n, unit tokens)"
check_contains "a non-duration table is bare numbers" u.txt \
    "  -                                   2       2966        812       5120       5120       5120"
check_contains "a count is never printed as ms" u.txt \
    "tokens max tokens is 5120 tokens, over the 4000 tokens limit (mean 2966 tokens, p99 5120 tokens over 2 values)"
check_contains "the rule's own threshold makes the slow finding" u.txt \
    "duration p95 duration is 20.8 s, over the 10 s limit (mean 9.47 s, p99 20.8 s over 4 responses)"
check_not_contains "no threshold, no finding" u.txt "plain p95"
check_contains "a metric without a unit has none" u.txt "Metric: plain (q)"
# a group name longer than the column widens it for the whole table
printf '%s\n' \
    "2025-11-03 16:00:28 INFO utils.performance.timing: [TIMING] SupabaseMemory.get_conversation_by_continuation_id took 0.382s" \
    "2025-11-03 16:00:29 INFO utils.performance.timing: [TIMING] SupabaseMemory.add_turn took 0.154s" > wide.log
"$LT" ingest -q --db wide.db wide.log
"$LT" report --db wide.db > wide.txt
check_eq "a long group name widens the column" \
"  group                                                 count       mean        p50        p95        p99        max
  SupabaseMemory.add_turn                                   1     154 ms     154 ms     154 ms     154 ms     154 ms
  SupabaseMemory.get_conversation_by_continuation_id        1     382 ms     382 ms     382 ms     382 ms     382 ms" \
    "$(sed -n '/^Metric: timing-op/,/^$/p' wide.txt | sed -n '2,4p')"
"$LT" report --db u.db --format prometheus > u.prom
check_rc "prometheus with three units passes the strict checker" 0 python3 "$TOP/tests/tools/promcheck.py" u.prom
if command -v promtool > /dev/null 2>&1; then
	check_rc "promtool check metrics accepts three units" 0 \
	    sh -c 'promtool check metrics < "$1"' sh u.prom
else
	ok "promtool check metrics # SKIP promtool not installed"
fi
check_contains "prometheus: durations in seconds" u.prom \
    'logtriage_window_latency_seconds{rule="duration",group="",percentile="50"} 0.638'
check_contains "prometheus: duration histogram in seconds" u.prom \
    'logtriage_latency_seconds_sum{rule="duration",group=""} 37.893'
check_contains "prometheus: the unit in the family name" u.prom \
    'logtriage_window_metric_tokens{rule="tokens",group="",percentile="99"} 5120'
check_contains "prometheus: a count's histogram in its unit" u.prom \
    'logtriage_metric_tokens_bucket{rule="tokens",group="",le="1000"} 1'
check_eq "prometheus: no count in a seconds family" "" \
    "$(grep '^logtriage_\(window_\)\?latency_seconds.*rule="\(tokens\|plain\)"' u.prom)"
check_contains "prometheus: no unit, no suffix" u.prom '# TYPE logtriage_metric histogram'
"$LT" report --db u.db --format json > u.json
check_eq "json: each metric's unit" "ms tokens None" "$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print(m["duration"]["unit"], m["tokens"]["unit"], m["plain"]["unit"])' u.json)"
"$LT" events --db u.db --rule duration > u.ndjson
check_eq "events: value, unit and the value as read" \
    "20780 ms 20.8 s|638 ms 638 ms|16475 ms 16.5 s|0.25 ms 0.25 ms" "$(python3 -c '
import json, sys
print("|".join("%s %s %s" % (e["value"], e["unit"], e["value_text"]) for e in map(json.loads, open(sys.argv[1]))))' u.ndjson)"
check_rc "rules list shows unit and slow" 0 "$LT" rules list --rules "$RULES"
check_contains "rules list: captured unit and threshold" "$T/out" "metric = d  unit = (captured)  slow = p95 > 10 s"
check_contains "rules list: same and counts" "$T/out" "same = tool, ms within 1s  counts = requests by tool"

# --- one measurement counted once, whatever the ingest order
ingest_rep() { "$LT" ingest --db "$1" --rules "$RULES" --source tools "$2" 2>&1; }
REP="SELECT group_concat(line || ':' || ifnull((SELECT line FROM events_all d WHERE d.id = e.dup_of), '-'), ' ')
	FROM (SELECT * FROM events_all WHERE rule = 'tool-ms' ORDER BY line) e"
check_contains "one ingest: the summary counts repeated samples" "$(printf '%s\n' "$(ingest_rep one.db "$FIX/repeats.log")" > one.err; echo one.err)" \
    "8 events (0 duplicates, 3 same-sample duplicates)"
check_eq "one ingest: each repeat points at the sample it repeats" \
    "1:- 2:1 3:2 4:- 5:- 6:- 7:6 8:-" "$(sql one.db "$REP")"
head -3 "$FIX/repeats.log" > a.log
tail -n +4 "$FIX/repeats.log" > b.log
ingest_rep split.db b.log > /dev/null
ingest_rep split.db a.log > split.err
ingest_rep split.db a.log >> split.err
ingest_rep split.db b.log >> split.err
check_eq "split, reversed and repeated ingests: the same repeats" \
    "$(sql one.db "SELECT group_concat(dup_of IS NOT NULL, '') FROM (SELECT dup_of FROM events_all ORDER BY ts, text)")" \
    "$(sql split.db "SELECT group_concat(dup_of IS NOT NULL, '') FROM (SELECT dup_of FROM events_all ORDER BY ts, text)")"
check_contains "split: the second part counts its own repeats" split.err \
    "3 events (0 duplicates, 2 same-sample duplicates)"
"$LT" report --db one.db > one.txt
"$LT" report --db split.db > split.txt
check_eq "split: the same report" "" "$(diff one.txt split.txt)"
check_contains "the report counts the repeats it left out" one.txt \
    "8 events (3 same-sample duplicates, in no distribution)"
check_contains "a repeat never enters the distribution" one.txt \
    "  chat                                4     8.69 s     901 ms     16.5 s     16.5 s     16.5 s"

# --- rates over counted requests; the recovery's over-release
check_rc "ingest the recovery sequence" 0 "$LT" ingest --db sem.db "$FIX/semaphore.log"
"$LT" report --db sem.db > sem.txt
check_contains "a refused release after a recovery is the recovery's over-release" sem.txt \
    "warning  1 releases refused after a recovery (semaphore-release-refused after semaphore-recovered): the recovery over-released: the leak it fixed was probably a request still in flight (the longest request ending beside them took 41.2 s)"
check_contains "a refused release with no recovery before it is a double release" sem.txt \
    "1 double releases of a semaphore (semaphore-release-refused)"
check_contains "leaks over the requests counted on their source" sem.txt \
    "semaphore-leak after 1 of 3 requests (33%): semaphore-recovered hid 1, 0 never resolved"
check_contains "the health check's leak is recovered like the others" sem.txt \
    "semaphore-health after 1 of 3 requests (33%): semaphore-recovered hid 1, 0 never resolved"
check_not_contains "no unresolved leak" sem.txt "unresolved"
check_not_contains "a refused release is no fallback" sem.txt "fallback chain"

# --- a database no writer has opened since the columns were added, read-only
cp one.db old.db
unsample old.db
sql old.db "ALTER TABLE events DROP COLUMN dup_of; ALTER TABLE rules DROP COLUMN unit;
    ALTER TABLE rules DROP COLUMN slow; ALTER TABLE rules DROP COLUMN counts;
    ALTER TABLE rules DROP COLUMN counts_by; ALTER TABLE rules DROP COLUMN means;
    PRAGMA journal_mode = DELETE"
chmod a-w old.db
check_rc "read-only older database: report" 0 "$LT" report --db old.db
check_contains "older database: values without a unit" "$T/out" "Metric: tool-ms (ms by tool)"
check_rc "read-only older database: events" 0 "$LT" events --db old.db --rule tool-ms --limit 1
check_contains "older database: events give the bare value" "$T/out" '"value":16475,"value_text":"16475"'
chmod u+w old.db
