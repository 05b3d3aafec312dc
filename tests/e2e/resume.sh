#!/bin/sh
# resume.sh - what a later run takes up again: only regular files are
# resumed (pipes, process substitution and FIFOs are read whole every
# time), the resume point never passes an unfinished last record, and the
# volume counts each line once however often it is read.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
S=$TOP/samples

# Twenty copies of the plain sample: 3,080 lines with repeated stamps.
i=0
while [ $i -lt 20 ]; do cat "$S/exai-daemon.log"; i=$((i + 1)); done > c.log
n=$(wc -l < c.log)
"$LT" ingest -q --db whole.db c.log
events() { sql "$1" "SELECT rule, ts, hash, ordinal FROM events_all ORDER BY 1, 2, 3, 4" | md5sum; }

# --- item 2: streams are never resumed
head -n 1500 c.log | "$LT" ingest -q --db halves.db /dev/stdin
tail -n +1501 c.log | "$LT" ingest -q --db halves.db /dev/stdin
check_eq "two pipes through /dev/stdin: every line of both read, nothing skipped" \
    "1500|0 $((n - 1500))|0" \
    "$(sql halves.db "SELECT group_concat(lines || '|' || skipped_bytes, ' ') FROM ingests")"
check_eq "two pipes through /dev/stdin: the events of one whole ingest" \
    "$(events whole.db)" "$(events halves.db)"

cat > subst.sh <<'SH'
"$LT" ingest -q --db subst.db <(head -n 1000 c.log)
"$LT" ingest -q --db subst.db <(head -n 900 c.log)
SH
if command -v bash > /dev/null; then
	LT=$LT bash subst.sh
	check_eq "process substitution: a shorter second stream is read, not thrown away" \
	    "1000|0 900|0" \
	    "$(sql subst.db "SELECT group_concat(lines || '|' || skipped_bytes, ' ') FROM ingests")"
fi

mkfifo ff
head -n 1000 c.log > ff &
"$LT" ingest -q --db fifo.db ff
wait
head -n 900 c.log > ff &
wpid=$!
timeout 20 "$LT" ingest -q --db fifo.db ff
rc=$?
wait "$wpid"
check_eq "named FIFO: the second run reads its 900 lines and ends" "0 1000|0 900|0" \
    "$rc $(sql fifo.db "SELECT group_concat(lines || '|' || skipped_bytes, ' ') FROM ingests")"
check_eq "non-regular inputs leave no resume point" "0" \
    "$(sql fifo.db "SELECT count(*) FROM inputs")"

# --- item 3: an unfinished last record waits for the next run
cat > t.rules <<'R'
[tb]
category = error
severity = error
summary = traceback
match = (?m)^Traceback \(most recent call last\):$

[exc]
category = error
severity = error
summary = exception {msg}
match = (?m)^ValueError: (?<msg>.*)$

[word]
category = error
severity = error
summary = a word
match = needle (?<n>\d+)
R
rows() { sql "$1" "SELECT group_concat(rule || '@' || ts || ':' || line || '-' || line_end, ' ') FROM (SELECT * FROM events_all ORDER BY rule, ts, line)"; }

# a line still being written when the run comes
printf '2025-10-26 06:00:00 INFO start\n2025-10-26 06:00:01 ERROR needle 12' > part.log
"$LT" ingest --db part.db --no-default-rules --rules t.rules part.log 2> part.err
check_eq "unterminated last line: not stored, the resume point before it" "|31" \
    "$(rows part.db)|$(sql part.db "SELECT offset FROM inputs")"
check_eq "unterminated last line: the summary says it waits" \
    "regex errors 0; 1 line of an unfinished last record left for the next run (--final stores it)" \
    "$(sed 's/.*\(regex errors\)/\1/' part.err)"
