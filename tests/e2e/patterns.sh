# patterns.sh - `logtriage patterns`: templates mined from a log without a
# database (text, json, --records), the level forms it reads, a rule printed
# for a template that passes `rules test` and then matches its records, and
# the stored events mined from a database.
. "$TOP/tests/e2e/lib.sh"

cp "$TOP"/tests/fixtures/patterns/* "$T/"

check_rc "patterns: text listing" 0 $LT patterns --input app.log
check_eq "patterns: text: templates ranked by severity, then count" \
"5 templates from 12 of 15 records

   1  1 x critical  src.daemon.middleware.semaphores: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times
      first 2025-11-02T00:18:00.000Z  last 2025-11-02T00:18:00.000Z  sources app.log
      sample 2025-11-02 00:18:00 CRITICAL src.daemon.middleware.semaphores: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times

   2  3 x error  src.providers.glm: GLM generate_content failed after <*> retries: Connection error.
      first 2025-11-02T00:12:07.000Z  last 2025-11-02T00:19:12.000Z  sources app.log
      sample 2025-11-02 00:12:07 ERROR src.providers.glm: GLM generate_content failed after 3 retries: Connection error.

   3  2 x error  tools.chat: Model '<*>' is not available.
      first 2025-11-02T00:13:30.000Z  last 2025-11-02T00:17:10.000Z  sources app.log
      sample 2025-11-02 00:13:30 ERROR tools.chat: Model 'glm-4.6' is not available.

   4  2 x error  tools.chat: Error in chat\\nValueError: Model '<*>' is not available.
      first 2025-11-02T00:14:00.000Z  last 2025-11-02T00:22:00.000Z  sources app.log
      sample 2025-11-02 00:14:00 ERROR tools.chat: Error in chat\\nTraceback (most recent call last):\\n  File \"/app/src/providers/registry.py\", line 88, in get_provider\\n    raise ValueError(f\"Model '{self.model_name}' is not available.\")\\nValueError: Model 'glm-4.6' is not available.

   5  4 x warning  src.monitoring.resilient_websocket: Connection closed for <*>: sent <*> (internal error) keepalive ping timeout
      first 2025-11-02T00:10:05.000Z  last 2025-11-02T00:21:30.000Z  sources app.log
      sample 2025-11-02 00:10:05 WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.5:41822: sent 1011 (internal error) keepalive ping timeout" \
    "$(cat "$T/out")"

check_rc "patterns: --level error" 0 $LT patterns --input app.log --level error --limit 1
check_eq "patterns: --level error leaves the warnings out" \
    "4 templates from 8 of 15 records" "$(head -1 "$T/out")"
check_eq "patterns: --limit 1 lists one template" 1 "$(grep -c '^ *[0-9]*  [0-9]* x ' "$T/out")"

check_rc "patterns: json" 0 $LT patterns --input app.log --format json
check_eq "patterns: json: ids, counts, severities and templates" \
'1 1 critical src.daemon.middleware.semaphores: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times
2 3 error src.providers.glm: GLM generate_content failed after <*> retries: Connection error.
3 2 error tools.chat: Model '"'<*>'"' is not available.
4 2 error tools.chat: Error in chat\nValueError: Model '"'<*>'"' is not available.
5 4 warning src.monitoring.resilient_websocket: Connection closed for <*>: sent <*> (internal error) keepalive ping timeout' \
    "$(sed -n 's/^,*{"id":\([0-9]*\),"count":\([0-9]*\),"severity":"\([a-z]*\)","template":"\([^"]*\)".*/\1 \2 \3 \4/p' "$T/out")"
check_contains "patterns: json: totals" "$T/out" '{"records":15,"mined":12,"templates":['
check_contains "patterns: json: first, last, sources, sample" "$T/out" \
    '"first":"2025-11-02T00:10:05.000Z","last":"2025-11-02T00:21:30.000Z","sources":["app.log"],"sample":"2025-11-02 00:10:05 WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.5:41822: sent 1011 (internal error) keepalive ping timeout"}'

