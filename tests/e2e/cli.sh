# cli.sh - the command-line conventions every command keeps: --help and
# --version on stdout with status 0, errors on stderr as "logtriage: ...",
# nothing but data on stdout, --opt=value and --opt value alike, -- ends
# the options, unknown options exit 2, NO_COLOR honoured; and that
# `make install` / `make uninstall` put and remove everything, with the
# installed binary finding its installed rules from anywhere.
. "$TOP/tests/e2e/lib.sh"

CMDS="ingest report events tui rules prune"

for c in $CMDS; do
	check_rc "$c --help exits 0" 0 $LT $c --help
	check_eq "$c --help prints its usage first, on stdout" "usage: logtriage $c " \
	    "$(head -1 "$T/out" | cut -c1-$((18 + ${#c})))"
	check_eq "$c --help writes nothing on stderr" "" "$(cat "$T/err")"
done
check_rc "--help exits 0" 0 $LT --help
check_contains "--help lists the commands" "$T/out" "  prune    "
check_rc "--version exits 0" 0 $LT --version
check_eq "--version prints the name and version" "logtriage 0.1.0" "$(cat "$T/out")"
check_rc "no command is a usage error" 2 $LT
check_rc "an unknown command is a usage error" 2 $LT frobnicate
check_eq "unknown command: stderr starts with logtriage:" \
    "logtriage: unknown command 'frobnicate' (try logtriage --help)" "$(head -1 "$T/err")"

# Unknown options: exit 2, nothing on stdout, the first stderr line is ours.
for c in $CMDS; do
	check_rc "$c --bogus exits 2" 2 $LT $c --bogus
	check_eq "$c --bogus: nothing on stdout" "" "$(cat "$T/out")"
	check_eq "$c --bogus: stderr starts with 'logtriage: '" "logtriage: " \
	    "$(head -1 "$T/err" | cut -c1-11)"
done
check_rc "a bad time is a usage error" 2 $LT report --since yesterday-ish
check_eq "bad time: stderr starts with 'logtriage: '" "logtriage: " "$(head -1 "$T/err" | cut -c1-11)"
check_eq "bad time: nothing on stdout" "" "$(cat "$T/out")"
check_rc "prune without --older-than is a usage error" 2 $LT prune
check_eq "prune usage error: stderr starts with 'logtriage: '" "logtriage: " \
    "$(head -1 "$T/err" | cut -c1-11)"
check_rc "an unreadable database is a runtime error" 3 $LT report --db "$T/no/such/dir/x.db"
check_eq "runtime error: stderr starts with 'logtriage: '" "logtriage: " \
    "$(head -1 "$T/err" | cut -c1-11)"

# ingest writes no data: stdout stays empty, the summary goes to stderr.
DB=$T/s.db
check_rc "ingest the samples" 0 $LT ingest --db "$DB" "$TOP/samples/exai-daemon.log" \
    "$TOP/samples/compose-t.log"
check_eq "ingest: nothing on stdout" "" "$(cat "$T/out")"
check_eq "ingest: one summary line on stderr" "1 logtriage: " \
    "$(wc -l < "$T/err" | tr -d ' ') $(cut -c1-11 "$T/err")"

# --opt=value and --opt value give the same result.
$LT events --db "$DB" --rule ws-keepalive-1011 --limit 3 --format tsv > "$T/a" 2>&1
$LT events --db="$DB" --rule=ws-keepalive-1011 --limit=3 --format=tsv > "$T/b" 2>&1
check_eq "events: --opt=value as --opt value" "$(cat "$T/a")" "$(cat "$T/b")"
check_eq "events: --limit 3 gives 3 lines" "3" "$(wc -l < "$T/a" | tr -d ' ')"
$LT report --db "$DB" --format json --slow-ms 1000 > "$T/a" 2>&1
$LT report --db="$DB" --format=json --slow-ms=1000 > "$T/b" 2>&1
check_eq "report: --opt=value as --opt value" "$(cat "$T/a")" "$(cat "$T/b")"
check_rc "report -o FILE" 0 $LT report --db "$DB" -o "$T/r1.txt"
check_rc "report --output=FILE" 0 $LT report --db "$DB" --output="$T/r2.txt"
check_eq "-o and --output= write the same report" "$(cat "$T/r1.txt")" "$(cat "$T/r2.txt")"
check_eq "-o writes nothing on stdout" "" "$(cat "$T/out")"

