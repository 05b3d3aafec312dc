#!/bin/sh
# stamps.sh - record times: the stamps of the other containers a compose
# log interleaves (nginx, redis, Go, Java, syslog), undated records, and
# inputs with no time at all (untimed: NULL in the store, in no window).
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
F=$TOP/tests/fixtures/stamps
summary() {
	echo "logtriage: $1 lines, $2 bytes, $3 records, $4 events ($5 duplicates) from 1 inputs; malformed 0, truncated 0, no timestamp $6, backwards 0, bad UTF-8 0, NUL bytes 0, regex errors 0$7"
}

# --- a compose log of five kinds of container
check_rc "compose of other containers: ingests" 0 "$LT" ingest --db c.db "$F/compose-mixed.log"
# only nginx's entrypoint line and go's panic have no stamp (they take the
# time before them); the panic is a record of its own, with its goroutine
check_eq "compose: two records without a stamp of their own" \
    "$(summary 19 1495 16 7 0 2 '')" "$(cat "$T/err")"
check_eq "compose: every record within 23:00Z, none elsewhere, each line once" "29357220|16|19" \
    "$(sql c.db "SELECT group_concat(DISTINCT minute), sum(records), sum(lines) FROM volume")"
check_eq "compose: records per source" "app-1=2 cron-1=1 go-1=3 java-1=2 nginx-1=5 redis-1=3" \
    "$(sql c.db "SELECT group_concat(n, ' ') FROM (SELECT s.name || '=' || sum(v.records) AS n FROM volume v JOIN sources s ON s.id = v.source_id GROUP BY s.name ORDER BY s.name)")"
check_eq "compose: error and warning events at their own stamps (the panic at the one before it; redis's '#' is its warning; nginx's 502 answer in +1100)" \
    "redis-1|1761433200123|3 go-1|1761433201250|17 nginx-1|1761433202000|9 app-1|1761433202400|10 java-1|1761433203123|11 nginx-1|1761433205000|15 redis-1|1761433206001|16" \
    "$(sql c.db "SELECT group_concat(x, ' ') FROM (SELECT s.name || '|' || e.ts || '|' || e.line AS x FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.ts)")"
# nginx's access line in +1100 is 23:00:05Z, after the 23:00:02 error line:
# it is a record of its own, not a continuation of that error
check_eq "compose: nginx's +1100 access line is its own record" "5" \
    "$(sql c.db "SELECT sum(records) FROM volume v JOIN sources s ON s.id = v.source_id WHERE s.name = 'nginx-1'")"

# --- the CRI format (Kubernetes nodes): stream and tag after the stamp, a
# P line joined to the next, a stamp with fewer fraction digits or none
printf '2025-10-25T23:00:00.123456789Z stdout F 2025-10-25 23:00:00 INFO app: up\n2025-10-25T23:00:01.5Z stderr P ERROR app: cut \n2025-10-25T23:00:01.5Z stderr F in two\n2025-10-25T23:00:02Z stderr F ERROR app: whole second\n' > cri.log
"$LT" ingest -q --db cri.db cri.log
check_eq "cri: records at their stamps, streams, the cut line whole" \
    "2|3|1761433201500|2|ERROR app: cut in two
4|4|1761433202000|2|ERROR app: whole second" \
    "$(sql cri.db "SELECT line || '|' || line_end || '|' || ts || '|' || stream || '|' || text FROM events_all ORDER BY line")"
check_eq "cri: three records" "3" "$(sql cri.db "SELECT records FROM ingests")"

# --- C's ctime() bare (Python's time.ctime(), Perl): each line a record
# at its stamp, the level after it read
printf 'Sat Oct 25 23:00:00 2025 INFO worker started\nSat Oct 25 23:00:01 2025 ERROR job 7 failed\nSat Oct 25 23:00:02 2025 WARNING queue at 90%%\n' > ctime.log
"$LT" ingest -q --db ctime.db ctime.log
check_eq "ctime: failure and warning at their stamps" \
    "2|1761433201000|log-error
