# rules_coverage.sh - the default rules cover what the daemon and the stacks
# around it print: every example the rules carry passes, every line of
# tests/fixtures/rules/templates.txt (one per logging statement of the
# timeout, retry, fallback, semaphore, WebSocket and duration families) is an
# event of exactly the rules it is tagged with, and each line tagged "-" is
# an event of none.
. "$TOP/tests/e2e/lib.sh"

F=$TOP/tests/fixtures/rules/templates.txt

check_rc "rules test: every example and scenario of the default rules" 0 \
    $LT rules test --rules "$TOP/rules"
check_contains "rules test: nothing failed" "$T/out" " 0 failed"

# One file per line: a line without a timestamp (an exception line, a Go or
# Node message) stays a record of its own instead of joining the one before.
grep -v '^#' "$F" | grep . > "$T/tagged"
mkdir "$T/lines"
awk -F'\t' -v d="$T/lines" '{
	f = sprintf("%s/l%05d", d, NR)
	print substr($0, length($1) + 2) > f
	close(f)
}' "$T/tagged"
check_eq "fixture: tagged lines" 580 "$(wc -l < "$T/tagged" | tr -d ' ')"
check_eq "fixture: lines that must match nothing" 147 \
    "$(grep -c '^-	' "$T/tagged")"

# What the rule files claim is checked here, not the built-in rules that
# take every unclaimed error record: they are turned off.
mkdir -p "$T/off"
printf '[log-error]\nenabled = false\n\n[log-critical]\nenabled = false\n\n[log-warning]\nenabled = false\n' > "$T/off/off.rules"
# A syslog line's source is its program: such a file is ingested apart,
# named after itself, so that its events lead back to its line.
grep -l -E '^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9][0-9] ' \
    "$T"/lines/l* > "$T/syslog_lines"
check_eq "fixture: syslog lines" 1 "$(wc -l < "$T/syslog_lines" | tr -d ' ')"
mkdir "$T/plain_lines"
for f in "$T"/lines/l*; do
	grep -q -x -F "$f" "$T/syslog_lines" || ln "$f" "$T/plain_lines/"
done
check_rc "ingest every template line" 0 $LT ingest -q --db "$T/t.db" \
    --rules "$TOP/rules" --rules "$T/off" "$T"/plain_lines/l*
while read -r f; do
	check_rc "ingest the syslog line of $(basename "$f")" 0 $LT ingest -q \
	    --db "$T/t.db" --rules "$TOP/rules" --rules "$T/off" \
	    --source "$(basename "$f")" "$f"
done < "$T/syslog_lines"
# a file whose line has no time holds an untimed event: events lists it too
$LT events --db "$T/t.db" --format tsv |
    awk -F'\t' '{ print $2 "\t" $3 }' |
    sort -u | awk -F'\t' '
	{ n = substr($1, 2) + 0; if (n in hit) hit[n] = hit[n] "," $2; else hit[n] = $2 }
	END { for (n in hit) print n "\t" hit[n] }' > "$T/hits"

# NR, wanted rules (sorted), rules hit (sorted), the line
awk -F'\t' 'NR == FNR { hit[$1] = $2; next }
	{
		want = $1; got = (FNR in hit) ? hit[FNR] : "-"
		nw = split(want, w, ","); ng = split(got, g, ",")
		ok = (nw == ng)
		for (i = 1; ok && i <= nw; i++) {
			found = 0
			for (j = 1; j <= ng; j++) if (w[i] == g[j]) found = 1
			ok = found
		}
		if (!ok)
			print FNR ": want " want ", got " got ": " substr($0, length($1) + 2, 110)
	}' "$T/hits" "$T/tagged" > "$T/wrong"
check_eq "each event line is an event of exactly its rules" "" \
    "$(grep -v ': want -,' "$T/wrong")"
check_eq "each line tagged - matches no rule" "" \
    "$(grep ': want -,' "$T/wrong")"
