#!/bin/sh
# overlap.sh - tools/overlap_check.sh on a 3 MiB corpus: 24 overlapping
# windows through standard input and a file grown in 24 steps cut at
# arbitrary bytes give the events, incidents and volume of one ingest.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
OVERLAP_DIR=$T/ov OVERLAP_SIZE=3M LOGTRIAGE=$LT sh "$TOP/tools/overlap_check.sh" > ov.out 2>&1
rc=$?
check_eq "24 windows and 24 growth steps: exit 0" "0" "$rc"
check_contains "... events, incidents and volume identical to one ingest" ov.out "overlap_check: identical"
grep -q identical ov.out || sed 's/^/#   /' ov.out