# Bare messages, one per line (a leading blank starts no continuation).
check_rc "patterns: --records of bare messages" 0 \
    $LT patterns --input messages.txt --level any --records
check_eq "patterns: --records: line and template of every record" \
'{"line":1,"template":1}
{"line":2,"template":2}
{"line":3,"template":1}
{"line":4,"template":3}
{"line":5,"template":1}
{"line":6,"template":3}
{"line":7,"template":2}' "$(cat "$T/out")"
check_rc "patterns: --input - reads standard input" 0 \
    sh -c "$LT patterns --input - --level any < messages.txt"
check_eq "patterns: the three templates of the messages" \
'Received block <*> of size <*> from <*>
Deleting block <*> file <*>
PacketResponder <*> for block <*> terminating' \
    "$(sed -n 's/^ *[0-9]*  [0-9]* x -  //p' "$T/out")"

# Every level form is read, and stripped with the stamp before mining.
check_rc "patterns: level forms" 0 $LT patterns --input levels.log --level debug
check_eq "patterns: level forms: severity and template" \
'critical  panic: runtime error: index out of range [<*>] with length <*>
error  KeyError: '"'model'"'
error  java.lang.IllegalStateException: queue full
error  tools.chat:Upload failed for file <*>
error  open() "<*>" failed (<*>: No such file or directory)
error  Handler for POST <*> returned error
error  shim reaped process <*>
error  com.example.Pool - Pool exhausted after <*> ms
warning  tools.chat:Upload slow for file <*>
notice  worker process <*> exited
info  tools.chat:Upload done for file <*>
debug  com.example.Pool - Pool size <*>' \
    "$(sed -n 's/^ *[0-9]*  1 x //p' "$T/out")"
check_rc "patterns: --level any adds the record without a level" 0 \
    $LT patterns --input levels.log --level any
check_eq "patterns: --level any: 13 records" "13 templates from 13 of 13 records" \
    "$(head -1 "$T/out")"

# The headers between the stamp and the message are no part of it: syslog's
# host and program[pid], log4j's thread ("[main]", "[IPC Server handler 4
# on 62270]") before a logger, ZooKeeper's before " - "; a bracket that
# neither follows is the message's.
cp "$TOP/tests/fixtures/patterns/headers.log" .
check_rc "patterns: headers" 0 $LT patterns --input headers.log --level any
check_eq "patterns: headers: the messages' templates" \
'1  [Errno <*>] Connection refused
2  org.apache.hadoop.hdfs.DFSClient: Error Recovery for block <*> in pipeline
2  Notification time out: <*>
1  <*>: Created MRAppMaster for application <*>
1  <*>: Executing with tokens:
2  authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*>
1  check pass; user unknown
1  session opened for user <*> by (uid=<*>)
1  session closed for user <*>
1  klogd <*>, log source = /proc/kmsg started.' \
    "$(sed -n 's/^ *[0-9]*  \([0-9]*\) x [a-z-]*  /\1  /p' "$T/out")"

# A level before the stamp (Django's, Cassandra's) is read as ingest reads
# it: the stamp is the record's and no part of the template.
printf 'ERROR 2025-10-25 23:00:14,123 views 12 140 django boom\nERROR 2025-10-25 23:00:15,123 views 13 141 django boom\nWARNING [main] 2025-10-25 23:00:16,000 Foo.java:1 - slow\n' > lead.log
check_rc "patterns: level before the stamp" 0 $LT patterns --input lead.log
check_eq "patterns: level before the stamp: templates and times" \
'2 x error  views <*> <*> django boom
first 2025-10-25T23:00:14.123Z  last 2025-10-25T23:00:15.123Z  sources lead.log
1 x warning  Foo.java:<*> - slow
first 2025-10-25T23:00:16.000Z  last 2025-10-25T23:00:16.000Z  sources lead.log' \
    "$(sed -n 's/^ *[0-9]*  \([0-9]* x \)/\1/p; s/^ *\(first .*\)/\1/p' "$T/out")"

