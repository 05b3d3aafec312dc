#!/bin/sh
# errors.sh - the built-in rules log-error and log-critical: records at
# error level or worse and tracebacks that no error rule claimed become
# events with logger and template; claimed records are not doubled; the
# report groups them by template and `--fail-on` fails on any stored event
# at the level; a rules file disables, excludes from or lowers them.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
F=$TOP/tests/fixtures/errors
cp "$F/app.log" "$F/go.log" "$F/warn.log" "$F/fails.log" .
"$LT" ingest -q --db e.db app.log go.log

n() { sql "$1" "SELECT count(*) FROM events_all WHERE $2"; }
check_eq "log-error: one event per unclaimed error record" "8" "$(n e.db "rule = 'log-error'")"
check_eq "log-critical: CRITICAL and panic" "2" "$(n e.db "rule = 'log-critical'")"
check_eq "log-error lines" "2 4 6 15 16 19 20 22" \
    "$(sql e.db "SELECT group_concat(line, ' ') FROM (SELECT line FROM events_all WHERE rule = 'log-error' ORDER BY line)")"
check_eq "Python logging: logger and template" \
    "tools.smart_file_query|Storage upload failed: upload <*> rejected" \
    "$(sql e.db "SELECT json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template') FROM events_all WHERE line = 2")"
check_eq "LEVEL:name: logger" "root|JSON parse error at line <*>" \
    "$(sql e.db "SELECT json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template') FROM events_all WHERE line = 15")"
check_eq "[error]: no logger" "|connect() failed (<*>: Connection refused) while connecting to upstream" \
    "$(sql e.db "SELECT coalesce(json_extract(fields, '\$.logger'), '') || '|' || json_extract(fields, '\$.template') FROM events_all WHERE line = 19")"
check_eq "logrus ERRO[...]" "pull access denied for worker" \
    "$(sql e.db "SELECT json_extract(fields, '\$.template') FROM events_all WHERE line = 22")"
check_eq "panic: critical, no logger" "5||panic: runtime error: index out of range [<*>] with length <*>" \
    "$(sql e.db "SELECT r.severity || '|' || coalesce(json_extract(e.fields, '\$.logger'), '') || '|' || json_extract(e.fields, '\$.template') FROM events_all e JOIN sources s ON s.id = e.source_id JOIN rules r ON r.id = e.rule WHERE s.name = 'go.log'")"
check_eq "claimed by a specific rule: one event each (429, timeout, traceback)" \
    "7 provider-error|8 stream-timeout|10 traceback" \
    "$(sql e.db "SELECT group_concat(line || ' ' || rule, '|') FROM (SELECT line, rule FROM events_all WHERE line IN (7, 8, 10) AND source_id = 1 ORDER BY line)")"
check_eq "warnings, info and 'error_count=3 no errors' make no log-error" "0" \
    "$(n e.db "rule IN ('log-error', 'log-critical') AND source_id = 1 AND line IN (1, 3, 5, 17, 18, 21)")"
check_eq "the one warning no rule matched is log-warning" "17" \
    "$(sql e.db "SELECT group_concat(line) FROM events_all WHERE rule = 'log-warning'")"
check_eq "same dedup key: re-reading stores nothing new" "0|16" \
    "$("$LT" ingest -q --no-resume --db e.db app.log go.log; sql e.db "SELECT events || '|' || (SELECT count(*) FROM events_all) FROM ingests ORDER BY id DESC LIMIT 1")"

# --- the report: grouped templates, findings naming their evidence, exit 1
check_rc "report --fail-on error: exit 1" 1 "$LT" report --db e.db --fail-on error
cp "$T/out" report.txt
check_contains "grouped template as a finding" report.txt \
    "error    3 × tools.smart_file_query: Storage upload failed: upload <*> rejected (2025-11-02T00:29:09.000Z .. 2025-11-02T00:29:13.000Z on app.log): logtriage events --rule log-error --field logger=tools.smart_file_query --field 'template=Storage upload failed: upload <*> rejected' --since 2025-11-02T00:29:09.000Z"
check_contains "templates of one logger group" report.txt \
    "error    2 × root: JSON parse error at line <*>"
check_contains "errors section" report.txt "Errors no rule was written for (by template)"
check_contains "errors section: first, last, sources" report.txt \
    "           first 2025-11-02T00:29:50.000Z, last 2025-11-02T00:29:51.000Z, on app.log"
check_contains "a rule's error events are a finding" report.txt \
    "error    1 provider-error events (error) from 2025-11-02T00:29:20.000Z to 2025-11-02T00:29:20.000Z: logtriage events --rule provider-error --since 2025-11-02T00:29:20.000Z"
check_eq "the evidence command lists the group" "3" \
    "$("$LT" events --db e.db --rule log-error --since 2025-11-02T00:29:09.000Z | grep -c 'Storage upload failed')"
# each template's command, run as printed, lists that template's events:
# as many as the finding counts, all of its template
sed -n '/^Findings/,/^$/p' report.txt | grep ' × ' > findings.txt
sed 's/^ *[a-z]* *\([0-9]*\) × .*): logtriage \(events .*\)$/\1 \2/' findings.txt > evidence.txt
check_eq "every error template's finding names a command" \
    "7 7" "$(wc -l < findings.txt | tr -d ' ') $(grep -c '^[0-9]* events --rule ' evidence.txt)"
while read -r count cmd; do
	listed=$(eval "\"\$LT\" $cmd --db e.db --format tsv" | wc -l | tr -d ' ')
	[ "$listed" = "$count" ] || echo "$count $cmd: $listed"
done < evidence.txt > evidence.out
check_eq "each template's command lists exactly the finding's events" "" "$(cat evidence.out)"
check_eq "json: every template with its count" "7 critical" \
    "$("$LT" report --db e.db --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(len(r["errors"]), r["errors"][0]["severity"])')"
check_contains "markdown: errors table" "$("$LT" report --db e.db --format markdown > r.md; echo r.md)" \
    "| error | 3 | tools.smart\_file\_query |"
check_contains "html: errors table" "$("$LT" report --db e.db --format html > r.html; echo r.html)" \
    '<table id="errors">'

# --- a 429 and a streaming timeout alone: findings, exit 1 (was "none", 0)
"$LT" ingest -q --db f.db fails.log
check_rc "429 and timeout: report --fail-on error exits 1" 1 "$LT" report --db f.db --fail-on error
check_eq "429 and timeout: findings are not none" "  error    1 provider-error events (error) from 2025-11-02T02:00:20.000Z to 2025-11-02T02:00:20.000Z: logtriage events --rule provider-error --since 2025-11-02T02:00:20.000Z" \
    "$(sed -n '/^Findings/{n;p;}' "$T/out")"
check_contains "429 and timeout: the timeout is a finding" "$T/out" \
    "1 stream-timeout events (timeout)"

