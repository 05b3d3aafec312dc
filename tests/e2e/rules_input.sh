# rules_input.sh - `logtriage rules test --input FILE|-`: a log read
# through ingest's pipeline without storing it; per rule the records it
# matched (a count and the first three), the records of warning level or
# worse no rule matched grouped by template (--show-missed: all of them),
# the same counts as an ingest of the log, JSON, and the mistakes.
. "$TOP/tests/e2e/lib.sh"

S=$TOP/samples
cd "$S" || exit 1

check_rc "dockerd log: exit 0" 0 "$LT" rules test --input dockerd-logfmt.log
check_golden "dockerd log: matched and missed records" \
    "$TOP/tests/golden/rules-test-dockerd.txt" "$T/out"
check_eq "nothing stored" "no" "$([ -e "$LOGTRIAGE_DB" ] && echo yes || echo no)"

check_rc "standard input: exit 0" 0 sh -c "'$LT' rules test --input - < dockerd-logfmt.log"
check_eq "standard input: the same as the file" \
    "$(sed 's/^dockerd-logfmt\.log:/-:/' "$TOP/tests/golden/rules-test-dockerd.txt")" \
    "$(cat "$T/out")"

check_rc "daemon log: exit 0" 0 "$LT" rules test --input exai-daemon.log
check_eq "daemon log: the counts" \
    "exai-daemon.log: 130 records, 68 matched by a rule's pattern, 0 of warning level or worse by none" \
    "$(head -1 "$T/out")"
check_eq "daemon log: a rule with its first three records" \
"semaphore-leak               3 records
  line 51: 2025-10-25 23:40:10 WARNING src.monitoring.metrics: Semaphore leak detected: global expected=8, actual=7
  line 96: 2025-10-25 23:45:10 WARNING src.monitoring.metrics: Semaphore leak detected: kimi expected=3, actual=2
  line 132: 2025-10-25 23:53:30 WARNING src.monitoring.metrics: Semaphore leak detected: glm expected=4, actual=3" \
    "$(grep -A3 '^semaphore-leak ' "$T/out")"
check_eq "daemon log: past three, how many more" "  ... 26 more" \
    "$(grep -A4 '^ws-keepalive-1011 ' "$T/out" | tail -1)"
check_eq "daemon log: the rules that matched nothing, counted" \
    "58 rules matched nothing (-v lists them)" "$(grep 'matched nothing' "$T/out")"
check_eq "daemon log: nothing missed" \
    "missed: 0 records of warning level or worse that no rule matched, 0 templates" \
    "$(tail -1 "$T/out")"
check_rc "-v: exit 0" 0 "$LT" rules test --input exai-daemon.log -v
check_eq "-v: every rule, with its count" "73 58" \
    "$(grep -cE '^[a-z0-9.-]+ +[0-9]+ records?' "$T/out") $(grep -cE '^[a-z0-9.-]+ +0 records' "$T/out")"

# the same pipeline as ingest: the same events per rule
if command -v jq > /dev/null 2>&1; then
	check_rc "json: exit 0" 0 "$LT" rules test --input exai-daemon.log --format json
	"$LT" ingest -q --db "$T/d.db" exai-daemon.log
	check_eq "json: the counts ingest stores" \
	    "$(sql "$T/d.db" "SELECT group_concat(rule || '=' || n, ' ') FROM (SELECT rule, count(*) n FROM events_all GROUP BY rule ORDER BY rule)")" \
	    "$(jq -r '[.rules[] | select(.count > 0) | "\(.id)=\(.count)"] | sort | join(" ")' "$T/out")"
	check_eq "json: records, matched, missed" "130 68 0" \
	    "$(jq -r '"\(.records) \(.matched) \(.missed.records)"' "$T/out")"
	check_eq "json: the first records of a rule" "51 96 132" \
	    "$(jq -r '[.rules[] | select(.id == "semaphore-leak") | .records[].line] | join(" ")' "$T/out")"
fi

# --- missed records: the first three of a template, all with --show-missed
cd "$T" || exit 1
for i in 1 2 3 4 5; do
	echo "2025-10-25 23:3$i:00 WARNING src.tools.cache: Cache miss storm for key=k$i ($i$i misses)"
