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

check_not_contains "text leaves out rules without events" "$T/report.txt" "semaphore-health"
# shellcheck disable=SC2086
$LT report --db "$DB" $W --all > "$T/all.txt"
check_golden "text report with --all: every rule, as before" "$G/report-all.txt" "$T/all.txt"
check_contains "--all lists the rule without events" "$T/all.txt" \
    "semaphore-health             semaphore  info            0"
# shellcheck disable=SC2086
$LT report --db "$DB" $W --compare previous > "$T/compare.txt"
check_golden "text comparison: only what changed" "$G/report-compare.txt" "$T/compare.txt"
check_contains "comparison: one line for the unchanged rules" "$T/compare.txt" "  1 rule unchanged"
check_not_contains "comparison: no 0 → 0 rows" "$T/compare.txt" "0 → 0"
check_not_contains "comparison: an unchanged storm count is left out" "$T/compare.txt" "storms:"
# shellcheck disable=SC2086
$LT report --db "$DB" $W --compare previous --all > "$T/compare-all.txt"
check_contains "comparison --all: the idle rule and the storm count" "$T/compare-all.txt" \
    "semaphore-health             semaphore  info            0  0 → 0 (+0, +0%)"
check_contains "comparison --all: storms unchanged shown" "$T/compare-all.txt" \
    "  storms:  1 → 1 (+0, +0%)"

# 17 more unresolved leaks of one (rule, source) and four more sources:
# the incidents grouped, the sources summarised.
cp "$DB" "$T/many.db"
sqlite3 "$T/many.db" < "$TOP/tests/fixtures/report/many.sql"
# shellcheck disable=SC2086
$LT report --db "$T/many.db" $W > "$T/many.txt"
check_contains "sources summarised: count and the three busiest" "$T/many.txt" \
    "sources: 6 sources, busiest: exai-mcp-daemon (111), redis (12), api-1 (7)"
check_contains "incidents grouped: one line with the count and the first three" "$T/many.txt" \
    "  unresolved semaphore-leak           exai-mcp-daemon  ×18              2025-10-26T00:02:00.000Z 32 min 18 events; first: req-01, req-02, req-03, …"
check_eq "incidents grouped: three incident lines" "3" \
    "$(sed -n '/^Incidents/,/^$/p' "$T/many.txt" | grep -c '^  [a-z]')"
# shellcheck disable=SC2086
$LT report --db "$T/many.db" $W --all > "$T/many-all.txt"
check_eq "--all: every unresolved leak on a line" "18" \
    "$(grep -c '^  unresolved semaphore-leak' "$T/many-all.txt")"
check_contains "--all: every source named" "$T/many-all.txt" \
    "sources: api-1, api-2, api-3, exai-mcp-daemon, redis, worker"
# shellcheck disable=SC2086
$LT report --db "$T/many.db" $W --format markdown > "$T/many.md"
check_contains "markdown: grouped incidents" "$T/many.md" \
    "| unresolved | semaphore-leak | exai-mcp-daemon | ×18 | req-01, req-02, req-03, … | 2025-10-26T00:02:00.000Z | 32 min | 18 | - |"
check_contains "markdown: sources summarised" "$T/many.md" \
    "- sources: 6 sources, busiest: exai-mcp-daemon (111), redis (12), api-1 (7)"
# shellcheck disable=SC2086
$LT report --db "$T/many.db" $W --format json > "$T/many.json"
check_eq "json keeps every incident and source, and adds the groups" \
    "20 6 unresolved 18 18 req-01,req-02,req-03" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
g = [x for x in d["incident_groups"] if x["kind"] == "unresolved"][0]
print(len(d["incidents"]), len(d["sources"]), g["kind"], g["incidents"], g["count"], ",".join(g["first"]))
' "$T/many.json")"

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
check_golden "prometheus report" "$G/report.prom" "$T/lt.prom"
check_rc "prometheus output passes the strict checker" 0 python3 "$TOP/tests/tools/promcheck.py" "$T/lt.prom"
check_contains "prometheus sample count" "$T/out" "66 samples"
if command -v promtool > /dev/null 2>&1; then
	check_rc "promtool check metrics accepts the exposition" 0 \
	    sh -c 'promtool check metrics < "$1"' sh "$T/lt.prom"