printf '34 done\n' >> part.log
"$LT" ingest -q --db part.db --no-default-rules --rules t.rules part.log
check_eq "unterminated last line: stored once whole by the next run" "word@1761458401000:2-2|1234" \
    "$(rows part.db)|$(sql part.db "SELECT json_extract(fields, '$.n') FROM events_all")"
check_eq "unterminated last line: the volume counts it once" "2|2" \
    "$(sql part.db "SELECT sum(lines), sum(records) FROM volume")"

# --final: a file that will not grow gives up its unterminated last line
printf '2025-10-26 06:00:00 INFO start\n2025-10-26 06:00:01 ERROR needle 7' > fin.log
"$LT" ingest -q --db fin.db --no-default-rules --rules t.rules --final fin.log
check_eq "--final: the unterminated last line is stored" "word@1761458401000:2-2" "$(rows fin.db)"
printf '\n' >> fin.log
"$LT" ingest -q --db fin.db --no-default-rules --rules t.rules fin.log
check_eq "--final: ... once" "word@1761458401000:2-2|2" \
    "$(rows fin.db)|$(sql fin.db "SELECT sum(lines) FROM volume")"

# a file nobody has written to for 5 minutes is finished, as with --final
printf '2025-10-26 06:00:00 INFO start\n2025-10-26 06:00:01 ERROR needle 9' > old.log
touch -d '6 minutes ago' old.log
"$LT" ingest -q --db old.db --no-default-rules --rules t.rules old.log
check_eq "settled file: the unterminated last line is stored" "word@1761458401000:2-2" "$(rows old.db)"

# a traceback whose exception line comes after the run
cat > tb.log <<'L'
2025-10-26 06:00:00 INFO start
2025-10-26 06:00:05 ERROR tools.chat: failed
Traceback (most recent call last):
  File "/app/x.py", line 1, in f
L
"$LT" ingest --db tb.db --no-default-rules --rules t.rules tb.log 2> tb.err
check_eq "open traceback at the end: left for the next run" "" "$(rows tb.db)"
check_eq "open traceback at the end: the summary counts its three lines" \
    "4 lines|3 lines of an unfinished last record left for the next run (--final stores them)" \
    "$(sed 's/logtriage: \([0-9]* lines\).*; \([0-9]* lines of.*\)/\1|\2/' tb.err)"
cat >> tb.log <<'L'
    raise ValueError("no")
ValueError: no
  needle 5
L
"$LT" ingest -q --db tb.db --no-default-rules --rules t.rules tb.log
check_eq "open traceback at the end: one record when it is complete" \
    "exc@1761458405000:2-7 tb@1761458405000:2-7 word@1761458405000:2-7" "$(rows tb.db)"

# a json-file record whose 16 KiB parts are not all written yet
mkdir -p dj/abc
j1='{"log":"2025-10-26 06:00:05 ERROR part one needle ","stream":"stderr","time":"2025-10-26T06:00:05.000000000Z"}'
j2='{"log":"99 and the end\n","stream":"stderr","time":"2025-10-26T06:00:05.000000001Z"}'
i=0
while [ $i -lt 60 ]; do
	printf '%s\n' '{"log":"2025-10-26 06:00:01 INFO a complete line of its own\n","stream":"stderr","time":"2025-10-26T06:00:01.000000000Z"}'
	i=$((i + 1))
done > dj/abc/abc-json.log
printf '%s\n' "$j1" >> dj/abc/abc-json.log
"$LT" ingest -q --db dj.db --no-default-rules --rules t.rules dj/abc/abc-json.log
check_eq "json-file partial record at the end: left for the next run" "" "$(rows dj.db)"
printf '%s\n' "$j2" >> dj/abc/abc-json.log
"$LT" ingest -q --db dj.db --no-default-rules --rules t.rules dj/abc/abc-json.log
check_eq "json-file partial record: joined whole by the next run" "word@1761458405000:61-62|99" \
    "$(rows dj.db)|$(sql dj.db "SELECT json_extract(fields, '$.n') FROM events_all")"