# --- warnings only: nothing at error
"$LT" ingest -q --db w.db warn.log
check_eq "warnings only: no event at error" "0" "$(n w.db "rule IN ('log-error', 'log-critical')")"
check_eq "warnings no rule matched: log-warning, with logger and template" \
    "2|src.daemon.ws_server|Slow client <*>" \
    "$(sql w.db "SELECT group_concat(line || '|' || json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template'), ' ') FROM (SELECT * FROM events_all WHERE rule = 'log-warning' ORDER BY line)")"
check_eq "warnings: a retry in a wording no rule names is the catch-all's" "3|other-retry" \
    "$(sql w.db "SELECT line || '|' || rule FROM events_all WHERE line = 3")"
check_rc "warnings only: --fail-on warning exits 1" 1 "$LT" report --db w.db --fail-on warning
check_rc "warnings only: --fail-on error exits 0" 0 "$LT" report --db w.db --fail-on error

# --- a rules file configures the built-ins
LOGTRIAGE_RULES="$F/rules" "$LT" ingest -q --db c.db app.log go.log
check_eq "enabled = false: no log-critical" "0" "$(n c.db "rule = 'log-critical'")"
check_eq "exclude: JSON parse errors left out; without the specific rules the rest is log-error" \
    "2 4 6 7 8 10 19 20 22" \
    "$(sql c.db "SELECT group_concat(line, ' ') FROM (SELECT line FROM events_all WHERE rule = 'log-error' ORDER BY line)")"
check_eq "severity = warning" "3" "$(sql c.db "SELECT severity FROM rules WHERE id = 'log-error'")"
check_eq "traceback: template of its message and exception" \
    "tools.chat|Error in chat | ValueError: Model '<*>' is not available." \
    "$(sql c.db "SELECT json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template') FROM events_all WHERE line = 10")"
check_rc "lowered to warning: --fail-on error exits 0" 0 env LOGTRIAGE_RULES="$F/rules" "$LT" report --db c.db --fail-on error
LOGTRIAGE_RULES="$F/rules" "$LT" rules list > list.txt
check_contains "rules list: the built-in, configured" list.txt "by level: critical records  disabled"
"$LT" rules list > list0.txt
check_contains "rules list: the built-in rule" list0.txt \
    "log-error                    error      error    built-in  by level: error records and tracebacks"

# A fallback no rule links to a cause is reported with the errors it quotes.
cp "$F/unlinked.log" .
"$LT" ingest -q --db u.db unlinked.log
"$LT" report --db u.db --since 2025-10-25 > u.txt
check_contains "unlinked fallbacks: counted, with the errors they quote" u.txt \
    "  warning  4 fallback events followed no event of the rules fallback follows: the cause is unknown; they quote: \"ImportError: cannot import name 'GLMProvider' from 'src.providers.glm'\" (2), \"Connection reset by peer\" (1)"
check_eq "unlinked fallbacks: the linked one is not among them" "1" \
    "$(sql u.db "SELECT count(*) FROM events_all WHERE rule = 'fallback' AND link IS NOT NULL")"

# --- JSON log lines (zap, slog, pino, structlog): the level under its key,
# the template from the message, the logger from its key
cp "$F/json.log" .
"$LT" ingest -q --db j.db json.log
check_eq "JSON lines: the events, their rules and levels" \
    "2 log-error|3 log-error|4 log-error|5 log-error|6 log-critical|7 log-warning" \
    "$(sql j.db "SELECT group_concat(line || ' ' || rule, '|') FROM (SELECT line, rule FROM events_all ORDER BY line)")"
check_eq "JSON lines: logger and template" \
    "api|upstream <*> failed: connection reset|2
|db down|1
web|render failed for \"<*>\"|1
web|out of memory|1
cache|cache miss ratio <*>|1" \
    "$(sql j.db "SELECT k || '|' || count(*) FROM (SELECT line, coalesce(json_extract(fields, '\$.logger'), '') || '|' ||
        json_extract(fields, '\$.template') AS k FROM events_all) GROUP BY k ORDER BY count(*) DESC, min(line)")"

# --- Java's uncaught exception, with its stack and cause, is one error
cp "$F/java.log" .
"$LT" ingest -q --db java.db java.log
check_eq "Java uncaught exception: one log-error, lines 2 to 6" \
    "log-error|2|6|Exception in thread \"<*>\" java.lang.IllegalStateException: no config at <*>" \
    "$(sql java.db "SELECT rule || '|' || line || '|' || line_end || '|' || json_extract(fields, '\$.template') FROM events_all")"
check_eq "JSON lines: each timed by its own time, ts or timestamp; one without is counted" \
    "2025-10-25 23:00:01.500|2025-10-25 23:00:02.500|2025-10-25 23:00:03.000|2025-10-25 23:00:04.000|2025-10-25 23:00:05.000|2025-10-25 23:00:06.000|1" \
    "$(sql j.db "SELECT group_concat(strftime('%Y-%m-%d %H:%M:%f', ts / 1000.0, 'unixepoch'), '|') FROM (SELECT ts FROM events_all ORDER BY line)")|$(sql j.db "SELECT no_timestamp FROM ingests")"

# --- klog (Go, Kubernetes): the stamp's letter is the level; the year of
# a stamp without one is the current one, or the last if that is ahead
cp "$F/klog.log" .
"$LT" ingest -q --db klog.db klog.log
check_eq "klog: the warning, the error and the fatal, with their messages" \
    "2|log-warning|watch closed
3|log-error|error syncing \"<*>\": Operation cannot be fulfilled
4|log-critical|cannot bind <*>" \
    "$(sql klog.db "SELECT line || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "klog: timed to the microsecond's millisecond, every record" "10-25 23:00:02.000|0" \
    "$(sql klog.db "SELECT strftime('%m-%d %H:%M:%f', ts / 1000.0, 'unixepoch') FROM events_all WHERE line = 3")|$(sql klog.db "SELECT no_timestamp FROM ingests")"

# --- .NET's console logger: the level before the category, the message on
# the indented lines after it
cp "$F/dotnet.log" .
"$LT" ingest -q --db dn.db dotnet.log
check_eq ".NET: the failure and the warning, the category as logger" \
    "3|6|log-error|Microsoft.AspNetCore.Server.Kestrel|Connection id \"<*>\" , Request id \"<*>\": An unhandled exception was thrown by the application.
7|8|log-warning|Microsoft.AspNetCore.HttpsPolicy.HttpsRedirectionMiddleware|Failed to determine the https port for redirect." \
    "$(sql dn.db "SELECT line || '|' || line_end || '|' || rule || '|' || json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
# after a record with a stamp of its own (another logger of the same
# container), each level's word still opens a record of its own
printf '%s\n' '2025-10-25 23:00:00 INFO app: started' \
    'warn: Microsoft.AspNetCore.HttpsPolicy.HttpsRedirectionMiddleware[3]' \
    '      Failed to determine the https port for redirect.' \
    'fail: Microsoft.AspNetCore.Server.Kestrel[13]' '      boom' > dn-mixed.log
"$LT" ingest -q --final --db dnm.db dn-mixed.log
check_eq ".NET after a stamped record: the warning and the failure apart" \
    "2|3|log-warning
4|5|log-error" \
    "$(sql dnm.db "SELECT line || '|' || line_end || '|' || rule FROM events_all ORDER BY line")"

# --- java.util.logging (Tomcat before 8.5): the stamp, class and method on
# one line, the level and message on the next; dates by locale, month first
# with a 12-hour clock, day first with a 24-hour one
cp "$F/tomcat-jul.log" .
"$LT" ingest -q --db jul.db tomcat-jul.log
check_eq "JUL and locale dates: each failure and warning at its stamp, with its message" \
    "1|2|23:00:00|other-duration|-
3|6|23:00:01|log-error|Failed to start connector [Connector[<*>]]
7|8|23:00:02|log-warning|Exception processing realm background process
9|9|23:00:03|log-error|Worker: job <*> failed after <*> retries
10|10|23:00:04|log-warning|Scheduler: queue is <*> full" \
    "$(sql jul.db "SELECT line || '|' || line_end || '|' || strftime('%H:%M:%S', ts / 1000, 'unixepoch') || '|' || rule || '|' || coalesce(json_extract(fields, '\$.template'), '-') FROM events_all ORDER BY line")"
check_eq "JUL and locale dates: five records, every one stamped" "5|0" \
    "$(sql jul.db "SELECT records || '|' || no_timestamp FROM ingests")"

# --- other stacks' defaults: Ruby's Logger, PostgreSQL, MySQL, MongoDB's
# JSON ("t": {"$date"}, "s": "E"), Celery, gunicorn, Caddy, Kafka, pino,
# Spring Boot, loguru, Django's level before its stamp, Telegraf's "E!",
# Grafana's logfmt with other keys before its t=, redis's '#' (a warning;
# its '*' is a notice), Envoy's level in its second bracket, ClickHouse's
# dotted date and "<Error>", Serilog's "[23:00:21 ERR]", zerolog's
# "11:01PM ERR", Cassandra's level and thread before its stamp, Rust's
# tracing (a target of "::" paths) and env_logger (the target in the
# stamp's bracket), logback's "%logger - %msg";
# Elixir's clock without a date takes the day of the record before it
cp "$F/stacks.log" .
"$LT" ingest -q --db st.db stacks.log
check_eq "stacks: each failure and warning at its own stamp, with its message" \
    "1|23:00:00.123|log-error|ruby logger boom
2|23:00:01.123|log-error|relation \"<*>\" does not exist
3|23:00:02.123|log-error|[<*>] [Server] Aborting
4|23:00:03.123|log-error|mongo boom
5|23:00:04.123|log-error|Task x raised celery boom
6|23:00:05.000|log-error|gunicorn worker failed
7|23:00:06.123|log-error|caddy boom
8|23:00:07.123|log-error|[Controller id=<*>] kafka boom (kafka.controller.KafkaController)
9|23:00:08.123|log-error|pino boom
10|23:00:09.123|log-error|GenServer terminating elixir
12|23:00:11.000|log-warning|slow query
13|23:00:12.000|log-error|Application run failed
14|23:00:13.000|log-error|loguru boom
15|23:00:14.123|log-error|views <*> <*> django boom
16|23:00:15.000|log-error|[inputs.cpu] telegraf boom
17|23:00:16.123|log-error|grafana boom logger=context userId=<*> orgId=<*> status=<*>
18|23:00:17.123|log-warning|Failed opening the temp RDB file <*> (in server root dir <*>) for saving: Permission denied
20|23:00:19.123|log-error|[config] [<*>] envoy boom
21|23:00:20.123|log-error|Application: clickhouse boom
22|23:00:21.000|log-error|serilog boom
23|23:01:00.000|log-error|zerolog boom error=\"<*>\"
24|23:01:02.123|log-error|<*> - cassandra boom
25|23:01:03.123|log-error|rust tracing boom
26|23:01:04.000|log-warning|env_logger slow
27|23:01:05.123|log-error|logback boom" \
    "$(sql st.db "SELECT line || '|' || strftime('%H:%M:%f', ts / 1000.0, 'unixepoch') || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "stacks: twenty-seven records, every one stamped" "27|0" \
    "$(sql st.db "SELECT records || '|' || no_timestamp FROM ingests")"
check_eq "stacks: Spring Boot's, loguru's, Rust's and logback's logger names" \
    "o.s.boot.SpringApplication
app.main
billing::ledger
billing::retry
com.acme.Billing" \
    "$(sql st.db "SELECT json_extract(fields, '\$.logger') FROM events_all WHERE line IN (13, 14, 25, 26, 27) ORDER BY line")"

# --- the formats of Hadoop and Spark (log4j's two-digit year), Android's
# logcat (no year: the stream's), Windows CBS (a padded capitalised level),
# Blue Gene/L and Thunderbird (epoch seconds, then the node's own record),
# old Hadoop's HDFS (yyMMdd HHmmss), HealthApp (an unpadded clock) and
# Proxifier (month and day in brackets)
cp "$F/systems.log" .
"$LT" ingest -q --db sy.db systems.log
check_eq "systems: each failure and warning at its own stamp, with its message" \
    "1|2025-10-25 23:00:00.000|log-error|Exception in task <*> in stage <*> (TID <*>)
3|2025-10-25 23:00:02.123|log-error|WindowManager: Failed to dispatch to input channel '<*>' due to exception
5|2025-10-25 23:00:04.456|log-warning|PowerManagerService: wake lock held for <*>
6|2025-10-25 23:00:05.000|log-error|CBS Failed to internally open package. [HRESULT = <*> - CBS_E_INVALID_PACKAGE]
7|2025-10-25 23:00:06.000|log-warning|CBS Unrecognized packageExtended attribute.
9|2025-10-25 23:00:08.000|log-critical|data TLB error interrupt
11|2025-10-25 23:00:10.000|log-critical|machine check interrupt
12|2025-10-25 23:00:11.000|log-error|Bad protocol version identification
14|2025-10-25 23:00:13.000|log-warning|Slow BlockReceiver write packet to mirror took <*>" \
    "$(sql sy.db "SELECT line || '|' || strftime('%Y-%m-%d %H:%M:%f', ts / 1000.0, 'unixepoch') || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "systems: sixteen records, every one stamped, in order, the last a Proxifier line's" \
    "16|0|0|1761433215000" \
    "$(sql sy.db "SELECT records || '|' || no_timestamp || '|' || backwards || '|' || last_ts FROM ingests")"

# --- files joined with their names in front, and grep -H's output: each
# line's source is its file, the rest a record at its own stamp, a
# traceback's lines with the name before them one record with it (five
# records of nine lines)
cp "$F/named.log" .
"$LT" ingest -q --final --db nm.db named.log
check_eq "file names in front: each failure and warning of its file, at its stamp" \
    "nova-compute.log.1|2|2|log-warning|Unknown base file: <*>
nova-api.log.1|3|6|traceback|-
nova-api.log.1|3|6|other-timeout|-
svc/worker.log|7|7|log-error|job <*> failed: disk full
svc/worker.log|8|9|other-retry|-" \
    "$(sql nm.db "SELECT s.name || '|' || e.line || '|' || e.line_end || '|' || e.rule || '|' || coalesce(json_extract(e.fields, '\$.template'), '-') FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line, e.id")"
check_eq "file names in front: the traceback's lines without the name, their indent kept" \
    "  File \"/usr/lib/python2.7/dist-packages/oslo_messaging/rpc/client.py\", line 413, in call" \
    "$(sql nm.db "SELECT text FROM events_all WHERE rule = 'traceback'" | sed -n 3p)"
check_eq "file names in front: three sources of kind file, six records, all stamped" \
    "nova-api.log.1|file
nova-compute.log.1|file
svc/worker.log|file
5|0" \
    "$(sql nm.db "SELECT name || '|' || kind FROM sources WHERE name <> 'named.log' ORDER BY name; SELECT records || '|' || no_timestamp FROM ingests")"

# --- colours a program wrote for a terminal (compose with tty: true,
# loguru, uvicorn): levels, stamps and prefixes in colour read as they
# would without, and the stored text has none
cp "$F/colours.log" .
"$LT" ingest -q --final --db co.db colours.log
check_eq "colours: each failure and warning at its stamp, from its source" \
    "1|api-1|2025-10-25 23:00:00.000|log-error|boom one
2|api-1|2025-10-25 23:00:01.000|log-warning|slow reply
3|colours.log|2025-10-25 23:00:02.120|log-error|boom three
4|colours.log|2025-10-25 23:00:03.000|log-error|Exception in ASGI application" \
    "$(sql co.db "SELECT e.line || '|' || s.name || '|' || strftime('%Y-%m-%d %H:%M:%f', e.ts / 1000.0, 'unixepoch') || '|' || e.rule || '|' || json_extract(e.fields, '\$.template') FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"
check_eq "colours: no ESC stored" 0 \
    "$(sql co.db "SELECT count(*) FROM events_all WHERE instr(text, char(27)) > 0")"

# --- Serilog's compact JSON ("@t", "@l", "@mt") and its JsonFormatter's
# ("Timestamp", "Level", "MessageTemplate"), python-json-logger's
# "asctime", .NET's JSON console ("LogLevel", "Category", "Message"),
# log4j2's JsonLayout ("instant", "loggerName"), mosquitto's epoch and
# "Warning:", and
# syslog priorities ("<11>" RFC 5424, "<12>" RFC 3164,
# sd-daemon's "<3>" with no stamp): the level and time they state, the
# template for the message (a syslog line's without its header; the
# line without a stamp takes its source's latest time, the file's)
cp "$F/priority.log" .
"$LT" ingest -q --final --db pr.db priority.log
check_eq "levels stated as Serilog's and syslog's are: failures and warnings at their stamps" \
    "1|2025-10-25 23:00:00.500|log-error|Order {OrderId} failed: {Reason}
3|2025-10-25 23:00:02.000|log-error|payment gateway unreachable
4|2025-10-25 23:00:03.000|log-warning|retry queue at <*>
5|2025-10-25 23:00:01.000|log-error|worker <*> crashed
6|2025-10-25 23:00:04.250|log-error|Refund {RefundId} failed
7|2025-10-25 23:00:05.125|other-retry|-
8|2025-10-25 23:00:06.000|log-critical|ledger <*> unavailable|Billing.Worker
9|2025-10-25 23:00:07.250|log-error|ledger <*> unavailable|com.acme.Ledger
10|2025-10-25 23:00:08.000|log-warning|Mosquitto should not be run as root/administrator." \
    "$(sql pr.db "SELECT line || '|' || strftime('%Y-%m-%d %H:%M:%f', ts / 1000.0, 'unixepoch') || '|' || rule || '|' || coalesce(json_extract(fields, '\$.template'), '-') || coalesce('|' || json_extract(fields, '\$.logger'), '') FROM events_all ORDER BY line")"
check_eq "levels stated: ten records, one without a stamp" "10|1" \
    "$(sql pr.db "SELECT records || '|' || no_timestamp FROM ingests")"

# --- kubectl logs --prefix (with --timestamps on one pod) and docker
# service logs: each pod's container and each swarm task is a source, its
# lines at their stamps
cp "$F/kubectl.log" .
"$LT" ingest -q --final --db k8.db kubectl.log
check_eq "kubectl and swarm prefixes: failures and warnings of their sources" \
    "2|pod/web-5d9c7b-x2k4p/app|kubernetes|2025-10-25 23:00:01.000|log-error
3|pod/web-5d9c7b-q8z1m/app|kubernetes|2025-10-25 23:00:02.123|log-warning
4|pod/web-5d9c7b-q8z1m/sidecar|kubernetes|2025-10-25 23:00:03.500|log-error
5|web_api.1.z3k9x2m0abcd@node-1|compose|2025-10-25 23:00:04.000|log-error" \
    "$(sql k8.db "SELECT e.line || '|' || s.name || '|' || s.kind || '|' || strftime('%Y-%m-%d %H:%M:%f', e.ts / 1000.0, 'unixepoch') || '|' || e.rule FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"
check_eq "kubectl and swarm prefixes: six records, all stamped, five sources" "6|0|5" \
    "$(sql k8.db "SELECT records || '|' || no_timestamp FROM ingests")|$(sql k8.db "SELECT count(*) FROM sources WHERE kind <> 'file'")"

# --- HTTP responses: a provider's 5xx and 429 in httpx's INFO lines, and
# an access log's 5xx (uvicorn's, nginx's combined format); a 200 is none
cp "$F/http.log" .
"$LT" ingest -q --final --db http.db http.log
check_eq "HTTP errors: each response of 500 or more, and each 429" \
    "1|http-upstream-error|api.moonshot.ai|POST|503|
2|http-rate-limited|api.moonshot.ai|POST|429|
3|http-upstream-error|api.moonshot.ai|POST|500|
5|http-server-error||POST|500|/mcp
6|http-server-error||GET|502|/api/v1/chat" \
    "$(sql http.db "SELECT line || '|' || rule || '|' || coalesce(json_extract(fields, '\$.host'), '') || '|' || json_extract(fields, '\$.method') || '|' || json_extract(fields, '\$.status') || '|' || coalesce(json_extract(fields, '\$.path'), '') FROM events_all ORDER BY line")"

# --- the OOM killer (dmesg -T, the journal): critical events (severity
# 5), with no level on the line; Go's "fatal error:" out of memory starts a
# record as its "panic:" does, a critical event as the process's death
# (the journal's line is the kernel's, a source of its own: the line
# without a stamp after it takes the time of the file's line before)
cp "$F/oom.log" .
"$LT" ingest -q --final --db oom.db oom.log
check_eq "OOM kills: critical events, the process named" \
    "1|2025-10-25 23:00:01|oom-kill|5|python3
2|2025-10-25 23:00:02|oom-kill|5|uvicorn
3|2025-10-25 23:00:01|log-critical|5|" \
    "$(sql oom.db "SELECT e.line || '|' || datetime(e.ts / 1000, 'unixepoch') || '|' || e.rule || '|' || r.severity || '|' || coalesce(json_extract(e.fields, '\$.process'), '') FROM events_all e JOIN rules r ON r.id = e.rule ORDER BY e.line")"

# --- tail (or head) of several files: each heading names the file of the
# lines after it, and is in no record; the empty line tail writes before a
# heading goes with it, an empty line of a file stays in its record; the
# same read from a pipe
cp "$F/tail.log" .
"$LT" ingest -q --db tail.db tail.log
check_eq "tail headings: each failure and warning of its file, at its lines" \
    "3|6|api.log|file|traceback
9|9|worker.log|file|log-warning
10|10|worker.log|file|log-error
13|14|api.log|file|log-error" \
    "$(sql tail.db "SELECT e.line || '|' || e.line_end || '|' || s.name || '|' || s.kind || '|' || e.rule FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"
check_eq "tail headings: fifteen lines, six records, no heading or tail's empty line in one" \
    "15|6|0|1" \
    "$(sql tail.db "SELECT lines || '|' || records || '|' || (SELECT count(*) FROM events_all WHERE text LIKE '%==>%' OR (text LIKE '%' || char(10) AND line <> 13)) || '|' || (SELECT count(*) FROM events_all WHERE line = 13 AND text LIKE '%failure' || char(10)) FROM ingests")"
"$LT" ingest -q --db tailp.db < tail.log
check_eq "tail headings from a pipe: the same events" \
    "$(sql tail.db "SELECT e.line || '|' || e.line_end || '|' || s.name || '|' || e.rule FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")" \
    "$(sql tailp.db "SELECT e.line || '|' || e.line_end || '|' || s.name || '|' || e.rule FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"
printf '==> a.log <==\n2025-10-25 23:00:00 ERROR last failed\n\n' > tailend.log
"$LT" ingest -q --final --db tailend.db tailend.log
check_eq "tail headings: an empty last line is the file's" "2|3|1|3" \
    "$(sql tailend.db "SELECT e.line || '|' || e.line_end || '|' || i.records || '|' || i.lines FROM events_all e, ingests i")"

# --- Python's basicConfig with a clock and no date ("%H:%M:%S") and a
# padded level ("[%(levelname)-8s]"): each line is a record on the day of
# the stamp before it, the next day after midnight
cp "$F/shim.log" .
"$LT" ingest -q --db shim.db shim.log
check_eq "clock-only lines: each failure and warning at its time, with its message" \
    "3|4|2025-11-13 23:59:59|log-error|Upstream closed: code <*>
5|5|2025-11-14 00:00:01|log-warning|reconnecting in <*>
6|6|2025-11-14 00:00:03|log-error|Upstream closed: code <*>
7|7|2025-11-14 00:00:04|log-critical|giving up" \
    "$(sql shim.db "SELECT line || '|' || line_end || '|' || datetime(ts / 1000, 'unixepoch') || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "clock-only lines: six records, every one timed" "6|0" \
    "$(sql shim.db "SELECT records || '|' || no_timestamp FROM ingests")"

# --- a process's death as its runtime prints it: Rust's panic, C++'s
# terminate, CPython's fatal error, a shell's segmentation fault; each a
# critical event at the time before it, with the indented lines after it
cp "$F/crashes.log" .
"$LT" ingest -q --db cr.db crashes.log
check_eq "crashes: each runtime's failure is a critical event" \
    "2|2|log-critical|thread '<*>' panicked at <*>:
5|6|log-critical|terminate called after throwing an instance of '<*>'
7|8|log-critical|Fatal Python error: Segmentation fault
11|11|log-critical|Segmentation fault (core dumped)" \
    "$(sql cr.db "SELECT line || '|' || line_end || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "crashes: nine records, a line after a death no part of it unless indented" "9" \
    "$(sql cr.db "SELECT records FROM ingests")"

# --- a container's start that failed: a shell's "not found" (an error)
# and an entrypoint runc could not run (critical), each a record of its
# own at the time before it; other lines that end so are no failure
cp "$F/entrypoint.log" .
"$LT" ingest -q --db ep.db entrypoint.log
check_eq "entrypoint: shell and exec failures" \
    "2|2|23:00:00|log-error|sh: <*>: curl: not found
3|3|23:00:00|log-error|<*>: line <*>: jq: command not found
5|5|23:00:00|log-critical|exec <*>: exec format error
6|6|23:00:00|log-critical|<*>: exec user process caused: no such file or directory
7|7|23:00:00|log-critical|exec <*>: no such file or directory" \
    "$(sql ep.db "SELECT line || '|' || line_end || '|' || time(ts / 1000, 'unixepoch') || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "entrypoint: eight records, the last line the stamped one's" "8" \
    "$(sql ep.db "SELECT records FROM ingests")"

# --- a failure a program printed past its logger, joined to a record
# below WARNING (Node's crash, an exception line): that record is an
# error, its template the message and the failure; a warning stays one
cp "$F/printed.log" .
"$LT" ingest -q --db pt.db printed.log
check_eq "printed failures: the records they joined are errors" \
    "1|10|log-error|listening on <*> | Error: boom
12|13|log-warning|slow start
14|16|log-error|polling | java.io.IOException: Connection reset" \
    "$(sql pt.db "SELECT line || '|' || line_end || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"

# --- what a runtime prints past the logger between stamped records (PHP's
# fatal error, Python's and Node's warnings, zsh's "command not found"),
# each a record of its own with its level, and NLog's "|LEVEL|logger|"
cp "$F/runtime-warnings.log" .
"$LT" ingest -q --db rw.db runtime-warnings.log
check_eq "runtime warnings: each an event at the time before it" \
    "2|2|23:00:00|log-error||Uncaught Error: Call to undefined function foo() in <*>
4|5|23:00:01|log-warning||DeprecationWarning: pkg_resources is deprecated as an API
7|8|23:00:02|log-warning||DeprecationWarning: The \`punycode\` module is deprecated. Please use a userland alternative instead.
9|9|23:00:02|log-error||zsh: command not found: jq
10|10|23:00:03|log-error|App.Worker|Job <*> failed" \
    "$(sql rw.db "SELECT line || '|' || line_end || '|' || time(ts / 1000, 'unixepoch') || '|' || rule || '|' ||
        coalesce(json_extract(fields, '\$.logger'), '') || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "runtime warnings: nine records, four of them without a stamp" "9|4" \
    "$(sql rw.db "SELECT records || '|' || no_timestamp FROM ingests")"

# --- PostgreSQL: "LOG:" is info; a DETAIL, HINT or STATEMENT line, with
# a stamp and process id of its own, goes on the message before it
cp "$F/postgres.log" .
"$LT" ingest -q --db pg.db postgres.log
check_eq "postgres: the errors with their statements, the fatal and the warning" \
    "2|3|log-error|relation \"<*>\" does not exist at character <*>
4|4|log-critical|password authentication failed for user \"<*>\"
5|5|log-warning|there is already a transaction in progress
6|8|log-error|duplicate key value violates unique constraint \"<*>\"" \
    "$(sql pg.db "SELECT line || '|' || line_end || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"
check_eq "postgres: seven records of ten lines" "7|10" \
    "$(sql pg.db "SELECT records || '|' || lines FROM ingests")"

# --- Apache httpd's error log ([module:level]) and PHP's, with their
# bracketed stamps
cp "$F/apache-php.log" .
"$LT" ingest -q --db ap.db apache-php.log
check_eq "Apache and PHP: the errors and the warning, each at its stamp" \
    "2|23:00:01|log-error
3|23:00:02|log-error
4|23:00:03|log-warning
5|23:00:04|log-error" \
    "$(sql ap.db "SELECT line || '|' || time(ts / 1000, 'unixepoch') || '|' || rule FROM events_all ORDER BY line")"
check_eq "Apache and PHP: PHP's message is the template; no record untimed" \
    "Allowed memory size of <*> bytes exhausted|0" \
    "$(sql ap.db "SELECT json_extract(fields, '\$.template') FROM events_all WHERE line = 5")|$(sql ap.db "SELECT no_timestamp FROM ingests")"

# --- syslog: a tagged message that begins with a level in lower case
cp "$F/syslog.log" .
"$LT" ingest -q --db sl.db syslog.log
check_eq "syslog: the error and the warning, logged by their tag" \
    "2|log-error|kex_exchange_identification|Connection closed by remote host
3|log-warning||hostname unknown.example does not resolve to address <*>" \
    "$(sql sl.db "SELECT line || '|' || rule || '|' || coalesce(json_extract(fields, '\$.logger'), '') || '|' ||
        json_extract(fields, '\$.template') FROM events_all ORDER BY line")"

# --- Node's winston: "error: msg", the level in lower case first
cp "$F/winston.log" .
"$LT" ingest -q --db winston.db winston.log
check_eq "winston: the error and the warning; 'errors:' is no level" \
    "2|log-error|connect ECONNREFUSED <*> {\"<*>\"<*>,\"<*>\":\"<*>\"}
3|log-warning|slow query took <*>" \
    "$(sql winston.db "SELECT line || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"

# --- go-kit's logfmt (Prometheus, Loki): ts= is the time, level= the level
cp "$F/gokit.log" .
"$LT" ingest -q --db gokit.db gokit.log
check_eq "go-kit logfmt: the error and the warning at their ts, none untimed" \
    "2|23:00:01|log-error|db down caller=<*> err=\"<*>\"
3|23:00:02|log-warning|append failed caller=<*> component=\"<*>\" err=\"<*>\"|0" \
    "$(sql gokit.db "SELECT line || '|' || time(ts / 1000, 'unixepoch') || '|' || rule || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")|$(sql gokit.db "SELECT no_timestamp FROM ingests")"

# --- banner blocks: a logger's records from "=== TITLE ===" to "=== END ==="
# group under the banner (field part), other loggers' records between them
cp "$F/blocks.log" .
"$LT" ingest -q --db blocks.db blocks.log
check_eq "blocks: a block's records take the banner's template, their own as part" \
    "5|tool-timeout||
6|log-error|=== TOOL CALL TIMEOUT ===|Tool: thinkdeep
7|log-error|Failed to get conversation <*>: maximum recursion depth exceeded|
8|log-error|=== TOOL CALL TIMEOUT ===|Duration: <*>
9|log-error|=== TOOL CALL TIMEOUT ===|Timeout Limit: <*>
10|log-error|=== TOOL CALL TIMEOUT ===|Request ID: <*>
11|log-error|=== TOOL CALL TIMEOUT ===|=== END ===
12|log-error|=== TOOL CALL FAILED ===|
14|log-warning|Slow client <*>|
15|log-error|=== TOOL CALL FAILED ===|Tool: chat
16|log-error|=== TOOL CALL FAILED ===|Error: Connection error.
17|log-error|=== TOOL CALL FAILED ===|=== END ===
18|log-error|Request ID: <*>|
19|log-error|=== TOOL CALL FAILED ===|
20|log-error|=== TOOL CALL FAILED ===|Tool: codereview
21|log-error|Request ID: <*>|" \
    "$(sql blocks.db "SELECT line || '|' || rule || '|' || coalesce(json_extract(fields, '\$.template'), '') || '|' ||
        coalesce(json_extract(fields, '\$.part'), '') FROM events_all WHERE rule NOT LIKE 'timing-%' AND rule <> 'tool-call' ORDER BY line")"
"$LT" report --db blocks.db > blocks.txt
check_eq "blocks: each duration takes the tool of its block's Tool line" \
    "3|timing-tool-call|3210.0|chat 8|timing-tool-call|240030.0|thinkdeep" \
    "$(sql blocks.db "SELECT group_concat(line || '|' || rule || '|' || value || '|' || json_extract(inherited, '\$.tool'), ' ') FROM (SELECT * FROM events_all WHERE rule LIKE 'timing-%' ORDER BY line)")"
"$LT" report --db blocks.db --format prometheus > blocks.prom
check_eq "blocks: prometheus: the tool calls' latency by tool" \
    'logtriage_latency_seconds_count{rule="timing-tool-call",group="chat"} 1
logtriage_latency_seconds_count{rule="timing-tool-call",group="thinkdeep"} 1' \
    "$(grep '^logtriage_latency_seconds_count{rule="timing-tool-call"' blocks.prom)"
check_eq "blocks: events: the duration carries the tool it inherited" "chat|3210" \
    "$("$LT" events --db blocks.db --rule timing-tool-call --field tool=chat | python3 -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(o["fields"]["tool"] + "|" + str(o["value"]))')"
check_eq "blocks: the report's distribution of tool calls is by tool" \
"Metric: timing-tool-call (s by tool, unit ms)
  group                           count       mean        p50        p95        p99        max
  chat                                1     3.21 s     3.21 s     3.21 s     3.21 s     3.21 s
  thinkdeep                           1      4 min      4 min      4 min      4 min      4 min" \
    "$(sed -n '/^Metric: timing-tool-call/,/^$/p' blocks.txt | sed '/^$/d')"
check_eq "blocks: the report counts each block once, a claimed one not at all" \
    "  error         2 × ws_daemon: === TOOL CALL FAILED ===
  error         2 × ws_daemon: Request ID: <*>
  error         1 × src.storage.supabase_client: Failed to get conversation <*>: maximum recursion depth exceeded" \
    "$(sed -n '/^Errors no rule/,/^Rules/p' blocks.txt | grep ' × ')"
check_eq "blocks: the json report's errors agree" "2 2 1" \
    "$("$LT" report --db blocks.db --format json | python3 -c '
import json, sys
print(*[e["count"] for e in json.load(sys.stdin)["errors"]])')"
check_eq "blocks: the text report lists a block's parts, sorted, without its end" \
    "           parts: Error: Connection error. | Tool: chat | Tool: codereview" \
    "$(grep 'parts:' blocks.txt)"
check_eq "blocks: json gives the parts of the block's group alone" \
    "['Error: Connection error.', 'Tool: chat', 'Tool: codereview'] None None" \
    "$("$LT" report --db blocks.db --format json | python3 -c '
import json, sys
print(*[e.get("parts") for e in json.load(sys.stdin)["errors"]])')"
check_contains "blocks: markdown puts the parts after the template" \
    "$("$LT" report --db blocks.db --format markdown > blocks.md; echo blocks.md)" \
    "| error | 2 | ws\_daemon | === TOOL CALL FAILED === (parts: Error: Connection error.; Tool: chat; Tool: codereview) |"
check_contains "blocks: html puts the parts under the template" \
    "$("$LT" report --db blocks.db --format html > blocks.html; echo blocks.html)" \
    "<td>=== TOOL CALL FAILED ===<div class=\"parts\">parts: Error: Connection error.; Tool: chat; Tool: codereview</div></td>"

# --- platforms' own wordings: npm's prefix, Monolog's channel.LEVEL, the
# docker client, Heroku's error codes, systemd's failed unit, Go's
# net/http server recovering a handler's panic (its stack in the record)
cp "$F/platforms.log" .
"$LT" ingest -q --db platforms.db platforms.log
check_eq "platforms: an event each, at its time, with what it names" \
    "1|log-error|code ELIFECYCLE
2|log-error|code ERESOLVE
3|log-warning|deprecated <*>: This module is not supported
5|14:05:11|log-error|SQLSTATE[<*>] [<*>] Connection refused
7|log-error|Error response from daemon: No such container: <*>
8|14:05:13|heroku-error|R14 Memory quota exceeded
9|14:05:14|heroku-error|H12 Request timeout
12|14:05:15|unit-failed|app.service exit-code
13|log-error|http: panic serving <*>: runtime error: invalid memory address or nil pointer dereference" \
    "$(sql platforms.db "SELECT line || '|' || CASE WHEN line IN (5, 8, 9, 12) THEN time(ts / 1000, 'unixepoch') || '|' ELSE '' END || rule || '|' ||
        coalesce(json_extract(fields, '\$.template'), json_extract(fields, '\$.code') || ' ' || json_extract(fields, '\$.desc'),
        json_extract(fields, '\$.systemd_unit') || ' ' || json_extract(fields, '\$.result')) FROM events_all ORDER BY line")"
check_eq "platforms: Go's recovered panic holds its stack (17 lines, 14 records)" \
    "13|16|log-error|14" \
    "$(sql platforms.db "SELECT line || '|' || line_end || '|' || rule || '|' || (SELECT records FROM ingests) FROM events_all WHERE line = 13")"
# a block of ten parts: the text report lists eight, json all ten
{
	echo "2025-10-20 14:06:11 ERROR ws_daemon: === TOOL CALL FAILED ==="
	for k in a b c d e f g h i j; do
		echo "2025-10-20 14:06:11 ERROR ws_daemon: Step $k failed"
	done
} > ten.log
"$LT" ingest -q --db ten.db ten.log
check_eq "blocks: eight parts listed, then how many more" \
    "           parts: Step a failed | Step b failed | Step c failed | Step d failed | Step e failed | Step f failed | Step g failed | Step h failed | ... (2 more)" \
    "$("$LT" report --db ten.db | grep 'parts:')"
check_eq "blocks: json has every part" "10" \
    "$("$LT" report --db ten.db --format json | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["errors"][0]["parts"]))')"

# --- one-off failures: as many templates as error records, each its own
# group, the same template of two loggers two groups; the text, markdown
# and html reports list the first 200 and count the rest
awk 'BEGIN {
	split("a b c d e f g h", w, " ")
	for (i = 0; i < 6000; i++) {
		s = ""
		for (k = i; k > 0 || s == ""; k = int(k / 8))
			s = s w[k % 8 + 1] w[k % 8 + 1] " "
		printf "2025-11-02 00:%02d:%02d ERROR app.mod%d: failed on %sin the end\n",
		    int(i / 60) % 60, i % 60, i % 2, s
	}
	printf "2025-11-02 01:40:00 ERROR app.mod0: failed on aa in the end\n"
	printf "2025-11-02 01:40:01 ERROR app.mod1: failed on aa in the end\n"
}' > oneoff.log
"$LT" ingest -q --db oneoff.db oneoff.log
check_eq "one-off failures: a group per template and logger, counted" \
    "6001 6002 2 2" \
    "$("$LT" report --db oneoff.db --format json | python3 -c '
import json, sys
g = json.load(sys.stdin)["errors"]
print(len(g), sum(e["count"] for e in g), g[0]["count"],
    len([e for e in g if e["template"] == "failed on aa in the end"]))')"
"$LT" report --db oneoff.db > oneoff.txt
check_eq "one-off failures: the text report lists the first 200 templates" "200" \
    "$(sed -n '/^Errors no rule/,/^Rules/p' oneoff.txt | grep -c ' × ')"
check_contains "one-off failures: and a line for the rest" oneoff.txt \
    "  ... 5801 more templates (5801 events): report --format json lists every one"
check_eq "one-off failures: markdown and html as many, and the line" "200 1 200 1" \
    "$("$LT" report --db oneoff.db --format markdown > oneoff.md
    "$LT" report --db oneoff.db --format html > oneoff.html
    echo "$(grep -c '^| error |' oneoff.md) $(grep -c '^\.\.\. 5801 more templates (5801 events)' oneoff.md)" \
    "$(grep -c '^<tr><td>error</td>' oneoff.html) $(grep -c '<p class="more">\.\.\. 5801 more templates' oneoff.html)")"

# --- print() glued to the next record: the record starts at its stamp
cp "$F/glued.log" .
"$LT" ingest -q --db glued.db glued.log
check_eq "glued records: each its own event, at its own time and line" \
    "2|semaphore-timeout|2025-11-03 15:56:05 4|semaphore-timeout|2025-11-03 15:56:06 6|log-error|2025-11-03 15:56:07" \
    "$(sql glued.db "SELECT group_concat(line || '|' || rule || '|' || datetime(ts / 1000, 'unixepoch'), ' ') FROM (SELECT * FROM events_all ORDER BY line)")"
check_eq "glued records: the print joins the record before; every line and byte counted once" \
    "8|$(wc -c < glued.log)|5" \
    "$(sql glued.db "SELECT sum(lines) || '|' || sum(bytes) || '|' || sum(records) FROM volume")"

# --- an error record with an empty message: its template is empty, not its stamp
printf '2025-11-19 10:00:18 ERROR ws_daemon: \n2025-11-19 10:00:19 ERROR ws_daemon:\n2025-11-19 10:00:20 ERROR ws_daemon: x\n' > empty.log
"$LT" ingest -q --db empty.db empty.log
check_eq "empty message: logger kept, template empty" \
    "ws_daemon||ws_daemon||ws_daemon|x" \
    "$(sql empty.db "SELECT group_concat(json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template'), '|') FROM (SELECT fields FROM events_all ORDER BY line)")"

# --- OpenStack's oslo.log: the request context between the logger and the
# message is neither's, so one failure under two requests is one template
cp "$F/oslo.log" .
"$LT" ingest -q --db oslo.db oslo.log
check_eq "oslo.log: logger without the request context, one template for both requests" \
    "2|log-error|nova.compute.manager|[instance: <*>] Failed to allocate network(s)
3|log-error|nova.compute.manager|[instance: <*>] Failed to allocate network(s)
4|log-warning|nova.virt.libvirt.imagecache|Unknown base file: <*>" \
    "$(sql oslo.db "SELECT line || '|' || rule || '|' || json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template') FROM events_all ORDER BY line")"

# a template with quotes in it: the finding's command quotes it for the shell
printf '%s\n' "2025-11-02 00:29:11 ERROR tools.chat: Error in chat: Model 'glm-4.6' is not available" \
    "2025-11-02 00:29:12 ERROR tools.chat: Error in chat: Model 'kimi-k2' is not available" > quoted.log
"$LT" ingest -q --db quoted.db quoted.log
"$LT" report --db quoted.db > quoted.txt
check_contains "a quoted template: its command quotes it" quoted.txt \
    "logtriage events --rule log-error --field logger=tools.chat --field 'template=Error in chat: Model '\\''<*>'\\'' is not available' --since 2025-11-02T00:29:11.000Z"
cmd=$(sed -n 's/^ *error *2 × .*): logtriage \(events .*\)$/\1/p' quoted.txt)
check_eq "a quoted template: its command, run, lists both events" "2" \
    "$(eval "\"\$LT\" $cmd --db quoted.db --format tsv" | wc -l | tr -d ' ')"

# --- a CRITICAL record that a rule of category error takes at a lower
# severity (a traceback) is a critical event too; one that a family's rule
# of severity error takes (a semaphore released too often) is not doubled
cat > crit.log <<'LOG'
2025-11-03 17:00:09 CRITICAL src.daemon: fatal thing happened
Traceback (most recent call last):
  File "/app/x.py", line 3, in <module>
    raise ValueError("bad")
ValueError: bad
2025-11-03 17:00:10 ERROR ws_daemon: Error in chat
Traceback (most recent call last):
  File "/app/y.py", line 5, in <module>
    raise KeyError("k")
KeyError: 'k'
2025-11-03 17:00:11 CRITICAL src.daemon.middleware.semaphores: CRITICAL: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times
LOG
"$LT" ingest -q --db crit.db crit.log
check_eq "CRITICAL with a traceback: traceback and log-critical; ERROR with one: traceback only; a family's CRITICAL: its rule only" \
    "1 log-critical|1 traceback|6 traceback|11 semaphore-double-release" \
    "$(sql crit.db "SELECT group_concat(line || ' ' || rule, '|') FROM (SELECT line, rule FROM events_all ORDER BY line, rule)")"
check_rc "report --fail-on critical: exit 1 for the traceback under CRITICAL" 1 \
    "$LT" report --db crit.db --fail-on critical
check_eq "log-critical's template: the CRITICAL line's, and what it raised" "src.daemon|fatal thing happened | ValueError: bad" \
    "$(sql crit.db "SELECT json_extract(fields, '\$.logger') || '|' || json_extract(fields, '\$.template') FROM events_all WHERE rule = 'log-critical'")"

# --- a record glued to a print() of a JSON object without its newline
# ('{"partial": true}2025-...'): the object stays with the record before,
# the record after it is a record of its own
printf '%s\n' '2025-11-03 17:00:08 ERROR ws_daemon: Tool execution failed: boom' \
    '{"partial": true}2025-11-03 17:00:09 CRITICAL src.daemon: fatal thing happened' \
    '{"level": "info", "msg": "2025-11-03 17:00:10 ERROR quoted in a JSON log line"}' > gluedjson.log
"$LT" ingest -q --db gluedjson.db gluedjson.log
check_eq "glued to a JSON print: three records, the CRITICAL one its own" \
    "3|1 log-error|2 log-critical" \
    "$(sql gluedjson.db "SELECT (SELECT sum(records) FROM volume) || '|' || group_concat(line || ' ' || rule, '|') FROM (SELECT line, rule FROM events_all ORDER BY line)")"
check_eq "the JSON print stays with the record before it" \
    "2025-11-03 17:00:08 ERROR ws_daemon: Tool execution failed: boom
{\"partial\": true}" \
    "$(sql gluedjson.db "SELECT text FROM events_all WHERE line = 1")"

# --- one failure on many sources: the report names the first three and
# how many more (every one with --all); json gives their number
for s in web-1 web-2 web-3 web-4 web-5; do
	printf '%s  | 2025-11-03 17:00:08 ERROR app.jobs: job failed: disk full\n' "$s"
done > manysrc.log
"$LT" ingest -q --db manysrc.db manysrc.log
"$LT" report --db manysrc.db > manysrc.txt
check_eq "an error on five sources: three named and two more" \
    "           first 2025-11-03T17:00:08.000Z, last 2025-11-03T17:00:08.000Z, on web-1, web-2, web-3 and 2 more" \
    "$(grep -A1 '5 × app.jobs: job failed: disk full$' manysrc.txt | sed -n 2p)"
check_contains "the finding too" manysrc.txt \
    ".. 2025-11-03T17:00:08.000Z on web-1, web-2, web-3 and 2 more): logtriage events --rule log-error"
"$LT" report --db manysrc.db --all > manysrc-all.txt
check_eq "with --all, every source" \
    "           first 2025-11-03T17:00:08.000Z, last 2025-11-03T17:00:08.000Z, on web-1, web-2, web-3, web-4, web-5" \
    "$(grep -A1 '5 × app.jobs: job failed: disk full$' manysrc-all.txt | sed -n 2p)"
"$LT" report --db manysrc.db --format json > manysrc.json
check_eq "json: the sources named and their number" \
    "web-1, web-2, web-3 and 2 more|5" \
    "$(python3 -c 'import json,sys; g=json.load(open("manysrc.json"))["errors"][0]; print(g["sources"] + "|" + str(g["source_count"]))')"
