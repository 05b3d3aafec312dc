# rules.sh - `logtriage rules list|check|test` on the default rules and on
# a directory of broken rule files.
. "$TOP/tests/e2e/lib.sh"

F=$TOP/tests/fixtures/rules

check_rc "rules test: default rules pass" 0 $LT rules test --rules "$TOP/rules"
check_eq "rules test: summary line" \
    "$(grep -c '^example *=' "$TOP"/rules/*.rules | awk -F: '{s+=$2} END {print s}') examples" \
    "$(sed -n 's/^\([0-9]* examples\),.*/\1/p' "$T/out")"
check_contains "rules test: scenarios ran, none failed" "$T/out" "7 scenarios: 0 failed"

check_rc "rules check: default rules" 0 $LT rules check --rules "$TOP/rules"
check_contains "rules check: counts" "$T/out" "73 rules and 7 scenarios in 5 files: ok"
# nothing either of a pattern that runs away on a long record (each
# example again with 128 KiB after it)
check_eq "rules check: default rules warn of nothing" "" "$(cat "$T/err")"
check_rc "rules check: a pattern without a literal is a warning" 0 \
    $LT rules check --no-default-rules --rules "$F/unfiltered"
check_eq "rules check: the warning names the pattern's line and rule" \
    "$F/unfiltered/db.rules:7: warning: this pattern of 'db-error' has no run of 3 literal bytes that every match holds: the rule is tried on every record" \
    "$(cat "$T/err")"
check_contains "rules check: still ok" "$T/out" "4 rules and 0 scenarios in 1 files: ok"
check_rc "rules check: a pattern that runs to the end of a long record is a warning" 0 \
    $LT rules check --no-default-rules --rules "$F/longscan"
check_eq "rules check: the warning names that example's line and rule, not the bounded one's" \
    "$F/longscan/scan.rules:9: warning: with 131072 bytes after this example of 'op-retry', a pattern runs into the match limit: bound its runs of any bytes" \
    "$(cat "$T/err")"
check_contains "rules check: ok with the warning" "$T/out" "5 rules and 0 scenarios in 1 files: ok"

check_rc "rules list" 0 $LT rules list --rules "$TOP/rules"
for id in retry provider-timeout fallback semaphore-leak semaphore-health \
    semaphore-recovered semaphore-recovery-failed semaphore-double-release \
    ws-keepalive-1011 response-time; do
	check_eq "rules list: $id" 1 "$(grep -c "^$id " "$T/out")"
done
check_eq "rules list: timeout category" "retry timeout info" \
    "$(awk '$1 == "retry" {print $1, $2, $3}' "$T/out")"
check_contains "rules list: storm key" "$T/out" "storm = 20 in 60s by peer"
check_contains "rules list: expect key" "$T/out" \
    "expect = semaphore-recovered within 10s by scope"
check_contains "rules list: follows key" "$T/out" \
    "follows = provider-timeout, provider-error within 5s by model"
check_contains "rules list: metric key" "$T/out" "metric = ms by model"

check_rc "rules check: broken rules exit 2" 2 $LT rules check --rules "$F/broken"
B=$F/broken/mistakes.rules
check_eq "rules check: five FILE:LINE diagnostics" \
    "$B:4:12: bad severity 'loud' (debug, info, notice, warning, error, critical)
$B:12:18: storm: bad window 'a-minute' (use e.g. 500ms, 10s, 5m, 2h)
$B:21:1: unknown key 'matches'
$B:27:28: bad regex: missing closing parenthesis (at offset 16)
$B:6: expect: unknown rule 'recovered'
$B:14: rule 'nomatch' has no 'match'" \
    "$(grep "^$B:" "$T/err")"
check_eq "rules check: the offending line" "    match    = timed out (after" \
    "$(grep -A2 ':27:28:' "$T/err" | sed -n 2p)"
check_eq "rules check: caret under the regex error" "$(printf '%32s' '^')" \
    "$(grep -A2 ':27:28:' "$T/err" | sed -n 3p)"
check_contains "rules check: error count" "$T/err" "logtriage: rules: 6 errors"
check_rc "rules test: broken rules exit 2" 2 $LT rules test --rules "$F/broken"
check_rc "rules test via LOGTRIAGE_RULES" 2 env LOGTRIAGE_RULES="$F/broken" $LT rules test

# a failing example and counter-example exit 1 and name their lines
mkdir "$T/fail"
cat > "$T/fail/f.rules" <<'RULES'
[r]
category = x
severity = info
match = hello (?<who>\w+)
example = hello world
example-fields = who=moon
counter-example = hello again
example = goodbye
RULES
check_rc "rules test: failures exit 1" 1 $LT rules test --no-default-rules --rules "$T/fail"
check_contains "rules test: failure count" "$T/out" \
    "2 examples, 1 counter-examples, 0 scenarios: 3 failed"
