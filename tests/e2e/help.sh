# help.sh - every command's --help lists the options it shares with the
# others (--db, --since, --until, --baseline, --source, --rule, --tz) with
# the same words, from the one table in cmd.c: each at the command's own
# column, and none that the command does not take.
. "$TOP/tests/e2e/lib.sh"

# block CMD OPT: the --help lines of option --OPT of CMD, its first line
# and the lines that continue it.
block() {
	$LT "$1" --help | awk -v opt="  --$2 " '
	    on && /^ +[^ -]/ { print; next }
	    { on = 0 }
	    index($0, opt) == 1 { on = 1; print }'
}

# want COL OPT: the lines the table gives option OPT at column COL.
want() {
	col=$1
	case $2 in
	db)	printf '%-*s%s\n%*s%s\n' "$col" "  --db PATH" \
		    'database (default $LOGTRIAGE_DB, else' "$col" "" \
		    '$XDG_STATE_HOME/logtriage/logtriage.db)' ;;
	since)	printf '%-*s%s\n' "$col" "  --since T" \
		    "from log time T on (ISO 8601, 24h, 7d, today...)" ;;
	until)	printf '%-*s%s\n' "$col" "  --until T" "before log time T" ;;
	baseline) printf '%-*s%s\n' "$col" "  --baseline A..B" \
		    "compare with the window A..B" ;;
	source)	printf '%-*s%s\n%*s%s\n' "$col" "  --source S" \
		    "only sources named S or matching the glob S" "$col" "" \
		    "(repeatable)" ;;
	rule)	printf '%-*s%s\n' "$col" "  --rule R" "only rule R (repeatable)" ;;
	tz)	printf '%-*s%s\n' "$col" "  --tz ZONE" \
		    "zone of times shown and naive times read (default UTC)" ;;
	tz-auto) want "$col" tz
		printf '%*s%s\n' "$col" "" \
		    "auto: per source, the zone its envelope's stamps imply" ;;
	esac
}

# takes CMD COL OPT...: CMD lists exactly these shared options, as the
# table words them; the others not at all, but for own-OPT: an option of
# the command's own by that name (ingest's --source, patterns' --rule).
takes() {
	cmd=$1 col=$2
	shift 2
	for o in db since until baseline source rule tz; do
		w=
		for t in "$@"; do
			[ "${t%-auto}" = "$o" ] || [ "$t" = "own-$o" ] && w=$t
		done
		case $w in
		"")	check_eq "$cmd --help: no --$o" "" "$(block "$cmd" "$o")" ;;
		own-*)	got=$(block "$cmd" "$o")
			if [ -n "$got" ] && [ "$got" != "$(want "$col" "$o")" ]; then
				ok "$cmd --help: --$o is its own"
			else
				not_ok "$cmd --help: --$o is its own" "got: $got"
			fi ;;
		*)	check_eq "$cmd --help: --$o as the table words it" \
			    "$(want "$col" "$w")" "$(block "$cmd" "$o")" ;;
		esac
	done
}

takes ingest 19 db own-source tz-auto
takes events 21 db since until source rule tz
takes report 24 db since until baseline source tz
takes tui 19 db since until source tz
takes prune 25 db tz
takes patterns 21 db since until source own-rule tz
takes rules 21
