# layers.sh - rules directories in layers: the defaults, the system drop-in
# directory ($LOGTRIAGE_SYSCONFDIR/logtriage/rules.d), the user's
# ($XDG_CONFIG_HOME/logtriage/rules.d), then each --rules; a later layer
# replaces a rule of the same id or turns it off; --no-default-rules; and
# an input read before a rule existed read again, each line counted once.
. "$TOP/tests/e2e/lib.sh"

LOG=$TOP/tests/fixtures/layers/app.log
cp "$LOG" app.log
EV="SELECT group_concat(rule || ':' || line, ' ') FROM (SELECT rule, line FROM events_all ORDER BY line, rule)"

# --- no drop-in directory: the defaults alone
check_rc "ingest with the defaults" 0 "$LT" ingest --db a.db app.log
check_eq "defaults: the start, the warnings and the error line" "daemon-start:1 log-warning:4 log-warning:5 log-error:6" "$(sql a.db "$EV")"

# --- drop-in directories, picked up with no flag
mkdir -p "$T/etc/logtriage/rules.d" "$T/config/logtriage/rules.d"
cat > "$T/etc/logtriage/rules.d/site.rules" <<'EOF'
[daemon-start]
enabled = false

[cache-miss]
match    = Cache miss storm for key=(?<key>\w+)
category = cache
severity = info
EOF
cat > "$T/config/logtriage/rules.d/mine.rules" <<'EOF'
# mine: the semaphore gauge, and cache misses matter more to me
[semaphore-status]
match    = Semaphore status: global (?<free>\d+)/(?<total>\d+)
category = semaphore
severity = info

[cache-miss]
match    = Cache miss storm for key=(?<key>\w+) \((?<n>\d+) misses\)
category = cache
severity = warning
EOF
check_rc "rules list with the drop-in directories" 0 "$LT" rules list
check_eq "rules list: layer and file of each changed rule" \
"cache-miss                   cache      warning  user     $T/config/logtriage/rules.d/mine.rules:7
daemon-start                 lifecycle  notice   default  $TOP/rules/errors.rules:31  disabled by $T/etc/logtriage/rules.d/site.rules:2
semaphore-status             semaphore  info     user     $T/config/logtriage/rules.d/mine.rules:2" \
    "$(grep -E '^(cache-miss|daemon-start|semaphore-status) ' "$T/out" | sort)"
check_eq "rules list: the count line" "75 rules from 7 files, 7 scenarios" "$(tail -1 "$T/out")"

check_rc "ingest again, no flag: exit 0" 0 "$LT" ingest --db a.db app.log
check_eq "the input read before the rules changed is read again" \
"logtriage: app.log: the rules changed since it was read: reading it again from the start
logtriage: 7 lines, 689 bytes, 7 records, 5 events (1 duplicates) from 1 inputs (1 read again: the rules changed); malformed 0, truncated 0, no timestamp 0, backwards 0, bad UTF-8 0, NUL bytes 0, regex errors 0" \
    "$(cat "$T/err")"
check_eq "re-read: the new rules' events, the old ones once" \
    "daemon-start:1 semaphore-status:2 semaphore-status:3 cache-miss:4 log-warning:4 cache-miss:5 log-warning:5 log-error:6 semaphore-status:7" \
    "$(sql a.db "$EV")"
check_eq "re-read: the user's cache-miss, not the system's" "abc|12" \
    "$(sql a.db "SELECT json_extract(fields, '\$.key') || '|' || json_extract(fields, '\$.n') FROM events_all WHERE rule = 'cache-miss' AND line = 4")"
check_rc "ingest a third time: exit 0" 0 "$LT" ingest --db a.db app.log
check_eq "same rules: nothing read again" \
    "logtriage: 0 lines, 0 bytes, 0 records, 0 events (0 duplicates) from 1 inputs; malformed 0, truncated 0, no timestamp 0, backwards 0, bad UTF-8 0, NUL bytes 0, regex errors 0" \
    "$(cat "$T/err")"
check_rc "--no-resume: exit 0" 0 "$LT" ingest --db a.db --no-resume app.log
check_eq "counted once: 7 lines, and 9 events after four reads" "7|7|9" \
    "$(sql a.db "SELECT sum(lines) || '|' || sum(records) FROM volume")|$(sql a.db "SELECT count(*) FROM events_all")"