else
	ok "promtool check metrics # SKIP promtool not installed"
fi
check_contains "prometheus counts every stored event, not the window" "$T/lt.prom" \
    'logtriage_events_total{rule="response-time",category="latency",source="exai-mcp-daemon"} 60'
check_contains "prometheus window counts are gauges" "$T/lt.prom" \
    'logtriage_window_events{rule="response-time",category="latency",source="exai-mcp-daemon"} 50'
check_eq "prometheus writes no zero event series" "" \
    "$(grep '^logtriage_\(window_\)\?events' "$T/lt.prom" | grep ' 0$')"
check_contains "prometheus latency histogram" "$T/lt.prom" \
    'logtriage_latency_seconds_bucket{rule="response-time",group="kimi-k2-0905-preview",le="30"} 28'
check_contains "prometheus window percentile" "$T/lt.prom" \
    'logtriage_window_latency_seconds{rule="response-time",group="kimi-k2-0905-preview",percentile="95"} 30'
check_contains "prometheus storms open" "$T/lt.prom" \
    'logtriage_storms_open{rule="ws-keepalive-1011",source="exai-mcp-daemon"} 1'
check_contains "prometheus unresolved leaks" "$T/lt.prom" \
    'logtriage_unresolved{rule="semaphore-leak",source="exai-mcp-daemon"} 1'
$LT report --db "$DB" --since 2025-10-20T00:00:00Z --until 2025-10-21T00:00:00Z \
    --format prometheus > "$T/empty.prom" 2> /dev/null
check_eq "prometheus counters do not depend on the window" \
    "$(grep '^logtriage_events_total' "$T/lt.prom")" "$(grep '^logtriage_events_total' "$T/empty.prom")"
check_eq "an empty window writes no window gauges" "" "$(grep '^logtriage_window' "$T/empty.prom")"
check_contains "prometheus latency sum, in seconds, exact" "$T/lt.prom" \
    'logtriage_latency_seconds_sum{rule="response-time",group="glm-4.6"} 40.095'
check_contains "prometheus sub-second percentile keeps its digits" "$T/lt.prom" \
    'logtriage_window_latency_seconds{rule="response-time",group="glm-4.6",percentile="50"} 1.318'
check_contains "prometheus duration family typed as a histogram in seconds" "$T/lt.prom" \
    '# TYPE logtriage_latency_seconds histogram'
check_eq "-o leaves no temporary file" "lt.prom" "$(cd "$T" && ls lt.prom*)"
printf '# HELP a_total x\n# TYPE a_total counter\na_total{l="\\q"} 1\n' > "$T/bad.prom"
check_rc "the checker rejects a bad escape" 1 python3 "$TOP/tests/tools/promcheck.py" "$T/bad.prom"

$LT report --db "$DB" $W --format html -o "$T/report.html"
check_not_contains "html links to nothing" "$T/report.html" "href="
check_not_contains "html loads nothing" "$T/report.html" "src="
check_not_contains "html has no script" "$T/report.html" "<script"
check_contains "html escapes keys" "$T/report.html" "&lt;b&gt;x&lt;/b&gt;"
# shellcheck disable=SC2086
$LT report --db "$T/many.db" $W --format html -o "$T/many-raw.html"
check_not_contains "html escapes group names in text and attributes" "$T/many-raw.html" '<i>'
check_contains "html: the escaped group name in an attribute" "$T/many-raw.html" \
    'data-group="&lt;i&gt;&quot;q&quot;&lt;/i&gt;"'
