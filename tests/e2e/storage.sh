#!/bin/sh
# storage.sh - storage faults: a full disk (small tmpfs), a read-only
# database (read-only file system; a read-only file for a non-root user),
# and a database locked longer than the busy timeout.  Each: a clear
# message, exit 3, no corruption, and the next run completes the work.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/fixtures/hostile/common.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# shellcheck disable=SC2086
if ! gen_corpus 20M c.log $DENSE; then
	not_ok "corpus generator builds and runs"
	exit 0
fi
"$LT" ingest -q --db ref.db c.log
dump_events ref.db > ref.events
dump_incidents ref.db > ref.incidents
nref=$(wc -l < ref.events)

# same DB NAME: DB holds exactly the reference events and incidents
same() {
	dump_events "$1" > s.events
	dump_incidents "$1" > s.incidents
	if cmp -s s.events ref.events && cmp -s s.incidents ref.incidents; then ok "$2"; else
		not_ok "$2" "$(wc -l < s.events) events, $(wc -l < s.incidents) incidents; want $nref, $(wc -l < ref.incidents)"; fi
}

M=$T/mnt
mkdir "$M"
MOUNTED=no
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2m tmpfs "$M" 2> /dev/null; then
	MOUNTED=yes
	trap 'umount "$M" 2> /dev/null; rm -rf "$T"' EXIT
fi

if [ "$MOUNTED" = yes ]; then
	# --- disk full: 2 MiB (no batch fits), then 8 MiB (some do), then room
	check_rc "disk full (2 MiB): exit 3" 3 "$LT" ingest --db "$M/full.db" c.log
	check_contains "disk full (2 MiB): clear message" "$T/err" \
	    "logtriage: c.log: $M/full.db: commit: database or disk is full"
	check_eq "disk full (2 MiB): integrity" ok "$(sql "$M/full.db" "PRAGMA integrity_check")"
	mount -o remount,size=8m "$M"
	check_rc "disk full (8 MiB): exit 3" 3 "$LT" ingest --db "$M/full.db" c.log
	check_contains "disk full (8 MiB): clear message" "$T/err" "database or disk is full"
	check_eq "disk full (8 MiB): integrity" ok "$(sql "$M/full.db" "PRAGMA integrity_check")"
	n8=$(sql "$M/full.db" "SELECT count(*) FROM events_all")
	if [ "$n8" -gt 0 ] && [ "$n8" -lt "$nref" ]; then ok "disk full (8 MiB): some batches kept ($n8 events)"; else
		not_ok "disk full (8 MiB): some batches kept" "$n8 events of $nref"; fi
	mount -o remount,size=256m "$M"
	check_rc "disk full, then room: the next run exits 0" 0 "$LT" ingest --db "$M/full.db" c.log
	check_eq "disk full, then room: integrity" ok "$(sql "$M/full.db" "PRAGMA integrity_check")"
	same "$M/full.db" "disk full, then room: the events and incidents of a clean ingest"

	# --- read-only file system: an existing database and a new one
	cp ref.db "$M/ro.db"
	sql "$M/ro.db" "DELETE FROM inputs; DELETE FROM events WHERE id % 2 = 0" > /dev/null
	sql "$M/ro.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
	mount -o remount,ro "$M"
	check_rc "read-only file system: ingest exits 3" 3 "$LT" ingest --db "$M/ro.db" c.log
	check_contains "read-only file system: clear message" "$T/err" \
	    "logtriage: $M/ro.db: cannot write the database: read-only file system"
	check_rc "read-only file system, new database: exit 3" 3 "$LT" ingest --db "$M/new.db" c.log
	check_contains "read-only file system, new database: clear message" "$T/err" \
	    "logtriage: $M/new.db: cannot write the database: read-only file system"
	mount -o remount,rw "$M"
	check_eq "read-only file system: integrity" ok "$(sql "$M/ro.db" "PRAGMA integrity_check")"
	check_rc "read-only file system, then writable: the next run exits 0" 0 "$LT" ingest --db "$M/ro.db" c.log
	same "$M/ro.db" "read-only file system, then writable: the clean events and incidents"
	umount "$M"
else
	ok "disk full and read-only file system # SKIP cannot mount a tmpfs here"
fi

# --- a read-only database file, for a user the mode applies to
chmod 755 "$T"
mkdir rodir && chmod 777 rodir
cp ref.db rodir/ro.db
sql rodir/ro.db "DELETE FROM inputs; DELETE FROM events WHERE id % 3 = 0; PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
chmod 444 rodir/ro.db
if [ "$(id -u)" != 0 ]; then
	AS=""
elif command -v setpriv > /dev/null 2>&1 &&
    setpriv --reuid=65534 --regid=65534 --clear-groups "$LT" --help > /dev/null 2>&1; then
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	AS=none
fi
if [ "$AS" != none ]; then
	# shellcheck disable=SC2086
	check_rc "read-only database file: ingest exits 3" 3 $AS env LOGTRIAGE_RULES="$TOP/rules" \
	    "$LT" ingest --db rodir/ro.db c.log
	check_contains "read-only database file: clear message" "$T/err" \
	    "logtriage: rodir/ro.db: storing rules: attempt to write a readonly database"
	# shellcheck disable=SC2086
	check_rc "read-only database file: report still reads it" 0 $AS "$LT" report --db rodir/ro.db
	check_eq "read-only database file: integrity" ok "$(sql rodir/ro.db "PRAGMA integrity_check")"
	chmod 644 rodir/ro.db
	rm -f rodir/ro.db-wal rodir/ro.db-shm
	check_rc "read-only database file, then writable: the next run exits 0" 0 "$LT" ingest --db rodir/ro.db c.log
	same rodir/ro.db "read-only database file, then writable: the clean events and incidents"
else
	ok "read-only database file # SKIP no unprivileged user to run as"
fi

# --- a write lock held longer than the 10 s busy timeout
cp ref.db lk.db
sql lk.db "DELETE FROM inputs; DELETE FROM events WHERE id % 2 = 1; PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
{ echo "BEGIN EXCLUSIVE;"; echo "INSERT INTO meta VALUES ('held', 'by a test');"
  echo ".shell touch $T/locked"; sleep 13; echo "ROLLBACK;"; } | sqlite3 lk.db &
holder=$!
i=0
while [ ! -e locked ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(now_ms)
check_rc "locked database: ingest exits 3" 3 "$LT" ingest --db lk.db c.log
ms=$(($(now_ms) - t0))
check_contains "locked database: clear message" "$T/err" "logtriage: lk.db: begin: database is locked"
if [ "$ms" -ge 9000 ] && [ "$ms" -le 13000 ]; then ok "locked database: waited the busy timeout ($ms ms)"; else
	not_ok "locked database: waits about 10 s" "$ms ms"; fi
check_rc "locked database: report reads meanwhile" 0 "$LT" report --db lk.db
wait "$holder"
check_eq "locked database: integrity" ok "$(sql lk.db "PRAGMA integrity_check")"
check_eq "locked database: the holder's write rolled back" 0 "$(sql lk.db "SELECT count(*) FROM meta WHERE key = 'held'")"
check_rc "locked database, then released: the next run exits 0" 0 "$LT" ingest --db lk.db c.log
same lk.db "locked database, then released: the clean events and incidents"