3|1761433202000|log-warning" \
    "$(sql ctime.db "SELECT line || '|' || ts || '|' || rule FROM events_all ORDER BY line")"
check_eq "ctime: three records, all stamped" "3|0" \
    "$(sql ctime.db "SELECT records || '|' || no_timestamp FROM ingests")"

# --- a byte order mark before the first stamp (a file written on Windows)
printf '\357\273\2772025-10-25 23:00:00 ERROR first\n2025-10-25 23:00:01 ERROR second\n' > bom.log
"$LT" ingest -q --db bom.db bom.log
check_eq "byte order mark: the first line at its stamp, its text without the mark" \
    "1|1761433200000|2025-10-25 23:00:00 ERROR first
2|1761433201000|2025-10-25 23:00:01 ERROR second" \
    "$(sql bom.db "SELECT line || '|' || ts || '|' || text FROM events_all ORDER BY line")"

# UTF-16 (its mark FF FE): read as bytes, counted, and the user told why
printf '\377\376\062\000\060\000\012\000' > u16.log
check_rc "UTF-16: the input is read" 0 "$LT" ingest --db u16.db u16.log
check_contains "UTF-16: the user is told to convert it" "$T/err" \
    "logtriage: u16.log: UTF-16 text (it opens with that byte order mark); logtriage reads UTF-8: convert it first, as with iconv -f UTF-16 -t UTF-8"
check_contains "UTF-16: its NUL bytes counted" "$T/err" "NUL bytes 3,"

# --- an input with no time at all (a pasted excerpt): untimed
printf 'connecting to the pool\nERROR pool exhausted after 3 tries\nwill try later\n' > paste.txt
"$LT" ingest --db u.db - < paste.txt 2> u.err
check_eq "untimed: counted in the summary, and what gives a time said" \
    "logtriage: standard input: no record told a time: its events are untimed, in no window (docker logs -t gives every line Docker's stamp)
$(summary 3 73 3 1 0 3 ', untimed 3')" "$(cat u.err)"
"$LT" ingest -q --db uq.db - < paste.txt 2> uq.err
check_eq "untimed: -q says nothing of it" "" "$(cat uq.err)"
check_eq "untimed: the event's time is NULL, nothing dated 1970" "1|0|0" \
    "$(sql u.db "SELECT count(*), count(ts), (SELECT count(*) FROM events_all WHERE ts < 86400000) FROM events_all")"
check_eq "untimed: ingests row" "3|3" "$(sql u.db "SELECT untimed, no_timestamp FROM ingests")"
check_eq "untimed: no volume (no minute to chart it in)" "0" "$(sql u.db "SELECT count(*) FROM volume")"
check_eq "untimed: events with no window lists it" "1" "$("$LT" events --db u.db | wc -l)"
check_eq "untimed: in no window of events" "0" "$("$LT" events --db u.db --since 2000-01-01 | wc -l)"
check_eq "untimed: events --untimed lists it" \
    '{"ts":null,"source":"stdin","rule":"log-error","category":"error","severity":"error","line":2,"line_end":2' \
    "$("$LT" events --db u.db --untimed | cut -d, -f1-7)"
check_eq "untimed: tsv prints - for the time" "-	stdin	log-error	error	2		ERROR pool exhausted after 3 tries" \
    "$("$LT" events --db u.db --untimed --format tsv)"
check_rc "untimed: --untimed with a window: exit 2" 2 "$LT" events --db u.db --untimed --since 24h
check_eq "untimed: report says so, and reports them" \
    "logtriage report: no timed events; 1 untimed events (their input had no time; in no window)
sources: stdin
Untimed events (their input had no time; in no window)
  1 events: logtriage events --untimed lists them
  error    1 × pool exhausted after <*> tries (on stdin): logtriage events --untimed --rule log-error --field 'template=pool exhausted after <*> tries'" \
    "$("$LT" report --db u.db | sed -n '1,2p;4,5p;8p')"
