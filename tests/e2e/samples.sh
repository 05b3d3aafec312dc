#!/bin/sh
# samples.sh - the events of metric rules are stored apart (samples) and
# lose nothing: re-ingest, overlapping windows and resumed files store
# each sample once; ids are unique across events and samples; prune
# removes them; a database made before samples is read as it is and
# moved over by the first writer; a rule that stops being a sample rule
# takes its rows back into events.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# 3,000 seconds, 3 response times a second (every 7th line the one before
# it again, the same second: an identical record) and a WebSocket close
# every 10 seconds: 9,000 samples, 300 events.
awk 'BEGIN {
	for (i = 0; i < 9000; i++) {
		t = 1761433200 + int(i / 3)
		s = strftime("%Y-%m-%d %H:%M:%S", t, 1)
		if (i % 7 == 6)
			print prev
		else {
			prev = sprintf("%s INFO src.monitoring.metrics: AI response metrics {\047ai_response_time_ms\047: %d, \047model\047: \047m-%d\047}", s, 100 + (i * 37) % 900, i % 5)
			print prev
		}
		if (i % 30 == 0)
			printf "%s WARNING src.monitoring.resilient_websocket: Connection closed for 10.0.0.%d:1: sent 1011 (internal error) keepalive ping timeout\n", s, i % 200
	}
}' > f.log

rows() {
	sql "$1" "SELECT id, source_id, rule, ts, hash, ordinal, line, line_end,
	    stream, text, fields, value, grp, link, inherited, dup_of
	    FROM events_all ORDER BY id" | md5sum
}
# what a window changes: the line numbers (and so the ids are not compared)
keys() {
	sql "$1" "SELECT source_id, rule, ts, hash, ordinal, stream, text, fields,
	    value, grp, link, inherited, dup_of IS NULL FROM events_all
	    ORDER BY 2, 1, 3, 4, 5" | md5sum
}
counts() {
	sql "$1" "SELECT (SELECT count(*) FROM samples) || ' ' ||
	    (SELECT count(*) FROM events)"
}
# the last ingest's new and duplicate events
last_ingest() {
	sql "$1" "SELECT events || ' ' || duplicates FROM ingests
	    ORDER BY id DESC LIMIT 1"
}
# the rows of events alone, as rows() has them
event_rows() {
	sql "$1" "SELECT id, source_id, rule, ts, hash, ordinal, line, line_end,
	    stream, text, fields, value, grp, link, inherited, dup_of
	    FROM events ORDER BY id" | md5sum
}
# grown LOG DB CUT...: LOG read into DB as a file grown to each CUT bytes,
# then to the whole of it
grown() {
	log=$1 db=$2
	shift 2
	: > grown.log
	for cut in "$@"; do
		head -c "$cut" "$log" > part && cat part > grown.log
		"$LT" ingest -q --db "$db" --source "$log" grown.log
	done
	cat "$log" > grown.log
	"$LT" ingest -q --db "$db" --source "$log" grown.log
}

"$LT" ingest -q --db whole.db f.log
check_eq "9,000 samples in samples, 300 events in events" "9000 300" \
    "$(counts whole.db)"
check_eq "ids: one sequence, none in both tables, none skipped" "0 9300 9300" \
    "$(sql whole.db "SELECT (SELECT count(*) FROM events e JOIN samples s
	ON s.id = e.id) || ' ' || (SELECT count(*) FROM events_all) || ' ' ||
	(SELECT max(id) FROM events_all)")"
check_eq "event_minutes counts the samples" "9300" \
    "$(sql whole.db "SELECT sum(n) FROM event_minutes")"
check_eq "repeats of a sample are marked in samples (same =)" "1285" \
    "$(sql whole.db "SELECT count(*) FROM samples WHERE dup_of IS NOT NULL")"

# --- re-ingest: the file again from the start
cp whole.db again.db
"$LT" ingest -q --db again.db --no-resume f.log
check_eq "the same records again: no new row" "9000 300" "$(counts again.db)"
check_eq "... and the ingest says so" "0 9300" "$(last_ingest again.db)"

