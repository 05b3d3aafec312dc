#!/bin/sh
# loki.sh - the daemon's log as Grafana Loki's `logcli query` prints it:
# each line after its entry's stamp and its stream's labels.  The same
# events, times and incidents as the log itself, from the source the
# container label names.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
S=$TOP/samples

# wrap STAMP: the sample log after logcli's stamp of the line (of the line
# before, for a line without one) and the labels; STAMP: offset (logcli's
# default, +00:00), nano (a fraction of nine digits and Z) or jsonl
# (logcli -o jsonl: one JSON object a line, the keys in Go's order).
wrap() {
	awk -v mode="$1" '{
		if ($0 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:/) {
			d = substr($0, 1, 10); t = substr($0, 12, 8)
		}
		if (mode == "offset")
			s = d "T" t "+00:00"
		else
			s = sprintf("%sT%s.%09dZ", d, t, NR)
		if (mode == "jsonl") {
			l = $0; gsub(/\\/, "\\\\", l); gsub(/"/, "\\\"", l); gsub(/\t/, "\\t", l)
			printf "{\"labels\":{\"compose_project\":\"exai\",\"container\":\"exai-mcp\",\"job\":\"docker\"},\"line\":\"%s\",\"timestamp\":\"%s\"}\n", l, s
		} else
			printf "%s {compose_project=\"exai\", container=\"exai-mcp\", job=\"docker\"} %s\n", s, $0
	}' "$S/exai-daemon.log"
}

"$LT" ingest -q --final --db plain.db "$S/exai-daemon.log"
facts_plain=$(facts plain.db)
check_eq "the sample holds events and incidents" "70|5" \
    "$(sql plain.db "SELECT (SELECT count(*) FROM events_all) || '|' || (SELECT count(*) FROM incidents)")"

for mode in offset nano jsonl; do
	wrap "$mode" > "$mode.log"
	check_wrapped "$mode" "$mode.log" "exai-mcp|loki"
done

# the first label of container, container_name, compose_service,
# service_name, service, app, pod, unit and job names the source, passing
# over an empty value or one with an escape; none of them names none;
# "{}" is a stream too
printf '%s\n' \
    '2025-11-02T00:29:08Z {job="docker", service_name="api"} ERROR api: one' \
    '2025-11-02T00:29:09Z {job="varlogs"} ERROR sys: two' \
    '2025-11-02T00:29:10Z {host="h1"} ERROR x: three' \
    '2025-11-02T00:29:11Z {container="we\"b", job="docker"} ERROR web: four' \
    '2025-11-02T00:29:12Z {} ERROR y: five' \
    '2025-11-02T00:29:12Z {container="", app="web"} ERROR y: five and a half' \
    '2025-11-02T00:29:13Z {job="docker" ERROR z: six' > labels.log
"$LT" ingest -q --final --db labels.db labels.log
check_eq "labels: the source each names, the message after them" \
    "1|api|loki|ERROR api: one
2|varlogs|loki|ERROR sys: two
3|labels.log|file|ERROR x: three
4|docker|loki|ERROR web: four
5|labels.log|file|ERROR y: five
6|web|loki|ERROR y: five and a half
7|labels.log|file|2025-11-02T00:29:13Z {job=\"docker\" ERROR z: six" \
    "$(sql labels.db "SELECT e.line || '|' || s.name || '|' || s.kind || '|' || e.text FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"

# jsonl without labels (--no-labels): the input's own source
printf '%s\n' '{"line":"2025-11-02 00:29:08 ERROR api: one","timestamp":"2025-11-02T01:29:08+01:00"}' \
    '{"labels":{"app":"web"},"line":"WARNING web: two","timestamp":"2025-11-02T00:29:09.5Z"}' \
    '{"labels":{"app":"web"},"line":"ERROR web: three","timestamp":"yesterday"}' > nolabels.log
"$LT" ingest -q --final --db nolabels.db nolabels.log
check_eq "jsonl: the stamp, the labels' source, the line; a bad stamp is no envelope (a plain line of the input, the next of its record)" \
    "1|1762043348000|nolabels.log|file|2025-11-02 00:29:08 ERROR api: one
{\"labels\":{\"app\":\"web\"},\"line\":\"ERROR web: three\",\"timestamp\":\"yesterday\"}
2|1762043349500|web|loki|WARNING web: two" \
    "$(sql nolabels.db "SELECT e.line || '|' || e.ts || '|' || s.name || '|' || s.kind || '|' || e.text FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"

# newest first, as logcli prints without --forward: said once, with the
# count of records older than the one before; oldest first: nothing said
tac offset.log > backward.log
"$LT" ingest --final --db backward.db backward.log 2> backward.err
check_eq "newest first: said" \
    "logtriage: backward.log: 113 of 130 records are older than the one before: the input runs newest first (as logcli query prints without --forward), and a record of several lines is read in the wrong order" \
    "$(grep -v '^logtriage: [0-9]* lines' backward.err)"
"$LT" ingest --final --db forward.db offset.log 2> forward.err
check_eq "oldest first: nothing said but the summary" "" \
    "$(grep -v '^logtriage: [0-9]* lines' forward.err)"