check_rc "untimed: report --fail-on error with no window: exit 1" 1 "$LT" report --db u.db --fail-on error
check_rc "untimed: report --fail-on critical: exit 0" 0 "$LT" report --db u.db --fail-on critical
check_rc "untimed: report --fail-on error with a window: in no window, exit 0" 0 \
    "$LT" report --db u.db --fail-on error --since 2025-01-01
check_rc "untimed: report --fail-on error for another source: exit 0" 0 \
    "$LT" report --db u.db --fail-on error --source other
cp u.db ut.db
printf '2025-11-03 17:00:00 WARNING app: timed and mild\n' > timed.log
"$LT" ingest -q --db ut.db timed.log
check_rc "untimed beside timed events: report --fail-on error with no window: exit 1" 1 \
    "$LT" report --db ut.db --fail-on error
check_rc "untimed beside timed events: --fail-on warning over the timed one's window: exit 1" 1 \
    "$LT" report --db ut.db --fail-on warning --since 2025-11-03
check_rc "untimed beside timed events: --fail-on error over that window: exit 0" 0 \
    "$LT" report --db ut.db --fail-on error --since 2025-11-03
check_eq "untimed: json report counts it" '"untimed_events": 1' \
    "$("$LT" report --db u.db --format json | grep -o '"untimed_events": [0-9]*')"
check_eq "untimed: json report counts it by rule" '"log-error": {"category": "error", "severity": "error", "count": 0, "untimed": 1}' \
    "$("$LT" report --db u.db --format json | grep -o '"log-error": {[^}]*}' | head -n 1)"
"$LT" ingest --db u.db - < paste.txt 2> u2.err
check_eq "untimed: the same excerpt again adds nothing" "$(summary 3 73 3 0 1 3 ', untimed 3')|1" \
    "$(cat u2.err)|$(sql u.db "SELECT count(*) FROM events_all")"

# --- identical untimed events are told apart by the number of their
# record among their source's untimed records, so re-reading finds them
# and the index takes them in the order they come
# ords DB [WHERE ...]: the events' ordinals in the order they were stored
ords() {
	sql "$1" "SELECT group_concat(ordinal) FROM (SELECT ordinal FROM events_all ${2:-} ORDER BY id)"
}
# last_run DB: events and duplicates of the latest ingest
last_run() {
	sql "$1" "SELECT events || '|' || duplicates FROM ingests ORDER BY id DESC LIMIT 1"
}
# untimed_index DB: the columns of its events_untimed
untimed_index() {
	sql "$1" "SELECT group_concat(name) FROM pragma_index_info('events_untimed')"
}
# made_before DB: as a database made before meta's untimed_ordinal
made_before() {
	sql "$1" "DELETE FROM meta WHERE key = 'untimed_ordinal';
	    DROP INDEX events_untimed;
	    CREATE UNIQUE INDEX events_untimed ON events (rule, source_id, hash, ordinal) WHERE ts IS NULL"
}
# (past the 4096 bytes that identify a file, so that appending resumes)
awk 'BEGIN { for (i = 0; i < 600; i++) print "waiting" }' > same.txt
printf 'ERROR pool exhausted\nsleeping\nERROR pool exhausted\nERROR pool exhausted\n' >> same.txt
"$LT" ingest -q --db n.db --source app same.txt
check_eq "untimed by record: ordinals are the records' numbers" "600,602,603|record" \
    "$(ords n.db)|$(sql n.db "SELECT value FROM meta WHERE key = 'untimed_ordinal'")"
check_eq "untimed by record: both indexes ordinal before hash" \
    "rule,source_id,ts,ordinal,hash|rule,source_id,ordinal,hash" \
    "$(sql n.db "SELECT group_concat(name) FROM pragma_index_info('events_rule_ts')")|$(untimed_index n.db)"
printf 'sleeping\nERROR pool exhausted\n' >> same.txt
"$LT" ingest --db n.db --source app same.txt 2> n.err
check_eq "untimed by record: an appended file resumes the numbering" \
    "logtriage: same.txt: no record told a time: its events are untimed, in no window (docker logs -t gives every line Docker's stamp)
