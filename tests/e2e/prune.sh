# prune.sh - `logtriage prune` on the fixture store: the cut-off is the
# newest log time minus the duration, --dry-run only counts, open
# incidents keep their events, and usage errors exit 2.
. "$TOP/tests/e2e/lib.sh"

DB=$T/fixture.db
sqlite3 "$DB" < "$TOP/schema.sql"
sqlite3 "$DB" < "$TOP/tests/golden/fixture.sql"
# The newest event is the open leak at 2025-10-26T00:26:00Z; 90m before it
# is 22:56: the baseline hour's 52 events, its storm and 56 volume minutes.
check_rc "dry run exits 0" 0 $LT prune --db "$DB" --older-than 90m --dry-run
check_eq "dry run counts" "logtriage: would remove 52 events, 1 incidents, 56 volume rows older than 2025-10-25T22:56:00.000Z (newest log time 2025-10-26T00:26:00.000Z minus 90m)" "$(cat "$T/out")"
check_eq "dry run removes nothing" "175 4 195" \
    "$(sql "$DB" "SELECT (SELECT count(*) FROM events_all), (SELECT count(*) FROM incidents), (SELECT count(*) FROM volume)" | tr '|' ' ')"
check_eq "independent count of old rows" "52 56" \
    "$(sql "$DB" "SELECT (SELECT count(*) FROM events_all WHERE ts < 1761432960000), (SELECT count(*) FROM volume WHERE minute < 1761432960000 / 60000)" | tr '|' ' ')"

# Make the open incident old: its event must stay.  The newest event is
# then the unlinked fallback at 00:20, so the cut-off moves to 22:50.
sql "$DB" "UPDATE incidents SET start = 1761430000000, end = 1761430000000 WHERE kind = 'open'"
sql "$DB" "UPDATE events SET ts = 1761430000000 WHERE id = (SELECT event_id FROM incidents WHERE kind = 'open')"
check_rc "prune exits 0" 0 $LT prune --db "$DB" --older-than 90m
check_eq "prune reports what it removed" "logtriage: removed 52 events, 1 incidents, 50 volume rows older than 2025-10-25T22:50:00.000Z (newest log time 2025-10-26T00:20:00.000Z minus 90m)" "$(cat "$T/out")"
check_eq "events left: newer ones and the open incident's" "123 1" \
    "$(sql "$DB" "SELECT count(*), sum(id = (SELECT event_id FROM incidents WHERE kind = 'open')) FROM events_all" | tr '|' ' ')"
check_eq "nothing older than the cut-off but the open incident's event" "1" \
    "$(sql "$DB" "SELECT count(*) FROM events_all WHERE ts < 1761432600000")"
check_eq "incidents left: the open one and the window's" "open storm unresolved" \
    "$(sql "$DB" "SELECT kind FROM incidents ORDER BY kind" | tr '\n' ' ' | sed 's/ $//')"
check_eq "volume rows left" "145" "$(sql "$DB" "SELECT count(*) FROM volume")"
check_rc "second prune removes nothing" 0 $LT prune --db "$DB" --older-than 90m
check_contains "second prune message" "$T/out" "removed 0 events, 0 incidents, 0 volume rows"

# --- one line with a skewed clock (dated 2099) does not move the cut-off:
# it is counted as future-dated, kept, and the rest is pruned from the
# newest sane time as before.
F=$T/future.db
sqlite3 "$F" < "$TOP/schema.sql"
sqlite3 "$F" < "$TOP/tests/golden/fixture.sql"
sql "$F" "INSERT INTO events (ts, rule, source_id, line, text, hash, ordinal) SELECT 4070908800000, rule, source_id, line + 100000, text, hash + 1, ordinal FROM events WHERE id = (SELECT max(id) FROM events)"
check_rc "prune with a future-dated event exits 0" 0 $LT prune --db "$F" --older-than 90m
check_eq "future-dated event reported, cut-off from the newest sane time" "2 logtriage: 1 future-dated events (after X, the clock plus a day) are kept and not taken as the newest log time|logtriage: removed 52 events, 1 incidents, 56 volume rows older than 2025-10-25T22:56:00.000Z (newest log time 2025-10-26T00:26:00.000Z minus 90m)" \
    "$(wc -l < "$T/out") $(sed 's/after [0-9TZ:.-]*,/after X,/' "$T/out" | tr '\n' '|' | sed 's/|$//')"
check_eq "future-dated event kept, the rest of the last 90m too" "124 1" \
    "$(sql "$F" "SELECT count(*), sum(ts = 4070908800000) FROM events_all" | tr "|" " ")"