check_not_contains "html with every chart still has no script" "$T/many-raw.html" "<script"
check_not_contains "html with every chart still loads nothing" "$T/many-raw.html" "href="
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
	HC="python3 $TOP/tests/tools/htmlcharts.py"
	# a band per severity on its own scale: the 12 errors an hour reach
	# the top of theirs as the 56 info events do of theirs
	check_eq "html: a band per severity, fixed colours, each on its own scale" \
	    "error #e15759 56.0 1|warning #f28e2b 56.0 2|notice #59a14f 56.0 1|info #4e79a7 56.0 2" \
	    "$($HC "$T/dom.html" bands | tr '\n' '|' | sed 's/|$//')"
	check_eq "html: fixed category colours" \
	    "error #d62728|latency #1f77b4|semaphore #8c564b|timeout #ff7f0e|websocket #9467bd" \
	    "$($HC "$T/dom.html" categories | tr '\n' '|' | sed 's/|$//')"
	check_eq "html: time axis ticks with dates where the day changes" \
	    "10-25 23:00|10-26 00:00|01:00" "$($HC "$T/dom.html" ticks | tr '\n' '|' | sed 's/|$//')"
	check_eq "html: incident bands on the timeline" \
	    "incident-open 1|incident-storm 1|incident-unresolved 1" \
	    "$($HC "$T/dom.html" incidents | tr '\n' '|' | sed 's/|$//')"
	check_eq "html: latency over time, p50 and p95 per model" \
	    "response-time groups=glm-4.6,kimi-k2-0905-preview p95=2 p50=2 points=3 baseline=none" \
	    "$($HC "$T/dom.html" latency)"
	check_eq "html: no chart label runs out of its chart" "none" "$($HC "$T/dom.html" clipped)"
	check_eq "html: no two chart labels overlap" "none" "$($HC "$T/dom.html" overlaps)"
	check_eq "html: each metric's percentiles under its rule's name" "response-time" \
	    "$(grep -o '<text[^>]*class="label metric-rule">[^<]*' "$T/dom.html" | sed 's/.*>//' | tr '\n' '|' | sed 's/|$//')"
	# shellcheck disable=SC2086
	$LT report --db "$DB" $W --compare previous --format html -o "$T/compare.html"
	sh "$TOP/tests/tools/htmlcheck.sh" "$T/compare.html" "$T/compare.png" > "$T/compare-dom.html" 2> "$T/chromium.err"
	check_eq "html comparison: the baseline window shaded on the latency chart" \
	    "response-time groups=glm-4.6,kimi-k2-0905-preview p95=2 p50=2 points=4 baseline=160-610" \
	    "$($HC "$T/compare-dom.html" latency)"
	check_contains "html comparison: the unchanged rules in one line" "$T/compare-dom.html" \
	    '<p id="rules-unchanged">1 rule unchanged.</p>'
	# a window of years: at most eight ticks, dated with their year
	$LT report --db "$DB" --since 2022-01-01 --until 2025-10-27 --format html -o "$T/years.html"
	sh "$TOP/tests/tools/htmlcheck.sh" "$T/years.html" "$T/years.png" > "$T/years-dom.html" 2> "$T/chromium.err"
	check_eq "html: a window of years has eight ticks at most, each with its year" \
	    "2022-01-20|2022-08-04|2023-02-16|2023-08-31|2024-03-14|2024-09-26|2025-04-10|2025-10-23" "$($HC "$T/years-dom.html" ticks | tr '\n' '|' | sed 's/|$//')"
	check_eq "html: a window of years: no chart label runs out of its chart" "none" \
	    "$($HC "$T/years-dom.html" clipped)"
	# redis alone: its only category keeps its colour, its only severity band
	# keeps the error colour, whatever else the window holds
	$LT report --db "$DB" $W --source redis --format html -o "$T/redis.html"
	sh "$TOP/tests/tools/htmlcheck.sh" "$T/redis.html" "$T/redis.png" > "$T/redis-dom.html" 2> "$T/chromium.err"
	check_eq "html: the same colours in another report" "error #e15759 56.0 1|error #d62728" \
	    "$($HC "$T/redis-dom.html" bands)|$($HC "$T/redis-dom.html" categories)"
	$LT report --db "$T/many.db" $W --format html -o "$T/many.html"
	sh "$TOP/tests/tools/htmlcheck.sh" "$T/many.html" "$T/many.png" > "$T/many-dom.html" 2> "$T/chromium.err"
	check_eq "html: a large value's label and a long name fit their chart" "none" \
	    "$($HC "$T/many-dom.html" clipped)"
	check_eq "html: every chart: no two labels overlap" "none" "$($HC "$T/many-dom.html" overlaps)"
	check_contains "html: a category without a fixed colour takes a stable spare one" \
	    "$T/many-dom.html" 'fill="#7f7f7f" data-category="usage"'
	check_contains "html: a long group name is cut with an ellipsis" "$T/many-dom.html" \
	    '>a-very-long-model-name-that-…</text>'
	check_contains "html: grouped incidents" "$T/many-dom.html" \
	    '<td class="n">×18</td><td>req-01, req-02, req-03, …</td>'
	check_eq "html: a metric in tokens charted per hour too" \
	    'token-usage groups=<i>"q"</i>,a-very-long-model-name-that-goes-on-and-on-2025-10-25 p95=2 p50=2 points=4 baseline=none' \
	    "$($HC "$T/many-dom.html" latency | grep token-usage)"
	check_eq "chromium wrote the screenshots" "PNG PNG PNG" \
	    "$(for f in compare redis many; do head -c 4 "$T/$f.png" | tail -c 3; echo; done | tr '\n' ' ' | sed 's/ $//')"