logtriage: 2 lines, 30 bytes, 2 records, 1 events (0 duplicates) from 1 inputs; malformed 0, truncated 0, no timestamp 2, backwards 0, bad UTF-8 0, NUL bytes 0, regex errors 0, untimed 2|600,602,603,605" \
    "$(cat n.err)|$(ords n.db)"
"$LT" ingest -q --no-resume --db n.db --source app same.txt
cat same.txt | "$LT" ingest -q --db n.db --source app -
check_eq "untimed by record: read again, from the file and from a pipe, nothing added" \
    "4|0|4|0|4" \
    "$(sql n.db "SELECT count(*) FROM events_all")|$(sql n.db "SELECT events || '|' || duplicates FROM ingests ORDER BY id DESC LIMIT 2" | tr '\n' '|' | sed 's/|$//')"
# two sources of one compose input: each numbers its own records
printf 'a-1  | ERROR pool exhausted\nb-1  | ERROR pool exhausted\na-1  | ERROR pool exhausted\nb-1  | sleeping\nb-1  | ERROR pool exhausted\n' > two.txt
"$LT" ingest -q --db t2.db two.txt
check_eq "untimed by record: per source" "a-1:0,1 b-1:0,2" \
    "$(sql t2.db "SELECT group_concat(x, ' ') FROM (SELECT s.name || ':' || group_concat(e.ordinal) AS x FROM events_all e JOIN sources s ON s.id = e.source_id GROUP BY s.name ORDER BY s.name)")"
# A database that held untimed events before meta's untimed_ordinal
# numbered them by text; it keeps doing so, or re-reading would add them
# again.  One that held none numbers by record from then on.
"$LT" ingest -q --db bytext.db --source app same.txt
made_before bytext.db
sql bytext.db "UPDATE events SET ordinal = (SELECT count(*) FROM events p WHERE p.hash = events.hash AND p.id < events.id);
    DELETE FROM inputs; DELETE FROM input_ordinals"
"$LT" ingest -q --db bytext.db --source app same.txt
check_eq "untimed by text: kept, its index as it was, nothing added" \
    "text|rule,source_id,hash,ordinal|0,1,2,3|0|4" \
    "$(sql bytext.db "SELECT value FROM meta WHERE key = 'untimed_ordinal'")|$(untimed_index bytext.db)|$(ords bytext.db)|$(last_run bytext.db)"
printf 'ERROR pool exhausted\n' >> same.txt
"$LT" ingest -q --db bytext.db --source app same.txt
check_eq "untimed by text: an appended file resumes the counts, the new event kept" \
    "1|0|0,1,2,3,4" \
    "$(last_run bytext.db)|$(ords bytext.db)"
cat same.txt | "$LT" ingest -q --db bytext.db --source app2 -
check_eq "untimed by text: a new source numbered by text too" "0,1,2,3,4" \
    "$(sql bytext.db "SELECT group_concat(e.ordinal) FROM (SELECT e.ordinal FROM events_all e JOIN sources s ON s.id = e.source_id WHERE s.name = 'app2' ORDER BY e.id) e")"
printf '2025-10-25 23:00:00 ERROR timed\n' > timed.txt
"$LT" ingest -q --db none.db --source app timed.txt
made_before none.db
"$LT" ingest -q --db none.db --source app same.txt
check_eq "no untimed event yet: numbered by record, the index reordered" \
    "record|rule,source_id,ordinal,hash|600,602,603,605,606" \
    "$(sql none.db "SELECT value FROM meta WHERE key = 'untimed_ordinal'")|$(untimed_index none.db)|$(ords none.db "WHERE ts IS NULL")"
