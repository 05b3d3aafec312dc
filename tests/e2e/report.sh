# report.sh - `logtriage report` on a fixed store (tests/golden/fixture.sql):
# golden text, markdown and json, a strict prometheus check, the html
# rendered by headless Chromium, comparisons, and the exit statuses cron
# relies on.
. "$TOP/tests/e2e/lib.sh"

G=$TOP/tests/golden
DB=$T/fixture.db
sqlite3 "$DB" < "$TOP/schema.sql"
sqlite3 "$DB" < "$G/fixture.sql"
W="--since 2025-10-25T23:00:00Z --until 2025-10-26T01:00:00Z"

# shellcheck disable=SC2086
check_rc "text report exits 0" 0 $LT report --db "$DB" $W
cp "$T/out" "$T/report.txt"
check_golden "text report" "$G/report.txt" "$T/report.txt"
check_contains "text escapes control bytes from keys" "$T/report.txt" '<b>x</b>\e[2J'
if grep -q "$(printf '\033')" "$T/report.txt"; then
	not_ok "no raw ESC in text output"
else
	ok "no raw ESC in text output"
fi

$LT report --db "$DB" $W --format markdown > "$T/report.md"
check_golden "markdown report" "$G/report.md" "$T/report.md"
check_contains "markdown escapes html in keys" "$T/report.md" '\<b\>x\</b\>\\e\[2J'

$LT report --db "$DB" $W --format json > "$T/report.json"
check_golden "json report" "$G/report.json" "$T/report.json"
check_eq "json parses, schema 1, p95 of kimi" "1 30000 6527.600 5" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
g = d["metrics"]["response-time"]["groups"]["kimi-k2-0905-preview"]
print(d["schema"], g["p95"], "%.3f" % g["mean"], d["links"]["fallback"]["by"]["kimi-k2-0905-preview"])
' "$T/report.json")"

$LT report --db "$DB" $W --compare previous --format markdown > "$T/compare.md"
check_golden "markdown comparison with the previous window" "$G/report-compare.md" "$T/compare.md"
check_contains "comparison shows kimi p95 before and after" "$T/compare.md" \
    "| kimi-k2-0905-preview | 9.96 s → 6.53 s (-3.43 s, -34%) | 46.1 s → 30 s (-16.1 s, -35%) |"
$LT report --db "$DB" $W --baseline 2025-10-25T22:00:00Z..2025-10-25T23:00:00Z \
    --format json > "$T/baseline.json"
check_eq "json carries the baseline window whole" \
    "2025-10-25T22:00:00.000Z 30 12 1" "$(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["baseline"]
print(b["window"]["since"], b["rules"]["ws-keepalive-1011"]["count"],
    b["rules"]["semaphore-leak"]["count"], len(b["incidents"]))
' "$T/baseline.json")"
$LT report --db "$DB" $W --baseline 2025-10-25T22:00:00Z..2025-10-25T23:00:00Z > "$T/cmp.txt"
check_contains "text comparison of rule counts" "$T/cmp.txt" \
    "ws-keepalive-1011            websocket  warning        25  30 → 25 (-5, -17%)"

$LT report --db "$DB" $W --format json --source 'red*' > "$T/redis.json"
check_eq "--source glob filters every part" "redis 12 0 0" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(d["sources"]), d["rules"]["python-traceback"]["count"],
    d["rules"]["response-time"]["count"], len(d["incidents"]))
' "$T/redis.json")"

check_rc "prometheus written with -o" 0 $LT report --db "$DB" $W --format prometheus -o "$T/lt.prom"
check_rc "prometheus output passes the strict checker" 0 python3 "$TOP/tests/tools/promcheck.py" "$T/lt.prom"
check_contains "prometheus sample count" "$T/out" "33 samples"
check_contains "prometheus latency quantile, in seconds" "$T/lt.prom" \
    'logtriage_duration_seconds{rule="response-time",group="kimi-k2-0905-preview",quantile="0.95"} 30'
check_contains "prometheus latency sum, in seconds, shortest form" "$T/lt.prom" \
    'logtriage_duration_seconds_sum{rule="response-time",group="glm-4.6"} 40.095'
check_contains "prometheus sub-second quantile keeps its digits" "$T/lt.prom" \
    'logtriage_duration_seconds{rule="response-time",group="glm-4.6",quantile="0.5"} 1.318'
check_contains "prometheus family typed as a summary in seconds" "$T/lt.prom" \
    '# TYPE logtriage_duration_seconds summary'
check_contains "prometheus incidents" "$T/lt.prom" \
    'logtriage_incidents_total{kind="storm",rule="ws-keepalive-1011"} 1'