# --- overlapping windows through a pipe, cut at seconds
awk 'NR <= 6000' f.log | "$LT" ingest -q --db win.db --source app /dev/stdin
awk 'NR > 3000' f.log | "$LT" ingest -q --db win.db --source app /dev/stdin
"$LT" ingest -q --db pipe.db --source app /dev/stdin < f.log
check_eq "two overlapping windows: each sample once" "9000 300" \
    "$(counts win.db)"
check_eq "... the events of one whole read" "$(keys pipe.db)" "$(keys win.db)"
check_eq "... spans of samples: one per rule and transaction" "0" \
    "$(sql win.db "SELECT count(*) FROM sample_spans WHERE rule_no <>
	(SELECT no FROM sample_rules WHERE rule = 'response-time')")"

# --- a file grown in steps, cut anywhere
grown f.log grown.db 100000 250000 250001 700000 1200000
"$LT" ingest -q --db whole2.db --source f.log f.log
check_eq "a file grown in six steps: the rows and ids of one whole read" \
    "$(rows whole2.db)" "$(rows grown.db)"

# --- prune
cp whole.db pruned.db
"$LT" prune --db pruned.db --older-than 25m > /dev/null
check_eq "prune: the samples of the last 25 minutes are left" \
    "$(sql whole.db "SELECT count(*) FROM events_all
	WHERE rule = 'response-time' AND ts >= (SELECT max(ts) FROM events_all) - 1500000")" \
    "$(sql pruned.db "SELECT count(*) FROM samples")"
check_eq "... the spans of samples no longer stored go too" "0" \
    "$(sql pruned.db "SELECT count(*) FROM sample_spans WHERE last_ts <
	(SELECT min(ts) FROM samples)")"

# --- a database made before samples
cp whole.db old.db
sql old.db "INSERT INTO events (id, source_id, rule, ts, hash, ordinal, line,
    line_end, stream, text, fields, value, grp, link, inherited, dup_of)
    SELECT id, source_id, rule, ts, hash, ordinal, line, line_end, stream,
    text, fields, value, grp, link, inherited, dup_of FROM events_all
    WHERE id IN (SELECT id FROM samples);
    DROP VIEW events_all; DROP TABLE samples;
    DROP TABLE sample_rules; DROP TABLE sample_spans; VACUUM" > /dev/null
check_eq "an old database: every event in events" "9300" \
    "$(sql old.db "SELECT count(*) FROM events")"
"$LT" report --db whole.db --format json > new.json
"$LT" report --db old.db --format json > old.json
check_eq "... a reader reads it as it is, and reports the same" \
    "$(md5sum < new.json)" "$(md5sum < old.json)"
check_eq "... and leaves it as it is" "0" \
    "$(sql old.db "SELECT count(*) FROM sqlite_master WHERE name = 'samples'")"
"$LT" ingest -q --db old.db f.log
check_eq "... the first writer moves the samples over" "9000 300" \
    "$(counts old.db)"
check_eq "... with their ids" "$(rows whole.db)" "$(rows old.db)"
"$LT" report --db old.db --format json > moved.json
check_eq "... and reports the same" "$(md5sum < new.json)" "$(md5sum < moved.json)"

