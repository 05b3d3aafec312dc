#!/bin/sh
# events.sh - `logtriage events`: exact ndjson and tsv lines for a tiny
# fixture, each filter, ordering, limits and the exit codes.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
F=$TOP/tests/fixtures/ingest
cp "$F/tiny.log" "$F/ctrl.log" .
"$LT" ingest -q --db e.db tiny.log ctrl.log

"$LT" events --db e.db > all.ndjson
check_golden "ndjson: every key, inherited fields merged, controls escaped" "$F/events.ndjson" all.ndjson
"$LT" events --db e.db --format=tsv > all.tsv
check_golden "tsv: ts, source, rule, severity, line, value, escaped text" "$F/events.tsv" all.tsv
check_eq "every line is valid JSON" "6" "$(python3 -c '
import json, sys
print(sum(1 for l in open("all.ndjson") if json.loads(l)))')"

check_eq "--rule" "retry retry" \
    "$("$LT" events --db e.db --rule retry --format tsv | cut -f3 | tr '\n' ' ' | sed 's/ $//')"
check_eq "--rule repeated" "provider-timeout fallback" \
    "$("$LT" events --db e.db --rule fallback --rule provider-timeout --format tsv | cut -f3 | tr '\n' ' ' | sed 's/ $//')"
check_eq "--category" "response-time" \
    "$("$LT" events --db e.db --category latency --format tsv | cut -f3)"
check_eq "--source glob" "6 5 1 0" \
    "$("$LT" events --db e.db --source '*.log' | wc -l) $("$LT" events --db e.db --source 'ti*' | wc -l) $("$LT" events --db e.db --source ctrl.log | wc -l) $("$LT" events --db e.db --source 'nope*' | wc -l)"
check_eq "--since/--until: [since, until)" "2025-10-25T23:31:12.000Z 2025-10-25T23:31:14.000Z" \
    "$("$LT" events --db e.db --since 2025-10-25T23:31:12Z --until 2025-10-25T23:31:20Z --format tsv | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_eq "--since a date" "2" "$("$LT" events --db e.db --since 2025-10-26 | wc -l)"
check_eq "--field: own, or inherited (the fallback's model)" "provider-timeout fallback" \
    "$("$LT" events --db e.db --field model=kimi-k2-0905-preview --format tsv | cut -f3 | tr '\n' ' ' | sed 's/ $//')"
check_eq "--field repeated: all of them" "ctrl.log|retry" \
    "$("$LT" events --db e.db --field client=openai --field delay_s=0.5 --format tsv | cut -f2,3 | tr '\t' '|')"
check_eq "--field: the value exactly, no match no line" "1 0 0" \
    "$("$LT" events --db e.db --field model=glm-4.6 | wc -l) $("$LT" events --db e.db --field model=glm | wc -l) $("$LT" events --db e.db --field nokey=1 | wc -l)"
check_rc "--field without a key: exit 2" 2 "$LT" events --db e.db --field =x
check_contains "--field: the message" "$T/err" \
    "logtriage: events: bad --field '=x' (KEY=VALUE, KEY of letters, digits and '_')"
check_rc "--field without '=': exit 2" 2 "$LT" events --db e.db --field model
check_rc "--field with a key that is no name: exit 2" 2 "$LT" events --db e.db --field 'a.b=1'
check_eq "--limit" "2025-10-25T23:31:11.000Z 2025-10-25T23:31:12.000Z" \
    "$("$LT" events --db e.db --limit 2 --format tsv | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_eq "--limit 0" "0" "$("$LT" events --db e.db --limit 0 | wc -l)"
check_eq "filters combine" '{"ts":"2025-10-26T00:01:00.000Z","source":"ctrl.log","rule":"retry"' \
    "$("$LT" events --db e.db --rule retry --source 'c*' --since 2025-10-26 | cut -d, -f1-3)"
check_contains "ESC never raw in ndjson" all.ndjson '\u001b[2J'
check_not_contains "no raw ESC byte" all.ndjson "$(printf '\033')"
check_contains "tsv escapes ESC and TAB" all.tsv 'seconds \x1b[2J\tred'

LOGTRIAGE_DB=$T/e.db "$LT" events --rule ws-keepalive-1011 > env.out
check_eq "\$LOGTRIAGE_DB is the default database" "1" "$(wc -l < env.out)"

check_rc "missing database: exit 3" 3 "$LT" events --db none.db
check_contains "missing database: message" "$T/err" "logtriage: no database at none.db (run logtriage ingest first)"
check_eq "missing database: not created" "no" "$([ -e none.db ] && echo yes || echo no)"
check_rc "bad --format: exit 2" 2 "$LT" events --db e.db --format xml
check_rc "bad --since: exit 2" 2 "$LT" events --db e.db --since yesterdayish
check_rc "bad --limit: exit 2" 2 "$LT" events --db e.db --limit -3
check_rc "unknown option: exit 2" 2 "$LT" events --db e.db --colour
check_rc "--help: exit 0" 0 "$LT" events --help
check_contains "--help lists --category" "$T/out" "--category"

check_eq "--tz Asia/Tokyo: +09:00" "2025-10-26T08:31:11.000+09:00 2025-10-26T08:31:12.000+09:00" \
    "$("$LT" events --db e.db --tz Asia/Tokyo --limit 2 --format tsv | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_eq "--tz in ndjson, a negative offset" '{"ts":"2025-10-25T19:31:11.000-04:00"' \
    "$("$LT" events --db e.db --tz America/New_York --limit 1 | cut -d, -f1)"
check_eq "--tz UTC prints +00:00, naive --since read in the zone" "2025-10-25T23:31:12.000+00:00" \
    "$("$LT" events --db e.db --tz UTC --since 2025-10-25T23:31:12 --limit 1 --format tsv | cut -f1)"
check_eq "--tz: naive --since in Tokyo" "2025-10-26T08:31:12.000+09:00" \
    "$("$LT" events --db e.db --tz Asia/Tokyo --since 2025-10-26T08:31:12 --limit 1 --format tsv | cut -f1)"
check_rc "bad --tz: exit 2" 2 "$LT" events --db e.db --tz Mars/Olympus
