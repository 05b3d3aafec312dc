# docs.sh - the examples in README.md and the man pages are run, so they
# cannot drift from the binary.
#
# What is run:
#   README.md   every line of a ```sh block (a leading "$ " is dropped).
#               Blocks fenced ```console need things a test cannot have
#               (docker, journald, root, make) and are only shown; ```ini,
#               ```toml, ```crontab and ```text blocks are not commands.
#               The ```ini block holding a rule section [slow-query] is
#               written to my-rules/slow.rules, which the README tests.
#   man pages   every line starting with "logtriage " inside .nf/.fi
#               blocks, with roff escapes undone (\- -> -, \e -> \).
#               The first rule section of logtriage.rules(5) EXAMPLES is
#               written to my.rules, which that page tests.
# Expected status: 0, unless the line ends in a comment "# exit A or B"
# (README) or \" exit A or B (roff) listing the statuses allowed.
# Each command runs under bash -o pipefail in a scratch directory holding
# a database filled from samples/ (LOGTRIAGE_DB), ./rules (the tree's
# rules), `logtriage` on PATH as the binary under test and a `mail` that
# swallows its input.  System paths are rewritten into the scratch
# directory: /var/lib/docker/containers -> samples/docker-json,
# /var/lib/node_exporter/textfile_collector and /var/log/logtriage -> ./out.
# Lines using jq are skipped (and say so) when jq is not installed.
. "$TOP/tests/e2e/lib.sh"

W=$T/work
mkdir -p "$W/bin" "$W/out" "$W/my-rules"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$LT" > "$W/bin/logtriage"
printf '#!/bin/sh\ncat > /dev/null\n' > "$W/bin/mail"
chmod +x "$W/bin/logtriage" "$W/bin/mail"
ln -s "$TOP/rules" "$W/rules"
export LOGTRIAGE_DB="$W/docs.db"
unset LOGTRIAGE_RULES

check_rc "the docs database is filled from samples/" 0 $LT ingest -q \
    "$TOP"/samples/*.log "$TOP"/samples/*.log.gz "$TOP"/samples/journald.json \
    "$TOP"/samples/docker-json/*/*-json.log

# README: the commands of ```sh blocks; the [slow-query] rule block.
awk '
	/^```/ { if (inblk) { inblk = 0; next } lang = substr($0, 4); inblk = 1; n++; next }
	inblk && lang == "sh" { sub(/^\$ /, ""); if ($0 != "") print > CMDS }
	inblk && lang == "ini" { blk[n] = blk[n] $0 "\n"; if ($0 == "[slow-query]") rule = n }
	END { if (rule) printf "%s", blk[rule] > RULE }
' CMDS="$T/readme.cmds" RULE="$W/my-rules/slow.rules" "$TOP/README.md"

# man pages: "logtriage ..." lines of .nf blocks, roff escapes undone.
man_cmds() {
	awk '
		/^\.nf/ { nf = 1; next }
		/^\.fi/ { nf = 0; next }
		nf && /^logtriage / {
			line = $0
			gsub(/\\-/, "-", line); gsub(/\\e/, "\\", line)
			if (match(line, /[ \t]*\\" */)) {
				c = substr(line, RSTART + RLENGTH); line = substr(line, 1, RSTART - 1)
				line = line "  # " c
			}
			print line
		}
	' "$1"
}
man_cmds "$TOP/man/logtriage.1" > "$T/man1.cmds"
man_cmds "$TOP/man/logtriage.rules.5" > "$T/man5.cmds"
awk '
	/^\.SH EXAMPLES/ { ex = 1; next }
	/^\.SH / { ex = 0 }
	ex && /^\.nf/ { nf = 1; next }
	ex && nf && /^\.fi/ { exit }
	ex && nf && !/^\.in/ { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print }
' "$TOP/man/logtriage.rules.5" > "$W/my.rules"

check_eq "README has runnable examples" "yes" \
    "$([ "$(wc -l < "$T/readme.cmds")" -ge 10 ] && echo yes || wc -l < "$T/readme.cmds")"
check_eq "README rule example extracted" "[slow-query]" "$(head -1 "$W/my-rules/slow.rules")"
check_eq "logtriage(1) has runnable examples" "yes" \
    "$([ "$(wc -l < "$T/man1.cmds")" -ge 6 ] && echo yes || wc -l < "$T/man1.cmds")"
check_eq "logtriage.rules(5) rule example extracted" "[ws-close-storm]" "$(head -1 "$W/my.rules")"

have_jq=0
command -v jq > /dev/null 2>&1 && have_jq=1

# run_cmds FILE - run every command line of FILE, one check each.
run_cmds() {
	from=$1
	while IFS= read -r cmd; do
		allowed=0
		case $cmd in
		*"# exit "*)
			allowed=$(printf '%s\n' "$cmd" | sed 's/.*# exit //; s/ or / /g')
			cmd=$(printf '%s\n' "$cmd" | sed 's/[ \t]*# exit .*//') ;;
		esac
		case $cmd in
		*"| jq "*) if [ "$have_jq" = 0 ]; then
			echo "ok - $from: $cmd # SKIP jq not installed"; continue; fi ;;
		esac
		run=$(printf '%s\n' "$cmd" | sed \
		    -e "s|/var/lib/docker/containers|$TOP/samples/docker-json|g" \
		    -e "s|/var/lib/node_exporter/textfile_collector|$W/out|g" \
		    -e "s|/var/log/logtriage|$W/out|g")
		(cd "$W" && PATH="$W/bin:$PATH" bash -o pipefail -c "$run") \
		    > "$T/out" 2> "$T/err" < /dev/null
		rc=$?
		good=0
		for a in $allowed; do [ "$rc" = "$a" ] && good=1; done
		if [ "$good" = 1 ]; then
			ok "$from: $cmd"
		else
			not_ok "$from: $cmd" "exit status $rc (allowed: $allowed)" \
			    "stderr: $(head -c 400 "$T/err")"
		fi
	done < "$2"
}
run_cmds README.md "$T/readme.cmds"
run_cmds logtriage.1 "$T/man1.cmds"
run_cmds logtriage.rules.5 "$T/man5.cmds"

# The examples' outputs are the real ones.
check_eq "README quotes the real latency table" "" \
    "$($LT report | sed -n '/^Metric:/,/^$/p' | grep -v '^$' | while IFS= read -r l; do
	grep -qxF -- "$l" "$TOP/README.md" || echo "$l"; done)"
check_eq "README quotes real findings" "" \
    "$(sed -n '/^```text/,/^```/p' "$TOP/README.md" | grep -E '^  (error|warning|notice) ' |
	while IFS= read -r l; do $LT report | grep -qxF -- "$l" || echo "$l"; done)"
check_eq "prometheus textfile written" "yes" \
    "$(grep -q '^# TYPE logtriage_events_total counter$' "$W/out/logtriage.prom" && echo yes)"

# man(1) finds nothing to complain about.
if command -v man > /dev/null 2>&1; then
	check_eq "man --warnings is silent" "" \
	    "$(man --warnings -l "$TOP/man/logtriage.1" "$TOP/man/logtriage.rules.5" 2>&1 > /dev/null)"
else
	echo "ok - man --warnings # SKIP man not installed"
fi

# Every option of every command's --help is in logtriage(1).
sed 's/\\-/-/g' "$TOP/man/logtriage.1" > "$T/man1.txt"
for c in ingest report events tui rules prune; do
	missing=""
	for o in $($LT $c --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qE -- "$o([^a-z-]|$)" "$T/man1.txt" || missing="$missing $o"
	done
	check_eq "logtriage(1) documents every option of $c" "" "$missing"
done
