#!/bin/sh
# bench_tui.sh - the TUI's first screen and every key, timed by the TUI
# itself (LOGTRIAGE_TUI_TIMING: from the key to the screen on the terminal)
# while tmux types a tour of every view: moves, paging, zoom, scrolling,
# search, filters, zone switch, go to a time, Detail.  Part of `make bench`.
#
# usage: bench_tui.sh DB [tui options...]
# Prints the first screen and a line per key, wall and CPU milliseconds,
# and a last line "tui keys: N keys; wall median, max (key), over 100 ms;
# CPU the same".  Wall time on a busy machine is mostly waiting for a CPU.
# Environment: LOGTRIAGE (binary, default ./logtriage), BENCH_TUI_GOTO (a
# time for T, default the start of --since or 2025-10-01).
set -eu

db=$1
shift
lt=${LOGTRIAGE:-$(pwd)/logtriage}
if ! command -v tmux > /dev/null 2>&1; then
	echo "bench_tui: tmux not installed; keys not timed"
	exit 0
fi
out=$(mktemp)
sess=logtriage-keys-$$
sock=lt-keys-$$
TM="tmux -L $sock -f /dev/null"
trap '$TM kill-server 2> /dev/null; rm -f "$out"' EXIT
goto=${BENCH_TUI_GOTO:-2025-10-01}

$TM new-session -d -s "$sess" -x 120 -y 40 \
    "TERM=tmux-256color LOGTRIAGE_TUI_TIMING=$out $lt tui --db $db $*; sleep 5"

lines() { wc -l < "$out" | tr -d ' '; }

# wait_more N: until the file has more than N lines (up to 30 s)
wait_more() {
	i=0
	while [ "$(lines)" -le "$1" ] && [ $i -lt 3000 ]; do
		sleep 0.01
		i=$((i + 1))
	done
}

# press KEYS...: one key (or a prompt and its answer) and its screen
press() {
	n=$(lines)
	$TM send-keys -t "$sess" "$@"
	wait_more "$n"
}

wait_more 0
# Let the summary's slow part (the findings) finish before the tour.
sleep 2
# Summary
press Down
press Down
press Up
# Timeline
press Tab
press -- -
press -- -
press +
press Right
press Left
press End
press Home
press Down
press Enter
press Escape
# Events over everything
press Tab
press Down
press Up
press PageDown
press PageUp
press G
press g
press Right
press End
press Home
press / 'keepalive' Enter
press n
press N
press v '>=error' Enter
press v C-u '=warning' Enter
press c
press z
press z
press T "$goto" Enter
press Enter
# Detail
press Down
press Right
press p
press w
press Escape
press Tab
press Tab
press q

awk '
function median(v, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
		v[j + 1] = x
	}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
$1 == "first" { printf "first screen %.1f ms wall, %.1f ms CPU\n", $2, $3 }
$1 == "key" {
	printf "key %-10s %8.1f ms wall %8.1f ms CPU\n", $2, $3, $4
	n++; w[n] = $3; c[n] = $4
	if ($3 > maxw) { maxw = $3; kw = $2 }
	if ($4 > maxc) { maxc = $4; kc = $2 }
	if ($3 > 100) overw++
	if ($4 > 100) overc++
}
END {
	printf "tui keys: %d keys; wall median %.1f ms, max %.1f ms (%s), over 100 ms: %d; CPU median %.1f ms, max %.1f ms (%s), over 100 ms: %d\n",
	    n, median(w, n), maxw, kw, overw + 0, median(c, n), maxc, kc, overc + 0
}' "$out"
