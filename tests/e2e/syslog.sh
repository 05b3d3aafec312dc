#!/bin/sh
# syslog.sh - the daemon's log as the journal and syslog give it back:
# journalctl's short output (every line a journal entry of its own, as
# Docker's journald driver writes them, or a message's further lines
# indented under its first), short-iso, rsyslog's file with priorities
# and RFC 5424: the same events, times and incidents as the log itself,
# from the program named in each line's header.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
S=$TOP/samples

# wrap MODE: the sample log under a syslog header that carries the stamp
# of the line (or of the line before, for a line without one).  MODE:
# entries (a header on every line), indented (the lines without a stamp
# under their message, as journalctl prints one of several lines), iso
# (short-iso, UTC), rsyslog ("<14>" and the traditional stamp), rfc5424,
# full (short-full: weekday, date and zone) and unix (short-unix: epoch).
wrap() {
	awk -v mode="$1" 'BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
		split("Thu Fri Sat Sun Mon Tue Wed", wday, " ") }
	# days from 1970-01-01 to the date d ("YYYY-MM-DD"), Gregorian
	function days(d,   y, m, dd, era, yoe, doy) {
		y = substr(d, 1, 4) + 0; m = substr(d, 6, 2) + 0; dd = substr(d, 9, 2) + 0
		if (m <= 2) y--
		era = int(y / 400); yoe = y - era * 400
		doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + dd - 1
		return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
	}
	{
		if ($0 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:/) {
			d = substr($0, 1, 10); t = substr($0, 12, 8); stamped = 1
		} else
			stamped = 0
		m = mon[substr(d, 6, 2) + 0]; day = substr(d, 9, 2)
		if (mode == "entries" || mode == "indented")
			h = sprintf("%s %s %s web01 exai-mcp[812]: ", m, day, t)
		else if (mode == "iso")
			h = sprintf("%sT%s+0000 web01 exai-mcp[812]: ", d, t)
		else if (mode == "full")
			h = sprintf("%s %s %s UTC web01 exai-mcp[812]: ", wday[days(d) % 7 + 1], d, t)
		else if (mode == "unix")
			h = sprintf("%d.%06d web01 exai-mcp[812]: ", days(d) * 86400 + substr(t, 1, 2) * 3600 + substr(t, 4, 2) * 60 + substr(t, 7, 2), NR % 1000)
		else if (mode == "rsyslog")
			h = sprintf("<14>%s %2d %s web01 exai-mcp[812]: ", m, day + 0, t)
		else
			h = sprintf("<14>1 %sT%s.000Z web01.example.com exai-mcp 812 - - ", d, t)
		if (mode == "indented" && !stamped)
			h = sprintf("%" length(h) "s", "")
		print h $0
	}' "$S/exai-daemon.log"
}

"$LT" ingest -q --final --db plain.db "$S/exai-daemon.log"
facts_plain=$(facts plain.db)
check_eq "the sample holds events and incidents" "70|5" \
    "$(sql plain.db "SELECT (SELECT count(*) FROM events_all) || '|' || (SELECT count(*) FROM incidents)")"

for mode in entries indented iso rsyslog rfc5424 full unix; do
	wrap "$mode" > "$mode.log"
	check_wrapped "$mode" "$mode.log" "exai-mcp|syslog"
done

# from standard input, as journalctl is piped in
wrap entries | "$LT" ingest -q --db pipe.db -
check_eq "piped: the events and incidents of the log itself" "$facts_plain" "$(facts pipe.db)"

# --format syslog reads a line that is no syslog line as plain text
{ echo "-- Boot 4c1f2e --"; wrap entries; } > boot.log
check_rc "forced: exit 0" 0 "$LT" ingest -q --final --format syslog --db boot.db boot.log
check_eq "forced: the events and incidents of the log itself" "$facts_plain" "$(facts boot.db)"

# a priority's severity is the line's level when its message states
# none (Docker's syslog driver writes 3 for every stderr line, 6 for
# stdout); programs are sources of their own
cat > mixed.log <<'LOG'
<11>Oct 25 23:00:01 web01 billing[42]: payment gateway unreachable
<12>Oct 25 23:00:02 web01 billing[42]: retry queue at 90%
Oct 25 23:00:03 web01 kernel: Memory cgroup out of memory: Killed process 812 (uvicorn) total-vm:2345678kB
Oct 25 23:00:04 web01 sshd[7]: error: kex_exchange_identification: Connection closed by remote host
Oct 25 23:00:05 web01 sshd[7]: Accepted publickey for root from 10.0.0.1 port 5555 ssh2
Oct 25 23:00:06 web01 sshd[7]:  Connection from 10.0.0.2 port 5556 on 10.0.0.1 port 22
<14>Oct 25 23:00:07 web01 app[9]: 2025-10-25 23:00:07 ERROR app: its own level
<11>Oct 25 23:00:08 web01 app[9]: 2025-10-25 23:00:08 INFO app: Docker's stderr
LOG
"$LT" ingest -q --final --db mixed.db mixed.log
# a message that opens with a blank is one of its own: it has its header
check_eq "programs: each line a record" "8|8" \
    "$(sql mixed.db "SELECT lines || '|' || records FROM ingests")"
