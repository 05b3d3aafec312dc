#!/bin/sh
# sources.sh - an input whose lines name more sources than one input may
# have (INGEST_SOURCES_MAX, 2048): the first 2048 names are sources of
# their own, the records of the names after them are stored, events and
# all, as the one source "NAME (other sources)" of the input, said once on
# stderr; ingesting the input again stores nothing twice, a file read in
# two runs stores what one run would, and a database that already holds
# more sources than that still takes the input.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# names FIRST LAST: one error line per compose service svcFIRST..svcLAST,
# a second apart from 23:00:00 on (svcN at second N)
names() {
	awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++)
	    printf "svc%d  | 2025-10-25T%02d:%02d:%02d.000Z ERROR upstream failed %d\n",
	    i, 23 + int(i / 3600), int(i / 60) % 60, i % 60, i }'
}
# events_of DB NAME: the events stored as source NAME
events_of() {
	sql "$1" "SELECT count(*) FROM events_all e JOIN sources s ON s.id = e.source_id
	    WHERE s.name = '$2'"
}
summary() {	# summary RECORDS EVENTS DUPLICATES BYTES
	echo "logtriage: $1 lines, $4 bytes, $1 records, $2 events ($3 duplicates) from 1 inputs; malformed 0, truncated 0, no timestamp 0, backwards 0, bad UTF-8 0, NUL bytes 0, regex errors 0"
}
notice() {	# notice INPUT RECORDS SOURCE
	echo "logtriage: $1: more than 2048 sources named: the $2 records of the names past the first 2048 are stored as the source '$3'"
}

# --- 2100 names, then one more line of the first: 52 names past the cap
{ names 1 2100; echo "svc1  | 2025-10-26T00:00:00.000Z ERROR upstream failed again"; } > t.log
bytes=$(wc -c < t.log)
check_rc "past the cap: exit 0" 0 "$LT" ingest --db t.db t.log
check_eq "past the cap: said once, then the summary line" \
    "$(notice t.log 52 't.log (other sources)')
$(summary 2101 2101 0 "$bytes")" "$(cat "$T/err")"
check_eq "past the cap: 2048 sources of their own and the other sources" \
    "2049|2048|1" "$(sql t.db "SELECT count(*), sum(name LIKE 'svc%'),
	sum(name = 't.log (other sources)' AND kind = 'compose') FROM sources")"
check_eq "past the cap: the first 2048 names are the sources" "2048|svc2048" \
    "$(sql t.db "SELECT count(*) FROM sources WHERE name LIKE 'svc%'
	AND CAST(substr(name, 4) AS INTEGER) BETWEEN 1 AND 2048")|$(sql t.db "SELECT name FROM sources WHERE id = 2048")"
check_eq "past the cap: every event stored" 2101 "$(sql t.db "SELECT count(*) FROM events_all")"
check_eq "past the cap: the other sources hold the 52 names' events, lines 2049..2100" \
    "52|2049|2100" "$(sql t.db "SELECT count(*), min(e.line), max(e.line)
	FROM events_all e JOIN sources s ON s.id = e.source_id
	WHERE s.name = 't.log (other sources)'")"
check_eq "past the cap: a name met before stays its own source" 2 "$(events_of t.db svc1)"
check_eq "past the cap: the volume counts every record once" "2101|52" \
    "$(sql t.db "SELECT sum(records) FROM volume")|$(sql t.db "SELECT sum(v.records)
	FROM volume v JOIN sources s ON s.id = v.source_id WHERE s.name = 't.log (other sources)'")"

# --- the same file again: resumed at its end, nothing read, nothing said
check_rc "again: exit 0" 0 "$LT" ingest --db t.db t.log
check_eq "again: no notice, nothing new" "$(summary 0 0 0 0)" "$(cat "$T/err")"
# --- read again from the start: the same sources, every event a duplicate
check_rc "again from the start: exit 0" 0 "$LT" ingest --db t.db --no-resume t.log
check_eq "again from the start: the notice, every event a duplicate" \
    "$(notice t.log 52 't.log (other sources)')
$(summary 2101 0 2101 "$bytes")" "$(cat "$T/err")"
check_eq "again from the start: sources, events and volume unchanged" "2049|2101|2101" \
    "$(sql t.db "SELECT count(*) FROM sources")|$(sql t.db "SELECT count(*) FROM events_all")|$(sql t.db "SELECT sum(records) FROM volume")"

# --- a file read in two runs, cut before the cap and past it: the second
# run counts the names the first gave sources (their volume marks), so
# the events are those of one run, and reading it again stores none twice
dump() {
	sql "$1" "SELECT s.name, e.ts, e.ordinal, e.line FROM events_all e
	    JOIN sources s ON s.id = e.source_id ORDER BY 1, 2, 3, 4" | md5sum
}
mkdir split
for cut in 1000 2070; do
	rm -f split.db split/t.log
	head -n "$cut" t.log > split/t.log
	"$LT" ingest -q --db split.db split/t.log
	tail -n +"$((cut + 1))" t.log >> split/t.log
	check_rc "cut at line $cut: the second run exits 0" 0 "$LT" ingest --db split.db split/t.log
	check_eq "cut at line $cut: the second run's notice" \
	    "$(notice split/t.log $((cut > 2048 ? 2100 - cut : 52)) 't.log (other sources)')" "$(head -1 "$T/err")"
	check_eq "cut at line $cut: the events of one run" "$(dump t.db)" "$(dump split.db)"
	"$LT" ingest -q --db split.db --no-resume split/t.log
	check_eq "cut at line $cut: read again, nothing new" "2049|2101" \
	    "$(sql split.db "SELECT count(*) FROM sources")|$(sql split.db "SELECT count(*) FROM events_all")"