# --- undated records before the first stamp are untimed, after it they
# take the time of the record before them
printf 'ERROR before any stamp\n2025-10-25 23:00:00 INFO up\nERROR after the stamp\n' > late.txt
"$LT" ingest -q --db l.db --source late late.txt
check_eq "late stamp: untimed before, inherited after" "|ERROR before any stamp 1761433200000|ERROR after the stamp" \
    "$(sql l.db "SELECT group_concat(coalesce(ts, '') || '|' || text, ' ') FROM (SELECT ts, text FROM events_all ORDER BY id)")"
check_eq "late stamp: one untimed, two without a stamp of their own" "1|2" \
    "$(sql l.db "SELECT untimed, no_timestamp FROM ingests")"

# --- report and events agree on a database holding both
"$LT" ingest -q --db c.db - < paste.txt
check_eq "both: report counts the timed events and the untimed apart" \
    "19 lines, 16 records, 1495 bytes (malformed 0, truncated 0); 7 events; untimed 1 events (their input had no time; in no window)" \
    "$("$LT" report --db c.db | sed -n 's/^input: //p')"
check_eq "both: events with no window prints the 8, the untimed first; --untimed the 1" "8 null 1" \
    "$("$LT" events --db c.db | wc -l) $("$LT" events --db c.db | head -n 1 | cut -d, -f1 | cut -d: -f2) $("$LT" events --db c.db --untimed | wc -l)"
check_eq "both: a window holds only the timed" "3 3" \
    "$("$LT" report --db c.db --since 2025-10-25 --until 2025-10-26 --format json | grep -o '"log-error": {[^}]*"count": [0-9]*' | grep -o '[0-9]*$') $("$LT" events --db c.db --rule log-error --since 2025-10-25 --until 2025-10-26 | wc -l)"

cp c.db p.db
check_rc "both: prune --keep-size 1K exits 0" 0 "$LT" prune --db p.db --keep-size 1K
check_eq "both: prune keeps the untimed event, which has no age" "1" \
    "$(sql p.db "SELECT count(*) FROM events_all WHERE ts IS NULL")"

# --- a database made when events.ts was NOT NULL takes untimed events
sed -e 's/^\tts\t\tINTEGER,.*/\tts\t\tINTEGER NOT NULL,/' \
    -e '/^CREATE UNIQUE INDEX IF NOT EXISTS events_untimed/,/WHERE ts IS NULL;/d' \
    -e '/^\tlast_ts\t\tINTEGER,$/{N;N;s/,\n.*\n.*untimed.*/\n/}' \
    "$TOP/schema.sql" > old.sql
sqlite3 o.db < old.sql
sqlite3 o.db "PRAGMA user_version = 1"
check_eq "old layout: ts NOT NULL, no untimed index or column" "1|0|0" \
    "$(sql o.db "SELECT \"notnull\" FROM pragma_table_info('events') WHERE name = 'ts'")|$(sql o.db "SELECT count(*) FROM sqlite_master WHERE name = 'events_untimed'")|$(sql o.db "SELECT count(*) FROM pragma_table_info('ingests') WHERE name = 'untimed'")"
"$LT" ingest -q --db o.db - < paste.txt
check_eq "old layout: upgraded, the untimed event stored" "0|1|1|3|ok" \
    "$(sql o.db "SELECT \"notnull\" FROM pragma_table_info('events') WHERE name = 'ts'")|$(sql o.db "SELECT count(*) FROM sqlite_master WHERE name = 'events_untimed'")|$(sql o.db "SELECT count(*) FROM events_all WHERE ts IS NULL")|$(sql o.db "SELECT untimed FROM ingests")|$(sql o.db "PRAGMA integrity_check")"

# --- clock offsets between envelope stamps and the records' own
ev() { "$LT" events --db "$1" --format tsv | cut -f1,2 | tr '\t' ' ' | tr '\n' ',' | sed 's/,$//'; }
"$LT" ingest --db o1.db "$F/compose-t-offset.log" 2> o1.err
check_eq "offset: said once per source, with the --tz that fixes it" \
    "logtriage: app-1: the records' own stamps are 11 h ahead of their envelope's (4 of 5 records); --tz +11:00 (or --tz auto) reads the records' own right
