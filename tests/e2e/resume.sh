#!/bin/sh
# resume.sh - what a later run takes up again: only regular files are
# resumed (pipes, process substitution and FIFOs are read whole every
# time), the resume point never passes an unfinished last record, and the
# volume counts each line once however often it is read.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
S=$TOP/samples

# Twenty copies of the plain sample: 3,080 lines with repeated stamps.
i=0
while [ $i -lt 20 ]; do cat "$S/exai-daemon.log"; i=$((i + 1)); done > c.log
n=$(wc -l < c.log)
"$LT" ingest -q --db whole.db c.log
events() { sql "$1" "SELECT rule, ts, hash, ordinal FROM events ORDER BY 1, 2, 3, 4" | md5sum; }

# --- item 2: streams are never resumed
head -n 1500 c.log | "$LT" ingest -q --db halves.db /dev/stdin
tail -n +1501 c.log | "$LT" ingest -q --db halves.db /dev/stdin
check_eq "two pipes through /dev/stdin: every line of both read, nothing skipped" \
    "1500|0 $((n - 1500))|0" \
    "$(sql halves.db "SELECT group_concat(lines || '|' || skipped_bytes, ' ') FROM ingests")"
check_eq "two pipes through /dev/stdin: the events of one whole ingest" \
    "$(events whole.db)" "$(events halves.db)"

cat > subst.sh <<'SH'
"$LT" ingest -q --db subst.db <(head -n 1000 c.log)
"$LT" ingest -q --db subst.db <(head -n 900 c.log)
SH
if command -v bash > /dev/null; then
	LT=$LT bash subst.sh
	check_eq "process substitution: a shorter second stream is read, not thrown away" \
	    "1000|0 900|0" \
	    "$(sql subst.db "SELECT group_concat(lines || '|' || skipped_bytes, ' ') FROM ingests")"
fi

mkfifo ff
head -n 1000 c.log > ff &
"$LT" ingest -q --db fifo.db ff
wait
head -n 900 c.log > ff &
wpid=$!
timeout 20 "$LT" ingest -q --db fifo.db ff
rc=$?
wait "$wpid"
check_eq "named FIFO: the second run reads its 900 lines and ends" "0 1000|0 900|0" \
    "$rc $(sql fifo.db "SELECT group_concat(lines || '|' || skipped_bytes, ' ') FROM ingests")"
check_eq "non-regular inputs leave no resume point" "0" \
    "$(sql fifo.db "SELECT count(*) FROM inputs")"
