#!/bin/sh
# rotation.sh - `ingest -f` across rotation while a writer appends: rename,
# delete, copytruncate (with a burst longer than the file was) and two
# symlink swaps in one run, about 3,000 lines/s for 4 s; every line must be
# stored exactly once.  ROTATION_RATE and ROTATION_SECONDS make it longer
# (the issue's 30 s run).
. "$TOP/tests/e2e/lib.sh"
cat > n.rules <<'R'
[needle]
category = error
severity = error
summary = line {n}
match = needle (?<n>\d+)
R
rate=${ROTATION_RATE:-3000}
secs=${ROTATION_SECONDS:-4}
mkdir w
: > w/cur.log
"$LT" ingest -q -f --db rot.db --rules n.rules w/cur.log 2> rot.err &
lpid=$!
sleep 0.5
# shellcheck disable=SC2046
set -- $(python3 "$TOP/tests/tools/rotwriter.py" w rot.db "$rate" "$secs") 0 0
n=$1
check_eq "rotation under load: the writer rotated five times" 5 "$2"
i=0
while [ $i -lt 100 ] && [ "$(sql rot.db "SELECT count(*) FROM events_all" 2> /dev/null)" != "$n" ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM "$lpid"; wait "$lpid"
rc=$?
check_eq "rotation under load: the follower ends on SIGTERM with 143" "143|" "$rc|$(cat rot.err)"
check_eq "rotation under load: $n lines written, each stored once (stored|distinct|lost)" \
    "$n|$n|0" "$(sql rot.db "SELECT count(*) || '|' || count(DISTINCT json_extract(fields, '$.n'))
	|| '|' || ($n - count(DISTINCT json_extract(fields, '$.n'))) FROM events_all")"
check_eq "rotation under load: numbers 1..$n" "1|$n" \
    "$(sql rot.db "SELECT min(CAST(json_extract(fields, '$.n') AS INTEGER)) || '|' ||
	max(CAST(json_extract(fields, '$.n') AS INTEGER)) FROM events_all")"
