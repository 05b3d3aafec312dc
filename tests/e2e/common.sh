#!/bin/sh
# common.sh - the options commands share (--db, --since/--until,
# --baseline, --source, --rule, --tz): the same meaning, the same errors
# and exit codes in every command, and --tz printing times in the zone in
# every command that prints them (tui.sh drives the screen's).
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
F=$TOP/tests/fixtures/ingest
cp "$F/tiny.log" .
"$LT" ingest -q --db e.db tiny.log

# -- --tz: every time printed, in the zone; without it UTC with Z ---------
check_eq "events --tz: tsv times in the zone" \
    "2025-10-26T08:31:11.000+09:00 2025-10-26T08:31:12.000+09:00 2025-10-26T08:31:14.000+09:00 2025-10-26T08:31:20.000+09:00 2025-10-26T09:00:05.000+09:00" \
    "$("$LT" events --db e.db --tz Asia/Tokyo --format tsv | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_eq "events without --tz: UTC with Z" '{"ts":"2025-10-25T23:31:11.000Z"' \
    "$("$LT" events --db e.db --limit 1 | cut -d, -f1)"

"$LT" report --db e.db --tz Asia/Tokyo > r.txt
check_eq "report --tz: text window" \
    "logtriage report 2025-10-26T08:31:11.000+09:00 .. 2025-10-26T09:00:05.001+09:00" "$(head -1 r.txt)"
check_eq "report --tz: no time left in UTC" "0" "$(grep -c '[0-9]Z' r.txt)"
"$LT" report --db e.db --tz Asia/Tokyo --format markdown > r.md
check_eq "report --tz: markdown window" \
    "- window: 2025-10-26T08:31:11.000+09:00 .. 2025-10-26T09:00:05.001+09:00" "$(sed -n 3p r.md)"
check_eq "report --tz: markdown, no time in UTC" "0" "$(grep -c '[0-9]Z' r.md)"
"$LT" report --db e.db --tz Asia/Tokyo --format json > r.json
check_eq "report --tz: json window" \
    '{"schema": 1, "window": {"since": "2025-10-26T08:31:11.000+09:00", "until": "2025-10-26T09:00:05.001+09:00"},' \
    "$(head -1 r.json)"
check_eq "report --tz: json, no time in UTC" "0" "$(grep -c '[0-9]Z' r.json)"
"$LT" report --db e.db --tz Asia/Tokyo --format html > r.html
check_eq "report --tz: html, no time in UTC" "0" "$(grep -c '[0-9]Z' r.html)"
check_contains "report --tz: html window" r.html "2025-10-26T08:31:11.000+09:00"
check_eq "report without --tz: the window in UTC" \
    "logtriage report 2025-10-25T23:31:11.000Z .. 2025-10-26T00:00:05.001Z" \
    "$("$LT" report --db e.db | head -1)"
check_eq "report --tz: the empty-window line" \
    "logtriage: no events between 2030-01-01T00:00:00.000+09:00 and 2030-01-02T00:00:00.000+09:00; the newest stored record is 2025-10-26T09:00:05.000+09:00: try --since 2025-10-25T09:01:00.000+09:00 --until 2025-10-26T09:01:00.000+09:00" \
    "$("$LT" report --db e.db --tz Asia/Tokyo --since 2030-01-01 --until 2030-01-02)"

check_eq "patterns --tz: first and last seen in text" \
    "      first 2025-10-26T08:31:12.000+09:00  last 2025-10-26T08:31:12.000+09:00  sources tiny.log" \
    "$("$LT" patterns --db e.db --tz Asia/Tokyo --limit 1 | sed -n 4p)"
check_eq "patterns --tz: first and last seen in json" \
    '"first":"2025-10-26T08:31:12.000+09:00","last":"2025-10-26T08:31:12.000+09:00"' \
    "$("$LT" patterns --db e.db --tz Asia/Tokyo --format json --limit 1 | grep -o '"first":"[^"]*","last":"[^"]*"')"
check_eq "patterns without --tz: UTC" \
    "      first 2025-10-25T23:31:12.000Z  last 2025-10-25T23:31:12.000Z  sources tiny.log" \
    "$("$LT" patterns --db e.db --limit 1 | sed -n 4p)"