done

# --- the report and events show them under the other sources
check_rc "report: exit 0" 0 "$LT" report --db t.db
check_eq "report: the other sources are the busiest" \
    "sources: 2049 sources, busiest: t.log (other sources) (52), svc1 (2), svc10 (1)" \
    "$(grep '^sources:' "$T/out")"
check_rc "report --source: exit 0" 0 "$LT" report --db t.db --source 't.log (other sources)' --format json
check_eq "report --source: their events alone" "1|52" \
    "$(jq -r '"\(.sources | length)|\([.rules[].count] | add)"' "$T/out")"
check_rc "events --source: exit 0" 0 "$LT" events --db t.db --source 't.log (other sources)' --format tsv
check_eq "events --source: 52 events, the first of svc2049's line" \
    "52|2025-10-25T23:34:09.000Z	t.log (other sources)	log-error	error	2049		2025-10-25T23:34:09.000Z ERROR upstream failed 2049" \
    "$(wc -l < "$T/out")|$(head -1 "$T/out")"

# --- standard input: the other sources of stdin; twice stores nothing twice
"$LT" ingest --db s.db < t.log 2> s.err
check_eq "stdin: the notice names standard input" \
    "$(notice 'standard input' 52 'stdin (other sources)')" "$(head -1 s.err)"
"$LT" ingest --db s.db - < t.log 2> s.err
check_eq "stdin twice: every event a duplicate" "$(summary 2101 0 2101 "$bytes")" "$(tail -1 s.err)"
check_eq "stdin twice: sources and events as once" "2049|2101|52" \
    "$(sql s.db "SELECT count(*) FROM sources")|$(sql s.db "SELECT count(*) FROM events_all")|$(events_of s.db 'stdin (other sources)')"

# --- -q says nothing
check_rc "-q: exit 0" 0 "$LT" ingest -q --db q.db t.log
check_eq "-q: no notice" "" "$(cat "$T/err")"

# --- the other envelopes whose lines name their source
awk 'BEGIN { for (i = 1; i <= 2050; i++)
    printf "[pod/p%d/c] 2025-10-25T23:00:00.000000000Z ERROR down %d\n", i, i }' > k.log
check_rc "kubectl: exit 0" 0 "$LT" ingest -q --db k.db k.log
check_eq "kubectl: 2048 pods and the other sources" "2049|k.log (other sources)|kubernetes|2" \
    "$(sql k.db "SELECT count(*) FROM sources")|$(sql k.db "SELECT name || '|' || kind FROM sources WHERE id = 2049")|$(events_of k.db 'k.log (other sources)')"
awk 'BEGIN { for (i = 1; i <= 2050; i++)
    printf "{\"__REALTIME_TIMESTAMP\":\"%d000000\",\"MESSAGE\":\"down %d\",\"PRIORITY\":\"3\",\"_SYSTEMD_UNIT\":\"u%d.service\"}\n",
    1761433200 + i, i, i }' > j.json
check_rc "journald: exit 0" 0 "$LT" ingest -q --db j.db j.json
check_eq "journald: 2048 units and the other sources" "2049|j.json (other sources)|journald|2" \
    "$(sql j.db "SELECT count(*) FROM sources")|$(sql j.db "SELECT name || '|' || kind FROM sources WHERE id = 2049")|$(events_of j.db 'j.json (other sources)')"

# --- a database that holds more sources than the cap: 3000 names of two
# files, each under it; a file of all 3000 then keeps the first 2048 as
# their stored sources (their events duplicates) and stores the rest as
# its other sources
names 1 1500 > a.log
names 1501 3000 > b.log
cat a.log b.log > c.log
"$LT" ingest -q --db big.db a.log b.log
check_eq "3000 sources stored, none other" "3000|0" \
    "$(sql big.db "SELECT count(*), sum(name LIKE '%(other sources)') FROM sources")"
check_rc "past the cap of a full database: exit 0" 0 "$LT" ingest --db big.db c.log
check_eq "past the cap of a full database: the 952 past the first 2048" \
    "$(notice c.log 952 'c.log (other sources)')
$(summary 3000 952 2048 "$(wc -c < c.log)")" "$(cat "$T/err")"
check_eq "past the cap of a full database: one source more, their events" "3001|952|3952" \
    "$(sql big.db "SELECT count(*) FROM sources")|$(events_of big.db 'c.log (other sources)')|$(sql big.db "SELECT count(*) FROM events_all")"
check_rc "past the cap of a full database, again from the start: exit 0" 0 \
    "$LT" ingest --db big.db --no-resume c.log
check_eq "past the cap of a full database, again: nothing new" \
    "$(summary 3000 0 3000 "$(wc -c < c.log)")|3001|3952" \
    "$(tail -1 "$T/err")|$(sql big.db "SELECT count(*) FROM sources")|$(sql big.db "SELECT count(*) FROM events_all")"
