#!/bin/sh
# hostile.sh - input from the worst day: random bytes, a 30 MiB line, a
# million NULs, oversized and deeply nested JSON envelopes, timestamps far
# out and going backwards, a million distinct storm keys, escape sequences,
# HTML and SQL metacharacters.  Every case exits 0 with the damage counted
# exactly, in the summary line and in the ingests table.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/fixtures/hostile/common.sh"
export LOGTRIAGE_RULES="$TOP/rules"
H=$TOP/tests/fixtures/hostile
gen() { python3 "$H/gen.py" "$@"; }

# counters DB: the ingests row's counters in summary-line order
counters() {
	sql "$1" "SELECT lines, bytes, records, events, duplicates, malformed,
	    truncated, no_timestamp, backwards, bad_utf8, nul_bytes, regex_errors
	    FROM ingests ORDER BY id DESC LIMIT 1"
}
# summary L B R E D M T X Y U Z W [V]: the summary line for those counters
# (V: untimed records, said only when there are some)
summary() {
	echo "logtriage: $1 lines, $2 bytes, $3 records, $4 events ($5 duplicates) from 1 inputs; malformed $6, truncated $7, no timestamp $8, backwards $9, bad UTF-8 ${10}, NUL bytes ${11}, regex errors ${12}${13:+, untimed ${13}}"
}
# rss_le NAME KIB: the last peak_rss run stayed within KIB (not under ASan,
# whose shadow memory is no measure of ours)
rss_le() {
	if asan_build; then ok "$1 # SKIP peak RSS is not meaningful under ASan"
	elif [ "$(cat "$T/rss")" -le "$2" ]; then ok "$1 ($(cat "$T/rss") KiB)"
	else not_ok "$1" "peak RSS $(cat "$T/rss") KiB > $2 KiB"; fi
}
raw_controls() {	# raw_controls FILE: number of lines with ESC, BEL, CSI (C1) or CR
	LC_ALL=C grep -c "$(printf '[\033\007\233\r]')" "$1"
}

# --- 20 MB of random bytes
gen random rnd.bin
check_rc "random bytes: exit 0" 0 "$LT" ingest --final --db rnd.db rnd.bin
# nothing in it is a time: every record is untimed
want=$(summary 78605 20000000 77649 0 0 1 0 77649 0 77314 78098 0 77649)
check_eq "random bytes: summary line" "$want" "$(cat "$T/err")"
check_eq "random bytes: ingests row" "78605|20000000|77649|0|0|1|0|77649|0|77314|78098|0" "$(counters rnd.db)"
# the line and NUL counts, independently
check_eq "random bytes: lines = newlines + unterminated last" \
    "$(($(tr -cd '\n' < rnd.bin | wc -c) + 1))" "$(sql rnd.db "SELECT lines FROM ingests")"
check_eq "random bytes: every NUL counted" \
    "$(tr -cd '\000' < rnd.bin | wc -c)" "$(sql rnd.db "SELECT nul_bytes FROM ingests")"
check_eq "random bytes: untimed, so in no minute of the volume" "77649|0" \
    "$(sql rnd.db "SELECT untimed FROM ingests")|$(sql rnd.db "SELECT count(*) FROM volume")"
check_rc "random bytes: report exits 0" 0 "$LT" report --db rnd.db
check_eq "random bytes: integrity" ok "$(sql rnd.db "PRAGMA integrity_check")"

# --- one 30 MiB line between two ordinary ones, from a file and a pipe
gen longline long.log
peak_rss "$LT" ingest --db long.db long.log
check_eq "30 MiB line: exit 0" 0 "$?"
rss_le "30 MiB line: peak RSS at most 64 MiB" 65536
want=$(summary 3 31457513 3 2 0 0 1 0 0 0 0 0)
check_eq "30 MiB line: summary line" "$want" "$(cat "$T/err")"
check_eq "30 MiB line: ingests row" "3|31457513|3|2|0|0|1|0|0|0|0|0" "$(counters long.db)"
check_eq "30 MiB line: event kept, cut at 1 MiB; the next line still matched" \
    "retry|2|1048576 retry|3|98" \
    "$(sql long.db "SELECT group_concat(rule || '|' || line || '|' || length(text), ' ') FROM (SELECT * FROM events_all ORDER BY line)")"