cp e.db p.db
check_eq "prune --tz: the cut-off and the newest log time in the zone" \
    "logtriage: would remove 4 events, 0 incidents, 1 volume rows older than 2025-10-26T08:50:05.000+09:00 (newest log time 2025-10-26T09:00:05.000+09:00 minus 10m)" \
    "$("$LT" prune --db p.db --older-than 10m --dry-run --tz Asia/Tokyo)"
check_eq "prune --tz: a negative offset" \
    "logtriage: removed 4 events, 0 incidents, 1 volume rows older than 2025-10-25T19:50:05.000-04:00 (newest log time 2025-10-25T20:00:05.000-04:00 minus 10m)" \
    "$("$LT" prune --db p.db --older-than 10m --tz America/New_York)"
check_eq "prune without --tz: UTC" \
    "logtriage: would remove 0 events, 0 incidents, 0 volume rows older than 2025-10-25T23:50:05.000Z (newest log time 2025-10-26T00:00:05.000Z minus 10m)" \
    "$("$LT" prune --db p.db --older-than 10m --dry-run)"

# -- the same errors everywhere ---------------------------------------------
for c in events report patterns tui; do
	check_rc "$c: an empty window is a usage error" 2 "$LT" $c --db e.db \
	    --since 2025-10-26 --until 2025-10-25
	check_eq "$c: an empty window, said the same way" \
	    "logtriage: $c: --until is not after --since" "$(cat "$T/err")"
	check_rc "$c: a bad --since is a usage error" 2 "$LT" $c --db e.db --since soon
	check_contains "$c: a bad --since, said the same way" "$T/err" \
	    "logtriage: $c: --since: bad time 'soon' (expected an ISO 8601 date"
done
for c in events report patterns tui "prune --older-than 1d" ingest; do
	check_rc "$c: a bad --tz is a usage error" 2 "$LT" $c --db e.db --tz Mars/Olympus
	check_contains "$c: a bad --tz, said the same way" "$T/err" \
	    "logtriage: ${c%% *}: --tz: unknown time zone 'Mars/Olympus' (expected UTC,"
done
check_rc "report: --baseline not A..B" 2 "$LT" report --db e.db --baseline 2025-10-25
check_eq "report: --baseline not A..B, said" \
    "logtriage: report: --baseline: '2025-10-25' is not SINCE..UNTIL" "$(cat "$T/err")"
check_rc "report: an empty --baseline" 2 "$LT" report --db e.db --baseline 2025-10-26..2025-10-25
check_eq "report: an empty --baseline, said" \
    "logtriage: report: --baseline: the window '2025-10-26..2025-10-25' is empty" "$(cat "$T/err")"
check_rc "ingest --tz auto is taken" 0 "$LT" ingest -q --db a.db --tz auto tiny.log
check_rc "report --tz auto is no zone" 2 "$LT" report --db e.db --tz auto

# -- the default database, the same for every command ------------------------
check_rc "ingest into the default database" 0 "$LT" ingest -q tiny.log
for c in events report patterns; do
	check_rc "$c reads the default database" 0 "$LT" $c
done
check_eq "events: the default database holds what ingest stored" "5" \
    "$("$LT" events | wc -l | tr -d ' ')"

# -- --source: a glob, but a source's very name selects it alone -------------
cp tiny.log 'app[1].log'
cp tiny.log app1.log
"$LT" ingest -q --db g.db 'app[1].log' app1.log
check_eq "events --source NAME: the source so named only" "app[1].log" \
    "$("$LT" events --db g.db --source 'app[1].log' --format tsv | cut -f2 | sort -u)"
check_eq "patterns --source NAME: the source so named only" '"sources":["app[1].log"]' \
    "$("$LT" patterns --db g.db --source 'app[1].log' --format json | grep -o '"sources":.*,"sample"' | sed 's/,"sample"$//' | sort -u)"
check_eq "events --source GLOB: every source it matches" "app1.log app[1].log" \
    "$("$LT" events --db g.db --source 'app*' --format tsv | cut -f2 | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "events --source GLOB not a name: fnmatch" "app1.log" \
    "$("$LT" events --db g.db --source 'app[!x].log' --format tsv | cut -f2 | sort -u)"
check_eq "events --rule and --source in SQL, with --after-id" "retry" \
    "$("$LT" events --db g.db --source app1.log --rule retry --after-id 0 --format tsv 2> /dev/null | cut -f3)"