check_rc "report with no flag" 0 "$LT" report --db a.db
check_eq "report: input counted once" \
    "input: 7 lines, 7 records, 689 bytes (malformed 0, truncated 0); 9 events" \
    "$(sed -n 3p "$T/out")"
check_contains "report: the drop-in rule in the Rules table" "$T/out" \
    "  semaphore-status             semaphore  info            3"

# the tui reads the same store: the drop-in rule is on the summary
if command -v tmux > /dev/null 2>&1; then
	TM="tmux -L lt$$ -f /dev/null"
	$TM new-session -d -s tui -x 120 -y 40 \
	    "cd '$T' && TERM=tmux-256color NO_COLOR=1 LC_ALL=C.UTF-8 '$LT' tui --db a.db; sleep 30"
	i=0
	while [ $i -lt 100 ] && ! $TM capture-pane -p -t tui | grep -q 'semaphore-status'; do
		sleep 0.1; i=$((i + 1))
	done
	check_eq "tui: the drop-in rule and its events" \
	    "semaphore-status 3 info" \
	    "$($TM capture-pane -p -t tui | awk '$1 == "semaphore-status" { print $1, $2, $3 }')"
	$TM kill-server 2> /dev/null
fi

# --- --rules adds a layer; the same id in a later layer replaces it
mkdir more
printf '[semaphore-status]\nmatch = Semaphore status: global 8/8\ncategory = semaphore\nseverity = notice\n' > more/full.rules
check_rc "rules list --rules: exit 0" 0 "$LT" rules list --rules more
check_eq "--rules: the later layer wins" \
    "semaphore-status             semaphore  notice   cli      $T/more/full.rules:1" \
    "$(grep '^semaphore-status ' "$T/out")"
check_eq "--rules: the other layers stay" "75 rules from 8 files, 7 scenarios" "$(tail -1 "$T/out")"
check_rc "--rules naming the defaults adds nothing" 0 "$LT" rules list --rules "$TOP/rules"
check_eq "--rules of the defaults: the same count" "75 rules from 7 files, 7 scenarios" "$(tail -1 "$T/out")"

# --- --no-default-rules: the --rules paths alone (and the built-ins)
check_rc "--no-default-rules: exit 0" 0 "$LT" rules list --no-default-rules --rules more
check_eq "--no-default-rules: one rule and the three built-ins" \
    "semaphore-status log-error log-critical log-warning|4 rules from 1 files, 0 scenarios" \
    "$(awk 'NF > 3 && !/ rules from / { printf "%s%s", s, $1; s = " " }' "$T/out" | head -c 200)|$(tail -1 "$T/out")"
check_rc "--no-default-rules without --rules: exit 2" 2 "$LT" ingest --db b.db --no-default-rules app.log
check_eq "--no-default-rules without --rules: says so" \
    "logtriage: ingest: --no-default-rules needs --rules" "$(cat "$T/err")"

# --- a later layer turns a rule back on; one id twice in a layer is a mistake
printf '[daemon-start]\nenabled = true\n' > "$T/config/logtriage/rules.d/on.rules"
check_rc "enabled = true in a later layer: exit 0" 0 "$LT" rules list
check_eq "enabled = true: on again, and where" \
    "daemon-start                 lifecycle  notice   default  $TOP/rules/errors.rules:31  enabled by $T/config/logtriage/rules.d/on.rules:2" \
    "$(grep '^daemon-start ' "$T/out")"
printf '[semaphore-status]\nmatch = x\ncategory = c\nseverity = info\n' > "$T/config/logtriage/rules.d/twice.rules"
check_rc "one id twice in the user layer: exit 2" 2 "$LT" ingest --db b.db app.log
check_contains "one id twice in a layer: where" "$T/err" \
    "$T/config/logtriage/rules.d/twice.rules:1:2: duplicate rule id 'semaphore-status' (first defined at $T/config/logtriage/rules.d/mine.rules:2)"
rm "$T/config/logtriage/rules.d/twice.rules"

# --- the drop-in directories may be empty or missing
rm -r "$T/config/logtriage" "$T/etc/logtriage/rules.d"/*
check_rc "empty system directory, no user directory: exit 0" 0 "$LT" rules check
check_eq "the defaults alone" "73 rules and 7 scenarios in 5 files: ok" "$(cat "$T/out")"