# A JSON line is mined by its message, unescaped, as the generic rules
# group it; klog's header and redis's mark are read with the stamp, as
# ingest reads them, and are no part of the template.  A rule printed for
# a JSON template matches the line.
cat > structured.log <<'EOF2'
{"level":50,"time":1761433200000,"pid":1,"msg":"request 17 failed: \"timeout\""}
{"t":{"$date":"2025-10-25T23:00:01.000+00:00"},"s":"E","c":"NETWORK","id":1,"msg":"request 18 failed: \"timeout\""}
{"@t":"2025-10-25T23:00:02Z","@mt":"Slow {Ms}","@l":"Warning","Ms":1200}
E1025 23:00:03.000000       1 reflector.go:138] Failed to watch *v1.Pod: connection refused
1:M 25 Oct 2025 23:00:04.000 # Failed opening the RDB file dump.rdb
EOF2
check_rc "patterns: structured lines" 0 $LT patterns --input structured.log
check_eq "patterns: structured lines: their messages' templates" \
'2 x error  request <*> failed: "timeout"
1 x error  Failed to watch <*>: connection refused
1 x warning  Slow {Ms}
1 x warning  Failed opening the RDB file dump.rdb' \
    "$(sed -n 's/^ *[0-9]*  \([0-9]* x \)/\1/p' "$T/out")"
check_rc "patterns: a JSON template's rule" 0 $LT patterns --input structured.log --rule 3
check_eq "patterns: a JSON template's rule matches its line" \
'match           = Slow\s+\{Ms\}
example         = {"@t":"2025-10-25T23:00:02Z","@mt":"Slow {Ms}","@l":"Warning","Ms":1200}' \
    "$(grep -E '^(match|example) ' "$T/out")"

# .NET's console: the category and event id, and the message on the line
# after, are mined together; the sample, and a rule's example, hold both.
printf 'fail: App.Db[13]\n      Connection 1 refused\nfail: App.Db[13]\n      Connection 2 refused\nfail: App.Web[2]\n' > dotnet.log
check_rc "patterns: .NET" 0 $LT patterns --input dotnet.log --format json
check_eq "patterns: .NET: the message after the category" \
'{"id":1,"count":2,"severity":"error","template":"App.Db[<*>] Connection <*> refused","first":null,"last":null,"sources":["dotnet.log"],"sample":"fail: App.Db[13]\n      Connection 1 refused"},
{"id":2,"count":1,"severity":"error","template":"App.Web[<*>]","first":null,"last":null,"sources":["dotnet.log"],"sample":"fail: App.Web[2]"}' \
    "$(sed -n 2,3p "$T/out")"

# A printed rule passes `rules test` and then matches exactly its records.
mkdir "$T/rules"
check_rc "patterns: --rule 2" 0 $LT patterns --input app.log --rule 2
cp "$T/out" "$T/rules/mined.rules"
check_eq "patterns: --rule 2: the rule section" \
'[pattern-2-glm-failed-after-retries]
category        = error
severity        = error
summary         = src.providers.glm: GLM generate_content failed after {v1} retries: Connection error.
match           = src\.providers\.glm:\s+GLM\s+generate_content\s+failed\s+after\s+(?<v1>\S+?)\s+retries:\s+Connection\s+error\.
example         = 2025-11-02 00:12:07 ERROR src.providers.glm: GLM generate_content failed after 3 retries: Connection error.
counter-example = 2025-11-02 00:18:00 CRITICAL src.daemon.middleware.semaphores: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times' \
    "$(cat "$T/out")"