# --- a rule that stops being a sample rule: a storm on it
mkdir -p r2
cp "$TOP"/rules/*.rules r2/
sed -i 's/^\[response-time\]$/[response-time]\nstorm    = 1000 in 1m/' r2/latency.rules
cp whole.db back.db
LOGTRIAGE_RULES=$T/r2 "$LT" ingest -q --db back.db f.log
check_eq "a storm on the metric rule: its rows go back into events" "0 9300" \
    "$(counts back.db)"
check_eq "... with their ids" "$(rows whole.db)" "$(event_rows back.db)"
"$LT" ingest -q --db back.db f.log
check_eq "... and the rules as they were move them back" "9000 300" \
    "$(counts back.db)"

# --- untimed samples: the same records without their stamps
cut -c 21- f.log > u.log
"$LT" ingest -q --db u.db u.log
check_eq "untimed: 9,000 samples in samples, 300 events in events" "9000 300" \
    "$(counts u.db)"
check_eq "... the samples without a time" "9000" \
    "$(sql u.db "SELECT count(*) FROM samples WHERE ts IS NULL")"
check_eq "... ids: one sequence, none in both tables, none skipped" \
    "0 9300 9300" \
    "$(sql u.db "SELECT (SELECT count(*) FROM events e JOIN samples s
	ON s.id = e.id) || ' ' || (SELECT count(*) FROM events_all) || ' ' ||
	(SELECT max(id) FROM events_all)")"
check_eq "... no span of time for them, no minute" "0 0" \
    "$(sql u.db "SELECT (SELECT count(*) FROM sample_spans) || ' ' ||
	(SELECT count(*) FROM event_minutes)")"
"$LT" report --db u.db --format json > u.json
check_contains "... the report counts them among the untimed events" u.json \
    '"untimed_events": 9300}'
"$LT" events --db u.db --untimed --format tsv --limit 100000 > u.tsv
check_eq "... events --untimed lists them" "9300 9000" \
    "$(wc -l < u.tsv | tr -d ' ') $(grep -c '	response-time	' u.tsv)"
cp u.db u2.db
"$LT" ingest -q --db u2.db --no-resume u.log
check_eq "... the file again: no new row" "9000 300" "$(counts u2.db)"
check_eq "... and the ingest says so" "0 9300" "$(last_ingest u2.db)"
grown u.log ugrown.db 100000 250000 250001 700000 1000000
"$LT" ingest -q --db uwhole.db --source u.log u.log
check_eq "... a file grown in six steps: the rows and ids of one whole read" \
    "$(rows uwhole.db)" "$(rows ugrown.db)"
# the first 4,600 lines, then all: ordinals stored in part of a write's range
head -n 4600 u.log > uhalf.log
"$LT" ingest -q --final --db uhalf.db --source u.log uhalf.log
half=$(sql uhalf.db "SELECT count(*) FROM events_all")
"$LT" ingest -q --db uhalf.db --source u.log u.log
check_eq "... the first half, then all of it: each sample once" \
    "9000 300 $((9300 - half)) $half" \
    "$(counts uhalf.db) $(last_ingest uhalf.db)"
check_eq "... the events of one whole read" "$(keys uwhole.db)" \
    "$(keys uhalf.db)"
# a storm on the metric rule: all its rows, untimed too, back into events
cp u.db uback.db
LOGTRIAGE_RULES=$T/r2 "$LT" ingest -q --db uback.db u.log
check_eq "... a storm on the rule: its untimed rows go back into events" \
    "0 9300" "$(counts uback.db)"
check_eq "... with their ids" "$(rows u.db)" "$(event_rows uback.db)"
"$LT" ingest -q --db uback.db --no-resume u.log
check_eq "... and the rules as they were move them all over again" \
    "9000 300" "$(counts uback.db)"
check_eq "... reading the file again then stores none anew" "0 9300" \
    "$(last_ingest uback.db)"
# a database made before untimed samples keeps them in events
: > empty.log
"$LT" ingest -q --db uold.db empty.log
sql uold.db "DELETE FROM meta WHERE key = 'untimed_samples'" > /dev/null
"$LT" ingest -q --db uold.db u.log
check_eq "... a database made before: they stay in events" "0 9300" \
    "$(counts uold.db)"
"$LT" ingest -q --db uold.db --no-resume u.log
check_eq "... deduplicated there" "0 9300" "$(counts uold.db)"
"$LT" report --db uold.db --format json > uold.json
check_eq "... and the report is the same" "$(md5sum < u.json)" \
    "$(md5sum < uold.json)"
