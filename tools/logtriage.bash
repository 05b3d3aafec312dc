# bash completion for logtriage(1)

_logtriage_rule_ids()
{
	# rule lines end their fifth column (FILE:LINE after the layer); the
	# count line and the built-in rules do not
	logtriage rules list 2>/dev/null | awk '$5 ~ /:[0-9]+$/ { print $1 }'
}

# The names `CMD --format` takes, from the table in the binary (its
# unknown-format message lists them): a new envelope or report format
# needs no edit here.
_logtriage_formats()
{
	logtriage "$1" --format '?' < /dev/null 2>&1 |
	    sed -n "s/.*unknown format '?' (\(.*\))\$/\1/p" | tr -d ,
}

_logtriage()
{
	local cur prev cmd
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=${COMP_WORDS[1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "ingest report events tui rules prune patterns help --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--db|-o|--output|--rules|--input)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format)
		case $cmd in
		ingest|report) COMPREPLY=($(compgen -W "$(_logtriage_formats "$cmd")" -- "$cur")) ;;
		events) COMPREPLY=($(compgen -W "ndjson tsv" -- "$cur")) ;;
		patterns) COMPREPLY=($(compgen -W "text json ndjson" -- "$cur")) ;;
		rules) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return ;;
	--level)
		COMPREPLY=($(compgen -W "any debug info notice warning error critical" -- "$cur")); return ;;
	--fail-on)
		COMPREPLY=($(compgen -W "debug info notice warning error critical" -- "$cur")); return ;;
	--compare)
		COMPREPLY=($(compgen -W "previous" -- "$cur")); return ;;
	--since|--until)
		COMPREPLY=($(compgen -W "now today yesterday 1h 24h 7d 30d" -- "$cur")); return ;;
	--rule)
		# patterns --rule takes a template number from its listing
		[ "$cmd" = patterns ] && return
		COMPREPLY=($(compgen -W "$(_logtriage_rule_ids)" -- "$cur")); return ;;
	--category)
		COMPREPLY=($(compgen -W "$(logtriage rules list 2>/dev/null | awk '$5 ~ /:[0-9]+$/ { print $2 }' | sort -u)" -- "$cur")); return ;;
	--source|--tz|--slow-ms|--older-than|--keep-size|--limit|--baseline)
		return ;;
	esac
	case $cmd in
	ingest)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--db --rules --no-default-rules --source --format --tz --follow -f --no-resume --final --context-lines --quiet -q --stats --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	report)
		COMPREPLY=($(compgen -W "--db --since --until --source --format --output --compare --baseline --slow-ms --fail-on --tz --all --help" -- "$cur")) ;;
	events)
		COMPREPLY=($(compgen -W "--db --source --rule --category --field --since --until --tz --format --limit --after-id --follow --poll-ms --untimed --context --help" -- "$cur")) ;;
	tui)
		COMPREPLY=($(compgen -W "--db --since --until --source --tz --help -h -" -- "$cur")) ;;
	rules)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "list check test" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--rules --no-default-rules --input --show-missed --format --verbose -v --help" -- "$cur"))
		fi ;;
	prune)
		COMPREPLY=($(compgen -W "--db --older-than --keep-size --dry-run -n --tz --help" -- "$cur")) ;;
	patterns)
		COMPREPLY=($(compgen -W "--input --level --format --records --rule --limit --tz --db --source --since --until --help" -- "$cur")) ;;
	esac
}
complete -F _logtriage logtriage