else
	ok "html rendered by chromium # SKIP chromium not installed"
fi

check_rc "--fail-on warning with storms exits 1" 1 $LT report --db "$DB" $W --fail-on warning
check_rc "--fail-on critical exits 0" 0 $LT report --db "$DB" $W --fail-on critical
check_rc "empty window exits 0" 0 $LT report --db "$DB" --since 2025-10-20T00:00:00Z \
    --until 2025-10-21T00:00:00Z --fail-on warning
check_eq "empty window prints one line naming the newest stored record" \
    "logtriage: no events between 2025-10-20T00:00:00.000Z and 2025-10-21T00:00:00.000Z; the newest stored record is 2025-10-26T00:26:00.000Z: try --since 2025-10-25T00:27:00.000Z --until 2025-10-26T00:27:00.000Z" \
    "$(cat "$T/out")"
check_rc "the suggested window is not empty" 0 $LT report --db "$DB" \
    --since 2025-10-25T00:27:00.000Z --until 2025-10-26T00:27:00.000Z
check_contains "the suggested window holds the newest record's rule" "$T/out" \
    "semaphore-leak               semaphore  warning        22"
check_rc "empty window after the data, open end: exits 0" 0 $LT report --db "$DB" \
    --since 2025-11-01T00:00:00Z
check_contains "open-ended empty window: the hint gives --since alone" "$T/out" \
    "; the newest stored record is 2025-10-26T00:26:00.000Z: try --since "
check_not_contains "open-ended empty window: no --until in the hint" "$T/out" "--until"
check_rc "empty window of a source without events: exits 0" 0 $LT report --db "$DB" \
    --source nope --since 2025-10-20T00:00:00Z --until 2025-10-21T00:00:00Z
check_eq "a source without events: no hint" \
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
if command -v promtool > /dev/null 2>&1; then
	check_rc "samples: promtool check metrics accepts the exposition" 0 \
	    sh -c 'promtool check metrics < "$1"' sh "$T/samples.prom"
	check_contains "samples: the last ingest time is exposed" "$T/samples.prom" \
	    "logtriage_last_ingest_timestamp_seconds "
	check_contains "samples: the newest log time is exposed" "$T/samples.prom" \
	    "logtriage_last_log_timestamp_seconds $(sql "$T/samples.db" "SELECT max(last_ts) / 1000 FROM sources")"
else
	ok "samples: promtool check metrics # SKIP promtool not installed"
fi

# --- -o: the umask for a new file, an existing file's mode kept, no write
# through a symbolic link, "-" is standard output.
O=$T/out-mode
mkdir -p "$O"
check_rc "-o under umask 027 exits 0" 0 sh -c "umask 027; exec $LT report --db '$DB' $W -o '$O/new.txt'"
check_eq "-o: a new file gets 0666 less the umask" "640" "$(stat -c %a "$O/new.txt")"
printf 'old\n' > "$O/private.txt"
chmod 600 "$O/private.txt"
check_rc "-o over a 0600 file exits 0" 0 $LT report --db "$DB" $W -o "$O/private.txt"
check_eq "-o: an existing file keeps its mode 0600" "600" "$(stat -c %a "$O/private.txt")"
check_eq "-o: and holds the report" "$(cat "$T/report.txt")" "$(cat "$O/private.txt")"
printf 'target\n' > "$O/target.txt"
ln -s target.txt "$O/link.txt"
check_rc "-o through a symbolic link exits 3" 3 $LT report --db "$DB" $W -o "$O/link.txt"
check_contains "-o symbolic link: says why" "$T/err" "link.txt: a symbolic link: not written through and not replaced"
check_eq "-o symbolic link: link and target unchanged" "target.txt target" \
    "$(readlink "$O/link.txt") $(cat "$O/target.txt")"