logtriage: db-1: the records' own stamps are 3 h ahead of their envelope's (2 of 2 records); both stamps have a zone, so --tz cannot fix it" \
    "$(grep -v ' lines, ' o1.err)"
check_eq "offset: ws-1 stamps with AEDT, which agrees: not named" "0" "$(grep -c ws-1 o1.err)"
check_eq "offset: -t stamps rule; a line without one reads its naive stamp as UTC" \
    "2025-10-25T12:00:02.100Z app-1,2025-10-25T12:00:04.200Z ws-1,2025-10-25T23:00:07.100Z app-1" "$(ev o1.db)"
"$LT" ingest --db o2.db --tz auto "$F/compose-t-offset.log" 2> o2.err
check_eq "offset: --tz auto reads app-1's naive stamps at +11:00" \
    "2025-10-25T12:00:02.100Z app-1,2025-10-25T12:00:04.200Z ws-1,2025-10-25T12:00:07.100Z app-1" "$(ev o2.db)"
check_contains "offset: --tz auto says what it did" o2.err \
    "logtriage: app-1: the records' own stamps are 11 h ahead of their envelope's (4 of 5 records); --tz auto read the records' own at +11:00"
"$LT" ingest --db o3.db --tz +11:00 "$F/compose-t-offset.log" 2> o3.err
check_eq "offset: --tz +11:00 agrees: only db-1 is named" "db-1" \
    "$(grep -v ' lines, ' o3.err | cut -d: -f2 | tr -d ' ')"

"$LT" ingest --db d1.db "$F/desktop-offset.log" 2> d1.err
check_eq "desktop copy: its naive envelope is 11 h ahead of the UTC stamps" \
    "logtriage: desktop-offset.log: the records' own stamps are 11 h behind their envelope's (2 of 2 records); --tz +11:00 (or --tz auto) reads the envelope's right" \
    "$(grep -v ' lines, ' d1.err)"
check_eq "desktop copy: the envelope's time as read" \
    "2025-10-26T10:00:01.100+11:00 desktop-offset.log,2025-10-26T10:00:02.100+11:00 desktop-offset.log" \
    "$("$LT" events --db d1.db --tz +11:00 --format tsv | cut -f1,2 | tr '\t' ' ' | tr '\n' ',' | sed 's/,$//')"
"$LT" ingest -q --db d2.db --tz auto "$F/desktop-offset.log"
check_eq "desktop copy: --tz auto reads the envelope at +11:00, the print too" \
    "2025-10-25T12:00:01.100Z desktop-offset.log,2025-10-25T12:00:02.100Z desktop-offset.log" "$(ev d2.db)"
"$LT" ingest --db d3.db --tz +11:00 "$F/desktop-offset.log" 2> d3.err
check_eq "desktop copy: --tz +11:00 agrees, nothing said" "0|2025-10-25T12:00:01.100Z desktop-offset.log,2025-10-25T12:00:02.100Z desktop-offset.log" \
    "$(grep -vc ' lines, ' d3.err)|$(ev d3.db)"
check_rc "--tz auto is no zone for report" 2 "$LT" report --db d2.db --tz auto

# --- an excerpt pasted into a document: quoted, indented, listed or tabled lines
# are the lines after their markers, each its own record at its own time
printf '```\n2025-10-25 23:00:02 WARNING app: pool low\n```\n> 2025-10-25 23:00:04 ERROR app: pool exhausted\n> Traceback (most recent call last):\n>   File "p.py", line 3, in get\n    2025-10-25 23:00:06 ERROR app: retry failed\n- 2025-10-25 23:00:07 WARNING app: backing off\n' > quoted.md
"$LT" ingest --db q.db quoted.md 2> q.err
check_eq "pasted: summary (the fence before any stamp is untimed)" "$(summary 8 262 5 4 0 1 ', untimed 1')" "$(cat q.err)"
check_eq "pasted: each marked line its own record, at its stamp" \
    "log-warning|1761433202000|2|3 traceback|1761433204000|4|6 log-error|1761433206000|7|7 log-warning|1761433207000|8|8" \
    "$(sql q.db "SELECT group_concat(x, ' ') FROM (SELECT rule || '|' || ts || '|' || line || '|' || line_end AS x FROM events_all ORDER BY ts)")"
