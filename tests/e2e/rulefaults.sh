#!/bin/sh
# rulefaults.sh - rules on the worst day: a pattern with catastrophic
# backtracking costs a counted error and the rules keep working; every kind
# of rule-file mistake stops ingest with exit 2 and FILE:LINE:.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/fixtures/hostile/common.sh"
H=$TOP/tests/fixtures/hostile

# --- catastrophic backtracking: 3 long runs of 'a' that end badly
python3 -c "
for n in (3000, 50000, 200000):
    print('a' * n + 'b')
    print('aaaa')
print('done 42')
" > bt.log
t0=$(now_ms)
check_rc "backtracking: exit 0" 0 "$LT" ingest --db bt.db --rules "$H/backtrack" bt.log
ms=$(($(now_ms) - t0))
if [ "$ms" -le 5000 ]; then ok "backtracking: finished in $ms ms"; else
	not_ok "backtracking: finishes within 5 s" "took $ms ms"; fi
check_contains "backtracking: counted in the summary" "$T/err" "regex errors 3"
check_eq "backtracking: counted in the ingests row" 3 "$(sql bt.db "SELECT regex_errors FROM ingests")"
check_eq "backtracking: the rule still matches the short lines, the other rule too" \
    "evil|2 evil|4 evil|6 plain|7" \
    "$(sql bt.db "SELECT group_concat(rule || '|' || line, ' ') FROM (SELECT * FROM events_all ORDER BY line)")"
check_eq "backtracking: fields of the later matches" '{"n":"42"}' \
    "$(sql bt.db "SELECT fields FROM events_all WHERE rule = 'plain'")"

# --- rule-file mistakes, one file each; a valid rule [ok] comes first
mkdir bad
mk() {	# mk NAME: the [ok] rule (lines 1-4), then stdin from line 5 on
	printf '[ok]\ncategory = x\nseverity = info\nmatch = hello\n' > "bad/$1.rules"
	cat >> "bad/$1.rules"
}
mk unknown-key <<'R'
[a]
category = x
severity = info
match = foo
colour = red
R
mk duplicate-id <<'R'
[ok]
category = x
severity = info
match = foo
R
mk bad-window <<'R'
[a]
category = x
severity = info
match = foo
storm = 5 in 10parsecs
R
mk bad-expect-window <<'R'
[a]
category = x
severity = info
match = foo
expect = ok within soon
R
mk missing-match <<'R'
[a]
category = x
severity = info
R
mk bad-severity <<'R'
[a]
category = x
severity = urgent
match = foo
R
mk expect-unknown <<'R'
[a]
category = x
severity = info
match = foo
expect = ghost within 10s
R
mk follows-unknown <<'R'
[a]
category = x
severity = info
match = foo
follows = ghost within 10s
R
mk bad-regex <<'R'
[a]
category = x
severity = info
match = foo(
R
mk storm-zero <<'R'
[a]
category = x
severity = info
match = foo
storm = 0 in 10s
R
printf 'match = foo\n[a]\ncategory = x\nseverity = info\nmatch = foo\n' > bad/outside-section.rules

B=$T/bad
# (not $name and $want: check_rc sets those)
while read -r rn rw; do
	rw=$(echo "$rw" | sed "s|BAD/|$B/|")
	echo hello > in.log
	check_rc "rule mistake $rn: ingest exits 2" 2 "$LT" ingest --db "bad-$rn.db" --rules "$B/$rn.rules" in.log
	check_eq "rule mistake $rn: FILE:LINE: message" "$B/$rn.rules:$rw" "$(head -1 "$T/err")"
	check_eq "rule mistake $rn: no database created" no "$([ -e "bad-$rn.db" ] && echo yes || echo no)"
	check_rc "rule mistake $rn: rules check exits 2" 2 "$LT" rules check --rules "$B/$rn.rules"
done <<'W'
unknown-key 9:1: unknown key 'colour'
duplicate-id 5:2: duplicate rule id 'ok' (first defined at BAD/duplicate-id.rules:1)
bad-window 9:14: storm: bad window '10parsecs' (use e.g. 500ms, 10s, 5m, 2h)
bad-expect-window 9:20: expect: bad window 'soon' (use e.g. 500ms, 10s, 5m, 2h)
missing-match 5: rule 'a' has no 'match'
bad-severity 7:12: bad severity 'urgent' (debug, info, notice, warning, error, critical)
expect-unknown 9: expect: unknown rule 'ghost'
follows-unknown 9: follows: unknown rule 'ghost'
bad-regex 8:13: bad regex: missing closing parenthesis (at offset 4)
storm-zero 9:9: storm: bad number '0' (1 to 1000000)
outside-section 1:1: 'match' outside a [rule-id] section
W