peak_rss sh -c '"$0" ingest --db longpipe.db --source pipe < "$1"' "$LT" long.log
check_eq "30 MiB line from a pipe: exit 0" 0 "$?"
rss_le "30 MiB line from a pipe: peak RSS at most 64 MiB" 65536
check_eq "30 MiB line from a pipe: same counters" "3|31457513|3|2|0|0|1|0|0|0|0|0" "$(counters longpipe.db)"

# --- a million NUL bytes, then a line that matters
{ head -c 1000000 /dev/zero; printf '\n2025-10-26 05:00:09 INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds\n'; } > nul.bin
check_rc "a million NULs: exit 0" 0 "$LT" ingest --db nul.db nul.bin
# the NUL line comes before the input's first time: untimed
check_eq "a million NULs: summary line" "$(summary 2 1000100 2 1 0 0 0 1 0 0 1000000 0 1)" "$(cat "$T/err")"
check_eq "a million NULs: ingests row" "2|1000100|2|1|0|0|0|1|0|0|1000000|0" "$(counters nul.db)"
check_eq "a million NULs: the next line's event" "retry|2|1761454809000" \
    "$(sql nul.db "SELECT rule || '|' || line || '|' || ts FROM events_all")"

# --- json-file lines: nested 100000 deep, unterminated, 5 MiB, control escapes
gen json json.log
check_rc "hostile JSON: exit 0" 0 "$LT" ingest --db json.db json.log
check_eq "hostile JSON: summary line" "$(summary 6 6443637 5 4 0 3 1 3 0 0 0 0)" "$(cat "$T/err")"
check_eq "hostile JSON: ingests row" "6|6443637|5|4|0|3|1|3|0|0|0|0" "$(counters json.db)"
# line 5 has no stamp of its own: it continues line 1's stamped stderr record
check_eq "hostile JSON: the intact records keep their envelope time" \
    "1-5|1761454801100 6-6|1761454805100" \
    "$(sql json.db "SELECT group_concat(line || '-' || line_end || '|' || ts, ' ') FROM (SELECT * FROM events_all WHERE length(text) < 200 ORDER BY line)")"
check_eq "hostile JSON: damaged records kept whole (deep) and cut at 1 MiB (oversized)" \
    "2|200169 4|1048576" \
    "$(sql json.db "SELECT group_concat(line || '|' || length(text), ' ') FROM (SELECT * FROM events_all WHERE length(text) >= 200 ORDER BY line)")"
check_eq "hostile JSON: integrity" ok "$(sql json.db "PRAGMA integrity_check")"

# --- timestamps: year 1, before the epoch, year 9999, backwards, invalid
R='INFO openai._base_client: Retrying request to /chat/completions in'
cat > ts.log <<TS
0001-01-01 00:00:00 $R 0.1 seconds
1969-12-31 23:59:59 $R 0.2 seconds
9999-12-31 23:59:59 $R 0.3 seconds
2025-10-26 05:00:00 $R 0.4 seconds
2025-10-26 04:00:00 $R 0.5 seconds
2025-13-45 99:99:99 $R 0.6 seconds
2200-01-01 00:00:00 $R 0.7 seconds
2025-10-26 03:00:00 $R 0.8 seconds
{"log":"x\\n","stream":"stdout","time":"99999-01-01T00:00:00Z"}
{"log":"2025-10-26 05:00:00 $R 0.9 seconds\\n","stream":"stdout","time":"-0001-01-01T00:00:00Z"}
TS
check_rc "far and backwards timestamps: exit 0" 0 "$LT" ingest --db ts.db ts.log
check_eq "far and backwards timestamps: summary line" \
    "$(summary 10 1015 9 8 0 0 0 1 3 0 0 0)" "$(cat "$T/err")"
check_eq "far and backwards timestamps: ingests row" "10|1015|9|8|0|0|0|1|3|0|0|0" "$(counters ts.db)"
# an invalid stamp is no stamp: that line continues the record before it
check_eq "far and backwards timestamps: event times by line" \
    "1:-62135596800000 2:-1000 3:253402300799000 4:1761454800000 5:1761451200000 7:7258118400000 8:1761447600000 10:1761454800000" \
    "$(sql ts.db "SELECT group_concat(line || ':' || ts, ' ') FROM (SELECT * FROM events_all ORDER BY line)")"
check_eq "far and backwards timestamps: line 5 carries the invalid stamp's line" "5|6" \
    "$(sql ts.db "SELECT line || '|' || line_end FROM events_all WHERE line = 5")"
