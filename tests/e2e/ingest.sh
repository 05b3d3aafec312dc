#!/bin/sh
# ingest.sh - `logtriage ingest` end to end: exact counts per rule for every
# sample, idempotent re-ingest, ordinals, overlapping windows, stdin, gzip,
# source naming, damaged input, the summary line, SIGKILL mid-ingest,
# --follow, a silent pipe, and the exit codes of bad invocations.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
S=$TOP/samples
JSONLOG=$(ls "$S"/docker-json/*/*-json.log)

# Counts of the default rules, as "rule=N" joined by spaces.
DEFAULT_RULES="'retry','provider-timeout','fallback','semaphore-leak','semaphore-health',\
'semaphore-recovered','semaphore-recovery-failed','semaphore-double-release',\
'semaphore-release-refused',\
'ws-keepalive-1011','response-time'"
counts() {
	sql "$1" "SELECT group_concat(r || '=' || n, ' ') FROM (SELECT rule AS r,
	    count(*) AS n FROM events_all e JOIN sources s ON s.id = e.source_id
	    WHERE rule IN ($DEFAULT_RULES) ${2:+AND s.name = '$2'} GROUP BY rule ORDER BY rule)"
}
# Every event's identity, for comparing two databases.
dump() {
	sql "$1" "SELECT s.name, e.rule, e.ts, e.hash, e.ordinal, e.line, e.fields
	    FROM events_all e JOIN sources s ON s.id = e.source_id
	    ORDER BY s.name, e.ts, e.rule, e.hash, e.ordinal"
}
incidents() {
	sql "$1" "SELECT i.kind, i.rule, s.name, i.key, i.start, i.end, i.count
	    FROM incidents i JOIN sources s ON s.id = i.source_id
	    ORDER BY s.name, i.rule, i.start, i.key"
}

# --- every sample, one database each, exact counts per default rule
check_rc "plain sample ingests" 0 "$LT" ingest --db plain.db "$S/exai-daemon.log"
check_eq "plain sample: every default rule" \
    "fallback=3 provider-timeout=2 response-time=12 retry=6 semaphore-double-release=3 semaphore-health=3 semaphore-leak=3 semaphore-recovered=1 semaphore-recovery-failed=1 semaphore-release-refused=1 ws-keepalive-1011=29" \
    "$(counts plain.db)"
check_eq "plain sample: source is the file's base name" "exai-daemon.log" \
    "$(sql plain.db "SELECT group_concat(name) FROM sources")"
check_eq "plain sample: the 1011 storm from 172.18.0.1" "storm|ws-keepalive-1011|172.18.0.1|26" \
    "$(sql plain.db "SELECT kind, rule, key, count FROM incidents WHERE kind = 'storm'")"
# the stdout print without a stamp joins the record before it
check_eq "plain sample: ingests row" "done|154|130|0|0" \
    "$(sql plain.db "SELECT status, lines, records, malformed, no_timestamp FROM ingests")"
check_eq "plain sample: volume covers every line" "154|130|18697" \
    "$(sql plain.db "SELECT sum(lines), sum(records), sum(bytes) FROM volume")"
check_eq "plain sample: traceback joined to its timeout record" "35|48" \
    "$(sql plain.db "SELECT line, line_end FROM events_all WHERE rule = 'provider-timeout' ORDER BY ts LIMIT 1")"
check_eq "plain sample: metric value and group" "46052.0|kimi-k2-0905-preview" \
    "$(sql plain.db "SELECT value, grp FROM events_all WHERE rule = 'response-time' ORDER BY value DESC LIMIT 1")"

check_rc "compose sample ingests" 0 "$LT" ingest --db compose.db "$S/compose-t.log"
check_eq "compose: sources named per container" "exai-mcp-daemon-1|compose,redis-1|compose" \
    "$(sql compose.db "SELECT group_concat(name || '|' || kind) FROM (SELECT * FROM sources ORDER BY name)")"
check_eq "compose: daemon counts" \
    "fallback=1 provider-timeout=1 response-time=3 retry=2 semaphore-health=1 semaphore-leak=1 semaphore-recovered=1 ws-keepalive-1011=1" \
    "$(counts compose.db exai-mcp-daemon-1)"
# redis writes its start banner at its warning level ('#'), its worst
check_eq "compose: redis has lines, and one warning event" "7|1" \
    "$(sql compose.db "SELECT (SELECT sum(lines) FROM volume v JOIN sources s ON s.id = v.source_id WHERE s.name = 'redis-1'),
	(SELECT count(*) FROM events_all e JOIN sources s ON s.id = e.source_id WHERE s.name = 'redis-1')")"

check_rc "json-file sample ingests" 0 "$LT" ingest --db json.db "$JSONLOG"
check_eq "json-file: source from config.v2.json" "exai-mcp-daemon|docker" \
    "$(sql json.db "SELECT name || '|' || kind FROM sources")"
check_eq "json-file: counts" \
    "fallback=1 provider-timeout=1 response-time=3 retry=1 ws-keepalive-1011=1" "$(counts json.db)"
check_eq "json-file: >16 KiB partial record joined, value and model kept" "41234.0|glm-4.6|18730" \
    "$(sql json.db "SELECT value, grp, length(text) FROM events_all WHERE rule = 'response-time' ORDER BY ts LIMIT 1")"
check_eq "json-file: stream stored" "2" \
    "$(sql json.db "SELECT DISTINCT stream FROM events_all WHERE rule = 'retry'")"

check_rc "journald sample ingests" 0 "$LT" ingest --db journald.db "$S/journald.json"
check_eq "journald: source from the entry" "exai-daemon|journald" \
    "$(sql journald.db "SELECT name || '|' || kind FROM sources")"
check_eq "journald: counts" "response-time=2 retry=1 semaphore-leak=1 semaphore-recovered=1" \
    "$(counts journald.db)"

check_rc "desktop copy ingests" 0 "$LT" ingest --db desktop.db "$S/desktop-copy.log"
check_eq "desktop copy: counts (fallback=True is no fallback)" \
    "response-time=1 retry=1 semaphore-release-refused=1" "$(counts desktop.db)"

check_rc "dockerd logfmt ingests" 0 "$LT" ingest --db dockerd.db "$S/dockerd-logfmt.log"
check_eq "dockerd logfmt: 10 lines, 10 records, no default-rule events" "10|10|" \
    "$(sql dockerd.db "SELECT lines, records FROM ingests")|$(counts dockerd.db)"

check_rc "gzip sample ingests" 0 "$LT" ingest --db gz.db "$S/exai-daemon-2025-10-24.log.gz"
check_eq "gzip: counts" "fallback=1 provider-timeout=1 response-time=4 retry=2" "$(counts gz.db)"
check_eq "gzip: decompressed bytes counted" "2940|24" "$(sql gz.db "SELECT bytes, lines FROM ingests")"

# --- all samples at once: the summary line, exactly
"$LT" ingest --db all.db "$S"/*.log "$S"/*.log.gz "$S/journald.json" "$JSONLOG" 2> all.err
check_eq "summary line of all samples, after the Desktop copy's clock offset" \
    "logtriage: desktop-copy.log: the records' own stamps are 11 h behind their envelope's (7 of 7 records); if the records' own are UTC, --tz +11:00 (or --tz auto) reads the envelope's right
logtriage: 284 lines, 60925 bytes, 237 records, 114 events (0 duplicates) from 7 inputs; malformed 0, truncated 0, no timestamp 1, backwards 0, bad UTF-8 0, NUL bytes 0, regex errors 0" \
    "$(cat all.err)"
dump all.db > all.1
cp all.err all-first.err
incidents all.db > inc.1
vol1=$(sql all.db "SELECT sum(lines) || '|' || sum(records) || '|' || sum(bytes) FROM volume")

# --- re-ingest changes nothing
"$LT" ingest --db all.db "$S"/*.log "$S"/*.log.gz "$S/journald.json" "$JSONLOG" 2> all.err
check_contains "re-ingest: nothing new read" all.err "logtriage: 0 lines, 0 bytes, 0 records, 0 events (0 duplicates) from 7 inputs"
dump all.db > all.2
incidents all.db > inc.2
check_eq "re-ingest: same events" "" "$(cmp all.1 all.2)"
check_eq "re-ingest: same incidents" "" "$(cmp inc.1 inc.2)"
check_eq "re-ingest: same volume" "$vol1" \
    "$(sql all.db "SELECT sum(lines) || '|' || sum(records) || '|' || sum(bytes) FROM volume")"
check_eq "re-ingest: skipped bytes recorded" "60925" \
    "$(sql all.db "SELECT sum(skipped_bytes) FROM ingests WHERE id > 7")"
"$LT" ingest -q --no-resume --db all.db "$S/exai-daemon.log" 2> nr.err
check_eq "--no-resume: all duplicates, no new event" "114|0" \
    "$(sql all.db "SELECT count(*) FROM events_all")|$(sql all.db "SELECT events FROM ingests ORDER BY id DESC LIMIT 1")"
check_eq "--no-resume: duplicates counted" "70" \
    "$(sql all.db "SELECT duplicates FROM ingests ORDER BY id DESC LIMIT 1")"
check_eq "-q prints nothing" "" "$(cat nr.err)"
# The event key is enforced by the one index readers walk, so an insert
# maintains a single full index; the partial ones hold only linked and
# untimed events.
check_eq "events: one full index, unique, rule first; links and untimed apart" \
    "events_link|0|1|link events_rule_ts|1|0|rule,source_id,ts,ordinal,hash events_untimed|1|1|rule,source_id,ordinal,hash" \
    "$(sql all.db "SELECT group_concat(x, ' ') FROM (SELECT name || '|' || \"unique\" || '|' || partial || '|' || (SELECT group_concat(name)
	FROM pragma_index_info(l.name)) AS x FROM pragma_index_list('events') l ORDER BY name)")"
# A database with the earlier layout (UNIQUE on the table, a plain
# events_rule_ts) keeps its own key: re-ingest adds nothing.
cp all.db old.db
unsample old.db
sql old.db "DROP INDEX events_rule_ts; ALTER TABLE events RENAME TO e0;
    CREATE TABLE events (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,
	rule TEXT NOT NULL, ts INTEGER NOT NULL, hash INTEGER NOT NULL,
	ordinal INTEGER NOT NULL, line INTEGER, line_end INTEGER,
	stream INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL, fields TEXT,
	value REAL, grp TEXT, link INTEGER, inherited TEXT,
	UNIQUE (source_id, ts, hash, ordinal));
    INSERT INTO events SELECT id, source_id, rule, ts, hash, ordinal, line,
	line_end, stream, text, fields, value, grp, link, inherited FROM e0;
    DROP TABLE e0;
    CREATE INDEX events_rule_ts ON events (rule, source_id, ts)"
"$LT" ingest -q --no-resume --db old.db "$S/exai-daemon.log"
check_eq "earlier layout: re-ingest adds nothing" "114|0|70" \
    "$(sql old.db "SELECT count(*) FROM events_all")|$(sql old.db "SELECT events || '|' || duplicates FROM ingests ORDER BY id DESC LIMIT 1")"
check_eq "earlier layout: the writer adds the index of linked events" "1" \
    "$(sql old.db "SELECT count(*) FROM pragma_index_list('events') WHERE name = 'events_link'")"
check_eq "earlier layout: the writer adds events.dup_of and the rule columns" \
    "1|5" "$(sql old.db "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'dup_of'")|$(sql old.db "SELECT count(*) FROM pragma_table_info('rules') WHERE name IN ('unit', 'slow', 'counts', 'counts_by', 'means')")"
# New databases hash event text a word at a time (meta event_hash 2); one
# made before (no such row) keeps byte-wise FNV-1a, so its events are found
# again when their file is re-read.
check_eq "new database: the word-at-a-time event hash" "2" \
    "$(sql all.db "SELECT value FROM meta WHERE key = 'event_hash'")"
printf '' | "$LT" ingest -q --db fnv.db -
sql fnv.db "DELETE FROM meta WHERE key = 'event_hash'"
"$LT" ingest -q --db fnv.db "$S/exai-daemon.log"
"$LT" ingest -q --db txt.db "$S/exai-daemon.log"
check_eq "FNV-1a database: same events, other hashes" "70|70|0" \
    "$(sql fnv.db "SELECT count(*) FROM events_all")|$(sql txt.db "SELECT count(*) FROM events_all")|$(sql fnv.db "ATTACH 'txt.db' AS t;
	SELECT count(*) FROM events_all e JOIN t.events_all x ON x.rule = e.rule AND x.ts = e.ts AND x.hash = e.hash")"
"$LT" ingest -q --no-resume --db fnv.db "$S/exai-daemon.log"
check_eq "FNV-1a database: re-read, every event found again" "70|0|70" \
    "$(sql fnv.db "SELECT count(*) FROM events_all")|$(sql fnv.db "SELECT events || '|' || duplicates FROM ingests ORDER BY id DESC LIMIT 1")"

# --- two identical lines in the same second are two events
check_eq "identical lines, same second: two events, ordinals 0 and 1" "0,1" \
    "$(sql plain.db "SELECT group_concat(ordinal) FROM (SELECT ordinal FROM events_all WHERE rule = 'retry'
	AND ts = (SELECT ts FROM events_all WHERE rule = 'retry' GROUP BY ts HAVING count(*) = 2) ORDER BY ordinal)")"

# --- a source one input of a run created, named again by a later input
# of the same run: looked up, not created twice
grep -m 3 '^redis-1 ' "$S/compose-t.log" > first-redis.log
check_rc "two inputs naming one new source: exit 0" 0 \
    "$LT" ingest -q --db two-in-one.db first-redis.log "$S/compose-t.log"
check_eq "two inputs naming one new source: no error" "" "$(cat "$T/err")"
"$LT" ingest -q --db two-runs.db first-redis.log
"$LT" ingest -q --db two-runs.db "$S/compose-t.log"
check_eq "two inputs naming one new source: the sources of two runs" \
    "$(sql two-runs.db "SELECT group_concat(id || ':' || name, ' ') FROM sources")" \
    "$(sql two-in-one.db "SELECT group_concat(id || ':' || name, ' ') FROM sources")"
check_eq "two inputs naming one new source: the events of two runs" \
    "$(dump two-runs.db)" "$(dump two-in-one.db)"
check_eq "two inputs naming one new source: redis-1's lines all counted" \
    "$(grep -c '^redis-1 ' "$S/compose-t.log" first-redis.log | awk -F: '{ n += $2 } END { print n }')" \
    "$(sql two-in-one.db "SELECT sum(v.lines) FROM volume v JOIN sources s ON s.id = v.source_id WHERE s.name = 'redis-1'")"

# --- overlapping halves equal the whole (as docker logs --since windows)
sed -n '1,100p' "$S/exai-daemon.log" > part1.log
sed -n '60,154p' "$S/exai-daemon.log" > part2.log
"$LT" ingest -q --db whole.db --source daemon "$S/exai-daemon.log"
"$LT" ingest -q --db halves.db --source daemon part2.log
"$LT" ingest -q --db halves.db --source daemon part1.log
dump whole.db | cut -d'|' -f1-5 > whole.dump
dump halves.db | cut -d'|' -f1-5 > halves.dump
check_eq "overlapping halves: same events as the whole" "" "$(cmp whole.dump halves.dump)"
incidents whole.db > whole.inc
incidents halves.db > halves.inc
check_eq "overlapping halves: same incidents as the whole" "" "$(cmp whole.inc halves.inc)"
check_eq "overlapping halves: the overlap counted as duplicates" "30" \
    "$(sql halves.db "SELECT sum(duplicates) FROM ingests")"

# --- processes writing one log out of order (Apache's prefork children):
# the same line again in a second the time stepped back from is a second
# occurrence, stored, not a duplicate
cat > prefork.log <<'EOF'
[Sun Dec 04 06:16:23 2005] [error] mod_jk child workerEnv in error state 6
[Sun Dec 04 06:16:21 2005] [notice] jk2_init() Found child 32435 in scoreboard slot 10
[Sun Dec 04 06:16:23 2005] [error] mod_jk child workerEnv in error state 6
[Sun Dec 04 06:16:21 2005] [error] mod_jk child workerEnv in error state 6
[Sun Dec 04 06:16:23 2005] [error] mod_jk child workerEnv in error state 6
[Sun Dec 04 06:16:24 2005] [error] mod_jk child workerEnv in error state 7
EOF
"$LT" ingest --db prefork.db prefork.log 2> prefork.err
check_contains "time stepping back: every error stored, none a duplicate" prefork.err \
    "6 lines, 462 bytes, 6 records, 5 events (0 duplicates)"
check_eq "time stepping back: the three at :23 apart by their ordinals" "0 1 2" \
    "$(sql prefork.db "SELECT group_concat(ordinal, ' ') FROM (SELECT ordinal FROM events_all
        WHERE ts = 1133676983000 ORDER BY line)")"
"$LT" ingest --db prefork.db --no-resume prefork.log 2> prefork2.err
check_contains "time stepping back: read again, all five duplicates" prefork2.err \
    "6 lines, 462 bytes, 6 records, 0 events (5 duplicates)"

# --- standard input, --source
"$LT" ingest -q --db stdin.db < "$S/exai-daemon.log"
check_eq "stdin: source stdin, same counts" "stdin|stdin|$(counts plain.db)" \
    "$(sql stdin.db "SELECT name || '|' || kind FROM sources")|$(counts stdin.db)"
cat "$S/exai-daemon.log" | "$LT" ingest -q --db stdin.db - 
check_eq "stdin: a second pipe of the same text adds nothing" "70" \
    "$(sql stdin.db "SELECT count(*) FROM events_all")"
"$LT" ingest -q --db named.db --source=exai-mcp-daemon "$S/compose-t.log"
check_eq "--source: one named source for every record" "exai-mcp-daemon|named" \
    "$(sql named.db "SELECT group_concat(name || '|' || kind) FROM sources")"

# --- damaged input: broken JSON envelopes are kept and counted
cat > broken.log <<'EOF'
{"log":"2025-10-26 03:00:00 INFO openai._base_client: Retrying request to /chat/completions in 0.500000 seconds\n","stream":"stderr","time":"2025-10-26T03:00:00.1Z"}
{"log":"2025-10-26 03:00:01 INFO openai._base_client: Retrying request to /chat/completions in 0.600000 seconds\n","stream":"stderr","ti
{"log":"2025-10-26 03:00:02 INFO openai._base_client: Retrying request to /chat/completions in 0.700000 seconds\n","stream":"stderr","time":"2025-10-26T03:00:02.1Z"}
{"log":"2025-10-26 03:00:03 INFO httpx: HTTP Request: POST \q","stream":"stderr","time":"2025-10-26T03:00:03.1Z"}
EOF
check_rc "broken JSON lines: exit 0" 0 "$LT" ingest --db broken.db broken.log
check_eq "broken JSON lines: counted malformed" "2" "$(sql broken.db "SELECT malformed FROM ingests")"
# volume counts what the summary counts: lines with a broken envelope, raw bytes read
check_eq "broken JSON lines: volume agrees with the ingests row" "2|$(wc -c < broken.log)|2|$(wc -c < broken.log)" \
    "$(sql broken.db "SELECT (SELECT sum(malformed) FROM volume), (SELECT sum(bytes) FROM volume), malformed, bytes FROM ingests")"
# a broken line takes the time of the record before it, not 1970
check_eq "broken JSON lines: no event or volume row at log time 0" "0|0" \
    "$(sql broken.db "SELECT (SELECT count(*) FROM events_all WHERE ts < 1761000000000), (SELECT count(*) FROM volume WHERE minute < 29350000)")"
check_eq "broken JSON lines: the broken retry has its predecessor's time" "1761447600100" \
    "$(sql broken.db "SELECT ts FROM events_all WHERE line = 2")"
check_eq "broken JSON lines: the broken retry is kept as text" "3" \
    "$(sql broken.db "SELECT count(*) FROM events_all WHERE rule = 'retry'")"
check_contains "broken JSON lines: summary says so" "$T/err" "malformed 2,"

# bad UTF-8, NUL bytes, binary junk
{
	printf '2025-10-26 05:00:00 INFO tools.chat: preview caf\351 \377\376 done\n'
	printf '2025-10-26 05:00:01 INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds\n'
	printf '2025-10-26 05:00:02 INFO x: nul\000byte and \000 another\n'
	head -c 3000 /dev/urandom | tr -d '\n'
	printf '\n2025-10-26 05:00:03 INFO openai._base_client: Retrying request to /chat/completions in 0.6 seconds\n'
} > junk.log
check_rc "bad UTF-8, NUL, binary junk: exit 0" 0 "$LT" ingest --db junk.db junk.log
check_eq "junk: both retries found" "2" "$(sql junk.db "SELECT count(*) FROM events_all WHERE rule = 'retry'")"
check_eq "junk: NUL bytes counted" "1" "$(sql junk.db "SELECT nul_bytes >= 2 FROM ingests")"
check_eq "junk: bad UTF-8 counted" "1" "$(sql junk.db "SELECT bad_utf8 >= 1 FROM ingests")"
check_eq "junk: every line read" "5" "$(sql junk.db "SELECT lines FROM ingests")"

# the summary line's shape
if grep -Eq '^logtriage: [0-9]+ lines, [0-9]+ bytes, [0-9]+ records, [0-9]+ events \([0-9]+ duplicates\) from 1 inputs; malformed [0-9]+, truncated [0-9]+, no timestamp [0-9]+, backwards [0-9]+, bad UTF-8 [1-9][0-9]*, NUL bytes [1-9][0-9]*, regex errors 0$' "$T/err"
then ok "summary line format"; else not_ok "summary line format" "$(cat "$T/err")"; fi

# --- --stats: one more line, after the summary; -q leaves only it
STATS_RE='^logtriage: time [0-9]+\.[0-9]{3} s: set-up [0-9]+\.[0-9]{3} s; reading [0-9]+\.[0-9]{3} s, [0-9]+\.[0-9]{3} s CPU, [0-9]+\.[0-9]{3} s waiting for the writer; the writer [0-9]+\.[0-9]{3} s CPU \(correlation [0-9]+\.[0-9]{3} s\), [0-9]+\.[0-9]{3} s waiting for batches; checkpoints [0-9]+\.[0-9]{3} s CPU; decompression [0-9]+\.[0-9]{3} s CPU; context compression [0-9]+\.[0-9]{3} s CPU; closing [0-9]+\.[0-9]{3} s$'
check_rc "--stats: exit 0" 0 "$LT" ingest --stats --db stats.db "$S"/*.log \
    "$S"/*.log.gz "$S/journald.json" "$JSONLOG"
check_eq "--stats: what a run without it says, then the times" "$(cat all-first.err) 3 1" \
    "$(head -n 2 "$T/err") $(grep -c '' "$T/err") $(tail -n 1 "$T/err" | grep -Ec "$STATS_RE")"
# the parts of the run add up to the whole (each figure rounded to 1 ms)
check_eq "--stats: set-up, reading and closing add up to the time" "1" \
    "$(tail -n 1 "$T/err" | awk '{ gsub(/[;:,]/, ""); t = $3; s = $6; r = $9; c = $NF - 0
	    for (i = 1; i <= NF; i++) if ($i == "closing") c = $(i + 1)
	    d = t - (s + r + c); print (d < 0.0025 && d > -0.0025) }')"
check_rc "--stats -q: exit 0" 0 "$LT" ingest -q --stats --db stats-q.db "$S"/*.log \
    "$S"/*.log.gz "$S/journald.json" "$JSONLOG"
check_eq "--stats -q: no summary, the times last" "0 1" \
    "$(grep -c ' lines, ' "$T/err") $(tail -n 1 "$T/err" | grep -Ec "$STATS_RE")"
check_eq "--stats stores what a run without it stores" "$(dump stats.db)" "$(dump stats-q.db)"

# --- SIGKILL at random moments, then a re-run: the clean result every time
awk 'BEGIN { t = 1761400000
	for (i = 0; i < 60000; i++) {
		s = strftime("%Y-%m-%d %H:%M:%S", t + int(i / 20), 1)
		printf "%s INFO src.daemon.ws_server: Tool call received: chat (request_id=req-%d)\n", s, i
		if (i % 10 == 0)
			printf "%s INFO openai._base_client: Retrying request to /chat/completions in 0.%d seconds\n", s, i % 3
		if (i % 25 == 0)
			printf "%s INFO tools.chat: Completed: {\x27model\x27: \x27glm-4.6\x27, \x27ai_response_time_ms\x27: %d}\n", s, 1000 + i % 5000
		if (i % 3000 < 30 && i % 2 == 0)
			printf "%s WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.1:%d: sent 1011 (internal error) keepalive ping timeout; no close frame received\n", s, 50000 + i % 3000
	} }' > kill.log
t0=$(date +%s%N)
"$LT" ingest -q --db clean.db kill.log
dur=$(( ($(date +%s%N) - t0) / 1000000 ))
dump clean.db > clean.dump
incidents clean.db > clean.inc
kills=0 good=0
# kill moments as fractions of a clean run, so a faster ingest is still hit
for f in 10 25 40 55 70 15 30 45; do
	d=$(awk -v f="$f" -v t="$dur" 'BEGIN { printf "%.3f", f * t / 100000 }')
	rm -f k.db k.db-wal k.db-shm
	"$LT" ingest -q --db k.db kill.log &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2> /dev/null && kills=$((kills + 1))
	wait "$pid" 2> /dev/null
	[ -f k.db ] && [ "$(sql k.db "PRAGMA integrity_check")" != ok ] && continue
	"$LT" ingest -q --db k.db kill.log || continue
	dump k.db > k.dump
	incidents k.db > k.inc
	cmp -s k.dump clean.dump && cmp -s k.inc clean.inc &&
	    [ "$(sql k.db "PRAGMA integrity_check")" = ok ] && good=$((good + 1))
done
check_eq "SIGKILL then re-run: 8 of 8 clean" "8" "$good"
if [ "$kills" -ge 4 ]; then ok "SIGKILL landed mid-ingest ($kills times)"; else
	not_ok "SIGKILL landed mid-ingest" "only $kills kills before the ingest ended"; fi

# --- --follow: appended lines are visible to a reader within about 2 s
: > follow.log
"$LT" ingest -q -f --db follow.db follow.log &
fpid=$!
wait_events() {	# wait_events N [DB]: poll until N retry events are stored (up to 5 s)
	i=0
	while [ $i -lt 50 ]; do
		n=$(sql "${2:-follow.db}" "SELECT count(*) FROM events_all WHERE rule = 'retry'" 2> /dev/null)
		[ "$n" = "$1" ] && { echo "$n"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "${n:-none}"
}
sleep 0.3
printf '2025-10-26 06:00:00 INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds\n' >> follow.log
printf '2025-10-26 06:00:01 INFO openai._base_client: Retrying request to /chat/completions in 0.6 seconds\n' >> follow.log
start=$(date +%s%N)
check_eq "--follow: appended lines become events" "2" "$(wait_events 2)"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$ms" -le 2500 ]; then ok "--follow: visible within 2.5 s (${ms} ms)"; else
	not_ok "--follow: visible within 2.5 s" "took $ms ms"; fi
: > follow.log
printf '2025-10-26 07:00:00 INFO openai._base_client: Retrying request to /chat/completions in 0.7 seconds\n' >> follow.log
check_eq "--follow: reads on after truncation" "3" "$(wait_events 3)"
kill -TERM "$fpid"
wait "$fpid"
check_eq "--follow: SIGTERM finishes cleanly, by the signal" "143|stopped" \
    "$?|$(sql follow.db "SELECT status FROM ingests")"

# --- a pipe, not followed, that falls silent: what it sent before the
# pause is stored during it, the last record after a second without input
mkfifo quiet.fifo
"$LT" ingest -q --db quiet.db - < quiet.fifo &
qpid=$!
exec 3> quiet.fifo
printf '2025-10-26 06:00:00 INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds\n' >&3
printf '2025-10-26 06:00:01 INFO openai._base_client: Retrying request to /chat/completions in 0.6 seconds\n' >&3
start=$(date +%s%N)
n=$(wait_events 2 quiet.db)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check_eq "silent pipe: both records stored while it stays open" "2|running" \
    "$n|$(kill -0 "$qpid" 2> /dev/null && echo running)"
if [ "$ms" -le 2500 ]; then ok "silent pipe: visible within 2.5 s (${ms} ms)"; else
	not_ok "silent pipe: visible within 2.5 s" "took $ms ms"; fi
printf '2025-10-26 06:00:02 INFO openai._base_client: Retrying request to /chat/completions in 0.7 seconds\n' >&3
exec 3>&-
wait "$qpid"
check_eq "silent pipe: at its end exit 0, status done, every record once" "0|done|3|3" \
    "$?|$(sql quiet.db "SELECT status || '|' || records FROM ingests")|$(sql quiet.db "SELECT count(*) FROM events_all WHERE rule = 'retry'")"

# --- errors and exit codes
check_rc "missing file: exit 3" 3 "$LT" ingest --db miss.db nope.log "$S/exai-daemon.log"
check_contains "missing file: message names it" "$T/err" "logtriage: nope.log: No such file or directory"
check_eq "missing file: the other input is ingested" "70" "$(sql miss.db "SELECT count(*) FROM events_all")"
check_contains "missing file: counted in the summary" "$T/err" "from 2 inputs"
check_rc "bad --format: exit 2" 2 "$LT" ingest --db x.db --format yaml "$S/exai-daemon.log"
check_eq "bad --format: the message lists the envelopes" \
    "logtriage: ingest: unknown format 'yaml' (auto plain docker-json docker-ts compose desktop logfmt journald syslog)" \
    "$(cat "$T/err")"
check_eq "--help lists the envelopes, wrapped" \
    "  --format FMT     auto plain docker-json docker-ts compose desktop
                   logfmt journald syslog (default auto: detected per line)" \
    "$("$LT" ingest --help | grep -A1 -e '^  --format FMT')"
check_rc "bad --tz: exit 2" 2 "$LT" ingest --db x.db --tz Mars/Olympus "$S/exai-daemon.log"
check_rc "unknown option: exit 2" 2 "$LT" ingest --frobnicate
check_eq "usage errors create no database" "no" "$([ -e x.db ] && echo yes || echo no)"
check_rc "--help: exit 0" 0 "$LT" ingest --help
check_contains "--help names --follow" "$T/out" "--follow"
mkdir ro && chmod 555 ro
if [ "$(id -u)" != 0 ]; then
	check_rc "unwritable database directory: exit 3" 3 "$LT" ingest --db ro/sub/x.db "$S/exai-daemon.log"
fi
check_rc "--format forced: docker-json on the json-file log" 0 \
    "$LT" ingest --db forced.db --format docker-json "$JSONLOG"
check_eq "--format forced: same counts" "$(counts json.db)" "$(counts forced.db)"

# --- resume with several compose services: identical lines of one second in
# a service other than the last one read straddle the resume point; the
# second part must continue their ordinals, not restart them.  The first
# part is longer than the 4 KiB fingerprint, so the second run resumes.
R='Retrying request to /chat/completions in 0.5 seconds'
{
	i=0
	while [ $i -lt 60 ]; do
		printf 'api-1    | 2025-10-26T05:00:00.%09dZ 2025-10-26 05:00:00 INFO src.daemon: warming up\n' $i
		i=$((i + 1))
	done
	printf 'api-1    | 2025-10-26T05:00:01.100000000Z 2025-10-26 05:00:01 INFO openai._base_client: %s\n' "$R"
	printf 'worker-1 | 2025-10-26T05:00:01.200000000Z 2025-10-26 05:00:01 INFO openai._base_client: %s\n' "$R"
	printf 'api-1    | 2025-10-26T05:00:01.100000000Z 2025-10-26 05:00:01 INFO openai._base_client: %s\n' "$R"
} > straddle.log
"$LT" ingest -q --db straddle.db straddle.log
{
	printf 'worker-1 | 2025-10-26T05:00:01.200000000Z 2025-10-26 05:00:01 INFO openai._base_client: %s\n' "$R"
	printf 'api-1    | 2025-10-26T05:00:01.100000000Z 2025-10-26 05:00:01 INFO openai._base_client: %s\n' "$R"
	printf 'api-1    | 2025-10-26T05:00:02.100000000Z 2025-10-26 05:00:02 INFO src.daemon: tick\n'
} >> straddle.log
"$LT" ingest -q --db straddle.db straddle.log
"$LT" ingest -q --db straddle-whole.db straddle.log
check_eq "resume across services: the second run resumed" "1" \
    "$(sql straddle.db "SELECT skipped_bytes > 0 FROM ingests ORDER BY id DESC LIMIT 1")"
check_eq "resume across services: every identical line of one second counts" \
    "api-1|0,api-1|1,api-1|2,worker-1|0,worker-1|1" \
    "$(sql straddle.db "SELECT group_concat(name || '|' || ordinal) FROM (SELECT s.name, e.ordinal
        FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY 1, 2)")"
check_eq "resume across services: same events as one whole run" "$(dump straddle-whole.db)" "$(dump straddle.db)"

# --- a new database that an ingest of files makes is built unseen and
# appears whole, in WAL mode; from standard input it is written as read.
# Both hold the same.
"$LT" ingest -q --db built.db --source d "$S/exai-daemon.log" "$S/compose-t.log"
"$LT" ingest -q --db piped.db --source d - < "$S/exai-daemon.log"
"$LT" ingest -q --db piped.db --source d - < "$S/compose-t.log"
check_eq "built database: WAL mode, nothing left beside it" "wal|" \
    "$(sql built.db "PRAGMA journal_mode")|$(ls built.db-build built.db-build-journal 2> /dev/null)"
check_eq "built database: the events of the same lines written as read" \
    "$(dump piped.db)" "$(dump built.db)"
check_eq "built database: its ingests, done" "2|done,done" \
    "$(sql built.db "SELECT count(*), group_concat(status) FROM ingests")"
# a file at DB-build and its journal (a killed build) go with the next
# build, the journal before SQLite could play it back into the new file
echo "left by a killed run" > again.db-build
head -c 65536 "$S/exai-daemon.log" > again.db-build-journal
check_rc "a killed build's file: the next build exits 0" 0 \
    "$LT" ingest -q --db again.db "$S/exai-daemon.log"
check_eq "a killed build's file: gone, the database whole" "|ok|70" \
    "$(ls again.db-build again.db-build-journal 2> /dev/null)|$(sql again.db "PRAGMA integrity_check")|$(sql again.db "SELECT count(*) FROM events_all")"

# --- records without a time are all of one "second": an event's ordinal
# is the number of its record among the untimed ones (meta
# untimed_ordinal 'record'), or, in a database that held untimed events
# before that row ('text'), the number of events of its text before it
# over the whole input.  Forty texts three times over, read whole or in
# two runs (the second resuming from the first's ordinal state): the same
# 120 events.
awk 'BEGIN { for (r = 0; r < 3; r++) for (i = 0; i < 40; i++)
    printf "ERROR job %02d failed: disk full\n", i }' > untimed.log
head -n 60 untimed.log > untimed-grow.log
tail -n +61 untimed.log > untimed-rest.log
# the same over several commits (a commit comes within the one "second"
# once the batch is long enough): 5000 texts six times over, the second
# run resuming in the middle of a batch
awk 'BEGIN { for (i = 0; i < 30000; i++)
    printf "ERROR task %04d failed: disk full\n", i % 5000 }' > untimed-big.log
head -n 15001 untimed-big.log > untimed-big-grow.log
tail -n +15002 untimed-big.log > untimed-big-rest.log
# by_text DB: a database that numbers untimed events by text (an untimed
# event of a source "seed" stored before meta's row was)
by_text() {
	printf 'ERROR seed\n' | "$LT" ingest -q --db "$1" --source seed -
	sql "$1" "DELETE FROM meta WHERE key = 'untimed_ordinal'"
}
NOSEED="source_id NOT IN (SELECT id FROM sources WHERE name = 'seed')"
for mode in record text; do
	rm -f untimed*.db
	cp untimed-grow.log u-grow.log
	cp untimed-big-grow.log u-big-grow.log
	if [ $mode = text ]; then
		for db in untimed untimed-grow untimed-big untimed-big-grow; do
			by_text $db.db
		done
		small="120|40|0|2|120" job07=2 big="30000|5000|0|5|30000"
	else
		small="120|40|0|119|120" job07=87 big="30000|5000|0|29999|30000"
	fi
	"$LT" ingest -q --db untimed.db untimed.log
	"$LT" ingest -q --db untimed-grow.db u-grow.log
	cat untimed-rest.log >> u-grow.log
	"$LT" ingest -q --db untimed-grow.db u-grow.log
	check_eq "untimed by $mode: 120 events, 40 texts, ordinals, none timed" \
	    "$small" \
	    "$(sql untimed.db "SELECT count(*), count(DISTINCT hash), min(ordinal), max(ordinal), sum(ts IS NULL) FROM events WHERE $NOSEED")"
	check_eq "untimed by $mode, read in two runs: the same events" \
	    "$(sql untimed.db "SELECT hash, ordinal, line FROM events WHERE $NOSEED ORDER BY line")" \
	    "$(sql untimed-grow.db "SELECT hash, ordinal, line FROM events WHERE $NOSEED ORDER BY line")"
	check_eq "untimed by $mode: job 07's third line" "$job07" \
	    "$(sql untimed-grow.db "SELECT ordinal FROM events WHERE line = 88 AND $NOSEED")"
	"$LT" ingest -q --db untimed-big.db untimed-big.log
	"$LT" ingest -q --db untimed-big-grow.db u-big-grow.log
	cat untimed-big-rest.log >> u-big-grow.log
	"$LT" ingest -q --db untimed-big-grow.db u-big-grow.log
	check_eq "untimed by $mode, many commits: 30000 events, 5000 texts, ordinals" \
	    "$big" \
	    "$(sql untimed-big.db "SELECT count(*), count(DISTINCT hash), min(ordinal), max(ordinal), sum(ts IS NULL) FROM events WHERE $NOSEED")"
	check_eq "untimed by $mode, many commits, read in two runs: the same events" \
	    "$(sql untimed-big.db "SELECT count(*), sum(ordinal), sum(line * (ordinal + 1)) FROM events WHERE $NOSEED")" \
	    "$(sql untimed-big-grow.db "SELECT count(*), sum(ordinal), sum(line * (ordinal + 1)) FROM events WHERE $NOSEED")"
done
# Two sources of a compose input without a time, their tracebacks
# interleaved, over many commits and read in two runs cut inside one:
# each source numbers its own records (api-1's ERROR lines with the
# traceback after them, and its INFO lines, which are no event), the same
# however it is read.
awk 'BEGIN { for (i = 0; i < 12000; i++) {
	printf "api-1  | ERROR call %d failed: upstream reset\n", i % 700
	if (i % 3 == 0) {
		printf "api-1  | Traceback (most recent call last):\n"
		printf "worker-1  | ERROR task %d failed: disk full\n", i % 500
		printf "api-1  |   File \"app.py\", line %d, in call\n", i % 90
		printf "api-1  | ConnectionResetError: reset by peer\n"
	} else
		printf "worker-1  | ERROR task %d failed: disk full\n", i % 500
	if (i % 5 == 0)
		printf "api-1  | INFO GET /health 200\n"
} }' > untimed-two.log
# the cut: the first traceback's File line past the middle
cut=$(awk -v half=$(($(wc -l < untimed-two.log) / 2)) \
    'NR > half && /^api-1  \|   File/ { print NR; exit }' untimed-two.log)
head -n "$cut" untimed-two.log > u-two-grow.log
"$LT" ingest -q --db untimed-two.db untimed-two.log
"$LT" ingest -q --db untimed-two-grow.db u-two-grow.log
tail -n +$((cut + 1)) untimed-two.log >> u-two-grow.log
"$LT" ingest -q --db untimed-two-grow.db u-two-grow.log
check_eq "untimed compose, tracebacks, read in two runs: ordinals per source, the same events" \
    "api-1|12000|0|14399 worker-1|12000|0|11999" \
    "$(sql untimed-two-grow.db "SELECT group_concat(x, ' ') FROM (SELECT s.name || '|' || count(*) || '|' || min(e.ordinal) || '|' || max(e.ordinal) AS x FROM events e JOIN sources s ON s.id = e.source_id GROUP BY s.name ORDER BY s.name)")"
check_eq "untimed compose, read whole and in two runs: same keys and lines" \
    "$(sql untimed-two.db "SELECT s.name, e.hash, e.ordinal, e.line FROM events e JOIN sources s ON s.id = e.source_id ORDER BY e.line, s.name")" \
    "$(sql untimed-two-grow.db "SELECT s.name, e.hash, e.ordinal, e.line FROM events e JOIN sources s ON s.id = e.source_id ORDER BY e.line, s.name")"

# Lines ended by '\r' alone (classic Mac OS, some devices): each is a
# record at its own line, the same when the file is read in two runs cut
# between lines; a '\r' inside '\n'-lines stays in its record.
awk 'BEGIN { for (i = 0; i < 3000; i++) {
	printf "2024-03-01 10:%02d:%02d INFO step %d done\r", int(i / 60) % 60, i % 60, i
	if (i % 7 == 0)
		printf "2024-03-01 10:%02d:%02d ERROR step %d failed: disk full\r", int(i / 60) % 60, i % 60, i
} }' > cr.log
"$LT" ingest --db cr.db cr.log 2>/dev/null
check_eq "lines ended by CR alone: records, events and their lines" \
    "3429|429|2|10|3426" \
    "$(sql cr.db "SELECT (SELECT records FROM ingests), count(*), min(line), (SELECT min(line) FROM events WHERE line > 2), max(line) FROM events")"
head -c 100000 cr.log > cr-grow.log
"$LT" ingest -q --db cr-grow.db cr-grow.log
tail -c +100001 cr.log >> cr-grow.log
"$LT" ingest -q --db cr-grow.db cr-grow.log
check_eq "lines ended by CR alone, read in two runs: the same events" \
    "$(sql cr.db "SELECT line, text FROM events ORDER BY line")" \
    "$(sql cr-grow.db "SELECT line, text FROM events ORDER BY line")"
printf '2024-03-01 10:00:00 ERROR pull failed at 10%%\r20%%\r30%%\n2024-03-01 10:00:01 INFO done\n' > progress.log
"$LT" ingest -q --db progress.db progress.log
check_eq "a progress bar's CR inside a line: one record, one event" \
    "2|1|1" \
    "$(sql progress.db "SELECT (SELECT records FROM ingests), count(*), max(line) FROM events")"