check_eq "-o leaves no temporary file" "lt.prom" "$(cd "$T" && ls lt.prom*)"
printf '# HELP a_total x\n# TYPE a_total counter\na_total{l="\\q"} 1\n' > "$T/bad.prom"
check_rc "the checker rejects a bad escape" 1 python3 "$TOP/tests/tools/promcheck.py" "$T/bad.prom"

$LT report --db "$DB" $W --format html -o "$T/report.html"
check_not_contains "html links to nothing" "$T/report.html" "href="
check_not_contains "html loads nothing" "$T/report.html" "src="
check_not_contains "html has no script" "$T/report.html" "<script"
check_contains "html escapes keys" "$T/report.html" "&lt;b&gt;x&lt;/b&gt;"
if command -v chromium > /dev/null 2>&1; then
	sh "$TOP/tests/tools/htmlcheck.sh" "$T/report.html" "$T/shot.png" > "$T/dom.html" 2> "$T/chromium.err"
	check_contains "chromium DOM has the hourly chart" "$T/dom.html" 'id="chart-hourly"'
	check_contains "chromium DOM has the latency chart" "$T/dom.html" 'id="chart-latency"'
	check_contains "chromium DOM has the storm timeline" "$T/dom.html" 'id="chart-storms"'
	check_contains "chromium DOM has the event count" "$T/dom.html" '<span id="events">123</span>'
	check_contains "chromium DOM has kimi p95" "$T/dom.html" 'p95 30 s'
	check_contains "chromium DOM has the storm finding" "$T/dom.html" \
	    'ws-keepalive-1011 storm from 172.18.0.1 on exai-mcp-daemon: 25 events in 2 min'
	check_eq "chromium wrote a PNG screenshot" "PNG" \
	    "$(head -c 4 "$T/shot.png" 2>/dev/null | tail -c 3)"
else
	ok "html rendered by chromium # SKIP chromium not installed"
fi

check_rc "--fail-on warning with storms exits 1" 1 $LT report --db "$DB" $W --fail-on warning
check_rc "--fail-on critical exits 0" 0 $LT report --db "$DB" $W --fail-on critical
check_rc "empty window exits 0" 0 $LT report --db "$DB" --since 2025-10-20T00:00:00Z \
    --until 2025-10-21T00:00:00Z --fail-on warning
check_eq "empty window prints one line" \
    "logtriage: no events between 2025-10-20T00:00:00.000Z and 2025-10-21T00:00:00.000Z" \
    "$(cat "$T/out")"
$LT report --db "$DB" --since 2025-10-20T00:00:00Z --until 2025-10-21T00:00:00Z \
    --format json > "$T/empty.json" 2> /dev/null
check_eq "empty window json is a document" "1 0 10" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["schema"], len(d["sources"]), len(d["rules"]))
' "$T/empty.json")"
sqlite3 "$T/empty.db" < "$TOP/schema.sql"
sqlite3 "$T/empty.db" "PRAGMA user_version = 1"
check_rc "empty database exits 0" 0 $LT report --db "$T/empty.db"
check_eq "empty database line" "logtriage: no events in the database" "$(cat "$T/out")"
check_rc "unknown option exits 2" 2 $LT report --db "$DB" --bogus
check_rc "--since yesterday-ish exits 2" 2 $LT report --db "$DB" --since yesterday-ish
check_rc "bad --fail-on level exits 2" 2 $LT report --db "$DB" --fail-on loud
check_rc "bad --format exits 2" 2 $LT report --db "$DB" --format pdf
check_rc "bad --baseline exits 2" 2 $LT report --db "$DB" --baseline 2025-10-25
printf 'this is not a database, just text that goes on and on and on and on and on and on and on and on and on and on\n' > "$T/junk.db"
check_rc "unreadable database exits 3" 3 $LT report --db "$T/junk.db"
check_rc "missing database exits 3" 3 $LT report --db "$T/nope.db"

# The whole pipeline on samples/: ingest, then the cron checks.
$LT ingest --db "$T/samples.db" --rules "$TOP/rules" "$TOP"/samples/*.log 2> "$T/ingest.err"
check_rc "samples: --fail-on warning exits 1 (a storm)" 1 $LT report --db "$T/samples.db" --fail-on warning
check_contains "samples: the storm from 172.18.0.1 is a finding" "$T/out" \
    "ws-keepalive-1011 storm from 172.18.0.1 on exai-daemon.log: 26 events in 50 s"
check_rc "samples: a window without events exits 0" 0 $LT report --db "$T/samples.db" \
    --since 2020-01-01 --until 2020-01-02 --fail-on warning
$LT report --db "$T/samples.db" --format prometheus > "$T/samples.prom"
check_rc "samples: prometheus passes the strict checker" 0 python3 "$TOP/tests/tools/promcheck.py" "$T/samples.prom"
