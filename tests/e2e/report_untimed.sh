# report_untimed.sh - `logtriage report` of untimed events (a pasted
# excerpt: no time in its input): with no window their error templates,
# findings and distributions in a part of their own, marked untimed, in
# text, markdown, json and html; with a window, nothing of them.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/tests/fixtures/report/untimed-rules"
F=$TOP/tests/fixtures/report
G=$TOP/tests/golden
"$LT" ingest -q --db u.db --source paste "$F/untimed.txt"
cp u.db both.db
"$LT" ingest -q --db both.db --source api "$F/timed.log"

# --- untimed events alone: their report in place of the one-line note
check_rc "untimed only: text exits 0" 0 "$LT" report --db u.db
cp "$T/out" u.txt
check_golden "untimed only: text report" "$G/report-untimed.txt" u.txt
check_eq "untimed only: text says nothing on stderr" "" "$(cat "$T/err")"
check_rc "untimed only: markdown exits 0" 0 "$LT" report --db u.db --format markdown
cp "$T/out" u.md
check_golden "untimed only: markdown report" "$G/report-untimed.md" u.md
check_rc "untimed only: json exits 0" 0 "$LT" report --db u.db --format json
cp "$T/out" u.json
check_golden "untimed only: json report" "$G/report-untimed.json" u.json
check_eq "untimed only: json still notes on stderr that no window holds them" \
    "logtriage: no timed events in the database; 10 untimed (their input had no time; logtriage events --untimed lists them): log-critical 1 (critical), log-error 3 (error), provider-error 1 (error), log-warning 1 (warning), response-time 4 (info)" \
    "$(cat "$T/err")"
check_eq "untimed only: json parses; untimed counts, templates, p95, findings" \
    "10 5 2 12400 840 critical,error,error,warning" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["untimed"]
g = d["metrics"]["response-time"]["groups"]
print(d["events"], len(d["rules"]), len(d["errors"]), g["kimi-k2"]["p95"],
    g["glm-4.5"]["max"], ",".join(f["severity"] for f in d["findings"]))
' u.json)"
check_eq "untimed only: a template has its sample and no time" \
    "ERROR src.providers.kimi: upstream returned 502 for request 17|False" "$(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["untimed"]["errors"][1]
print(e["sample"] + "|" + str("first" in e))
' u.json)"
check_rc "untimed only: html exits 0" 0 "$LT" report --db u.db --format html
cp "$T/out" u.html
check_golden "untimed only: html report" "$G/report-untimed.html" u.html
check_contains "untimed only: html escapes a template's markup" u.html \
    "database &lt;b&gt;connection&lt;/b&gt; lost"
check_not_contains "untimed only: html draws no chart (none has a time)" u.html "<svg"
check_rc "untimed only: --fail-on error still fails" 1 "$LT" report --db u.db --fail-on error
check_rc "untimed only: --fail-on critical fails on the critical event" 1 \
    "$LT" report --db u.db --fail-on critical
# the untimed findings are not the window's: --fail-on reads the events'
# levels, as before (a slow distribution of info events fails nothing)
grep '"ms"' "$F/untimed.txt" > slow.txt
"$LT" ingest -q --db slow.db --source paste slow.txt
check_contains "untimed latency alone: the slow p95 is a finding" \
    "$("$LT" report --db slow.db > slow.out; echo slow.out)" \
    "  warning  kimi-k2 p95 response-time is 12.4 s, over the 8 s limit"
check_rc "untimed latency alone: --fail-on warning exits 0, as before" 0 \
    "$LT" report --db slow.db --fail-on warning
check_eq "untimed only: another source has none of them" \
    "logtriage: no events in the database" "$("$LT" report --db u.db --source other)"

# --- timed and untimed: the window's report, then the untimed part
"$LT" report --db both.db > both.txt
check_golden "timed and untimed: text report" "$G/report-both.txt" both.txt
"$LT" report --db both.db --format markdown > both.md
check_contains "timed and untimed: markdown heads the untimed part" both.md \
    "## Untimed events (their input had no time; in no window)"
check_contains "timed and untimed: markdown keeps the window's templates apart" both.md \
    "| error | 1 | src.providers.kimi | upstream returned \\<\\*\\> for request \\<\\*\\> | 2025-11-03T17:00:00.000Z | 2025-11-03T17:00:00.000Z | api |"
"$LT" report --db both.db --format json > both.json
check_eq "timed and untimed: json counts each apart" "3 1 10 3 2 1 4" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
u = d["untimed"]
print(sum(r["count"] for r in d["rules"].values()), len(d["errors"]),
    u["events"], u["rules"]["log-error"]["count"], len(u["errors"]),
    d["metrics"]["response-time"]["groups"]["kimi-k2"]["count"],
    u["rules"]["response-time"]["count"])
' both.json)"
"$LT" report --db both.db --format html > both.html
check_eq "timed and untimed: html has one untimed section, after the window's" \
    "1 1" "$(grep -c '<section id="untimed">' both.html) $(sed -n '/<section id="untimed">/,$p' both.html | grep -c 'id="untimed-rules"')"

# --- a window holds none of them: nothing changes
"$LT" report --db both.db --since 2025-11-03 > win.txt
check_not_contains "window: no untimed part in text" win.txt "Untimed"
"$LT" report --db both.db --since 2025-11-03 --format json > win.json
check_eq "window: no untimed object in json" "False" \
    "$(python3 -c 'import json, sys; print("untimed" in json.load(open(sys.argv[1])))' win.json)"
"$LT" report --db both.db --since 2025-11-03 --format html > win.html
check_not_contains "window: no untimed section in html" win.html 'id="untimed"'
check_eq "window over untimed events alone: the empty-window note" \
    "logtriage: no events between 2025-01-01T00:00:00.000Z and the last record" \
    "$("$LT" report --db u.db --since 2025-01-01)"

if command -v chromium > /dev/null 2>&1; then
	sh "$TOP/tests/tools/htmlcheck.sh" "$T/u.html" "$T/u.png" > "$T/u-dom.html" 2> /dev/null
	check_contains "chromium DOM has the untimed count" "$T/u-dom.html" \
	    '<span id="untimed-events">10</span>'
	check_contains "chromium DOM has the untimed p95" "$T/u-dom.html" \
	    '<td class="n">12.4 s</td>'
else
	ok "chromium renders the untimed report # SKIP chromium not installed"
fi
