# tui.sh - the triage screen driven in tmux: summary (findings first),
# drill-down, help, search and its wrap, paging, the time window and source
# prompts, Timeline zoom and moving, resizing, NO_COLOR, a non-UTF-8 locale,
# quit status, a live piped stream, escaping of a terminal title sequence,
# a clean error for an unreadable database, and the golden summary screen.
. "$TOP/tests/e2e/lib.sh"

if ! command -v tmux > /dev/null 2>&1; then
	not_ok "tmux is installed" "the tui tests need tmux"
	exit 0
fi

SOCK=lt$$
TM="tmux -L $SOCK -f /dev/null"
ESC=$(printf '\033')
trap '$TM kill-server 2> /dev/null; rm -rf "$T"' EXIT
# A session that outlives the others, so the server stays up if one dies early.
$TM new-session -d -s keep -x 120 -y 40 "sleep 600"

# counted: DB's event_minutes from its events, as logtriage keeps them for
# the events it stores (the fixtures write events with SQL)
counted() {
	sqlite3 "$1" "DELETE FROM event_minutes; INSERT INTO event_minutes
	    SELECT rule, source_id, ts / 60000 - (ts % 60000 < 0), count(*)
	    FROM events_all WHERE ts IS NOT NULL GROUP BY 1, 2, 3"
}

sqlite3 fx.db < "$TOP/schema.sql"
sqlite3 fx.db < "$TOP/tests/fixtures/tui/fixture.sql"
counted fx.db

# start NAME COMMAND [ROWS [ENV [COLS]]]: run COMMAND in a fresh COLSxROWS
# (120x40) session with TERM=tmux-256color (so Home, End and the page keys
# arrive as the terminfo says), NO_COLOR and a UTF-8 locale unless ENV
# overrides them; its exit status lands in $T/NAME.rc.
start() {
	$TM kill-session -t "$1" 2> /dev/null
	$TM new-session -d -s "$1" -x "${5:-120}" -y "${3:-40}" \
	    "cd '$T' && export TERM=tmux-256color NO_COLOR=1 LC_ALL=C.UTF-8 ${4:-} && $2; echo \$? > '$T/$1.rc'; sleep 30"
}

# row NAME N: line N (from 1) of the pane, trailing blanks removed
row() { screen "$1" | sed -n "$2p" | sed 's/ *$//'; }

# expect_row NAME SESSION N TEXT: poll until line N is exactly TEXT
expect_row() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(row "$2" "$3")" = "$4" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	check_eq "$1" "$4" "$(row "$2" "$3")"
}

