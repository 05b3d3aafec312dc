# docs.sh - the examples in README.md and the man pages are run, so they
# cannot drift from the binary.
#
# What is run:
#   README.md   every line of a ```sh block (a leading "$ " is dropped).
#               Blocks fenced ```console need things a test cannot have
#               (docker, journald, root, make) and are only shown; ```toml
#               and ```text blocks are not commands.
#               The ```ini block holding a rule section [slow-query] is
#               written to my-rules/slow.rules, which the README tests.
#               The cron and systemd examples run too, on a copy of the
#               database (they prune): the command of every ```crontab
#               line and the ExecStart= lines of Type=oneshot units, with
#               a `docker` that prints samples/exai-daemon.log.
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
# /var/lib/node_exporter/textfile_collector, /var/lib/prometheus/node-exporter
# and /var/log/logtriage -> ./out, /usr/local/bin/logtriage -> logtriage.
# Lines using jq or promtool are skipped (and say so) when those are not
# installed.
. "$TOP/tests/e2e/lib.sh"

W=$T/work
mkdir -p "$W/bin" "$W/out" "$W/my-rules"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$LT" > "$W/bin/logtriage"
printf '#!/bin/sh\ncat > /dev/null\n' > "$W/bin/mail"
printf '#!/bin/sh\ncat "%s"\n' "$TOP/samples/exai-daemon.log" > "$W/bin/docker"
chmod +x "$W/bin/logtriage" "$W/bin/mail" "$W/bin/docker"
ln -s "$TOP/rules" "$W/rules"
ln -s "$TOP/contrib" "$W/contrib"
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
	inblk && lang == "ini" && $0 == "Type=oneshot" { oneshot[n] = 1 }
	inblk && lang == "crontab" && $0 !~ /^#/ && NF > 5 {
		for (f = 0; f < 5; f++) sub(/^[ \t]*[^ \t]+[ \t]+/, "")
		print > CRON
	}
	END {
		if (rule) printf "%s", blk[rule] > RULE
		for (i = 1; i <= n; i++) {
			if (!oneshot[i]) continue
			k = split(blk[i], l, "\n")
			for (j = 1; j <= k; j++)
				if (l[j] ~ /^ExecStart=/) print substr(l[j], 11) > CRON
		}
	}
' CMDS="$T/readme.cmds" RULE="$W/my-rules/slow.rules" CRON="$T/cron.cmds" "$TOP/README.md"

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
have_promtool=0
command -v promtool > /dev/null 2>&1 && have_promtool=1

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
		*promtool\ *) if [ "$have_promtool" = 0 ]; then
			echo "ok - $from: $cmd # SKIP promtool not installed"; continue; fi ;;
		esac
		run=$(printf '%s\n' "$cmd" | sed \
		    -e "s|/var/lib/docker/containers|$TOP/samples/docker-json|g" \
		    -e "s|/var/lib/node_exporter/textfile_collector|$W/out|g" \
		    -e "s|/var/lib/prometheus/node-exporter|$W/out|g" \
		    -e "s|/usr/local/bin/logtriage|logtriage|g" \
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
check_eq "README has cron and systemd examples to run" "yes" \
    "$([ "$(wc -l < "$T/cron.cmds")" -ge 6 ] && echo yes || wc -l < "$T/cron.cmds")"
rm -f "$W/out/logtriage.prom"
cp "$LOGTRIAGE_DB" "$W/cron.db"
LOGTRIAGE_DB=$W/cron.db run_cmds "README.md (cron, systemd)" "$T/cron.cmds"
if command -v promtool > /dev/null 2>&1; then
	check_rc "the cron and systemd examples write a .prom promtool accepts" 0 \
	    sh -c 'promtool check metrics < "$1"' sh "$W/out/logtriage.prom"
else
	check_eq "the cron and systemd examples write the .prom file" "yes" \
	    "$([ -s "$W/out/logtriage.prom" ] && echo yes)"
fi

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