check_rc "far timestamps: events" 0 "$LT" events --db ts.db --format tsv
check_eq "far timestamps: events sorted by time, ISO years 0001 .. 9999" \
    "0001-01-01T00:00:00.000Z 1969-12-31T23:59:59.000Z 2025-10-26T03:00:00.000Z 2025-10-26T04:00:00.000Z 2025-10-26T05:00:00.000Z 2025-10-26T05:00:00.000Z 2200-01-01T00:00:00.000Z 9999-12-31T23:59:59.000Z" \
    "$(cut -f1 "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check_rc "far timestamps: --since 9999-01-01" 0 "$LT" events --db ts.db --since 9999-01-01 --format tsv
check_eq "far timestamps: one event in year 9999" 1 "$(wc -l < "$T/out")"
for f in text markdown json html prometheus; do
	check_rc "far timestamps: report --format $f exits 0" 0 "$LT" report --db ts.db --format $f
done
check_rc "far timestamps: prune exits 0" 0 "$LT" prune --db ts.db --older-than 1d
check_contains "far timestamps: prune counts the years 2200 and 9999 as future-dated" "$T/out" \
    "logtriage: 2 future-dated events"
check_eq "far timestamps: prune keeps the last day of sane log time and the future-dated" \
    "2025-10-26T03 2025-10-26T04 2025-10-26T05 2025-10-26T05 2200-01-01T00 9999-12-31T23" \
    "$(sql ts.db "SELECT group_concat(strftime('%Y-%m-%dT%H', ts / 1000, 'unixepoch'), ' ') FROM (SELECT ts FROM events_all ORDER BY ts)")"

# --- a million distinct storm keys: bounded memory, the rule still fires
# (a tenth of them under ASan, which is 20 times slower and measures no RSS)
NKEYS=1000000
asan_build && NKEYS=100000
gen keys keys.log $NKEYS
peak_rss "$LT" ingest --db keys.db --rules "$H/storm" keys.log
check_eq "a million storm keys: exit 0" 0 "$?"
check_eq "a million storm keys: summary line" \
    "$(summary $((NKEYS + 3)) "$(stat -c %s keys.log)" $((NKEYS + 3)) $((NKEYS + 3)) 0 0 0 0 0 0 0 0)" "$(cat "$T/err")"
rss_le "a million storm keys: peak RSS at most 64 MiB" 65536
check_eq "a million storm keys: only the repeated key is a storm" "storm|khot|3" \
    "$(sql keys.db "SELECT group_concat(kind || '|' || key || '|' || count) FROM incidents")"
peak_rss "$LT" report --db keys.db --format json
check_eq "a million storm keys: report exits 0" 0 "$?"
# the report groups by key in memory: 82 MiB today, so the bound is looser
rss_le "a million storm keys: report peak RSS at most 128 MiB" 131072
if jq -e '.' "$T/out" > /dev/null 2>&1; then ok "a million storm keys: report is JSON"; else
	not_ok "a million storm keys: report is JSON" "$(head -c 300 "$T/out")"; fi

# --- escape sequences, HTML and SQL metacharacters in messages, fields, sources
{
	printf '2025-10-26 05:00:00 WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.1:5000: sent 1011 (internal error) keepalive ping timeout; no close frame received \033[31mRED\033[0m \033]0;pwned\007 \033]8;;http://evil\033\\link\033]8;;\033\\ \233 \r bell\007\n'
	printf '2025-10-26 05:00:01 INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds <script>alert(1)</script> &amp; "q"\n'
	printf "2025-10-26 05:00:02 INFO tools.chat: Completed: {'model': 'x\"); DROP TABLE events;--', 'ai_response_time_ms': 1234}\n"
	printf "2025-10-26 05:00:03 INFO tools.chat: Completed: {'model': '\033]0;pwned\007<b>m</b>\033[2J', 'ai_response_time_ms': 99}\n"
	printf "2025-10-26 05:00:04 INFO tools.chat: Completed: {'model': '<script>alert(2)</script>', 'ai_response_time_ms': 7}\n"
} > esc.log
SRC="src'; DROP TABLE events;--\"$(printf '\033[1m')<i>&"
check_rc "escapes, HTML, SQL: exit 0" 0 "$LT" ingest --db esc.db --source "$SRC" esc.log
check_eq "escapes, HTML, SQL: summary line" "$(summary 5 717 5 5 0 0 0 0 0 1 0 0)" "$(cat "$T/err")"
check_eq "escapes, HTML, SQL: ingests row" "5|717|5|5|0|0|0|0|0|1|0|0" "$(counters esc.db)"
check_eq "SQL metacharacters: source name stored verbatim" "$SRC" "$(sql esc.db "SELECT name FROM sources")"
check_eq "SQL metacharacters: every table still there" \
    "context_blocks context_files event_context event_minutes events incidents ingests input_ordinals inputs meta rules sample_rules sample_spans samples sources volume volume_marks" \
    "$(sql esc.db "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")"