mkfifo "$O/fifo"
check_rc "-o onto a FIFO exits 3" 3 $LT report --db "$DB" $W -o "$O/fifo"
check_contains "-o FIFO: not a regular file" "$T/err" "fifo: not a regular file"
check_rc "-o - exits 0" 0 sh -c "cd '$O' && exec $LT report --db '$DB' $W -o -"
check_eq "-o -: the report on standard output" "$(cat "$T/report.txt")" "$(cat "$T/out")"
check_eq "-o -: no file named -, no temporary left" "fifo link.txt new.txt private.txt target.txt" \
    "$(cd "$O" && ls | tr '\n' ' ' | sed 's/ $//')"

# --- hostile cardinality: a compose prefix per line, 20000 models, 20000
# storm peers, 5000 fallback models.  Counts are exact (the 45001 names
# are 2048 sources and the input's other sources, INGEST_SOURCES_MAX), and
# the cost grows linearly: CPU seconds of a quarter of the input against
# the whole, where a linear search per value made it quadratic (7x for
# ingest, 11x for the report of the models, measured before the hash
# lookups; 3x and 2x after).
# Under the sanitizers the 45k-source corpus takes many minutes and the
# cost ratios mean nothing: the plain build runs these checks.
if [ "${BUILD:-build}" = build-san ]; then
	ok "cardinality checks # SKIP the sanitizer build (the plain build runs them)"
else
C=$T/card
mkdir -p "$C"
# card K: the corpus divided by K
card() {
	awk -v k="$1" '
	function t(i) { return sprintf("2025-10-%02d %02d:%02d:%02d", 1 + int(i / 86400), int(i / 3600) % 24, int(i / 60) % 60, i % 60) }
	BEGIN {
		for (i = 0; i < 20000 / k; i++)
			printf "m-%d  | %s INFO tools.chat: Completed: {\047model\047: \047m-%d\047, \047ai_response_time_ms\047: %d}\n", i, t(i), i, 100 + i
		for (i = 0; i < 20000 / k; i++)
			printf "p-%d  | %s WARNING src.monitoring.resilient_websocket: Connection closed for 10.%d.%d.%d:1: sent 1011 (internal error) keepalive ping timeout\n", i, t(20000 + i), int(i / 65536) % 256, int(i / 256) % 256, i % 256
		for (i = 0; i < 5000 / k; i++) {
			printf "fb-%d  | %s ERROR src.providers.mixins.retry_mixin: OpenAI Compatible chat completion for fm-%d error after 2 attempts: Request timed out.\n", i, t(40000 + 2 * i), i
			printf "fb-%d  | %s WARNING src.tools.chat: Explicit model call failed; entering fallback chain: retry for fm-%d error after 2 attempts: Request timed out.\n", i, t(40001 + 2 * i), i
		}
		for (i = 0; i < 25; i++)
			printf "web  | %s WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.9:%d: sent 1011 (internal error) keepalive ping timeout\n", t(50000 + 2 * i), 40000 + i
	}'
}
# models N: N distinct models of one source
models() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "2025-10-%02d %02d:%02d:%02d INFO tools.chat: Completed: {\047model\047: \047m-%d\047, \047ai_response_time_ms\047: %d}\n", 1 + int(i / 86400), int(i / 3600) % 24, int(i / 60) % 60, i % 60, i, 100 + i }'
}
# cpu CMD...: user + system seconds of CMD (its output is dropped)
cpu() {
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))' "$@"
}
card 1 > "$C/all.log"
card 4 > "$C/quarter.log"
models 50000 > "$C/m4.log"
models 12500 > "$C/m1.log"
ci1=$(cpu $LT ingest -q --db "$C/quarter.db" --rules "$TOP/rules" "$C/quarter.log")
ci4=$(cpu $LT ingest -q --db "$C/all.db" --rules "$TOP/rules" "$C/all.log")
$LT ingest -q --db "$C/m1.db" --rules "$TOP/rules" "$C/m1.log"
$LT ingest -q --db "$C/m4.db" --rules "$TOP/rules" "$C/m4.log"
cr1=$(cpu $LT report --db "$C/m1.db" --format json)
cr4=$(cpu $LT report --db "$C/m4.db" --format json)
check_rc "cardinality: report exits 0" 0 $LT report --db "$C/all.db" --format json
check_eq "cardinality: exact counts of sources, events, groups, links, storms" \
    "sources 2049; rules fallback=5000 provider-timeout=5000 response-time=20000 ws-keepalive-1011=20025; groups 20000 of 1; fallback linked 5000 unlinked 0 to provider-timeout 5000, by 5000 of 1; incidents storm 25" \
    "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