# -- ends the options: a file named like an option is read.
cp "$TOP/samples/exai-daemon.log" "$T/--quiet"
check_rc "ingest -- --quiet reads the file --quiet" 0 \
    $LT ingest --db "$T/dd.db" --source dashdash -- --quiet
check_eq "-- : the file's events are stored" \
    "$($LT events --db "$DB" --source exai-daemon.log | wc -l)" \
    "$($LT events --db "$T/dd.db" --source dashdash | wc -l)"
check_rc "rules -- list" 0 $LT rules -- list

# NO_COLOR: no escape sequence in the text report, even on a terminal.
ESC=$(printf '\033')
if command -v script > /dev/null 2>&1; then
	NO_COLOR=1 script -qec "$LT report --db $DB" /dev/null > "$T/tty" 2>&1
	check_eq "NO_COLOR on a terminal: no ESC" "0" "$(grep -c "$ESC" "$T/tty")"
	check_contains "NO_COLOR on a terminal: the report was shown" "$T/tty" "Findings"
else
	echo "ok - NO_COLOR on a terminal # SKIP script(1) not installed"
fi
(unset NO_COLOR; $LT report --db "$DB" > "$T/pipe" 2>&1)
check_eq "not a terminal: no ESC" "0" "$(grep -c "$ESC" "$T/pipe")"

# make install / uninstall into a DESTDIR; the installed binary finds its rules.
R=$T/root
(cd "$TOP" && make -s install PREFIX=/usr DESTDIR="$R") > "$T/inst" 2>&1
check_eq "make install succeeds" "0" "$?"
for f in usr/bin/logtriage usr/share/man/man1/logtriage.1 \
    usr/share/man/man5/logtriage.rules.5 \
    usr/share/bash-completion/completions/logtriage \
    usr/share/logtriage/rules/websocket.rules; do
	check_eq "installed $f" "yes" "$([ -f "$R/$f" ] && echo yes)"
done
check_eq "installed every rule file" "$(ls "$TOP/rules" | grep -c '\.rules$')" \
    "$(ls "$R/usr/share/logtriage/rules" | grep -c '\.rules$')"
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && unset LOGTRIAGE_RULES &&
    "$R/usr/bin/logtriage" rules list) > "$T/list" 2> "$T/err"
check_eq "installed binary lists the default ids" \
    "fallback provider-timeout response-time retry semaphore-double-release semaphore-health semaphore-leak semaphore-recovered semaphore-recovery-failed ws-keepalive-1011" \
    "$(awk '{ print $1 }' "$T/list" | grep -xE 'retry|provider-timeout|fallback|semaphore-(leak|health|recovered|recovery-failed|double-release)|ws-keepalive-1011|response-time' | sort | tr '\n' ' ' | sed 's/ $//')"
check_contains "installed binary uses the installed rules" "$T/list" \
    "$R/usr/share/logtriage/rules/websocket.rules:"
(cd "$T/elsewhere" && unset LOGTRIAGE_RULES && "$R/usr/bin/logtriage" rules test) > /dev/null 2>&1
check_eq "installed rules pass their own tests" "0" "$?"
(cd "$TOP" && make -s uninstall PREFIX=/usr DESTDIR="$R") > "$T/inst" 2>&1
check_eq "make uninstall succeeds" "0" "$?"
check_eq "make uninstall leaves no file" "" "$(find "$R" -type f)"

