# lib.sh - sourced by every end-to-end test.  Gives a scratch directory and
# checks that print "ok - name" / "not ok - name" for tests/run.sh to count.
set -u
: "${LOGTRIAGE:?set LOGTRIAGE to the binary under test}"
: "${TOP:?set TOP to the source tree}"
LT=$LOGTRIAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-test.XXXXXX")
# No database a test made holds an event dated 1970-01-01 unless its text
# says 1970 (or 1969): a record without a time is untimed, never epoch 0.
epoch_check() {
	for db in $(find "$T" -name '*.db' 2> /dev/null); do
		n=$(sqlite3 -readonly -batch -noheader -cmd '.timeout 2000' "$db" \
		    "SELECT count(*) FROM events_all WHERE ts < 86400000 AND
		    text NOT LIKE '%1970%' AND text NOT LIKE '%1969%'" 2> /dev/null)
		case $n in ''|0) ;; *) echo "not ok - $n events dated 1970 in ${db#$T/}" ;; esac
	done
}
trap 'epoch_check; rm -rf "$T"' EXIT
cd "$T" || exit 1
export LOGTRIAGE_DB="$T/default.db" XDG_STATE_HOME="$T/state" NO_COLOR=1 LC_ALL=C.UTF-8
# the drop-in rules directories of the machine and of the person running
# the tests stay out: both point into the scratch directory
export XDG_CONFIG_HOME="$T/config" LOGTRIAGE_SYSCONFDIR="$T/etc"

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# check_rc NAME EXPECTED_STATUS COMMAND...  (stdout/stderr kept in $T/out, $T/err)
check_rc() {
	name=$1 want=$2; shift 2
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else
		not_ok "$name" "exit status: expected $want, got $rc" "command: $*" \
		    "stderr: $(head -c 600 "$T/err")"; fi
}

# check_contains NAME FILE TEXT (fixed string)
check_contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		not_ok "$1" "missing: $3" "in $2: $(head -c 400 "$2")"; fi
}

check_not_contains() {
	if grep -qF -- "$3" "$2"; then not_ok "$1" "unexpected: $3"; else ok "$1"; fi
}

# check_golden NAME GOLDEN_FILE ACTUAL_FILE
check_golden() {
	if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$3" "$2"; fi
	if diff -u "$2" "$3" > "$T/diff" 2>&1; then ok "$1"; else
		not_ok "$1" "golden differs:"; sed 's/^/#   /' "$T/diff" | head -40; fi
}

# sql DB QUERY - one value from a database
sql() { sqlite3 -batch -noheader "$1" "$2"; }

# facts DB - every event and incident of DB, by rule, second and text:
# what a log wrapped in an envelope must give as the log itself does (a
# syslog stamp has seconds only, and the envelope's stamp is the record's)
facts() {
	sql "$1" "SELECT rule || '|' || (ts / 1000) || '|' || text FROM events_all ORDER BY ts / 1000, rule, text;
	    SELECT kind || '|' || rule || '|' || (start / 1000) || '|' || (\"end\" / 1000) || '|' || count
	    FROM incidents ORDER BY kind, rule, start"
}

# check_wrapped NAME FILE SOURCE - FILE, a log in an envelope, ingested
# into NAME.db gives the facts $facts_plain holds (those of the log
# itself), all from the one source SOURCE ("name|kind")
check_wrapped() {
	check_rc "$1: exit 0" 0 "$LT" ingest -q --final --db "$1.db" "$2"
	check_eq "$1: the events and incidents of the log itself" \
	    "$facts_plain" "$(facts "$1.db")"
	check_eq "$1: one source, $3" "$3" \
	    "$(sql "$1.db" "SELECT name || '|' || kind FROM sources")"
}

# unsample DB - make DB a database of before samples: every event in
# events, no samples table, no events_all view
unsample() {
	sql "$1" "INSERT INTO events (id, source_id, rule, ts, hash, ordinal,
	    line, line_end, stream, text, fields, value, grp, link, inherited,
	    dup_of) SELECT id, source_id, rule, ts, hash, ordinal, line,
	    line_end, stream, text, fields, value, grp, link, inherited, dup_of
	    FROM events_all WHERE id IN (SELECT id FROM samples);
	    DROP VIEW events_all; DROP TABLE samples;
	    DROP TABLE sample_rules; DROP TABLE sample_spans" > /dev/null
}
