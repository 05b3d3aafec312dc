#!/bin/sh
# valgrind.sh - memcheck on the end-to-end samples: ingest samples/, report
# in every format, events, rules test and tui --help: no invalid access,
# no definite leak.  Skipped under AddressSanitizer (the two do not mix).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/fixtures/hostile/common.sh"
export LOGTRIAGE_RULES="$TOP/rules"
S=$TOP/samples

if asan_build; then
	ok "valgrind memcheck # SKIP the binary is built with AddressSanitizer"
	exit 0
fi
if ! command -v valgrind > /dev/null 2>&1; then
	not_ok "valgrind is installed" "apt-get install valgrind"
	exit 0
fi

VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --track-origins=yes --num-callers=30 --quiet
    --suppressions=$TOP/tests/fixtures/hostile/valgrind.supp"
n=0
# vg NAME EXPECTED_STATUS ARGS...: run logtriage under memcheck
vg() {
	vn=$1 vw=$2
	shift 2
	n=$((n + 1))
	# shellcheck disable=SC2086
	$VG --log-file="$T/vg.$n" "$LT" "$@" > "$T/out" 2> "$T/err"
	vrc=$?
	if [ "$vrc" = "$vw" ] && [ ! -s "$T/vg.$n" ]; then ok "memcheck: $vn"; else
		not_ok "memcheck: $vn" "exit status $vrc (want $vw)" \
		    "$(head -40 "$T/vg.$n")"; fi
}

vg "ingest every sample" 0 ingest --db vg.db "$S"/*.log "$S"/*.log.gz "$S/journald.json" \
    "$S"/docker-json/*/*-json.log
check_eq "memcheck: ingest found the samples' events" 114 "$(sql vg.db "SELECT count(*) FROM events_all")"
vg "re-ingest (resume)" 0 ingest --db vg.db "$S/exai-daemon.log"
for f in text markdown json html prometheus; do
	vg "report --format $f" 0 report --db vg.db --format $f
done
vg "report --compare previous" 0 report --db vg.db --compare previous
vg "report --fail-on warning" 1 report --db vg.db --fail-on warning
vg "events ndjson" 0 events --db vg.db --format ndjson
vg "events tsv with filters" 0 events --db vg.db --format tsv --rule retry --since 2025-10-01
vg "rules test" 0 rules test
vg "rules check of broken rules" 2 rules check --rules "$TOP/tests/fixtures/rules/broken"
vg "prune --dry-run" 0 prune --db vg.db --older-than 1d --dry-run
vg "tui --help" 0 tui --help
vg "bad option" 2 report --frobnicate