# continuation lines after a resume take the restored record's time
i=0
while [ $i -lt 200 ]; do echo "2025-10-26 06:00:00 INFO start $i"; i=$((i + 1)); done > cont.log
printf '2025-10-26 06:00:09 ERROR failed\n' >> cont.log
"$LT" ingest -q --db cont.db --no-default-rules --rules t.rules cont.log
printf '  needle 3\n' >> cont.log
"$LT" ingest -q --db cont.db --no-default-rules --rules t.rules cont.log
check_eq "continuation after a resume: the time of the record before, not 1970" \
    "log-error@1761458409000:201-201 word@1761458409000:202-202" "$(rows cont.db)"
check_eq "continuation after a resume: no volume at log time 0" "0" \
    "$(sql cont.db "SELECT count(*) FROM volume WHERE minute = 0")"

# --follow: a traceback written with a pause is one record, not two
: > fl.log
"$LT" ingest -q -f --db fl.db --no-default-rules --rules t.rules fl.log &
fpid=$!
sleep 0.5
printf '2025-10-26 06:00:05 ERROR failed\nTraceback (most recent call last):\n  File "/app/x.py", line 1, in f\n' >> fl.log
sleep 2.5
printf '    raise ValueError("no")\nValueError: no\n2025-10-26 06:00:06 INFO next\n' >> fl.log
i=0
while [ $i -lt 40 ] && [ "$(sql fl.db "SELECT count(*) FROM events_all WHERE rule = 'exc'" 2> /dev/null)" != 1 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM "$fpid"; wait "$fpid"
check_eq "--follow, pause inside a traceback: one record, not split by the idle flush" \
    "exc@1761458405000:1-5 tb@1761458405000:1-5" "$(rows fl.db)"

# --- item 6: the volume counts each line once per database
vol() { sql "$1" "SELECT sum(lines) || '|' || sum(records) || '|' || sum(bytes) FROM volume"; }
"$LT" ingest -q --db once.db "$S/compose-t.log"
ONCE=$(vol once.db)
check_eq "volume of one ingest: every line" "$(wc -l < "$S/compose-t.log")" "${ONCE%%|*}"
"$LT" ingest -q --db twice.db - < "$S/compose-t.log"
"$LT" ingest -q --db twice.db - < "$S/compose-t.log"
check_eq "volume: the same stdin twice counts once" "$ONCE" "$(vol twice.db)"
n=$(wc -l < "$S/compose-t.log")
head -n $((n * 2 / 3)) "$S/compose-t.log" | "$LT" ingest -q --db win.db
tail -n +$((n / 3)) "$S/compose-t.log" | "$LT" ingest -q --db win.db
check_eq "volume: overlapping windows through stdin count once" "$ONCE" "$(vol win.db)"
check_eq "volume: ... and the events are those of one ingest" "$(events once.db)" "$(events win.db)"
cp "$S/compose-t.log" app.log
"$LT" ingest -q --db nr.db app.log
"$LT" ingest -q --db nr.db --no-resume app.log
check_eq "volume: --no-resume counts once" "$ONCE" "$(vol nr.db)"
"$LT" ingest -q --db sp.db ./app.log
"$LT" ingest -q --db sp.db "$PWD/app.log"
check_eq "volume: ./app.log then \$PWD/app.log counts once, the second run resumes" \
    "$ONCE|1" "$(vol sp.db)|$(sql sp.db "SELECT count(*) FROM inputs")"
head -n 5 "$S/exai-daemon.log" > small.log
"$LT" ingest -q --db small.db small.log
head -n 12 "$S/exai-daemon.log" | tail -n 7 >> small.log
"$LT" ingest -q --db small.db small.log
"$LT" ingest -q --db small1.db small.log
check_eq "volume: a file under 4 KiB that grows counts each line once" \
    "$(vol small1.db)" "$(vol small.db)"

# two followers of one file into one database: the second one stops at
# once with a message (it would count the volume again); the first counts
# each line once
cp "$S/compose-t.log" fol.log
"$LT" ingest -q -f --db fol.db fol.log 2> fol1.err &
fpid=$!
i=0
while [ $i -lt 50 ] && [ "$(sql fol.db "SELECT status FROM ingests" 2> /dev/null)" != running ]; do
	sleep 0.1; i=$((i + 1))
done
"$LT" ingest -q -f --db fol.db fol.log 2> fol2.err
rc=$?
kill -TERM "$fpid"; wait "$fpid"
check_eq "two followers of one file: the second stops at once" \
    "3|logtriage: fol.log: another logtriage follows it into this database" "$rc|$(cat fol2.err)"
check_eq "two followers of one file: the volume counts each line once" "$ONCE" "$(vol fol.db)"
check_eq "two followers of one file: the first ends cleanly" "0|stopped" \
    "$?|$(sql fol.db "SELECT group_concat(status) FROM ingests")"

# --- the ordinal state is kept per source: a run resuming in the middle of
# a second continues the ordinals of each source's identical records, from
# the rows of the sources it changed and, for a database made before, from
# the one blob inputs.ordinals held (saved per source by the next commit).
# Three sources, each line twice a second with the others in between;
# the first part (62 lines) is longer than the fingerprint's 4 KiB.
awk 'BEGIN { for (s = 0; s < 20; s++) for (k = 0; k < 2; k++) for (i = 0; i < 3; i++)
	printf "s%d  | 2025-10-26 05:00:%02d WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.1:5000: sent 1011 (internal error) keepalive ping timeout\n", i, s }' > o.log