check_eq "programs: their events, at their stamps" \
    "1|billing|log-error|10-25 23:00:01|payment gateway unreachable
2|billing|log-warning|10-25 23:00:02|retry queue at 90%
3|kernel|oom-kill|10-25 23:00:03|Memory cgroup out of memory: Killed process 812 (uvicorn) total-vm:2345678kB
4|sshd|log-error|10-25 23:00:04|error: kex_exchange_identification: Connection closed by remote host
7|app|log-error|10-25 23:00:07|2025-10-25 23:00:07 ERROR app: its own level" \
    "$(sql mixed.db "SELECT e.line || '|' || s.name || '|' || e.rule || '|' || strftime('%m-%d %H:%M:%S', e.ts / 1000, 'unixepoch') || '|' || e.text
	FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"

# event_times DB: the times of DB's events in the order of their lines
event_times() {
	sql "$1" "SELECT group_concat(datetime(ts / 1000, 'unixepoch'), '|') FROM (SELECT ts FROM events_all ORDER BY line)"
}

# a stamp without a year takes the year of the stamps around it: a
# line of 2024 before it, the new year after a December
printf '%s\n' '2024-12-31 23:59:58 ERROR app: first' \
    'Dec 31 23:59:59 web01 app[1]: ERROR app: second' \
    'Jan  1 00:00:01 web01 app[1]: 2025-01-01 00:00:01 ERROR app: third' > year.log
"$LT" ingest -q --final --db year.db year.log
check_eq "no year: the one of the stamps around it" \
    "2024-12-31 23:59:58|2024-12-31 23:59:59|2025-01-01 00:00:01" \
    "$(event_times year.db)"

# journalctl prints local time: the daemon's own stamps (UTC) 11 hours
# behind are said, and --tz auto reads the header in the zone they imply
awk 'BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ") }
{
	if ($0 ~ /^[0-9][0-9][0-9][0-9]-/) {
		d = substr($0, 1, 10); t = substr($0, 12, 8)
		h = substr(t, 1, 2) + 11; dd = substr(d, 9, 2) + 0
		if (h >= 24) { h -= 24; dd++ }
	}
	printf "%s %2d %02d%s web01 exai-mcp[812]: %s\n", mon[substr(d, 6, 2) + 0], dd, h, substr(t, 3), $0
}' "$S/exai-daemon.log" > local.log
"$LT" ingest --final --db local.db local.log 2> local.err
check_eq "local time: the offset said, with the --tz that reads it" \
    "logtriage: exai-mcp: the records' own stamps are 11 h behind their envelope's (130 of 130 records); if the records' own are UTC, --tz +11:00 (or --tz auto) reads the envelope's right" \
    "$(head -n 1 local.err)"
"$LT" ingest -q --final --tz auto --db auto.db local.log
check_eq "local time, --tz auto: the events and incidents of the log itself" \
    "$facts_plain" "$(facts auto.db)"

# a first line without a stamp of its own dates nothing: the year of the
# message's own stamp, where there is one, wins over the input's latest
printf '%s\n' 'Nov  2 00:29:08 web01 app[1]: starting' \
    'Nov  2 00:29:09 web01 app[1]: 2025-11-02 00:29:09 ERROR app: first' \
    'Nov  2 00:29:10 web01 app[1]: ERROR app: second' > own.log
"$LT" ingest -q --final --db own.db own.log
check_eq "no year: the message's own stamp's, then the input's" \
    "2025-11-02 00:29:09|2025-11-02 00:29:10" \
    "$(event_times own.db)"

# short-full with a zone timeparse does not know: read in --tz; rsyslog's
# "message repeated N times: [ msg]" is the message it quotes
printf '%s\n' 'Sun 2025-11-02 03:29:08 +03 web01 app[1]: ERROR app: first' \
    'Sun 2025-11-02 03:29:09 +03 web01 app[1]: message repeated 4 times: [ ERROR app: first]' \
    'Sun 2025-11-02 03:29:10 +03 web01 app[1]: message repeated 2 times: [ INFO app: fine]' \
    'Sun 2025-11-02 03:29:11 web01 app[1]: ERROR app: no zone' > zone.log
"$LT" ingest -q --final --tz +03:00 --db zone.db zone.log
check_eq "short-full, an unknown zone or none: read in --tz; a repeat is its message" \
    "2025-11-02 00:29:08|app|ERROR app: first
2025-11-02 00:29:09|app|ERROR app: first
2025-11-02 00:29:11|app|ERROR app: no zone" \
    "$(sql zone.db "SELECT datetime(e.ts / 1000, 'unixepoch') || '|' || s.name || '|' || e.text FROM events_all e JOIN sources s ON s.id = e.source_id ORDER BY e.line")"