check_contains "rules test: fields differ" "$T/err" "$T/fail/f.rules:5: rule 'r': fields differ"
check_contains "rules test: counter-example" "$T/err" \
    "$T/fail/f.rules:7: counter-example matches rule 'r'"
check_contains "rules test: example" "$T/err" \
    "$T/fail/f.rules:8: example does not match rule 'r'"
# a catch-all's example that a rule of its category takes fails, naming it;
# the rules list shows the categories it leaves to others
mkdir "$T/catch"
cat > "$T/catch/c.rules" <<'RULES'
[tool]
category = t
severity = error
match = tool \w+ timed out

[any]
category = t
severity = error
catch-all = t
match = timed out
example = request timed out
example = tool chat timed out
RULES
check_rc "rules test: a catch-all's taken example exits 1" 1 \
    $LT rules test --no-default-rules --rules "$T/catch"
check_eq "rules test: the rule that took it" \
    "$T/catch/c.rules:12: example of catch-all rule 'any' is taken by tool" \
    "$(cat "$T/err")"
check_contains "rules test: the other example passed" "$T/out" \
    "2 examples, 0 counter-examples, 0 scenarios: 1 failed"
check_rc "rules list: catch-all" 0 $LT rules list --no-default-rules \
    --rules "$T/catch"
check_eq "rules list: the catch-all's categories" "any catch-all = t" \
    "$(awk '$1 == "any" {print $1, $(NF-2), $(NF-1), $NF}' "$T/out")"

# levels: a rule is not run on records of the levels it leaves out, read
# the way ingest reads them (a level word, JSON, logrus); an example at
# such a level fails, naming it; the rules list shows the range
mkdir "$T/levels"
cat > "$T/levels/l.rules" <<'RULES'
[late]
category = t
severity = warning
levels = info..critical
match = timed out
example = 2025-11-10 10:00:00 ERROR app: request timed out
example = 2025-11-10 10:00:00 DEBUG app: request timed out
counter-example = {"level":"debug","msg":"request timed out"}
counter-example = DEBU[0003] request timed out
RULES
check_rc "rules test: an example at a level left out exits 1" 1 \
    $LT rules test --no-default-rules --rules "$T/levels"
check_eq "rules test: the level it is at" \
    "$T/levels/l.rules:7: example of rule 'late' is a record of level debug, which its levels leave out" \
    "$(cat "$T/err")"
check_contains "rules test: the counter-examples at debug passed" "$T/out" \
    "2 examples, 2 counter-examples, 0 scenarios: 1 failed"
check_rc "rules list: levels" 0 $LT rules list --no-default-rules \
    --rules "$T/levels"
check_eq "rules list: the levels as a range" "late levels = info..critical" \
    "$(awk '$1 == "late" {print $1, $(NF-2), $(NF-1), $NF}' "$T/out")"
printf '%s\n' '2025-11-10 10:00:00 WARNING app: a timed out' \
    '2025-11-10 10:00:01 DEBUG app: b timed out' \
    '{"level":"trace","time":"2025-11-10T10:00:02Z","msg":"c timed out"}' \
    'DEBU[0003] d timed out' \
    'e timed out' > "$T/levels.log"
check_rc "ingest: a rule with levels" 0 $LT ingest --db "$T/levels.db" -q \
    --no-default-rules --rules "$T/levels" "$T/levels.log"
check_eq "ingest: only the records at its levels, and the one without a level" \
    "1 5" "$(sqlite3 "$T/levels.db" "SELECT group_concat(line, ' ') FROM \
    (SELECT line FROM events_all WHERE rule = 'late' ORDER BY line)")"

# follows lists: every rule must exist, and a rule cannot also expect
mkdir "$T/follows"
cat > "$T/follows/f.rules" <<'RULES'
[t]
category = x
severity = info
match = t (?<model>\S+)

[fb]
category = x
severity = info
match = fell back
expect = t within 10s
follows = t, nosuch within 5s by model

[gap]
category = x
severity = info
match = gap
follows = t,, fb within 5s
RULES
check_rc "rules check: bad follows lists exit 2" 2 $LT rules check --rules "$T/follows"
check_eq "rules check: follows diagnostics" \
    "$T/follows/f.rules:17:13: follows: expected a rule id before ','
$T/follows/f.rules:11: follows: unknown rule 'nosuch'
$T/follows/f.rules:11: follows: rule 'fb' also has 'expect' (line 10): both would set its events' one link" \
    "$(grep "^$T/follows/f.rules:" "$T/err")"