# The bash completion offers the commands and the loaded rule ids.
if command -v bash > /dev/null 2>&1; then
	mkdir -p "$T/cbin" && ln -sf "$LT" "$T/cbin/logtriage"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage pr); COMP_CWORD=1; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: commands" "prune" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage ingest --format d); COMP_CWORD=3; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: envelopes from the binary's table" "docker-json docker-ts desktop" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage report --format ""); COMP_CWORD=3; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: report formats from the binary's table" "text markdown json html prometheus" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage events --rule ws-); COMP_CWORD=3; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: rule ids" "ws-keepalive-1011 ws-client-1011 ws-timeout ws-error ws-closed" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage events --rule 1); COMP_CWORD=3; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: no summary line among rule ids" "" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage prune -); COMP_CWORD=2; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: prune options" "--db --older-than --keep-size --dry-run -n --tz --help" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage events --f); COMP_CWORD=2; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: events --f" "--field --format --follow" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage events --a); COMP_CWORD=2; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: events --after-id" "--after-id" "$got"
	got=$(PATH="$T/cbin:$PATH" bash -c '. "$1"; COMP_WORDS=(logtriage report --a); COMP_CWORD=2; _logtriage; echo "${COMPREPLY[*]}"' _ "$TOP/tools/logtriage.bash")
	check_eq "completion: report --all" "--all" "$got"
fi

# --db: the schema goes only into an empty database; a path is a path.
L='2025-10-25 23:32:00 WARNING src.monitoring.resilient_websocket: Connection closed for 172.18.0.1:54646: sent 1011 (internal error) keepalive ping timeout'
sqlite3 "$T/foreign.db" "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')"
check_rc "prune on another program's database exits 3" 3 $LT prune --db "$T/foreign.db" --older-than 30d
check_eq "prune on a foreign database: says so in one line" \
    "logtriage: $T/foreign.db: not a logtriage database (it holds tables of its own); give --db a new file or a logtriage database" \
    "$(cat "$T/err")"
check_eq "prune on a foreign database: its tables untouched, no schema added" "notes" \
    "$(sql "$T/foreign.db" "SELECT group_concat(name) FROM sqlite_master")"
sqlite3 "$T/clash.db" "CREATE TABLE events (when_ TEXT, what TEXT)"
echo "$L" > "$T/one.log"
check_rc "ingest into a database with its own events table exits 3" 3 $LT ingest --db "$T/clash.db" "$T/one.log"
check_eq "clashing events table: one short line, no schema text" "1 0" \
    "$(wc -l < "$T/err") $(grep -c 'CREATE' "$T/err")"
check_contains "clashing events table: says why" "$T/err" "clash.db: not a logtriage database"
mkdir -p "$T/uri"
check_rc "--db file:x.db?mode=memory exits 0" 0 sh -c "cd '$T/uri' && exec $LT ingest -q --db 'file:x.db?mode=memory' '$T/one.log'"
check_eq "--db file:...: a file of that name holds the event" "1" \
    "$(sql "$T/uri/file:x.db?mode=memory" "SELECT count(*) FROM events_all" 2>/dev/null || echo none)"

# Standard output that cannot be written is a failure (exit 3, one line on
# stderr), for every command that writes there.
if [ -w /dev/full ]; then
	$LT ingest -q --db "$T/full.db" "$T/one.log"
	for args in "--help" "--version" "rules list" "rules check" "rules test" \
	    "report --db $T/full.db" "report --db $T/full.db --format json" \
	    "events --db $T/full.db" "prune --db $T/full.db --older-than 30d --dry-run" \
	    "ingest --help"; do
		# shellcheck disable=SC2086
		$LT $args > /dev/full 2> "$T/err"
		check_eq "$args > /dev/full exits 3" "3" "$?"
		check_eq "$args > /dev/full: the last line says so" "1" \
		    "$(tail -n 1 "$T/err" | grep -c '^logtriage: .*\(standard output\|writing output\)')"
	done
fi