g = d["metrics"]["response-time"]["groups"]
l = d["links"]["fallback"]
print("sources %d; rules %s; groups %d of %s; fallback linked %d unlinked %d to provider-timeout %d, by %d of %s; incidents %s" % (
    len(d["sources"]),
    " ".join("%s=%d" % (k, v["count"]) for k, v in sorted(d["rules"].items()) if v["count"]),
    len(g), ",".join(sorted(set(str(x["count"]) for x in g.values()))),
    l["linked"], l["unlinked"], l["targets"]["provider-timeout"], len(l["by"]),
    ",".join(sorted(set(str(v) for v in l["by"].values()))),
    " ".join("%s %d" % (i["kind"], i["count"]) for i in d["incidents"])))
' "$T/out")"
check_eq "cardinality: every source stored once" "2049 2049" \
    "$(sql "$C/all.db" "SELECT count(*), count(DISTINCT name) FROM sources" | tr "|" " ")"
check_eq "cardinality: ingest 4x the distinct values costs under 5x ($ci1 s, $ci4 s)" "1" \
    "$(awk -v a="$ci1" -v b="$ci4" 'BEGIN { print (b < 5 * a) }')"
check_eq "cardinality: report 4x the models costs under 6x ($cr1 s, $cr4 s)" "1" \
    "$(awk -v a="$cr1" -v b="$cr4" 'BEGIN { print (b < 6 * a) }')"
check_eq "cardinality: one row of ordinal state per source" "2049 2049" \
    "$(sql "$C/all.db" "SELECT count(*), count(DISTINCT source_id) FROM input_ordinals" | tr "|" " ")"
# The ordinal state at scale: 20000 names, each line twice in its second
# with the 99 other names of the second between; split in the middle of
# a second.  The first run commits every 8192 events, each commit saving
# the state of the sources it changed; the second run continues each
# source's ordinals from it, so no second line is taken for the first.
# Past the first 2048 names the records are the other sources', 200
# identical ones a second; the second run, the same file grown, keeps
# the 2048 of the first and stores the rest as the same other sources.
awk 'BEGIN { for (s = 0; s < 200; s++) for (k = 0; k < 2; k++) for (i = 0; i < 100; i++)
	printf "o-%d  | 2025-10-01 00:%02d:%02d WARNING src.monitoring.resilient_websocket: Connection closed for 10.0.0.1:1: sent 1011 (internal error) keepalive ping timeout\n", 100 * s + i, int(s / 60), s % 60 }' > "$C/ord.log"
$LT ingest -q --db "$C/ordw.db" --rules "$TOP/rules" "$C/ord.log"
mkdir "$C/split"
head -n 30050 "$C/ord.log" > "$C/split/ord.log"
$LT ingest -q --db "$C/ords.db" --rules "$TOP/rules" "$C/split/ord.log"
tail -n +30051 "$C/ord.log" >> "$C/split/ord.log"
$LT ingest -q --db "$C/ords.db" --rules "$TOP/rules" "$C/split/ord.log"
ord_events() { sql "$1" "SELECT s.name, e.ts, e.ordinal FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY 1, 2, 3" | md5sum; }
check_eq "cardinality: a split ingest of 20000 names stores 40000 events, of 2049 sources, ordinals 0 to 199, the second run resumed" \
    "40000|2049|0|199|1" \
    "$(sql "$C/ords.db" "SELECT count(*) || '|' || count(DISTINCT source_id) || '|' || min(ordinal) || '|' || max(ordinal) FROM events_all")|$(sql "$C/ords.db" "SELECT count(*) FROM ingests WHERE skipped_bytes > 0")"