check_contains "rules check: follows error count" "$T/err" "logtriage: rules: 3 errors"

check_rc "rules: unknown action" 2 $LT rules frobnicate
check_rc "rules: --help" 0 $LT rules --help

# --- only regular files are rules files, of a sane size; the real reason
# of a failure is given; an empty directory is an error for every command.
R=$T/rulefiles
mkdir -p "$R/empty" "$R/withfifo"
mkfifo "$R/x.rules" "$R/withfifo/a.rules"
cp "$TOP/rules/timeout.rules" "$R/withfifo/"
ln -s loop.rules "$R/loop.rules"
check_rc "a FIFO named x.rules: rules check exits 2 at once" 2 timeout 10 $LT rules check --rules "$R/x.rules"
check_eq "a FIFO named x.rules: says why" "$R/x.rules: not a regular file (rules are read from regular files only)" "$(head -1 "$T/err")"
check_rc "a FIFO in a rules directory: rules check exits 2 at once" 2 timeout 10 $LT rules check --rules "$R/withfifo"
check_contains "a FIFO in a rules directory: names it" "$T/err" "$R/withfifo/a.rules: not a regular file"
check_rc "a symbolic link loop exits 2" 2 $LT rules check --rules "$R/loop.rules"
check_eq "a symbolic link loop: the real error" "$R/loop.rules: cannot read: $(python3 -c 'import errno, os; print(os.strerror(errno.ELOOP))')" "$(head -1 "$T/err")"
check_rc "--rules /dev/zero exits 2 at once" 2 timeout 10 $LT rules check --rules /dev/zero
check_eq "--rules /dev/zero: not a regular file" "/dev/zero: not a regular file (rules are read from regular files only)" "$(head -1 "$T/err")"
truncate -s 17M "$R/huge.rules"
check_rc "a 17 MiB rules file exits 2" 2 $LT rules check --rules "$R/huge.rules"
check_eq "a 17 MiB rules file: too large" "$R/huge.rules: larger than 16 MiB: not read as a rules file" "$(head -1 "$T/err")"
check_rc "an empty rules directory: rules check exits 2" 2 $LT rules check --rules "$R/empty"
check_eq "an empty rules directory: rules check says so" "$R/empty: no rules files (*.rules) in this directory" "$(head -1 "$T/err")"
echo "2025-10-25 23:41:07 INFO nothing" > "$R/one.log"
check_rc "an empty rules directory: ingest exits 2 too" 2 $LT ingest --db "$R/x.db" --rules "$R/empty" "$R/one.log"
check_eq "an empty rules directory: ingest says the same" "$R/empty: no rules files (*.rules) in this directory" "$(head -1 "$T/err")"

# --- a window longer than 36500d is refused where it is written: past
# about 100 years, log time plus the window overflowed in correlation.
mkdir -p "$R/long"
cat > "$R/long/long.rules" <<'RULES'
[hello]
category = x
severity = info
match = hello (?<k>\w+)
expect = bye within 99999999999d by k

[bye]
category = x
severity = info
match = bye (?<k>\w+)
storm = 5 in 36501d by k
RULES
check_rc "windows past 36500d: rules check exits 2" 2 $LT rules check --rules "$R/long"
check_eq "windows past 36500d: FILE:LINE:COL for each" \
    "$R/long/long.rules:5:21: expect: window '99999999999d' is longer than 36500d|$R/long/long.rules:11:14: storm: window '36501d' is longer than 36500d" \
    "$(grep "^$R" "$T/err" | tr '\n' '|' | sed 's/|$//')"
sed -i 's/99999999999d/36500d/; s/36501d/36500d/' "$R/long/long.rules"
check_rc "windows of 36500d pass rules check" 0 $LT rules check --rules "$R/long"

# A scenario's input is read as a file is: a line past 1 MiB is cut there,
# so a word beyond the cut matches nothing (the whole line used to be read).
mkdir "$T/cut"
{
	printf '[needle]\ncategory = x\nseverity = info\nmatch = NEEDLE\n\n'
	printf '[scenario overlong]\ninput = <<END\n'
	printf '2026-03-01 10:00:00 INFO m: '
	head -c 1100000 /dev/zero | tr '\0' 'x'
	printf ' NEEDLE\n2026-03-01 10:00:01 INFO m: NEEDLE\nEND\nexpect-events = needle 1\n'
} > "$T/cut/c.rules"
check_rc "rules test: a scenario's overlong line is cut at 1 MiB" 0 \
    $LT rules test --no-default-rules --rules "$T/cut"
check_contains "rules test: the overlong scenario ran" "$T/out" \
    "0 examples, 0 counter-examples, 1 scenarios: 0 failed"