done > m.log
echo "2025-10-25 23:40:00 ERROR src.tools.cache: Cache backend unreachable: connection refused" >> m.log
check_rc "missed: exit 0" 0 "$LT" rules test --input m.log
check_eq "missed: by template, worst first, the first three (the built-in rules took them)" \
"m.log: 6 records, 0 matched by a rule's pattern, 6 of warning level or worse by none

log-error                    1 record
  line 6: 2025-10-25 23:40:00 ERROR src.tools.cache: Cache backend unreachable: connection refused

log-warning                  5 records
  line 1: 2025-10-25 23:31:00 WARNING src.tools.cache: Cache miss storm for key=k1 (11 misses)
  line 2: 2025-10-25 23:32:00 WARNING src.tools.cache: Cache miss storm for key=k2 (22 misses)
  line 3: 2025-10-25 23:33:00 WARNING src.tools.cache: Cache miss storm for key=k3 (33 misses)
  ... 2 more

71 rules matched nothing (-v lists them)

missed: 6 records of warning level or worse that no rule matched, 2 templates

  1 x error    src.tools.cache: Cache backend unreachable: connection refused
    line 6: 2025-10-25 23:40:00 ERROR src.tools.cache: Cache backend unreachable: connection refused

  5 x warning  src.tools.cache: Cache miss storm for key=<*> (<*> misses)
    line 1: 2025-10-25 23:31:00 WARNING src.tools.cache: Cache miss storm for key=k1 (11 misses)
    line 2: 2025-10-25 23:32:00 WARNING src.tools.cache: Cache miss storm for key=k2 (22 misses)
    line 3: 2025-10-25 23:33:00 WARNING src.tools.cache: Cache miss storm for key=k3 (33 misses)
    ... 2 more (--show-missed lists them)" "$(cat "$T/out")"
check_rc "--show-missed: exit 0" 0 "$LT" rules test --input m.log --show-missed
check_eq "--show-missed: all five" \
"  5 x warning  src.tools.cache: Cache miss storm for key=<*> (<*> misses)
    line 1: 2025-10-25 23:31:00 WARNING src.tools.cache: Cache miss storm for key=k1 (11 misses)
    line 2: 2025-10-25 23:32:00 WARNING src.tools.cache: Cache miss storm for key=k2 (22 misses)
    line 3: 2025-10-25 23:33:00 WARNING src.tools.cache: Cache miss storm for key=k3 (33 misses)
    line 4: 2025-10-25 23:34:00 WARNING src.tools.cache: Cache miss storm for key=k4 (44 misses)
    line 5: 2025-10-25 23:35:00 WARNING src.tools.cache: Cache miss storm for key=k5 (55 misses)" \
    "$(sed -n '/^  5 x/,$p' "$T/out")"

# a rule for them: matched, no longer missed
mkdir mine
printf '[cache-miss]\nmatch = Cache miss storm for key=(?<key>\\w+)\ncategory = cache\nseverity = warning\n' > mine/cache.rules
check_rc "with a rule for them: exit 0" 0 "$LT" rules test --input m.log --rules mine
check_eq "with a rule for them: matched, only the error missed" \
    "m.log: 6 records, 5 matched by a rule's pattern, 1 of warning level or worse by none|cache-miss                   5 records" \
    "$(head -1 "$T/out")|$(grep '^cache-miss ' "$T/out")"

# --- mistakes
check_rc "--input with list: exit 2" 2 "$LT" rules list --input m.log
check_eq "--input with list: says so" \
    "logtriage: rules: --input, --show-missed and --format go with \`rules test --input FILE\`" "$(cat "$T/err")"
check_rc "--show-missed without --input: exit 2" 2 "$LT" rules test --show-missed
check_rc "--format xml: exit 2" 2 "$LT" rules test --input m.log --format xml
check_eq "--format xml: says so" "logtriage: rules: unknown format 'xml' (text json)" "$(cat "$T/err")"
check_rc "a missing input: exit 3" 3 "$LT" rules test --input no-such.log
check_eq "a missing input: says so" \
    "logtriage: rules test: no-such.log: No such file or directory" "$(cat "$T/err")"