check_eq "cardinality: ... the events of one whole ingest" "$(ord_events "$C/ordw.db")" "$(ord_events "$C/ords.db")"
fi

# --- prometheus: control bytes in a label value are written as \xNN text,
# so kimi\x01, kimi\x02 and the literal text kimi\x01 stay three series.
P=$T/prom
mkdir -p "$P"
printf "2025-10-25 23:41:07 INFO tools.chat: Completed: {'model': 'kimi\001', 'ai_response_time_ms': 100}\n2025-10-25 23:41:08 INFO tools.chat: Completed: {'model': 'kimi\002', 'ai_response_time_ms': 200}\n2025-10-25 23:41:09 INFO tools.chat: Completed: {'model': 'kimi\\\\x01', 'ai_response_time_ms': 300}\n" > "$P/ctl.log"
$LT ingest -q --db "$P/ctl.db" --rules "$TOP/rules" "$P/ctl.log"
check_rc "prometheus with control bytes exits 0" 0 $LT report --db "$P/ctl.db" --format prometheus -o "$P/ctl.prom"
check_rc "prometheus with control bytes passes the strict checker" 0 python3 "$TOP/tests/tools/promcheck.py" "$P/ctl.prom"
check_eq "prometheus: three distinct series for three distinct models" \
    'group="kimi\\x01"} 1|group="kimi\\x02"} 1|group="kimi\\\\x01"} 1' \
    "$(grep '^logtriage_latency_seconds_count' "$P/ctl.prom" | sed 's/.*,group=/group=/' | tr '\n' '|' | sed 's/|$//')"

# --- --source: a value that names a source selects that source alone; a
# value naming none is a shell glob.
S=$T/srcname
mkdir -p "$S"
L='2025-10-25 23:32:00 WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.1:54646: sent 1011 (internal error) keepalive ping timeout'
for f in 'app[1].log' app1.log app2.log; do echo "$L" > "$S/$f"; done
(cd "$S" && $LT ingest -q --db s.db 'app[1].log' app1.log app2.log)
srcs() { python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["sources"]))'; }
check_eq "--source 'app[1].log': that source, not a glob" "app[1].log" \
    "$($LT report --db "$S/s.db" --source 'app[1].log' --format json | srcs)"
check_eq "--source 'app[12].log': no such source, a glob" "app1.log app2.log" \
    "$($LT report --db "$S/s.db" --source 'app[12].log' --format json | srcs)"
check_eq "--source 'app*': a glob" "app1.log app2.log app[1].log" \
    "$($LT report --db "$S/s.db" --source 'app*' --format json | srcs)"
check_eq "events --source 'app[1].log': that source only" "app[1].log" \
    "$($LT events --db "$S/s.db" --source 'app[1].log' --format tsv | cut -f2 | tr '\n' ' ' | sed 's/ $//')"
check_eq "events --source 'app[12].log': a glob" "app1.log app2.log" \
    "$($LT events --db "$S/s.db" --source 'app[12].log' --format tsv | cut -f2 | sort | tr '\n' ' ' | sed 's/ $//')"

# the format table: names and aliases, its listing in --help and errors,
# and each format's rule for an empty window
check_rc "--format yaml: a usage error" 2 $LT report --db "$DB" --format yaml
check_eq "--format yaml: the message lists the formats" \
    "logtriage: unknown format 'yaml' (text, markdown, json, html, prometheus)" \
    "$(cat "$T/err")"
check_eq "--help lists the formats" \
    "  --format FMT          text, markdown, json, html or prometheus" \
    "$($LT report --help | grep -e '^  --format FMT')"
# shellcheck disable=SC2086
check_eq "--format md is markdown" "$($LT report --db "$DB" $W --format markdown | md5sum)" \
    "$($LT report --db "$DB" $W --format md | md5sum)"