check_eq "SQL metacharacters: field and group stored verbatim" \
    "{\"model\":\"x\\\"); DROP TABLE events;--\",\"ms\":\"1234\"}|x\"); DROP TABLE events;--" \
    "$(sql esc.db "SELECT fields || '|' || grp FROM events_all WHERE value = 1234")"
check_rc "SQL metacharacters: events --source finds them" 0 "$LT" events --db esc.db --source "$SRC" --format tsv
check_eq "SQL metacharacters: events --source count" 5 "$(wc -l < "$T/out")"
check_rc "SQL metacharacters: a quote-only source selects nothing" 0 "$LT" events --db esc.db --source "' OR 1=1 --" --format tsv
check_eq "SQL metacharacters: nothing selected" 0 "$(wc -c < "$T/out")"
check_rc "SQL metacharacters: report --source GLOB" 0 "$LT" report --db esc.db --source "src'*" --format json
check_eq "SQL metacharacters: report --source GLOB selects the source" "5|5" \
    "$(jq -r '"\(.input.records)|\([.rules[].count] | add)"' "$T/out")"
check_rc "SQL metacharacters: report --source with a quote" 0 "$LT" report --db esc.db --source "' OR '1'='1" --format json
check_eq "SQL metacharacters: the quote selects nothing" "0|0" \
    "$(jq -r '"\(.sources | length)|\([.rules[].count] | add)"' "$T/out")"

check_rc "escapes: events tsv" 0 "$LT" events --db esc.db --format tsv
check_eq "escapes: no raw control byte in events tsv" 0 "$(raw_controls "$T/out")"
# colours are no text and go; the other sequences stay, shown escaped
check_contains "escapes: ESC and BEL shown escaped in events tsv" "$T/out" 'received RED \x1b]0;pwned\x07 \x1b]8;;http://evil\x1b\\link'
check_rc "escapes: events ndjson" 0 "$LT" events --db esc.db --format ndjson
check_eq "escapes: no raw control byte in events ndjson" 0 "$(raw_controls "$T/out")"
check_eq "escapes: ndjson text decodes to the original bytes" \
    "$(printf '\033]0;pwned\007')" "$(jq -r 'select(.rule == "ws-keepalive-1011") | .text' "$T/out" | grep -o "$(printf '\033')]0;pwned$(printf '\007')")"
for f in text markdown prometheus; do
	check_rc "escapes: report --format $f" 0 "$LT" report --db esc.db --format $f
	check_eq "escapes: no raw control byte in the $f report" 0 "$(raw_controls "$T/out")"
	check_contains "escapes: the $f report shows the escaped model" "$T/out" 'pwned'
done
if command -v promtool > /dev/null 2>&1; then
	"$LT" report --db esc.db --format prometheus > esc.prom
	check_rc "escapes: promtool check metrics accepts the hostile labels" 0 \
	    sh -c 'promtool check metrics < "$1"' sh esc.prom
	"$LT" report --db ts.db --format prometheus > ts.prom
	check_rc "far timestamps: promtool check metrics accepts the exposition" 0 \
	    sh -c 'promtool check metrics < "$1"' sh ts.prom
else
	ok "escapes: promtool check metrics # SKIP promtool not installed"
fi
check_rc "HTML: report --format html" 0 "$LT" report --db esc.db --format html -o rep.html
check_eq "HTML: no raw control byte" 0 "$(raw_controls rep.html)"
check_eq "HTML: no live markup from the log" 0 "$(grep -c -e '<script>alert' -e '<b>m</b>' -e '<i>&' rep.html)"
check_contains "HTML: model names escaped" rep.html '&lt;script&gt;alert(2)&lt;/script&gt;'
check_contains "HTML: markup in a model name escaped" rep.html '&lt;b&gt;m&lt;/b&gt;'
check_eq "escapes: integrity" ok "$(sql esc.db "PRAGMA integrity_check")"
