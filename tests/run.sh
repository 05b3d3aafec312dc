#!/bin/sh
# run.sh UNIT_BIN... - run the unit tests (cmocka, TAP output) and every
# tests/e2e/*.sh script against $LOGTRIAGE; print one summary line.
# Each check prints "ok - ..." or "not ok - ..."; a script that dies
# without saying so counts as one failure.  E2E_ONLY="a.sh b.sh" runs only
# those end-to-end scripts.
top=$(cd "$(dirname "$0")/.." && pwd)
export LOGTRIAGE TOP="$top" CMOCKA_MESSAGE_OUTPUT=TAP NO_COLOR=1
: "${LOGTRIAGE:=$top/logtriage}"
passed=0 failed=0
log=$(mktemp)
run_one() {
	name=$1; shift
	"$@" > "$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited $rc" >> "$log"
	fi
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name"; grep -v '^ok ' "$log" | sed 's/^/    /' | head -60
	else
		echo "pass $name ($p)"
	fi
	passed=$((passed + p)); failed=$((failed + f))
}
for t in "$@"; do
	run_one "$(basename "$t")" "$t"
done
for s in "$top"/tests/e2e/*.sh; do
	case $(basename "$s") in lib.sh) continue ;; esac
	if [ -n "${E2E_ONLY:-}" ]; then
		case " $E2E_ONLY " in *" $(basename "$s") "*) ;; *) continue ;; esac
	fi
	run_one "$(basename "$s")" sh "$s"
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
