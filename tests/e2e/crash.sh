#!/bin/sh
# crash.sh - crash consistency: `logtriage ingest` of a 100 MiB corpus is
# killed with SIGKILL at random moments; after every kill the database
# passes PRAGMA integrity_check, and running the same ingest again gives
# exactly the events and incidents of a clean ingest.  Odd runs append to
# a database made before, whose commits last, so re-runs resume; even runs
# make a new one, built unseen until the end, so a kill leaves none.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/fixtures/hostile/common.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# shellcheck disable=SC2086
if ! gen_corpus 100M c.log $DENSE; then
	not_ok "corpus generator builds and runs"
	exit 0
fi
check_eq "corpus is 100 MiB" 1 "$(($(stat -c %s c.log) >= 100 * 1024 * 1024))"

t0=$(now_ms)
check_rc "clean ingest" 0 "$LT" ingest --db clean.db c.log
dur=$(($(now_ms) - t0))
# A second clean run, timed as the killed runs will be (file cached, the
# binary warm): the kill moments are fractions of the faster of the two,
# so they land inside the run however fast ingest has become.
t0=$(now_ms)
"$LT" ingest -q --db clean2.db c.log
dur2=$(($(now_ms) - t0))
[ "$dur2" -lt "$dur" ] && dur=$dur2
dump_events clean.db > clean.events
dump_incidents clean.db > clean.incidents
nev=$(wc -l < clean.events)
check_eq "clean ingest: events and incidents found" "1|1" \
    "$((nev > 100000))|$(($(wc -l < clean.incidents) > 100))"

# Kill moments: spread over the run (start-up, the batches, the final
# commit and correlation) up to 85% of it, in a different order every run.
RUNS=12
seed=$(date +%s)
echo "# clean ingest took $dur ms; kill seed $seed"
awk -v n=$RUNS -v seed="$seed" -v dur="$dur" 'BEGIN { srand(seed)
	for (i = 0; i < n; i++) printf "%.3f\n", (0.02 + 0.83 * (i + rand()) / n) * dur / 1000 }' |
    shuf --random-source=c.log > moments
killed=0 intact=0 resumed=0 same=0 reruns=0 i=0 built=0 gone=0 swept=0
while read -r d; do
	i=$((i + 1))
	# A run that finished before its kill (a quiet machine is faster
	# than the timed runs) is tried again at 60% of the moment.
	tries=0 hit=0
	while :; do
		rm -f k.db k.db-wal k.db-shm k.db-build k.db-build-journal
		[ $((i % 2)) = 1 ] && printf '' | "$LT" ingest -q --db k.db -
		"$LT" ingest -q --db k.db c.log &
		pid=$!
		sleep "$d"
		kill -9 "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
		tries=$((tries + 1))
		# landed: the run had not finished (no ingests row says done; an
		# odd run's database has the row of its making)
		ndone=0
		[ -e k.db ] && ndone=$(sql k.db "SELECT count(*) FROM ingests WHERE status = 'done'" 2> /dev/null)
		if [ "$ndone" != $((1 + i % 2)) ]; then
			killed=$((killed + 1)) hit=1
			break
		fi
		[ "$tries" -lt 3 ] || break
		d=$(awk -v d="$d" 'BEGIN { printf "%.3f", d * 0.6 }')
	done
	if [ $((i % 2)) = 0 ] && [ "$hit" = 1 ]; then
		built=$((built + 1))
		[ -e k.db ] || gone=$((gone + 1))
	fi
	ic=ok
	[ -f k.db ] && ic=$(sql k.db "PRAGMA integrity_check" 2>&1)
	if [ "$ic" = ok ]; then intact=$((intact + 1)); else
		echo "# run $i (kill at ${d}s): integrity_check: $ic"; fi
	if [ -f k.db ] && [ "$(sql k.db "SELECT count(*) FROM ingests WHERE status = 'running'" 2> /dev/null)" = 1 ]; then
		before=$(sql k.db "SELECT count(*) FROM events_all")
	else
		before=0
	fi
	"$LT" ingest -q --db k.db c.log 2> rerun.err && reruns=$((reruns + 1))
	[ -e k.db-build ] || [ -e k.db-build-journal ] || swept=$((swept + 1))
	[ "$(sql k.db "SELECT skipped_bytes > 0 FROM ingests ORDER BY id DESC LIMIT 1")" = 1 ] &&
	    resumed=$((resumed + 1))
	dump_events k.db > k.events
	dump_incidents k.db > k.incidents
	if cmp -s k.events clean.events && cmp -s k.incidents clean.incidents &&
	    [ "$(sql k.db "PRAGMA integrity_check")" = ok ]; then
		same=$((same + 1))
	else
		echo "# run $i (kill at ${d}s, $before events before): differs from the clean ingest"
		diff clean.events k.events | head -5 | sed 's/^/#   /'
		diff clean.incidents k.incidents | head -5 | sed 's/^/#   /'
	fi
done < moments
if [ "$killed" -ge 10 ]; then ok "SIGKILL landed during the ingest ($killed of $RUNS)"; else
	not_ok "SIGKILL landed during the ingest at least 10 times" "only $killed of $RUNS"; fi
check_eq "integrity_check ok after every kill" "$RUNS" "$intact"
check_eq "every re-run exits 0" "$RUNS" "$reruns"
check_eq "re-run gives the clean events and incidents every time" "$RUNS" "$same"
check_eq "a new database killed while built is not there" "$built" "$gone"
check_eq "no file of a killed build is left after the re-run" "$RUNS" "$swept"
if [ "$resumed" -ge 3 ]; then ok "re-runs resumed from a commit point ($resumed of $RUNS)"; else
	not_ok "re-runs resumed from a commit point" "only $resumed of $RUNS skipped bytes"; fi
check_eq "the last re-run's ingests row is done, none failed" "done|0" \
    "$(sql k.db "SELECT status FROM ingests ORDER BY id DESC LIMIT 1")|$(sql k.db "SELECT count(*) FROM ingests WHERE status = 'failed'")"