check_rc "patterns: --rule 5" 0 $LT patterns --input app.log --rule 5
printf '\n' >> "$T/rules/mined.rules"
cat "$T/out" >> "$T/rules/mined.rules"
# A traceback's template holds its exception; its rule spans the lines between.
check_rc "patterns: --rule 4 (a traceback)" 0 $LT patterns --input app.log --rule 4
check_eq "patterns: --rule 4: the rule section with a block example" \
'[pattern-4-error-in-chat-valueerror]
category        = error
severity        = error
summary         = tools.chat: Error in chat / ValueError: Model '"'{Model}'"' is not available.
match           = tools\.chat:\s+Error\s+in\s+chat\s*\n(?:.*\n)*?\s*ValueError:\s+Model\s+'"'(?<Model>\S+?)'"'\s+is\s+not\s+available\.
example         = <<END
2025-11-02 00:14:00 ERROR tools.chat: Error in chat
Traceback (most recent call last):
  File "/app/src/providers/registry.py", line 88, in get_provider
    raise ValueError(f"Model '"'{self.model_name}'"' is not available.")
ValueError: Model '"'glm-4.6'"' is not available.
END
counter-example = 2025-11-02 00:18:00 CRITICAL src.daemon.middleware.semaphores: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times' \
    "$(cat "$T/out")"
printf '\n' >> "$T/rules/mined.rules"
cat "$T/out" >> "$T/rules/mined.rules"
check_rc "patterns: the mined rules pass rules test" 0 $LT rules test --no-default-rules --rules "$T/rules"
check_contains "patterns: rules test ran the three examples" "$T/out" \
    "3 examples, 3 counter-examples, 0 scenarios: 0 failed"
check_rc "patterns: ingest with the mined rules" 0 \
    $LT ingest -q --db "$T/m.db" --no-default-rules --rules "$T/rules" app.log
check_eq "patterns: the rule of template 2 matches its 3 records" 3 \
    "$(sql "$T/m.db" "SELECT count(*) FROM events_all WHERE rule = 'pattern-2-glm-failed-after-retries'")"
check_eq "patterns: the rule of template 5 matches its 4 records" 4 \
    "$(sql "$T/m.db" "SELECT count(*) FROM events_all WHERE rule = 'pattern-5-connection-closed-for-sent'")"
check_eq "patterns: the rule of template 4 matches its 2 tracebacks" "2|ValueError: Model 'kimi-k2-0905' is not available." \
    "$(sql "$T/m.db" "SELECT count(*), substr(max(text), instr(max(text), 'ValueError: Model')) FROM events_all WHERE rule = 'pattern-4-error-in-chat-valueerror'")"

# Stored events of warning or worse are mined when there is no --input.
check_rc "patterns: stored events" 0 $LT ingest -q --db "$T/s.db" --rules "$TOP/rules" app.log
check_rc "patterns: mine the stored events" 0 $LT patterns --db "$T/s.db" --source 'app*'
# The errors no rule claimed are stored too (log-error, log-critical), so they are mined.
check_eq "patterns: stored: totals" "5 templates from 12 of 12 records" "$(head -1 "$T/out")"
check_contains "patterns: stored: an error no rule claimed" "$T/out" \
    "   1  3 x error  src.providers.glm: GLM generate_content failed after <*> retries: Connection error."
# An empty window is a success, as for report and events (a quiet night
# in cron): an empty listing, and a word on standard error.
check_rc "patterns: stored: --source that matches nothing, exit 0" 0 \
    $LT patterns --db "$T/s.db" --source nothing
check_eq "patterns: stored: nothing, an empty listing" "0 templates from 0 of 0 records" \
    "$(cat "$T/out")"
check_contains "patterns: stored: nothing says to use --input" "$T/err" \
    "patterns: no stored events of warning level or worse to mine; give the log with --input FILE"
check_rc "patterns: stored: nothing, as json" 0 \
    $LT patterns --db "$T/s.db" --source nothing --format json