"$LT" ingest -q --db ow.db o.log
head -n 62 o.log > op.log
cp op.log ol.log
"$LT" ingest -q --db op.db op.log
check_eq "ordinals: one row per source with a state at the resume point" "3|3" \
    "$(sql op.db "SELECT count(*) || '|' || count(DISTINCT source_id) FROM input_ordinals")"
tail -n +63 o.log >> op.log
"$LT" ingest -q --db op.db op.log
check_eq "ordinals: a split ingest resumes and stores the events of one whole ingest (120, ordinals 0 and 1)" \
    "1|120|0,1 $(events ow.db)" \
    "$(sql op.db "SELECT count(*) FROM inputs")|$(sql op.db "SELECT count(*) || '|' || group_concat(DISTINCT ordinal) FROM events_all") $(events op.db)"
"$LT" ingest -q --db ol.db ol.log
python3 - ol.db <<'PY'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
for path, fp in db.execute("SELECT path, fingerprint FROM inputs").fetchall():
    blob = b""
    for sid, ts, counts in db.execute("SELECT source_id, ts, counts FROM input_ordinals"
                                      " WHERE path = ? AND fingerprint = ?", (path, fp)):
        counts = counts or b""
        for k in range(0, len(counts), 12):
            h, n = struct.unpack("<QI", counts[k:k + 12])
            blob += struct.pack("<qqQI", sid, ts, h, n)
    db.execute("UPDATE inputs SET ordinals = ? WHERE path = ? AND fingerprint = ?", (blob, path, fp))
db.execute("DELETE FROM input_ordinals")
db.commit()
PY
tail -n +63 o.log >> ol.log
"$LT" ingest -q --db ol.db ol.log
check_eq "ordinals: the state of a database made before (inputs.ordinals) is continued" \
    "$(events ow.db)" "$(events ol.db)"
check_eq "ordinals: ... and saved per source, the old blob cleared" "3|0" \
    "$(sql ol.db "SELECT (SELECT count(*) FROM input_ordinals) || '|' || (SELECT count(*) FROM inputs WHERE ordinals IS NOT NULL)")"
"$LT" ingest -q --db ol.db --no-resume ol.log
check_eq "ordinals: a run that starts over (--no-resume) doubles nothing" \
    "$(events ow.db)" "$(events ol.db)"