sql "$F" "DELETE FROM events WHERE ts < 4070908800000"
check_rc "prune with only future-dated events exits 0" 0 $LT prune --db "$F" --older-than 1d
check_contains "only future-dated events: nothing to prune" "$T/out" "nothing to prune: no other events in"
check_eq "only future-dated events: it stays" "1" "$(sql "$F" "SELECT count(*) FROM events_all")"

check_rc "missing --older-than exits 2" 2 $LT prune --db "$DB"
check_rc "bad duration exits 2" 2 $LT prune --db "$DB" --older-than soon
check_rc "unknown option exits 2" 2 $LT prune --db "$DB" --older-than 1d --force
check_rc "missing database exits 3" 3 $LT prune --db "$T/none/x.db" --older-than 1d
check_eq "missing database: said as report and events say it" \
    "logtriage: no database at $T/none/x.db (run logtriage ingest first)" "$(cat "$T/err")"

# --- --keep-size: the oldest hours go until the data fits
K=$T/keep.db
sqlite3 "$K" < "$TOP/schema.sql"
sqlite3 "$K" < "$TOP/tests/golden/fixture.sql"
data_kib() { sql "$1" "SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size) / 1024"; }
check_eq "fixture: the data takes between 80 and 1024 KiB" "1" "$(($(data_kib "$K") > 80 && $(data_kib "$K") < 1024))"
check_rc "--keep-size above the data exits 0" 0 $LT prune --db "$K" --keep-size 1M
check_contains "--keep-size above the data: nothing removed" "$T/out" "within --keep-size 1M: nothing removed for size"
check_eq "--keep-size above the data: all rows stay" "175 4 195" \
    "$(sql "$K" "SELECT (SELECT count(*) FROM events_all), (SELECT count(*) FROM incidents), (SELECT count(*) FROM volume)" | tr '|' ' ')"
check_rc "--keep-size --dry-run exits 0" 0 $LT prune --db "$K" --keep-size 144K --dry-run
check_contains "--keep-size --dry-run: the first step's counts" "$T/out" \
    "would remove 52 events, 1 incidents, 60 volume rows older than 2025-10-25T23:00:00.000Z for --keep-size 144K"
check_eq "--keep-size --dry-run removes nothing" "175" "$(sql "$K" "SELECT count(*) FROM events_all")"
# 144 KiB (80 before the events_untimed and events_link indexes, the
# three context tables and input_ordinals took their pages, 108 before
# the tables of samples took theirs, 140 before samples_untimed took
# its): the 22:00 hour (52 events) is enough, nothing newer goes
check_rc "--keep-size 144K exits 0" 0 $LT prune --db "$K" --keep-size 144K
check_contains "--keep-size 144K: the oldest hour removed" "$T/out" \
    "removed 52 events, 1 incidents, 60 volume rows older than 2025-10-25T23:00:00.000Z for --keep-size 144K"
check_eq "--keep-size 144K: the file fits, the rest is from 23:00 on" "1|123|0" \
    "$(($(data_kib "$K") <= 144))|$(sql "$K" "SELECT count(*) || '|' || sum(ts < 1761433200000) FROM events_all")"
check_eq "--keep-size 144K: integrity" "ok" "$(sql "$K" "PRAGMA integrity_check")"
# 1 KiB cannot be reached: the open incident's event stays, and it says so
check_rc "--keep-size 1K exits 0" 0 $LT prune --db "$K" --keep-size 1K
check_contains "--keep-size 1K: says it is still over" "$T/out" "still over 1K: what is left is newer or held by open incidents"
check_eq "--keep-size 1K: only the open incident's event is left" "1|1|open" \
    "$(sql "$K" "SELECT count(*) || '|' || sum(id = (SELECT event_id FROM incidents WHERE kind = 'open')) FROM events_all")|$(sql "$K" "SELECT group_concat(kind) FROM incidents")"
# with --older-than too: both lines, age first
cp "$T/fixture.db" "$T/both.db" 2> /dev/null || { sqlite3 "$T/both.db" < "$TOP/schema.sql"; sqlite3 "$T/both.db" < "$TOP/tests/golden/fixture.sql"; }
check_rc "--older-than with --keep-size exits 0" 0 $LT prune --db "$T/both.db" --older-than 30d --keep-size 1G
check_eq "--older-than with --keep-size: one line each" "2" "$(wc -l < "$T/out")"
check_rc "bad size exits 2" 2 $LT prune --db "$K" --keep-size 5X
check_contains "bad size: says so" "$T/err" "--keep-size: '5X' is not a size"
check_rc "neither --older-than nor --keep-size exits 2" 2 $LT prune --db "$K"
check_rc "--older-than past 36500d exits 2" 2 $LT prune --db "$DB" --older-than 99999999999d
check_eq "--older-than past 36500d: says so" "logtriage: --older-than: '99999999999d' is longer than 36500d" "$(cat "$T/err")"
