#!/bin/sh
# run.sh UNIT_BIN... - run the unit tests (cmocka, TAP output) and every
# tests/e2e/*.sh script against $LOGTRIAGE; print one summary line.
# UNIT_BIN paths have no spaces.
# Each check prints "ok - ..." or "not ok - ..."; a script that dies
# without saying so counts as one failure.
#
#   E2E_ONLY="a.sh b.sh"  run only those end-to-end scripts
#   E2E_SKIP="a.sh b.sh"  run all but those
#   E2E=0                 run no end-to-end script (the unit tests alone)
#   E2E_JOBS=N            tests run at once (default: the number of
#                         CPUs); 1 runs them one after another
#
# A test's output is kept until it ends and printed whole, so parallel
# tests never interleave.  The scripts in E2E_ALONE measure time (a
# follower's delay, a regex time limit, the busy timeout, kill moments)
# or hold a resource (signals, a tmux server, valgrind, local ports, a
# writer at a fixed rate): they run after the others, one at a time,
# with nothing else running.
top=$(cd "$(dirname "$0")/.." && pwd)
export LOGTRIAGE TOP="$top" CMOCKA_MESSAGE_OUTPUT=TAP NO_COLOR=1
: "${LOGTRIAGE:=$top/logtriage}"
: "${E2E_ALONE:=signals.sh concurrency.sh tui.sh valgrind.sh prometheus.sh crash.sh rotation.sh follow.sh ingest.sh rulefaults.sh storage.sh}"
jobs=${E2E_JOBS:-$(nproc 2> /dev/null || echo 1)}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac
passed=0 failed=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# exec_one NAME CMD...: run CMD, its output and status into $dir/NAME.*
exec_one() {
	name=$1; shift
	t0=$(now_ms)
	"$@" > "$dir/$name.log" 2>&1
	echo "$? $(($(now_ms) - t0))" > "$dir/$name.rc"
}

# tally NAME: print what NAME did and count its checks
tally() {
	name=$1 log=$dir/$1.log
	read -r rc ms < "$dir/$name.rc"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited $rc" >> "$log"
	fi
	secs="$((ms / 1000)).$((ms % 1000 / 100)) s"
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name ($secs)"; grep -v '^ok ' "$log" | sed 's/^/    /' | head -60
	else
		echo "pass $name ($p, $secs)"
	fi
	passed=$((passed + p)); failed=$((failed + f))
}

# run_path T: a unit test binary's path, or an end-to-end script's name
run_path() {
	case $1 in
	*.sh) sh "$top/tests/e2e/$1" ;;
	*) "$1" ;;
	esac
}

# What to run: the unit tests and the scripts that share the machine, in
# parallel, then the scripts that run alone.
par="$*" alone=
for s in "$top"/tests/e2e/*.sh; do
	n=$(basename "$s")
	case $n in lib.sh) continue ;; esac
	[ "${E2E:-1}" != 0 ] || continue
	if [ -n "${E2E_ONLY:-}" ]; then
		case " $E2E_ONLY " in *" $n "*) ;; *) continue ;; esac
	fi
	case " ${E2E_SKIP:-} " in *" $n "*) continue ;; esac
	case " $E2E_ALONE " in
	*" $n "*) alone="$alone $n" ;;
	*) par="$par $n" ;;
	esac
done

# Each parallel run says its name on the FIFO when it ends; the reader
# opens it read-write, so no writer ever blocks on it.
mkfifo "$dir/done"
exec 3<> "$dir/done"
running=0
for t in $par; do
	if [ "$running" -ge "$jobs" ]; then
		read -r d <&3
		tally "$d"
		running=$((running - 1))
	fi
	n=$(basename "$t")
	{ exec_one "$n" run_path "$t" 3>&-; echo "$n" >&3; } &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	read -r d <&3
	tally "$d"
	running=$((running - 1))
done
exec 3>&-
for t in $alone; do
	n=$(basename "$t")
	exec_one "$n" run_path "$t"
	tally "$n"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