# gone NAME TEXT: poll (up to 10 s) until TEXT is off the screen; 0 if it went
gone() {
	i=0
	while [ $i -lt 100 ]; do
		if ! screen "$1" | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# screen NAME: the pane as text
screen() { $TM capture-pane -p -t "$1"; }

# wait_for NAME TEXT: poll the pane (up to 10 s) until TEXT shows; 0 if it did
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		if screen "$1" | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_file FILE: poll (up to 10 s) until FILE exists
wait_file() {
	i=0
	while [ $i -lt 100 ] && [ ! -s "$1" ]; do sleep 0.1; i=$((i + 1)); done
}

# expect NAME SESSION TEXT: a check that TEXT appears on the screen
expect() {
	if wait_for "$2" "$3"; then ok "$1"; else
		screen "$2" > "$T/screen.txt"
		not_ok "$1" "missing on screen: $3" "$(head -20 "$T/screen.txt")"
	fi
}

# -- summary, help, search, quit ------------------------------------------
# First make sure this tmux lets an OSC sequence set the title at all, or
# the title check below could not fail.
start osc "printf '\\033]0;pwned\\007'"
wait_file "$T/osc.rc"
check_eq "a raw OSC sequence does set the pane title here" "pwned" \
    "$($TM display -p -t osc '#{pane_title}')"

start s "$LT tui --db fx.db"
$TM select-pane -t s -T untouched
expect "summary shows the storm" s "storm      ws-keepalive-1011"
expect "summary shows the storm's peer" s "peer=172.18.0.23"
expect "summary shows the unresolved leak, how often and since when" s \
    "unresolved semaphore-leak             1 ev  2025-10-25 23:43:00       -  scope=kimi"
expect "summary counts the rule" s "   ws-keepalive-1011                 25  warning"
expect "the findings follow the first paint" s "0 never resolved"
check_eq "the findings lead the summary" " TOP FINDINGS" "$(row s 4)"
check_eq "the first finding is the storm" \
    "   warning   ws-keepalive-1011 storm from 172.18.0.23 on exai-mcp-daemon: 25 events in 4 min 48 s from" \
    "$(row s 5)"
check_eq "a long finding wraps under its text" \
    "             2025-10-25T23:32:00.000Z, peak 5 per minute" "$(row s 6)"
check_eq "the incidents follow the findings" " INCIDENTS (most severe first)" \
    "$(row s 8)"
expect_row "the status line says what Enter does on the finding" s 40 \
    " Enter: timeline of ws-keepalive-1011  j/k move  Tab views  t window  s source  ? help"
screen s > summary.txt
sed "s/ *$//" summary.txt > summary-trim.txt
check_golden "summary screen matches the golden capture" \
    "$TOP/tests/golden/tui-summary.txt" summary.txt

# LOGTRIAGE_TUI_TIMING: the first screen's line carries the time of day it
# reached the terminal, between the launch and the screen seen.
launched=$(date +%s%N)
start timed "$LT tui --db fx.db" 40 "LOGTRIAGE_TUI_TIMING='$T/timing.txt'"
expect "the timed TUI shows the summary" timed "0 never resolved"
seen=$(date +%s%N)
check_eq "the timing file's first line is first, two figures and a stamp" \
    "first 2 1" "$(awk 'NR == 1 { print $1, ($2 ~ /^[0-9]+\.[0-9]$/) + ($3 ~ /^[0-9]+\.[0-9]$/), ($4 ~ /^[0-9]+$/) }' "$T/timing.txt")"
at=$(awk 'NR == 1 { print $4 }' "$T/timing.txt")
check_eq "the first screen's stamp falls between launch and sight" 1 \
    "$([ "${at:-0}" -ge "$launched" ] && [ "${at:-0}" -le "$seen" ] && echo 1 || echo 0)"
$TM send-keys -t timed Down
i=0
while [ $i -lt 100 ] && [ "$(wc -l < "$T/timing.txt")" -lt 2 ]; do
	sleep 0.1
	i=$((i + 1))
done
check_eq "a key's line is key, its name and two figures" "key KEY_DOWN 2" \
    "$(awk 'NR == 2 { print $1, $2, ($3 ~ /^[0-9]+\.[0-9]$/) + ($4 ~ /^[0-9]+\.[0-9]$/) }' "$T/timing.txt")"

# A database made before event_minutes, opened read-only, is counted event
# by event: the same screen.
cp fx.db old.db
sqlite3 old.db "DROP TABLE event_minutes"
start olds "$LT tui --db old.db"
expect "an older database: summary counts the rule" olds \
    "   ws-keepalive-1011                 25  warning"
expect "an older database: the findings come" olds "0 never resolved"
expect_row "an older database: the status line" olds 40 \
    " Enter: timeline of ws-keepalive-1011  j/k move  Tab views  t window  s source  ? help"
screen olds | sed -e 's/old\.db/fx.db/' -e 's/ *$//' > summary-old.txt
check_eq "an older database: the summary screen is the same" "" \
    "$(diff summary-trim.txt summary-old.txt)"
# and the Timeline, counted per bucket with count(*), not from the minutes
start news "$LT tui --db fx.db"
expect "the Timeline from the minutes: summary first" news "0 never resolved"
$TM send-keys -t news Tab
$TM send-keys -t olds Tab
expect "the Timeline from the minutes" news "(33 on screen)"
expect "an older database: the Timeline counts the same" olds "(33 on screen)"
screen news | sed 's/ *$//' > timeline-new.txt
screen olds | sed -e 's/old\.db/fx.db/' -e 's/ *$//' > timeline-old.txt
check_eq "an older database: the Timeline screen is the same" "" \
    "$(diff timeline-new.txt timeline-old.txt)"
# gone, so that "s" names session s again, not a window "sleep" of theirs
$TM kill-session -t olds
$TM kill-session -t news


$TM send-keys -t s '?'
expect "? shows the help" s "logtriage tui - keys"
expect "the help tells the time window forms" s \
    "t  time window: 24h..  2025-10-25T10:00..now  yesterday..today"
expect "the help tells how Summary drills down" s \
    "Summary   findings, incidents, events per rule. Enter: a finding"
expect "the help tells the Events keys" s \
    "Events    / search, n/N next/previous hit (wraps round), f show"
expect "the help tells the category and severity keys" s \
    "only lines with a text, r rule, C category, v severity"
expect "the help tells the Timeline zooms at the cursor" s \
    "Timeline  +/- zoom in/out at the cursor, Left/Right (h/l) move a"
expect "the help tells the horizontal scroll" s \
    "Left/Right (h/l) scroll the text, Home/End its start/end"
expect "the help tells Tab completes names" s \
    "Tab completes a source or rule name in the s and r prompts"
expect "the help tells the search is a regex" s \
    "/ takes a regex: caseless unless it has a capital"
expect "the help tells the zone switch" s \
    "z  times in UTC or in the --tz zone (local time without --tz)"
expect "the help tells go to a time" s \
    "T  go to a time (forms of t) in Events or the Timeline"
expect "the help tells the severity forms" s \
    "(warning or >=warning at least, =error exactly); they"
expect "the help tells the Detail keys" s \
    "g/G top/bottom, p indent JSON and dict payloads or not,"
expect "the help tells the severity bars" s \
    "events of the bucket; bars split by severity, ! incident"
expect "the help tells the live count" s \
    "G follows new events (N new below: how many came),"
$TM send-keys -t s x
if wait_for s "EVENTS BY CATEGORY AND RULE" && gone s "tui - keys"; then
	ok "any key closes the help"
else
	not_ok "any key closes the help"
fi

# Tab twice: Events over everything; / finds the OSC line.
$TM send-keys -t s Tab Tab
expect "Tab reaches the events view" s "events  all rules"
$TM send-keys -t s / pwned Enter
expect "search finds the line" s 'search /pwned/'
expect "the found line is listed escaped" s 'kimi-k2 timed out \e]0'
$TM send-keys -t s Enter
expect "Enter opens the detail of the hit" s "event 207"
expect "detail shows the whole record escaped" s \
    'kimi-k2 timed out \e]0;pwned\x07 café \xff end'

expect "detail shows the fields" s "model            kimi-k2"
check_eq "an OSC title sequence in a log line leaves the pane title alone" \
    "untouched" "$($TM display -p -t s '#{pane_title}')"

# Detail of the fallback shows the timeout it followed.
$TM send-keys -t s Escape
$TM send-keys -t s / 'falling back' Enter
expect "search finds the fallback" s "WARNING router: falling back"
$TM send-keys -t s Enter
expect "detail shows the inherited model" s "INHERITED"
expect "detail shows the linked timeout" s "links to event 200"

# Detail of a response time shows the value in its unit.
$TM send-keys -t s Escape
$TM send-keys -t s / 'in 4790 ms' Enter
expect "search finds the response time" s "INFO gateway: response from"
$TM send-keys -t s Enter
expect "detail shows the value in its unit" s "value     4.79 s (4790 ms)  group kimi-k2"

# Back to the Summary: Enter drills down from a finding and an incident.
$TM send-keys -t s Escape Escape
expect_row "Esc twice goes back to the summary" s 4 " TOP FINDINGS"
$TM send-keys -t s Enter
expect_row "Enter on a finding opens the timeline of its rule" s 3 \
    " timeline  rule ws-keepalive-1011  per minute  (25 on screen)"
check_eq "the storm's first minute is on the timeline" \
    " 2025-10-25 23:32:00         5" "$(row s 7 | cut -c1-30)"
$TM send-keys -t s Escape
expect_row "Esc goes back to the summary" s 4 " TOP FINDINGS"
$TM send-keys -t s j j
expect_row "the status line says what Enter does on an incident" s 40 \
    " Enter: events of this unresolved  j/k move  Tab views  t window  s source  ? help"
$TM send-keys -t s Enter
# the header is compared cut: wait for that part to show first
wait_for s " events  rule semaphore-leak  2025-10-25 23:43:00 .. 2025-10-25 23:43:00"
check_eq "Enter on an incident opens its events" \
    " events  rule semaphore-leak  2025-10-25 23:43:00 .. 2025-10-25 23:43:00" \
    "$(row s 3 | cut -c1-73 | sed 's/ *$//')"
check_eq "the incident's event is listed" \
    " 2025-10-25 23:43:00.000 exai-mcp-daemon  semaphore-leak" "$(row s 5 | cut -c1-58 | sed 's/ *$//')"
$TM send-keys -t s Escape
expect_row "Esc comes back from the incident" s 4 " TOP FINDINGS"

$TM send-keys -t s q
wait_file "$T/s.rc"
check_eq "q exits with status 0" "0" "$(cat "$T/s.rc" 2> /dev/null)"

# -- small terminal --------------------------------------------------------
$TM new-session -d -s small -x 50 -y 10 \
    "cd '$T' && TERM=xterm NO_COLOR=1 LC_ALL=C.UTF-8 $LT tui --db fx.db; echo \$? > '$T/small.rc'; sleep 30"
expect "a small terminal says so" small "terminal too small (50x10)"
$TM send-keys -t small q
wait_file "$T/small.rc"
check_eq "q quits a small terminal too" "0" "$(cat "$T/small.rc" 2> /dev/null)"

# -- the time window and the source filter -----------------------------------
start w "$LT tui --db fx.db"
expect "tui starts for the window test" w "TOP FINDINGS"
$TM send-keys -t w t
expect "t asks for the window" w "window SINCE..UNTIL (24h..  2025-10-25..now; empty = all):"
$TM send-keys -t w 'bogus' Enter
expect "a bad window is explained on the status line" w \
    " window: bad time 'bogus' (expected an ISO 8601"
check_eq "a bad window leaves the screen as it was" \
    " logtriage  2025-10-25 23:30:00 .. 2025-10-25 23:45:00 UTC  fx.db" "$(row w 1)"
check_eq "a bad window keeps the summary" " TOP FINDINGS" "$(row w 4)"
$TM send-keys -t w t '2025-10-25T23:40..2025-10-25T23:42' Enter
expect_row "an ISO window sets the header" w 1 \
    " logtriage  2025-10-25 23:40:00 .. 2025-10-25 23:41:59 UTC  fx.db"
expect_row "an ISO window recounts the summary" w 3 \
    " 4 events and 0 incidents in the window (2m)"
expect_row "no incident in the window says so" w 7 \
    "   none in this window: no storm, and every expected follow-up came"
$TM send-keys -t w t '24h..' Enter
expect_row "a 24h-style window after the data counts nothing" w 3 \
    " 0 events and 0 incidents in the window (1d)"
expect "an empty window says what to do" w \
    "   no events in this window: t widens the window, s changes the source filter"
expect "nothing stands out in an empty window" w \
    "   nothing stands out: no storm, unresolved leak, fallback or slow p95 in this window"
$TM send-keys -t w t Enter
expect_row "an empty window answer is all the data again" w 3 \
    " 33 events and 2 incidents in the window (15m)"
$TM send-keys -t w s
expect "s asks for the source" w "source (name or glob, empty = all):"
$TM send-keys -t w gateway Enter
expect_row "the source filter shows in the header" w 1 \
    " logtriage  2025-10-25 23:30:00 .. 2025-10-25 23:45:00 UTC  fx.db  source gateway"
expect_row "the source filter recounts the summary" w 3 \
    " 3 events and 0 incidents in the window (15m)"
expect "the status line confirms the filter and keeps the keys" w \
    " source filter set  | Enter: "
$TM send-keys -t w s 'exai-*' Enter
expect_row "a glob selects the other source" w 3 \
    " 30 events and 2 incidents in the window (15m)"
$TM send-keys -t w s Enter
expect_row "an empty source is all sources" w 1 \
    " logtriage  2025-10-25 23:30:00 .. 2025-10-25 23:45:00 UTC  fx.db"
expect "all sources is confirmed" w " all sources  | Enter: "
$TM send-keys -t w q

# -- resizing --------------------------------------------------------------
start r "$LT tui --db fx.db"
expect "tui starts for the resize test" r "TOP FINDINGS"
$TM resize-window -t r -x 80 -y 24
expect_row "a narrower terminal moves the key hints to its edge" r 2 \
    "  Summary   Timeline   Events   Detail              Tab view  ? help  q quit"
expect_row "a narrower terminal wraps the findings narrower" r 5 \
    "   warning   ws-keepalive-1011 storm from 172.18.0.23 on exai-mcp-daemon: 25"
expect_row "the status line moves to the new bottom row" r 24 \
    " Enter: timeline of ws-keepalive-1011  j/k move  Tab views  t window  s source"
$TM resize-window -t r -x 50 -y 10
expect "below the minimum the tui says the terminal is too small" r \
    "terminal too small (50x10): need 60x15"
$TM resize-window -t r -x 120 -y 40
if gone r "terminal too small"; then ok "growing again leaves the too-small message"; else
	not_ok "growing again leaves the too-small message"; fi
expect_row "growing again restores the summary" r 4 " TOP FINDINGS"
expect_row "growing again restores the status line" r 40 \
    " Enter: timeline of ws-keepalive-1011  j/k move  Tab views  t window  s source  ? help"
$TM send-keys -t r q
wait_file "$T/r.rc"
check_eq "q after resizing exits 0" "0" "$(cat "$T/r.rc" 2> /dev/null)"

# -- Timeline zoom and moving ---------------------------------------------
start z "$LT tui --db fx.db"
expect "tui starts for the timeline test" z "TOP FINDINGS"
$TM send-keys -t z Tab
expect_row "the timeline starts per minute over the window" z 3 \
    " timeline  all events  per minute  (33 on screen)"
check_eq "the first minute bucket" " 2025-10-25 23:30:00         0" "$(row z 5)"
check_eq "the storm's first minute" " 2025-10-25 23:32:00         5" \
    "$(row z 7 | cut -c1-30)"
$TM send-keys -t z -- -
expect_row "- zooms out to 10 minutes" z 3 \
    " timeline  all events  per 10 minutes  (33 on screen)"
check_eq "the first 10-minute bucket" " 2025-10-25 23:30:00        27" \
    "$(row z 5 | cut -c1-30)"
check_eq "the second 10-minute bucket" " 2025-10-25 23:40:00         6" \
    "$(row z 6 | cut -c1-30)"
$TM send-keys -t z -- -
expect_row "- zooms out to hours" z 3 \
    " timeline  all events  per hour  (33 on screen)"
check_eq "the hour bucket" " 2025-10-25 23:00:00        33" "$(row z 5 | cut -c1-30)"
$TM send-keys -t z + +
# Zooming keeps the bucket under the cursor (the first, 23:00) in place.
expect_row "+ zooms back in to minutes" z 3 \
    " timeline  all events  per minute  (15 on screen)"
check_eq "zooming in keeps the cursor's bucket first" \
    " 2025-10-25 23:00:00         0" "$(row z 5)"
# Right stops where the last minute of the window (23:30 .. 23:45, as the
# header says) is on the last row.
$TM send-keys -t z Right
expect_row "Right moves at most to the end of the data" z 5 \
    " 2025-10-25 23:11:00         0"
check_eq "the last minute of the window is the last row" \
    " 2025-10-25 23:45:00         0" "$(row z 39)"
$TM send-keys -t z Right
expect "Right at the end says so" z " at the end of the data  | "
check_eq "Right at the end stays" " 2025-10-25 23:11:00         0" "$(row z 5)"
$TM send-keys -t z Left
expect "Left with all the data on screen says it is at the start" z \
    " at the start of the data  | "
check_eq "Left with all the data on screen stays" \
    " 2025-10-25 23:11:00         0" "$(row z 5)"
$TM send-keys -t z Home
expect_row "Home goes to the start of the window" z 5 " 2025-10-25 23:30:00         0"
# Past an hour per row comes 6 hours per row, aligned on UTC.
$TM send-keys -t z -- - - -
expect_row "- zooms out to 6 hours" z 3 \
    " timeline  all events  per 6 hours  (33 on screen)"
check_eq "the 6-hour bucket starts at 18:00 UTC" " 2025-10-25 18:00:00        33" \
    "$(row z 5 | cut -c1-30)"
$TM send-keys -t z -- -
expect_row "- zooms out to days" z 3 \
    " timeline  all events  per day  (33 on screen)"
$TM send-keys -t z q

# -- Events: paging and search wrap, in a 16-row terminal --------------------
start p "$LT tui --db fx.db" 16
expect "tui starts for the paging test" p "TOP FINDINGS"
$TM send-keys -t p Tab Tab
expect_row "Events lists all rules" p 3 " events  all rules"
# time, source and rule of a row
key() { row p "$1" | cut -c1-61 | sed 's/ *$//'; }
check_eq "the first event is first" \
    " 2025-10-25 23:32:00.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 5)"
check_eq "a page holds 11 events" \
    " 2025-10-25 23:34:00.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 15)"
$TM send-keys -t p G
i=0; while [ $i -lt 100 ] && [ "$(key 15)" != " 2025-10-25 23:44:00.000 gateway          provider-timeout" ]; do sleep 0.1; i=$((i + 1)); done
check_eq "End shows the last event last" \
    " 2025-10-25 23:44:00.000 gateway          provider-timeout" "$(key 15)"
check_eq "End shows the last page" \
    " 2025-10-25 23:36:12.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 5)"
$TM send-keys -t p PageUp
i=0; while [ $i -lt 100 ] && [ "$(key 5)" = " 2025-10-25 23:36:12.000 exai-mcp-daemon  ws-keepalive-1011" ]; do sleep 0.1; i=$((i + 1)); done
check_eq "PgUp shows the page before" \
    " 2025-10-25 23:34:12.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 5)"
check_eq "PgUp's page ends where the last began" \
    " 2025-10-25 23:36:00.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 15)"
$TM send-keys -t p g
i=0; while [ $i -lt 100 ] && [ "$(key 5)" != " 2025-10-25 23:32:00.000 exai-mcp-daemon  ws-keepalive-1011" ]; do sleep 0.1; i=$((i + 1)); done
check_eq "Home shows the first event first" \
    " 2025-10-25 23:32:00.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 5)"
$TM send-keys -t p PageDown
i=0; while [ $i -lt 100 ] && [ "$(key 5)" = " 2025-10-25 23:32:00.000 exai-mcp-daemon  ws-keepalive-1011" ]; do sleep 0.1; i=$((i + 1)); done
check_eq "PgDn shows the next page" \
    " 2025-10-25 23:34:12.000 exai-mcp-daemon  ws-keepalive-1011" "$(key 5)"
check_eq "PgDn's page holds the gateway response between the closes" \
    " 2025-10-25 23:35:00.000 gateway          response-time" "$(key 10)"

$TM send-keys -t p / 'timed out' Enter
expect "search shows in the title" p 'search /timed out/'
$TM send-keys -t p n
expect "n moves to the next hit" p "search"
$TM send-keys -t p n
expect "n past the last hit wraps to the top" p " search wrapped to the top  | "
$TM send-keys -t p Enter
expect "after the wrap the first hit is chosen" p "event 200"
$TM send-keys -t p Escape
expect "back in Events" p 'search /timed out/'
$TM send-keys -t p N
expect "N before the first hit wraps to the bottom" p " search wrapped to the bottom  | "
$TM send-keys -t p Enter
expect "after the backward wrap the last hit is chosen" p "event 207"
$TM send-keys -t p Escape / 'no such text' Enter
expect "a search without hits says so" p ' /no such text/ not found  | '
$TM send-keys -t p q

# / takes a regex, caseless unless it has a capital; hits are underlined
# (NO_COLOR) in Events and in Detail; a bad pattern says why.
start re "$LT tui --db fx.db"
expect "tui starts for the regex search" re "TOP FINDINGS"
$TM send-keys -t re Tab Tab / 'leak.*kimi' Enter
expect "a regex search shows in the title" re 'search /leak.*kimi/'
$TM capture-pane -e -p -t re > hl.txt
if grep -F '23:43:00.000' hl.txt | grep -qF "semaphores: ${ESC}[4mleak detected in"; then
	ok "Events underlines the hit from its first letter"
else
	not_ok "Events underlines the hit from its first letter" "$(grep -F 'leak detected' hl.txt | cat -v)"
fi
if grep -F '23:41:00.000' hl.txt | grep -qF "${ESC}[4m"; then
	not_ok "a row without a hit has no underline" "$(grep -F '23:41:00.000' hl.txt | cat -v)"
else
	ok "a row without a hit has no underline"
fi
$TM send-keys -t re Enter
expect "the regex hit is the kimi leak" re "event 204"
$TM capture-pane -e -p -t re > hl.txt
if grep -qF "semaphores: ${ESC}[4mleak detected in kimi${ESC}[0m" hl.txt; then
	ok "Detail underlines exactly the hit in the record"
else
	not_ok "Detail underlines exactly the hit in the record" "$(grep -F 'in kimi' hl.txt | cat -v)"
fi
$TM send-keys -t re Escape
expect "back in Events after the regex hit" re 'search /leak.*kimi/'
$TM send-keys -t re / 'LEAK' Enter
expect "a capital makes the search case-sensitive" re ' /LEAK/ not found  | '
$TM send-keys -t re / 'semaphores: LEAK|Semaphores' Enter
expect "a capital anywhere makes it case-sensitive" re \
    ' /semaphores: LEAK|Semaphores/ not found  | '
$TM send-keys -t re / '\bLEAK' Enter
expect "an escape letter is no capital" re 'search /\bLEAK/'
$TM send-keys -t re / '(leak' Enter
expect "a bad pattern says why in the status line" re \
    ' bad pattern: missing closing parenthesis at offset 5  | '
expect "a bad pattern keeps the search before it" re 'search /\bLEAK/'
$TM send-keys -t re q

# / in the Summary: the hits are underlined there (findings, incidents,
# rules) and in the Timeline's title; n/N in Events find them.
start hs "$LT tui --db fx.db"
expect "tui starts for the highlight in every view" hs "0 never resolved"
$TM send-keys -t hs / 'keepalive|172\.18' Enter
expect "/ in the Summary says where the hits are found" hs \
    " /keepalive|172\.18/ highlighted; n/N in Events find it  | "
$TM capture-pane -e -p -t hs > hl.txt
if grep -F 'storm from' hl.txt | grep -qF "ws-${ESC}[4mkeepalive${ESC}[0;7m" &&
    grep -F 'storm from' hl.txt | grep -qF "${ESC}[4m172.18${ESC}[0;7m"; then
	ok "the Summary underlines both hits in the selected finding"
else
	not_ok "the Summary underlines both hits in the selected finding" "$(grep -F 'storm from' hl.txt | cat -v)"
fi
if grep -F '4m48s' hl.txt | grep -qF "peer=${ESC}[4m172.18${ESC}[0m"; then
	ok "the Summary underlines the hit in an incident's key"
else
	not_ok "the Summary underlines the hit in an incident's key" "$(grep -F '4m48s' hl.txt | cat -v)"
fi
if grep -F '25  warning' hl.txt | grep -qF "ws-${ESC}[4mkeepalive${ESC}[0;1m"; then
	ok "the Summary underlines the hit in a rule's name"
else
	not_ok "the Summary underlines the hit in a rule's name" "$(grep -F '25  warning' hl.txt | cat -v)"
fi
# (the sparkline after the count is underlined as ever under NO_COLOR)
if grep -qF "${ESC}[1mprovider-timeout           ${ESC}[0m" hl.txt; then
	ok "a rule without a hit is not underlined"
else
	not_ok "a rule without a hit is not underlined" "$(grep -F 'provider-timeout' hl.txt | cat -v)"
fi
$TM send-keys -t hs Enter
expect "Enter opens the storm's timeline" hs "timeline  rule ws-keepalive-1011"
if $TM capture-pane -e -p -t hs | grep -qF "rule ws-keepalive${ESC}[0;1m"; then
	ok "the Timeline's title marks the hit"
else
	not_ok "the Timeline's title marks the hit" "$($TM capture-pane -e -p -t hs | sed -n 3p | cat -v)"
fi
$TM send-keys -t hs q

# -- names: whole when they fit, cut in the middle, never ambiguous -----------
# Two sources that differ only in the middle: cut to 16 they would read the
# same, so at 80x24 the column grows until they differ; at 200x50 they fit.
cp fx.db names.db
sqlite3 names.db "INSERT INTO sources (id, name, kind, identity, first_ts, last_ts) VALUES
	(3, 'exai_doc_CONCURRENT_A_2025-10-19.log', 'file', '/a', 1761435000000, 1761435900000),
	(4, 'exai_doc_CONCURRENT_B_2025-10-19.log', 'file', '/b', 1761435000000, 1761435900000);
INSERT INTO events (id, source_id, rule, ts, hash, ordinal, line, line_end, stream, text) VALUES
	(300, 3, 'semaphore-leak', 1761435000000, 3000, 0, 1, 1, 2, '2025-10-25 23:30:00 leak in A'),
	(301, 4, 'semaphore-leak', 1761435001000, 3001, 0, 1, 1, 2, '2025-10-25 23:30:01 leak in B');"
counted names.db
$TM kill-session -t nm 2> /dev/null
$TM new-session -d -s nm -x 80 -y 24 \
    "cd '$T' && export TERM=tmux-256color NO_COLOR=1 LC_ALL=C.UTF-8 && $LT tui --db names.db; sleep 30"
expect "tui starts for the names at 80x24" nm "TOP FINDINGS"
$TM send-keys -t nm Tab Tab
expect_row "80x24: the header follows the wider source column" nm 4 \
    " time (UTC)              source                           rule"
check_eq "80x24: a long source is cut in the middle, where it differs" \
    " 2025-10-25 23:30:00.000 exai_doc_CONCUR…A_2025-10-19.log semaphore-leak       l" \
    "$(row nm 5)"
check_eq "80x24: the other source reads differently" \
    " 2025-10-25 23:30:01.000 exai_doc_CONCUR…B_2025-10-19.log semaphore-leak       l" \
    "$(row nm 6)"
check_eq "80x24: a short source stays whole" \
    " 2025-10-25 23:32:00.000 exai-mcp-daemon                  ws-keepalive-1011    W" \
    "$(row nm 7)"
$TM send-keys -t nm q
$TM kill-session -t nm 2> /dev/null
$TM new-session -d -s nm -x 200 -y 50 \
    "cd '$T' && export TERM=tmux-256color NO_COLOR=1 LC_ALL=C.UTF-8 && $LT tui --db names.db; sleep 30"
expect "tui starts for the names at 200x50" nm "TOP FINDINGS"
$TM send-keys -t nm Tab Tab
expect_row "200x50: the first long source is whole" nm 5 \
    " 2025-10-25 23:30:00.000 exai_doc_CONCURRENT_A_2025-10-19.log semaphore-leak       leak in A"
check_eq "200x50: the second long source is whole" \
    " 2025-10-25 23:30:01.000 exai_doc_CONCURRENT_B_2025-10-19.log semaphore-leak       leak in B" \
    "$(row nm 6)"
$TM send-keys -t nm q

# -- Timeline: + zooms around the cursor ------------------------------------
start zc "$LT tui --db fx.db"
expect "tui starts for the zoom at the cursor" zc "TOP FINDINGS"
$TM send-keys -t zc Tab
expect_row "Tab opens the Timeline" zc 3 \
    " timeline  all events  per minute  (33 on screen)"
$TM send-keys -t zc -- -
expect_row "- zooms out to 10 minutes" zc 3 \
    " timeline  all events  per 10 minutes  (33 on screen)"
$TM send-keys -t zc j +
expect_row "+ on the second bucket zooms into it" zc 3 \
    " timeline  all events  per minute  (6 on screen)"
check_eq "the cursor's row is the start of the bucket it was on" \
    " 2025-10-25 23:40:00         2" "$(row zc 6 | cut -c1-30)"
check_eq "the minute before it is above the cursor" \
    " 2025-10-25 23:39:00         0" "$(row zc 5)"
$TM send-keys -t zc q

# On 80x24 the help does not fit: j scrolls it under its title.
start hp "$LT tui --db fx.db" 24 "" 80
expect "tui starts for the help at 80x24" hp "TOP FINDINGS"
$TM send-keys -t hp '?'
expect_row "80x24: the help's title" hp 3 \
    " 33 e│ logtriage tui - keys                                               │"
check_eq "80x24: the help's first key line" \
    " TOP │ Tab/Shift-Tab  next/previous view    Esc/Backspace  back           │" "$(row hp 4)"
check_eq "80x24: the end of the help is off the screen" "" \
    "$(screen hp | grep -F 'w wrap long lines or not')"
$TM send-keys -t hp j
expect_row "j scrolls the help a line, the title stays" hp 4 \
    " TOP │ Up/Down j/k    move                  PgUp/PgDn Space page          │"
$TM send-keys -t hp Space Space Space
expect "scrolled to its end the help shows its last lines" hp \
    "│ j/k scroll this help; any other key closes it."
expect "and the Detail keys" hp "│           [/] fewer/more lines of context around the event"
$TM send-keys -t hp x
if gone hp "tui - keys"; then ok "80x24: another key closes the help"; else
	not_ok "80x24: another key closes the help"; fi
$TM send-keys -t hp q

# -- Timeline: bars split by severity, a legend, incidents marked ----------
start sb "$LT tui --db fx.db" 24 "" 80
expect "tui starts for the severity bars" sb "TOP FINDINGS"
$TM send-keys -t sb Tab
expect_row "the legend names each part of a bar and the incident mark" sb 4 \
    " bucket start (UTC)     events  █ error+  ▓ warning  ░ info/debug  ! incident"
check_eq "a storm minute: warning, marked as in an incident" \
    " 2025-10-25 23:32:00         5 !▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓" "$(row sb 7)"
check_eq "warning and info in one minute: two parts by their share" \
    " 2025-10-25 23:35:00         6 !▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓░░░░░░░" "$(row sb 10)"
check_eq "an info minute outside any incident: no mark" \
    " 2025-10-25 23:37:00         1  ░░░░░░░░" "$(row sb 12)"
check_eq "error and info: error first" \
    " 2025-10-25 23:41:00         2  ████████░░░░░░░░" "$(row sb 16)"
check_eq "the unresolved leak's minute is marked" \
    " 2025-10-25 23:43:00         1 !████████" "$(row sb 18)"
$TM send-keys -t sb q
start sa "$LT tui --db fx.db" 24 "LC_ALL=C" 80
expect "tui starts for the ASCII bars" sa "TOP FINDINGS"
$TM send-keys -t sa Tab
expect_row "the ASCII legend" sa 4 \
    " bucket start (UTC)     events  # error+  = warning  - info/debug  ! incident"
check_eq "ASCII parts" " 2025-10-25 23:41:00         2  ########--------" "$(row sa 16)"
$TM send-keys -t sa q

# -- rule and source prompts: Tab completes, an unknown name is said -------
start fl "$LT tui --db fx.db"
expect "tui starts for the prompts" fl "TOP FINDINGS"
$TM send-keys -t fl Tab Tab r semaphore-le Tab
expect_row "Tab completes a rule name" fl 40 \
    "rule (empty = the selection): semaphore-leak"
$TM send-keys -t fl Enter
expect_row "the completed rule filters the events" fl 3 " events  rule semaphore-leak"
$TM send-keys -t fl r C-u semaphore Tab
expect_row "Tab on two rules completes what they share" fl 40 \
    "rule (empty = the selection): semaphore-"
$TM send-keys -t fl C-u semaphore-le Enter
expect "a rule that is not there is said so" fl " no such rule: semaphore-le  | "
check_eq "an unknown rule leaves the filter as it was" " events  rule semaphore-leak" \
    "$(row fl 3)"
$TM send-keys -t fl s exai Tab
expect_row "Tab completes a source name" fl 40 \
    "source (name or glob, empty = all): exai-mcp-daemon"
$TM send-keys -t fl C-u nosuch Enter
expect "a source that is not there is said so" fl " no such source: nosuch  | "
$TM send-keys -t fl s 'gate*' Enter
expect "a glob that names a source is taken" fl " source filter set  | "
$TM send-keys -t fl q

# -- severity and category filters: combined, in the title, c clears ------
start sv "$LT tui --db fx.db"
expect "tui starts for the filters" sv "TOP FINDINGS"
sk() { row sv "$1" | cut -c1-61 | sed 's/ *$//'; }
$TM send-keys -t sv Tab Tab v err Tab
expect_row "Tab completes a severity" sv 40 \
    "severity (warning or >=warning at least, =error exactly; empty = any): error"
$TM send-keys -t sv Enter
expect_row "the severity filter shows in the title" sv 3 " events  severity >= error"
expect_row "the severity filter shows in the status line" sv 40 \
    " severity >= error  (c clears) | Enter detail  / search  n/N  f text  r rule  C category  v severity  c clear  Left/Righ"
check_eq "severity >= error: the first leak" \
    " 2025-10-25 23:41:00.000 exai-mcp-daemon  semaphore-leak" "$(sk 5)"
check_eq "severity >= error: the second leak" \
    " 2025-10-25 23:43:00.000 exai-mcp-daemon  semaphore-leak" "$(sk 6)"
check_eq "severity >= error: nothing else" "" "$(sk 7)"
$TM send-keys -t sv C sema Tab
expect_row "Tab completes a category" sv 40 "category (empty = any): semaphore"
$TM send-keys -t sv Enter
expect_row "category and severity combine in the title" sv 3 \
    " events  category semaphore  severity >= error"
expect_row "category and severity combine in the status line" sv 40 \
    " category semaphore  severity >= error  (c clears) | Enter detail  / search  n/N  f text  r rule  C category  v severity"
check_eq "combined: still only the leaks" "" "$(sk 7)"
$TM send-keys -t sv v C-u Enter
expect_row "an empty severity drops that filter only" sv 3 " events  category semaphore"
check_eq "category semaphore: the recovery shows again" \
    " 2025-10-25 23:41:01.000 exai-mcp-daemon  semaphore-recovered" "$(sk 6)"
$TM send-keys -t sv C C-u nosuch Enter
expect "an unknown category is said so" sv " no such category: nosuch  | "
$TM send-keys -t sv v =info Enter
expect_row "=info: exactly that severity" sv 3 " events  category semaphore  severity = info"
check_eq "severity = info: the recovery alone" \
    " 2025-10-25 23:41:01.000 exai-mcp-daemon  semaphore-recovered" "$(sk 5)"
check_eq "severity = info: no leak (error)" "" "$(sk 6)"
$TM send-keys -t sv v
expect_row "the prompt offers the filter in force" sv 40 \
    "severity (warning or >=warning at least, =error exactly; empty = any): =info"
$TM send-keys -t sv C-u '>=info' Enter
expect_row ">=info: at least that severity" sv 3 " events  category semaphore  severity >= info"
check_eq "severity >= info: the leak as well" \
    " 2025-10-25 23:41:00.000 exai-mcp-daemon  semaphore-leak" "$(sk 5)"
$TM send-keys -t sv v C-u '=err' Tab
expect_row "Tab completes after =" sv 40 \
    "severity (warning or >=warning at least, =error exactly; empty = any): =error"
$TM send-keys -t sv C-u
$TM send-keys -t sv Enter
$TM send-keys -t sv v loud Enter
expect "an unknown severity is said so" sv \
    " no such severity: loud (debug, info, notice, warning, error, critical; >= or = before one)  | "
$TM send-keys -t sv v warning Enter r fallback Enter
expect_row "rule, category and severity combine" sv 3 \
    " events  rule fallback  category semaphore  severity >= warning"
expect_row "a rule outside the category shows nothing" sv 5 "   no events for this selection"
$TM send-keys -t sv c
expect_row "c clears every filter at once" sv 3 " events  all rules"
expect_row "no filter: the status line shows the keys alone" sv 40 \
    " filters cleared: all events of the window  | Enter detail  / search  n/N  f text  r rule  C category  v severity  c cle"
$TM send-keys -t sv q

# Inside tmux, TERM=xterm-256color's terminfo does not name tmux's End
# sequence: it must still be End, not a bare Esc ("back").
start x "$LT tui --db fx.db" 16 "TERM=xterm-256color"
expect "tui starts with TERM=xterm-256color" x "TOP FINDINGS"
$TM send-keys -t x Tab Tab
expect_row "Events under xterm-256color" x 3 " events  all rules"
# The timestamp shows once, in the time column; End shows the end of the
# longest line, Right stops there, Left and Home scroll back.
P=" 2025-10-25 23:32:00.000 exai-mcp-daemon  ws-keepalive-1011    "
check_eq "the text does not repeat the timestamp" \
    "${P}WARNING src.monitoring.resilient_websocket: Connection cl" "$(row x 5)"
$TM send-keys -t x Right
expect_row "Right scrolls the text 10 columns" x 5 \
    "${P}c.monitoring.resilient_websocket: Connection closed for 1"
$TM send-keys -t x End
expect_row "End under xterm-256color shows the line's end" x 5 \
    "${P}al error) keepalive ping timeout; no close frame received"
check_eq "End keeps Events (End is no bare Esc)" " events  all rules" "$(row x 3)"
$TM send-keys -t x Right
sleep 0.3
check_eq "Right stops at the end of the longest line" \
    "${P}al error) keepalive ping timeout; no close frame received" "$(row x 5)"
$TM send-keys -t x Left
expect_row "Left scrolls back 10 columns" x 5 \
    "${P}11 (internal error) keepalive ping timeout; no close fram"
$TM send-keys -t x Home
expect_row "Home shows the line's start" x 5 \
    "${P}WARNING src.monitoring.resilient_websocket: Connection cl"
$TM send-keys -t x q

# -- Detail: the timestamp once, payloads indented (p), scrolling, wrap ------
# (G shows the end: the record, then the context section's three lines)
cp fx.db pp.db
sqlite3 pp.db "INSERT INTO events (id, source_id, rule, ts, hash, ordinal, line, line_end, stream, text) VALUES
	(400, 2, 'fallback', 1761435480000, 4000, 0, 7, 7, 1, '2025-10-25 23:38:00 INFO gateway: request {\"model\":\"kimi-k2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true} sent'),
	(401, 2, 'fallback', 1761435481000, 4001, 0, 8, 8, 1, '2025-10-25 23:38:01 DEBUG tools: call {''path'': ''/tmp/a, b'', ''recursive'': True, ''limit'': None} with a tail that goes on well past the edge of an eighty column screen: END');"
counted pp.db
start pp "$LT tui --db pp.db" 24 "" 80
expect "tui starts for the detail payloads" pp "TOP FINDINGS"
$TM send-keys -t pp Tab Tab / 'request' Enter Enter G
expect_row "a JSON payload: the text before it, without the timestamp" pp 9 \
    " INFO gateway: request"
check_eq "a JSON payload opens on its own line" " {" "$(row pp 10)"
check_eq "a JSON member a line, indented" '   "model": "kimi-k2",' "$(row pp 11)"
check_eq "a nested array opens" '   "messages": [' "$(row pp 12)"
check_eq "a nested object in it" '       "role": "user",' "$(row pp 14)"
check_eq "the last member has no comma" '   "stream": true' "$(row pp 18)"
check_eq "the payload closes" " }" "$(row pp 19)"
check_eq "the text after the payload follows" " sent" "$(row pp 20)"
$TM send-keys -t pp Escape / recursive Enter Enter G
expect_row "a Python dict: the text before it" pp 14 " DEBUG tools: call"
check_eq "a dict member a line, a comma inside quotes kept" \
    "   'path': '/tmp/a, b'," "$(row pp 16)"
check_eq "True as it is" "   'recursive': True," "$(row pp 17)"
check_eq "None as it is" "   'limit': None" "$(row pp 18)"
check_eq "the dict closes" " }" "$(row pp 19)"
check_eq "the tail follows whole" \
    " with a tail that goes on well past the edge of an eighty column screen: END" \
    "$(row pp 20)"
$TM capture-pane -e -p -t pp > hl.txt
if grep -F "${ESC}[4mrecursive${ESC}[0m" hl.txt | grep -qF "': True,"; then
	ok "Detail underlines the hit inside the indented payload"
else
	not_ok "Detail underlines the hit inside the indented payload" "$(grep -F 'recursive' hl.txt | cat -v)"
fi
$TM send-keys -t pp p
expect "p shows the payload as logged" pp " payloads as logged  | "
expect_row "as logged: one line, cut at the edge, without the timestamp" pp 20 \
    " DEBUG tools: call {'path': '/tmp/a, b', 'recursive': True, 'limit': None} with"
$TM send-keys -t pp Right
expect_row "Right scrolls the record 10 columns" pp 20 \
    " s: call {'path': '/tmp/a, b', 'recursive': True, 'limit': None} with a tail th"
$TM send-keys -t pp End
expect_row "End shows the end of the longest line" pp 20 \
    " e} with a tail that goes on well past the edge of an eighty column screen: END"
$TM send-keys -t pp Left
expect_row "Left scrolls back 10 columns" pp 20 \
    " imit': None} with a tail that goes on well past the edge of an eighty column s"
check_eq "Left scrolls in Detail, it does not go back" "" \
    "$(screen pp | grep -F 'TOP FINDINGS')"
$TM send-keys -t pp Home
expect_row "Home shows the start of the lines" pp 20 \
    " DEBUG tools: call {'path': '/tmp/a, b', 'recursive': True, 'limit': None} with"
$TM send-keys -t pp w
expect "w wraps long lines" pp " long lines wrapped  | "
expect_row "the wrapped rest is on the next row" pp 21 \
    "  a tail that goes on well past the edge of an eighty column screen: END"
$TM send-keys -t pp p
expect "p indents the payload again" pp "   'recursive': True,"
$TM send-keys -t pp q

# -- time: --tz, z switches to UTC and back, T goes to a time --------------
start tz "$LT tui --db fx.db --tz +11:00 --since 2025-10-26T10:31"
expect_row "--tz shows the window in the zone, --since read in it" tz 1 \
    " logtriage  2025-10-26 10:31:00 .. 2025-10-26 10:45:00 +11:00  fx.db"
expect "the findings give their times in the zone" tz \
    "peak 5 per minute"
check_contains "the storm's start in the zone" "$(screen tz > "$T/tzs.txt"; echo "$T/tzs.txt")" \
    "2025-10-26T10:32:00.000+11:00"
$TM send-keys -t tz z
expect "z: the findings worked out again, in UTC" tz \
    "2025-10-25T23:32:00.000Z"
$TM send-keys -t tz z
expect "z again: the findings in the zone" tz \
    "2025-10-26T10:32:00.000+11:00"
$TM send-keys -t tz Tab Tab
expect_row "Events labels the time column with the zone" tz 4 \
    " time (+11:00)           source           rule                 text"
check_eq "Events shows the times in the zone" \
    " 2025-10-26 10:32:00.000 exai-mcp-daemon  ws-keepalive-1011" \
    "$(row tz 5 | cut -c1-61 | sed 's/ *$//')"
$TM send-keys -t tz z
expect "z switches to UTC" tz " times in UTC  | "
expect_row "z: the header in UTC" tz 1 \
    " logtriage  2025-10-25 23:31:00 .. 2025-10-25 23:45:00 UTC  fx.db"
check_eq "z: the events in UTC" \
    " 2025-10-25 23:32:00.000 exai-mcp-daemon  ws-keepalive-1011" \
    "$(row tz 5 | cut -c1-61 | sed 's/ *$//')"
$TM send-keys -t tz z
expect_row "z again: back to the zone" tz 4 \
    " time (+11:00)           source           rule                 text"
$TM send-keys -t tz T
expect "T asks for a time" tz "go to time (2025-10-25T23:40, 2h, yesterday):"
$TM send-keys -t tz '2025-10-26T10:41' Enter
expect "T says where it went, in the zone shown" tz \
    " went to 2025-10-26 10:41:00 +11:00  | "
$TM send-keys -t tz Enter
expect "the cursor is on the first event from that time" tz "event 202"
expect "Detail shows the time in the zone" tz "time      2025-10-26 10:41:00.000 +11:00"
$TM send-keys -t tz Escape z T '2025-10-25T23:40Z' Enter
expect "T in UTC" tz " went to 2025-10-25 23:40:00 UTC  | "
$TM send-keys -t tz Enter
expect "a time with Z is read as UTC" tz "event 200"
$TM send-keys -t tz Escape T 'tomorrow' Enter
expect "T with a bad time says why" tz " go to: bad time 'tomorrow'"
$TM send-keys -t tz T '2025-10-26' Enter
expect "T after the last event goes to the last one" tz \
    " no event at or after 2025-10-26 00:00:00 UTC: the last one  | "
$TM send-keys -t tz Enter
expect "the last event is chosen" tz "event 207"
$TM send-keys -t tz Escape Tab Tab Tab
expect_row "the Timeline in UTC" tz 3 " timeline  all events  per minute  (33 on screen)"
$TM send-keys -t tz T '2025-10-25T23:40' Enter
i=0; while [ $i -lt 100 ] && [ "$(row tz 5 | cut -c1-30)" != " 2025-10-25 23:40:00         2" ]; do sleep 0.1; i=$((i + 1)); done
check_eq "T in the Timeline puts the bucket under the cursor" \
    " 2025-10-25 23:40:00         2" "$(row tz 5 | cut -c1-30)"
$TM send-keys -t tz z
expect_row "the Timeline labels its column with the zone" tz 4 \
    " start (+11:00)         events  █ error+  ▓ warning  ░ info/debug  ! incident"
check_eq "the Timeline shows the buckets in the zone" \
    " 2025-10-26 10:40:00         2" "$(row tz 5 | cut -c1-30)"
$TM send-keys -t tz q
check_rc "a bad --tz exits 2" 2 "$LT" tui --db fx.db --tz Mars/Olympus
check_contains "a bad --tz is explained" "$T/err" "logtriage: tui: --tz: unknown time zone 'Mars/Olympus'"

# -- colour, NO_COLOR and a non-UTF-8 locale -------------------------------
# SGR colour: ESC [ ... 30-38, 40-48, 90-97, 100-107 ... m (39 and 49 are
# the default colours, which tmux writes when it resets).
SGR_COLOUR="$ESC\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m"
start col "$LT tui --db fx.db" 40 "NO_COLOR="
expect "tui starts with colour" col "0 never resolved"
if $TM capture-pane -e -p -t col | grep -qE "$SGR_COLOUR"; then
	ok "without NO_COLOR the screen has colour (so the next check can fail)"
else
	not_ok "without NO_COLOR the screen has colour (so the next check can fail)"
fi
$TM send-keys -t col q
start nc "$LT tui --db fx.db"
expect "tui starts under NO_COLOR" nc "0 never resolved"
$TM capture-pane -e -p -t nc > nc.txt
if grep -qE "$SGR_COLOUR" nc.txt; then
	not_ok "NO_COLOR leaves no colour attribute on the screen" "$(grep -E "$SGR_COLOUR" nc.txt | head -3 | cat -v)"
else
	ok "NO_COLOR leaves no colour attribute on the screen"
fi
if grep -qF "$ESC[7m" nc.txt; then ok "NO_COLOR still shows the cursor in reverse video"; else
	not_ok "NO_COLOR still shows the cursor in reverse video"; fi
$TM send-keys -t nc q

start c "$LT tui --db fx.db" 40 "LC_ALL=C"
expect "tui starts in the C locale" c "TOP FINDINGS"
expect "the C locale draws sparklines in ASCII" c \
    "   ws-keepalive-1011                 25  warning           "
$TM send-keys -t c Tab Tab / pwned Enter Enter
expect "the C locale shows UTF-8 and invalid bytes escaped" c \
    'kimi-k2 timed out \e]0;pwned\x07 caf\xc3\xa9 \xff end'
$TM send-keys -t c q

# -- SIGTERM restores the terminal -----------------------------------------
start term "$LT tui --db fx.db"
expect "tui starts for the signal test" term "EVENTS BY CATEGORY AND RULE"
pid=$($TM display -p -t term '#{pane_pid}')
pkill -TERM -P "$pid"
wait_file "$T/term.rc"
check_eq "SIGTERM ends the tui by the signal" "143" "$(cat "$T/term.rc" 2> /dev/null)"
if [ "$($TM display -p -t term '#{alternate_on}')" = "0" ]; then
	ok "SIGTERM leaves the alternate screen"
else
	not_ok "SIGTERM leaves the alternate screen"
fi

# -- Detail: the lines around the event, [ and ] ----------------------------
cp "$TOP/tests/fixtures/context/app.log" ctx.log
"$LT" ingest -q --db ctx.db ctx.log
"$LT" ingest -q --db ctxs.db --source piped --context-lines 3 - < ctx.log
D=$(pwd -P)
# ctxline SESSION PREFIX: the screen line that starts with PREFIX
ctxline() { screen "$1" | grep -F -- "$2" | head -1 | sed 's/ *$//'; }
start ctx "$LT tui --db ctx.db"
expect "context: the tui starts" ctx "TOP FINDINGS"
$TM send-keys -t ctx Tab Tab / fallback Enter Enter
expect "context: Detail names the input" ctx "input     $D/ctx.log"
$TM send-keys -t ctx G
expect "context: the section says how many lines" ctx \
    "CONTEXT  10 lines before and after  ([ fewer, ] more)"
check_eq "context: the first line of the file, numbered" \
    "       1  2025-10-25 23:31:01 INFO src.daemon.ws_server: client 10.0.0.7 connected" \
    "$(ctxline ctx '       1  ')"
check_eq "context: the event's own line marked" \
    "       8: 2025-10-25 23:31:14 WARNING tools.chat: Explicit model call failed; entering fallback chain" \
    "$(ctxline ctx '       8: ')"
check_eq "context: a line after it" \
    "      12  2025-10-25 23:31:22 INFO src.daemon.ws_server: client 10.0.0.7 left" \
    "$(ctxline ctx '      12  ')"
check_eq "context: a long line wraps under its text" \
    "          5-preview error after 3 attempts: Request timed out." \
    "$(ctxline ctx '          5-preview')"
if $TM capture-pane -p -e -t ctx | grep -F '8: 2025' | grep -qF "$ESC[1m"; then
	ok "context: the event's own line is highlighted"
else
	not_ok "context: the event's own line is highlighted" \
	    "$($TM capture-pane -p -e -t ctx | grep -F '8: 2025' | cat -v)"
fi
if $TM capture-pane -p -e -t ctx | grep -F '       7  2025' | grep -qF "$ESC[1m"; then
	not_ok "context: the lines around it are not"
else
	ok "context: the lines around it are not"
fi
$TM send-keys -t ctx '['
expect "context: [ narrows by 5" ctx "CONTEXT  5 lines before and after"
check_eq "context: narrowed, it starts 5 lines before" \
    "       3  2025-10-25 23:31:03 INFO src.daemon.ws_server: 3 sessions open" \
    "$(screen ctx | grep -A1 CONTEXT | tail -1 | sed 's/ *$//')"
$TM send-keys -t ctx '[' '['
expect "context: [ stops at 0" ctx "CONTEXT  0 lines before and after"
check_eq "context: with 0, only its own line" \
    "       8: 2025-10-25 23:31:14 WARNING tools.chat: Explicit model call failed; entering fallback chain" \
    "$(screen ctx | grep -A1 CONTEXT | tail -1 | sed 's/ *$//')"
$TM send-keys -t ctx ']'
expect "context: ] widens" ctx "CONTEXT  5 lines before and after"
mv ctx.log ctx-moved.log
$TM send-keys -t ctx Escape Enter G
expect "context: a moved file is said so" ctx \
    "context not available: the file has moved ($D/ctx.log is gone)"
$TM send-keys -t ctx '?'
expect "context: the help tells [ and ]" ctx \
    "[/] fewer/more lines of context around the event"
$TM send-keys -t ctx q q
start ctxs "$LT tui --db ctxs.db"
expect "context: stdin, the tui starts" ctxs "TOP FINDINGS"
$TM send-keys -t ctxs Tab Tab / fallback Enter Enter
expect "context: stdin, Detail names standard input" ctxs "input     (standard input)"
$TM send-keys -t ctxs G
expect "context: stdin, the section" ctxs "CONTEXT  10 lines before and after"
check_eq "context: stdin, the records kept before it: those of the event 2 lines earlier too" \
    "       3  2025-10-25 23:31:03 INFO src.daemon.ws_server: 3 sessions open" \
    "$(screen ctxs | grep -A1 CONTEXT | tail -1 | sed 's/ *$//')"
$TM send-keys -t ctxs q

# -- errors before the screen ----------------------------------------------
printf 'not a database at all, just some text that is long enough\n' > junk.db
check_rc "an unreadable database exits 3" 3 "$LT" tui --db junk.db
check_contains "an unreadable database is explained on stderr" "$T/err" "logtriage: "
check_rc "a missing database exits 3" 3 "$LT" tui --db missing.db
check_contains "a missing database says to ingest first" "$T/err" "run logtriage ingest first"
check_rc "a bad option exits 2" 2 "$LT" tui --bogus
check_eq "a bad option: the common message" "logtriage: unknown option '--bogus' (try logtriage tui --help)" "$(cat "$T/err")"
check_rc "an option without its value exits 2" 2 "$LT" tui --db
check_eq "an option without its value: says so" "logtriage: option '--db' needs a value" "$(cat "$T/err")"
check_rc "a bad time exits 2" 2 "$LT" tui --db fx.db --since 'not a time'

# -- a live stream -----------------------------------------------------------
line() {
	printf '2025-10-25 23:%s WARNING src.monitoring.resilient_websocket: Connection closed for %s:54646: sent 1011 (internal error) keepalive ping timeout; no close frame received\n' "$1" "$2"
}
{ line 50:00 10.9.8.7; } > first.log
{ line 50:05 10.1.2.3; } > second.log
start live "(cat first.log; sleep 2; cat second.log; sleep 6) | $LT tui --db live.db --source stream -"
expect "a piped stream shows up live" live \
    "ws-keepalive-1011$(printf '%18s' '')1  warning"
expect "a line sent later is counted without a key press" live \
    "ws-keepalive-1011$(printf '%18s' '')2  warning"
$TM send-keys -t live Tab Tab
expect "the first streamed line is listed" live \
    "2025-10-25 23:50:00.000 stream           ws-keepalive-1011"
expect "the later streamed line is listed" live \
    "2025-10-25 23:50:05.000 stream           ws-keepalive-1011"
$TM send-keys -t live q
wait_file "$T/live.rc"
check_eq "q ends a live tui with status 0" "0" "$(cat "$T/live.rc" 2> /dev/null)"
check_eq "the streamed events are stored" "2" \
    "$(sql live.db 'SELECT count(*) FROM events_all')"

# A live stream keeps the cursor and the filters while events arrive, and
# says how many came below the screen; G follows them.
: > more.log
i=0
while [ $i -lt 3 ]; do line "51:0$i" 10.9.8.7 >> first2.log; i=$((i + 1)); done
i=10
while [ $i -lt 30 ]; do
	if [ $((i % 2)) -eq 0 ]; then line "51:$i" 10.9.8.7; else line "51:$i" 10.1.2.3; fi >> more.log
	i=$((i + 1))
done
start lv "(cat first2.log; sleep 4; cat more.log; sleep 20) | $LT tui --db lv.db --source stream -" 16
expect "the first streamed lines show up" lv "ws-keepalive-1011$(printf '%18s' '')3  warning"
$TM send-keys -t lv Tab Tab f 10.9.8.7 Enter j
expect_row "the text filter is set on the first lines" lv 3 ' events  all rules  text "10.9.8.7"'
expect_row "the new events are counted below the screen" lv 3 \
    ' events  all rules  text "10.9.8.7"  2 new below (G follows)'
check_eq "the page keeps its first row" \
    " 2025-10-25 23:51:00.000 stream           ws-keepalive-1011    WARNING src.monitoring.resilient_websocket: Connection cl" \
    "$(row lv 5)"
check_eq "the filter still holds: the new rows match it" \
    " 2025-10-25 23:51:10.000 stream           ws-keepalive-1011    WARNING src.monitoring.resilient_websocket: Connection cl" \
    "$(row lv 8)"
$TM send-keys -t lv Enter
expect "the cursor stayed on the second event" lv "time      2025-10-25 23:51:01.000 UTC"
$TM send-keys -t lv Escape G
expect_row "G follows the new events: no count" lv 3 ' events  all rules  text "10.9.8.7"'
check_eq "G shows the newest matching event last" \
    " 2025-10-25 23:51:28.000 stream           ws-keepalive-1011    WARNING src.monitoring.resilient_websocket: Connection cl" \
    "$(row lv 15)"
$TM send-keys -t lv q

# nginx's access line puts the client before its stamp: the Events row
# keeps it (the time column has the stamp, the line says who).
mkdir -p ngx
printf '[nginx-bad-gateway]\ncategory = http\nseverity = warning\nmatch = " 502 \\d+\n' > ngx/ngx.rules
printf '%s\n' '10.0.0.7 - bob [26/Oct/2025:10:00:05 +1100] "POST /api HTTP/1.1" 502 157 "-" "python-requests/2.31"' > ngx.log
"$LT" ingest -q --db ngx.db --rules ngx ngx.log
start ngx "$LT tui --db ngx.db" 24 "" 120
$TM send-keys -t ngx Tab Tab
expect "nginx access: the Events row keeps the client" ngx \
    '10.0.0.7 - bob [26/Oct/2025:10:00:05 +1100] "POST /api'
$TM send-keys -t ngx q

# ingest with nothing piped in says, on the terminal, what it waits for;
# the end of input ends it, with nothing stored
start tty "$LT ingest --db tty.db" 10 "" 120
expect "ingest from the terminal: it says what it waits for" tty \
    "logtriage: reading a log from the terminal until Ctrl-D; give FILEs or pipe one in:"
$TM send-keys -t tty C-d
wait_file "$T/tty.rc"
check_eq "ingest from the terminal: Ctrl-D ends it, nothing stored" "0|0" \
    "$(cat "$T/tty.rc")|$(sqlite3 "$T/tty.db" "SELECT count(*) FROM events_all")"
start ttyq "$LT ingest -q --db ttyq.db" 10 "" 120
sleep 0.5
$TM send-keys -t ttyq C-d
wait_file "$T/ttyq.rc"
check_eq "ingest -q from the terminal: not a word" "" "$(screen ttyq | grep -F logtriage)"

# -- untimed events: in no window, but the summary says how many -----------
printf 'ERROR pool exhausted\nCRITICAL pool gone\n' > "$T/paste.txt"
"$LT" ingest -q --db "$T/ut.db" --source pasted - < "$T/paste.txt"
printf '2025-11-03 17:00:00 WARNING app: timed\n' > "$T/timed.log"
"$LT" ingest -q --db "$T/ut.db" "$T/timed.log"
start ut "$LT tui --db ut.db" 20 "" 120
expect "untimed: the summary counts them, in no window" ut \
    "1 events and 0 incidents in the window (1ms); 2 untimed, in no window (logtriage events --untimed)"
$TM send-keys -t ut q
start uts "$LT tui --db ut.db --source timed.log" 20 "" 120
expect "untimed: not of the sources shown, not counted" uts "1 events and 0 incidents in the window (1ms)"
check_eq "untimed: another source's are not named" "" "$(screen uts | grep -F untimed)"
$TM send-keys -t uts q
