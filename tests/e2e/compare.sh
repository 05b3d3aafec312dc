#!/bin/sh
# compare.sh - tools/compare_builds.sh finds two builds alike when they are
# alike, and names the command whose output differs when one is not.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"
in="$TOP/samples/exai-daemon.log $TOP/samples/compose-t.log"

# Word splitting of $in is wanted: two sample paths without spaces.
# shellcheck disable=SC2086
sh "$TOP/tools/compare_builds.sh" "$LT" "$LT" $in > same.out 2>&1
check_eq "one build against itself: exit 0" "0" "$?"
check_eq "... every command and the tables the same" \
    "0" "$(grep -c DIFFERS same.out)"
check_contains "... the summary counts them" same.out "42 same, 0 differ"

# A build whose JSON output says one thing more: exactly the json outputs
# differ (and the one read after prune), nothing else.
cat > other.sh <<EOS
#!/bin/sh
"$LT" "\$@"
rc=\$?
case " \$* " in *" --format json"*) echo extra ;; esac
exit \$rc
EOS
chmod +x other.sh
# shellcheck disable=SC2086
sh "$TOP/tools/compare_builds.sh" "$LT" "$T/other.sh" $in > differ.out 2>&1
check_eq "a differing build: exit 1" "1" "$?"
check_eq "... the json outputs are named" \
    "report-json report-all-json report-tz-json report-window-json patterns-json report-after-prune" \
    "$(grep '^DIFFERS' differ.out | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')"
check_contains "... with the line that differs" differ.out "> extra"
check_contains "... and the summary" differ.out "36 same, 6 differ"