check_eq "pasted: the text starts at the stamp" "2025-10-25 23:00:06 ERROR app: retry failed" \
    "$(sql q.db "SELECT text FROM events_all WHERE line = 7")"
# a numbered list, a table row and inline code, as incident notes have them
printf '1. 2025-10-25 23:00:08 ERROR app: first\n| 2025-10-25 23:00:09 | ERROR | app | second |\n- `2025-10-25 23:00:10 ERROR app: third`\n' > listed.md
"$LT" ingest -q --db li.db listed.md
check_eq "pasted: list, table and code lines are records at their stamps" \
    "1|1761433208000|2025-10-25 23:00:08 ERROR app: first
2|1761433209000|2025-10-25 23:00:09 | ERROR | app | second
3|1761433210000|2025-10-25 23:00:10 ERROR app: third" \
    "$(sql li.db "SELECT line || '|' || ts || '|' || text FROM events_all ORDER BY line")"
# the quoted traceback after a quoted stamp reads as the traceback it was
check_eq "pasted: a quoted traceback loses its markers" \
    "2025-10-25 23:00:04 ERROR app: pool exhausted
Traceback (most recent call last):
  File \"p.py\", line 3, in get" \
    "$(sql q.db "SELECT text FROM events_all WHERE line = 4")"
# a listing with line numbers (cat -n, nl -ba, an editor's "N | "): the
# same records and events as the log, a traceback's lines its record's
printf '2025-10-25 23:00:04 ERROR app: pool exhausted\nTraceback (most recent call last):\n  File "p.py", line 3, in get\nValueError: bad\n\n2025-10-25 23:00:06 WARNING app: retry failed\n' > listing.log
cat -n listing.log > listing-n.txt
awk '{ printf "%d | %s\n", NR, $0 }' listing.log > listing-bar.txt
for f in listing.log listing-n.txt listing-bar.txt; do
	"$LT" ingest -q --db "$f.db" "$f"
done
check_eq "listing: the log's own events" \
    "traceback|1761433204000|1|5 log-warning|1761433206000|6|6" \
    "$(sql listing.log.db "SELECT group_concat(x, ' ') FROM (SELECT rule || '|' || ts || '|' || line || '|' || line_end AS x FROM events_all ORDER BY ts)")"
for f in listing-n.txt listing-bar.txt; do
	check_eq "listing ($f): the same events, the numbers gone from the text" \
	    "$(sql listing.log.db "SELECT group_concat(rule || '|' || ts || '|' || line || '|' || line_end || '|' || text, ' ') FROM events_all")" \
	    "$(sql "$f.db" "SELECT group_concat(rule || '|' || ts || '|' || line || '|' || line_end || '|' || text, ' ') FROM events_all")"
done
# seconds since the epoch, log4j's DATE and zap's console columns open
# records of their own, each with its time and level, not lines of the
# record before them
printf '2025-10-25 23:00:00 INFO app: start\n1761433201.250 ERROR epoch stamped\n25 Oct 2025 23:00:02,500 ERROR log4j dated\n2025-10-25T23:00:03.750Z\terror\tmain.go:12\tzap columns\n1761433204 INFO app: stopped\n' > shapes.log
"$LT" ingest -q --db shapes.db shapes.log
check_eq "epoch, log4j DATE and zap: records, times and levels" \
    "5|2|1761433201250|log-error
3|1761433202500|log-error
4|1761433203750|log-error" \
    "$(sql shapes.db "SELECT (SELECT records FROM ingests) || '|' || line || '|' || ts || '|' || rule FROM events_all ORDER BY line LIMIT 1"; sql shapes.db "SELECT line || '|' || ts || '|' || rule FROM events_all ORDER BY line LIMIT -1 OFFSET 1")"