# shellcheck disable=SC2086
check_eq "--format prom is prometheus" \
    "$($LT report --db "$DB" $W --format prometheus | grep -v '^logtriage_report_' | md5sum)" \
    "$($LT report --db "$DB" $W --format prom | grep -v '^logtriage_report_' | md5sum)"
E="--since 2025-10-20T00:00:00Z --until 2025-10-21T00:00:00Z"
for f in text markdown; do
	# shellcheck disable=SC2086
	check_rc "empty window, $f: exits 0" 0 $LT report --db "$DB" $E --format $f
	check_eq "empty window, $f: the note alone on stdout" 1 "$(wc -l < "$T/out")"
	check_eq "empty window, $f: nothing on stderr" "" "$(cat "$T/err")"
done
for f in json html prometheus; do
	# shellcheck disable=SC2086
	check_rc "empty window, $f: exits 0" 0 $LT report --db "$DB" $E --format $f
	check_contains "empty window, $f: the note on stderr" "$T/err" "logtriage: no events between"
	check_not_contains "empty window, $f: no note in the report" "$T/out" "logtriage: no events"
done

# A by-field with a value per event: the text, markdown, html and
# prometheus reports show the 100 busiest groups and say how many more
# there are; --all and the json report show every one.
i=0
: > "$T/groups.log"
while [ $i -lt 103 ]; do
	printf "2025-10-25 23:%02d:%02d INFO app: {'model': 'm-%03d', 'ai_response_time_ms': %d}\n" \
	    $((i / 60)) $((i % 60)) $i $((100 + i)) >> "$T/groups.log"
	i=$((i + 1))
done
printf "2025-10-25 23:59:00 INFO app: {'model': 'm-102', 'ai_response_time_ms': 900}\n" >> "$T/groups.log"
MDB="$T/groups.db"
check_rc "many groups: ingest" 0 $LT ingest -q --db "$MDB" "$T/groups.log"
MORE="... 3 more groups (3 values): report --all or --format json lists every one"
check_rc "many groups: text" 0 $LT report --db "$MDB" --since 2025-10-25 --format text
check_eq "many groups: text: the busiest first, 100 rows, then how many more" \
    "m-102|100|  $MORE" \
    "$(grep -m1 -o 'm-[0-9]*' "$T/out")|$(grep -c '^  m-[0-9]' "$T/out")|$(grep 'more groups' "$T/out")"
check_rc "many groups: text --all" 0 $LT report --db "$MDB" --since 2025-10-25 --format text --all
check_eq "many groups: --all: every group, no line of more" "103|0" \
    "$(grep -c '^  m-[0-9]' "$T/out")|$(grep -c 'more groups' "$T/out")"
check_rc "many groups: markdown" 0 $LT report --db "$MDB" --since 2025-10-25 --format markdown
check_eq "many groups: markdown: 100 rows and the line" "100|$MORE" \
    "$(grep -c '^| m-[0-9]' "$T/out")|$(grep 'more groups' "$T/out")"
check_rc "many groups: html" 0 $LT report --db "$MDB" --since 2025-10-25 --format html
check_eq "many groups: html: 100 table rows and the line" "100|<p class=\"more\">$MORE</p>" \
    "$(grep -c '^<tr><td>m-[0-9]' "$T/out")|$(grep 'more groups' "$T/out")"
check_rc "many groups: json" 0 $LT report --db "$MDB" --since 2025-10-25 --format json
check_eq "many groups: json: every group" 103 \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["metrics"]["response-time"]["groups"]))' "$T/out")"
check_rc "many groups: prometheus" 0 $LT report --db "$MDB" --since 2025-10-25 --format prometheus
check_eq "many groups: prometheus: 100 groups in the histogram and the window" "100|300" \
    "$(grep -c '^logtriage_latency_seconds_count{' "$T/out")|$(grep -c '^logtriage_window_latency_seconds{' "$T/out")"
check_eq "many groups: prometheus: a comment for each family" \
    "# response-time: ... 3 more groups (3 values): report --all lists every one
# response-time: $MORE" \
    "$(grep 'more groups' "$T/out")"
check_rc "many groups: prometheus passes the strict checker" 0 python3 "$TOP/tests/tools/promcheck.py" "$T/out"
