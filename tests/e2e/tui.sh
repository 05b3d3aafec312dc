# tui.sh - the triage screen driven in tmux: summary, help, search, quit
# status, a live piped stream, escaping of a terminal title sequence, a
# clean error for an unreadable database, and the golden summary screen.
. "$TOP/tests/e2e/lib.sh"

if ! command -v tmux > /dev/null 2>&1; then
	not_ok "tmux is installed" "the tui tests need tmux"
	exit 0
fi

SOCK=lt$$
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2> /dev/null; rm -rf "$T"' EXIT
# A session that outlives the others, so the server stays up if one dies early.
$TM new-session -d -s keep -x 120 -y 40 "sleep 600"

sqlite3 fx.db < "$TOP/schema.sql"
sqlite3 fx.db < "$TOP/tests/fixtures/tui/fixture.sql"

# start NAME COMMAND: run COMMAND in a fresh 120x40 session; its exit status
# lands in $T/NAME.rc.
start() {
	$TM kill-session -t "$1" 2> /dev/null
	$TM new-session -d -s "$1" -x 120 -y 40 \
	    "cd '$T' && export TERM=xterm-256color NO_COLOR=1 LC_ALL=C.UTF-8 && $2; echo \$? > '$T/$1.rc'; sleep 30"
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
expect "summary shows the unresolved leak" s "unresolved semaphore-leak        scope=kimi"
expect "summary counts the rule" s "   ws-keepalive-1011                 25  warning"
expect "the findings follow the first paint" s "0 never resolved"
screen s > summary.txt
check_golden "summary screen matches the golden capture" \
    "$TOP/tests/golden/tui-summary.txt" summary.txt

$TM send-keys -t s '?'
expect "? shows the help" s "logtriage tui - keys"
$TM send-keys -t s x
if wait_for s "EVENTS BY CATEGORY AND RULE" && ! screen s | grep -qF "tui - keys"; then
	ok "any key closes the help"
else
	not_ok "any key closes the help"
fi

# Tab twice: Events over everything; / finds the OSC line.
$TM send-keys -t s Tab Tab
expect "Tab reaches the events view" s "events  all rules"
$TM send-keys -t s / pwned Enter
expect "search finds the line" s 'search "pwned"'
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

# -- errors before the screen ----------------------------------------------
printf 'not a database at all, just some text that is long enough\n' > junk.db
check_rc "an unreadable database exits 3" 3 "$LT" tui --db junk.db
check_contains "an unreadable database is explained on stderr" "$T/err" "logtriage: "
check_rc "a missing database exits 3" 3 "$LT" tui --db missing.db
check_contains "a missing database says to ingest first" "$T/err" "run logtriage ingest first"
check_rc "a bad option exits 2" 2 "$LT" tui --bogus
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
    "$(sql live.db 'SELECT count(*) FROM events')"