check_eq "patterns: stored: nothing, json with no templates" "0|0|0" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["records"], d["mined"], len(d["templates"]), sep="|")' "$T/out")"
check_rc "patterns: stored: nothing, --rule 1 is a usage error" 2 \
    $LT patterns --db "$T/s.db" --source nothing --rule 1

# Untimed events (a pasted excerpt) are mined with no window, not in one.
printf 'ERROR pool exhausted after 3 tries\nERROR pool exhausted after 5 tries\nCRITICAL pool gone\n' > paste.txt
$LT ingest -q --db "$T/u.db" --source pasted - < paste.txt
check_rc "patterns: untimed, no window" 0 $LT patterns --db "$T/u.db"
check_eq "patterns: untimed, no window: mined, no first or last time" \
    "2 templates from 3 of 3 records
   1  1 x critical  pool gone
      first -  last -  sources pasted
   2  2 x error  pool exhausted after <*> tries
      first -  last -  sources pasted" \
    "$(grep -v -e '^$' -e '^      sample' "$T/out")"
check_rc "patterns: untimed, a window" 0 $LT patterns --db "$T/u.db" --since 2000-01-01
check_eq "patterns: untimed, a window: in none" "0 templates from 0 of 0 records" "$(cat "$T/out")"

# Usage errors.
check_rc "patterns: no --input and no database" 2 $LT patterns --db "$T/none.db"
check_rc "patterns: --rule beyond the listing" 2 $LT patterns --input app.log --rule 9
check_contains "patterns: --rule beyond: message" "$T/err" \
    "logtriage: patterns: no template 9 (there are 5)"
check_rc "patterns: bad --level" 2 $LT patterns --input app.log --level loud
check_rc "patterns: --records wants ndjson" 2 \
    $LT patterns --input app.log --records --format text
check_rc "patterns: --input with --since" 2 \
    $LT patterns --input app.log --since 24h
check_rc "patterns: missing input" 3 $LT patterns --input "$T/missing.log"

# nothing at warning or worse: nothing to mine, and no sort of nothing
printf '2025-10-26 06:00:00 INFO start\n' > info.log
check_eq "patterns: a log without warnings has no template" "0 templates from 0 of 1 records" \
    "$("$LT" patterns --input info.log 2>&1)"

# oslo.log's request context is left out of the template, and the rule of
# the template matches it: one template and one rule for two requests
cp "$TOP/tests/fixtures/errors/oslo.log" .
check_rc "patterns: oslo.log" 0 $LT patterns --input oslo.log --level error
check_contains "patterns: oslo.log: both requests under one template" "$T/out" \
    "   1  2 x error  nova.compute.manager [instance: <*>] Failed to allocate network(s)"
mkdir "$T/oslo"
check_rc "patterns: oslo.log: --rule 1" 0 $LT patterns --input oslo.log --level any --rule 1
cp "$T/out" "$T/oslo/oslo.rules"
check_contains "patterns: oslo.log: the rule allows the context" "$T/oslo/oslo.rules" \
    'match           = nova\.compute\.manager\s+(?:\[[^\]\n]*\]\s+)?\[instance:\s+(?<instance>\S+?)\]\s+Failed\s+to\s+allocate\s+network\(s\)'
check_rc "patterns: oslo.log: the rule passes rules test" 0 \
    $LT rules test --no-default-rules --rules "$T/oslo"
check_contains "patterns: oslo.log: its example and counter-example ran" "$T/out" \
    "1 examples, 1 counter-examples, 0 scenarios: 0 failed"
check_rc "patterns: oslo.log: ingest with the rule" 0 \
    $LT ingest -q --db "$T/oslo.db" --no-default-rules --rules "$T/oslo" oslo.log
check_eq "patterns: oslo.log: the rule matches both requests' records" "2|3" \
    "$(sql "$T/oslo.db" "SELECT group_concat(line, '|') FROM (SELECT line FROM events_all WHERE rule = 'pattern-1-failed-to-allocate' ORDER BY line)")"
