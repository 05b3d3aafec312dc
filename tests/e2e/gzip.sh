#!/bin/sh
# gzip.sh - .gz inputs end to end.  Logs whose gzip files are at least
# 1 KB, 300 KB, 10 MB and 100 MB, generated here, give exactly the lines,
# bytes, records and events of the same data uncompressed, read as files
# and through a pipe; random data over 256 KiB compressed; members; and a
# .gz cut short stores and counts the lines that decoded before the
# damage, says so and fails the run (exit 3); made whole, it is completed,
# short or long enough to be decompressed ahead.
. "$TOP/tests/e2e/lib.sh"
export LOGTRIAGE_RULES="$TOP/rules"

# gen BYTES - about BYTES of log, 1000 lines a second: a retry every 10th
# line, a response time every 25th (that is not a 10th), random base64
# payloads between them so that gzip -1 keeps well over half of it.
gen() {
	head -c "$(($1 * 3 / 4))" /dev/urandom | base64 -w 150 | awk '{
		s = 10800 + int(NR / 1000)
		ts = sprintf("2025-10-26 %02d:%02d:%02d", int(s / 3600) % 24, int(s / 60) % 60, s % 60)
		if (NR % 10 == 0)
			print ts " INFO openai._base_client: Retrying request to /chat/completions in 0.5 seconds"
		else if (NR % 25 == 0)
			printf "%s INFO tools.chat: Completed: {\047model\047: \047glm-4.6\047, \047ai_response_time_ms\047: %d}\n", ts, 1000 + NR % 5000
		else
			print ts " DEBUG app.worker: payload " $0
	}'
}
row() { sql "$1" "SELECT status, lines, bytes, records, events, duplicates FROM ingests"; }
dump() {
	sql "$1" "SELECT rule, ts, hash, ordinal, line, line_end, value FROM events_all
	    ORDER BY ts, rule, hash, ordinal"
}
# expected LOG - "done|lines|bytes|records|events|0" counted from the text
expected() {
	awk -v bytes="$(wc -c < "$1" | tr -d ' ')" '
	    / Retrying request to |\047ai_response_time_ms\047/ { e++ }
	    END { printf "done|%d|%d|%d|%d|0\n", NR, bytes, NR, e }' "$1"
}

# --- 1 KB, 300 KB (over the 256 KiB gzip input block), 10 MB: the same
# as the uncompressed log, event for event, as a file and from a pipe
for spec in "1KB 1000" "300KB 300000" "10MB 10000000"; do
	set -- $spec
	gen $(($2 * 3 / 2)) > "$1.log"
	gzip -1 -c "$1.log" > "$1.log.gz"
	gz=$(wc -c < "$1.log.gz")
	if [ "$gz" -ge "$2" ]; then ok "$1: the .gz has $gz bytes"; else
		not_ok "$1: the .gz has at least $2 bytes" "it has $gz"; fi
	check_rc "$1: .gz file ingests" 0 "$LT" ingest --db "gz$1.db" --source app "$1.log.gz"
	check_rc "$1: uncompressed ingests" 0 "$LT" ingest --db "plain$1.db" --source app "$1.log"
	check_eq "$1: counts of the uncompressed text" "$(expected "$1.log")" "$(row "gz$1.db")"
	check_eq "$1: ingests row as uncompressed" "$(row "plain$1.db")" "$(row "gz$1.db")"
	dump "plain$1.db" > "plain$1.dump"
	dump "gz$1.db" > "gz$1.dump"
	if cmp -s "plain$1.dump" "gz$1.dump"; then ok "$1: every event as uncompressed"; else
		not_ok "$1: every event as uncompressed" "$(diff "plain$1.dump" "gz$1.dump" | head -5)"; fi
	cat "$1.log.gz" | "$LT" ingest -q --db "pipe$1.db" --source app -
	check_eq "$1: .gz through a pipe: exit 0, ingests row as uncompressed" \
	    "0|$(row "plain$1.db")" "$?|$(row "pipe$1.db")"
	dump "pipe$1.db" > "pipe$1.dump"
	if cmp -s "plain$1.dump" "pipe$1.dump"; then ok "$1: pipe: every event as uncompressed"; else
		not_ok "$1: pipe: every event as uncompressed" "$(diff "plain$1.dump" "pipe$1.dump" | head -5)"; fi
done

# --- 100 MB of .gz: counted against the uncompressed text, which is then
# dropped to spare the disk
gen 150000000 > big.log
gzip -1 -c big.log > big.log.gz
gz=$(wc -c < big.log.gz)
if [ "$gz" -ge 100000000 ]; then ok "100MB: the .gz has $gz bytes"; else
	not_ok "100MB: the .gz has at least 100000000 bytes" "it has $gz"; fi
counted=$(expected big.log)
rm -f big.log
check_rc "100MB: .gz file ingests" 0 "$LT" ingest --stats --db big.db --source app big.log.gz
check_eq "100MB: counts of the uncompressed text" "$counted" "$(row big.db)"
# decompression figure: $1 the --stats line; prints it as a number
decompression() {
	printf '%s\n' "$1" | tr -d ';' | awk '{ for (i = 1; i < NF; i++)
	    if ($i == "decompression") print $(i + 1) + 0 }'
}
check_eq "100MB: --stats counts the CPU of decompressing ahead" "1" \
    "$(decompression "$(tail -n 1 "$T/err")" | awk '{ print ($1 > 0) }')"
rm -f big.log.gz big.db*

# --- random bytes, as in the report: 300000 of them compressed
head -c 300000 /dev/urandom > rand.bin
gzip -c rand.bin > rand.gz
nl=$(tr -cd '\n' < rand.bin | wc -c)
[ "$(tail -c 1 rand.bin | od -An -c | tr -d ' ')" = '\n' ] || nl=$((nl + 1))
check_rc "random 300000 bytes .gz: exit 0" 0 "$LT" ingest --stats --db rand.db rand.gz
check_eq "random 300000 bytes .gz: too short to decompress ahead" "0" \
    "$(decompression "$(tail -n 1 "$T/err")")"
check_eq "random 300000 bytes .gz: every byte and line read" "done|$nl|300000" \
    "$(sql rand.db "SELECT status, lines, bytes FROM ingests")"

# --- members: several gzip members in one file are one input
head -n 3000 10MB.log | gzip -c > members.gz
sed -n '3001,4500p' 10MB.log | gzip -c >> members.gz
sed -n '4501,$p' 10MB.log | gzip -c >> members.gz
check_rc "three gzip members: exit 0" 0 "$LT" ingest --db members.db --source app members.gz
check_eq "three gzip members: the whole log" "$(row plain10MB.db)" "$(row members.db)"

# --- a long .gz cut short, decompressed ahead of its lines: what came
# before the damage is stored as the uncompressed whole lines give it, the
# error is the same, and made whole (read through to the resume point)
# the rest comes once
gz=$(wc -c < 10MB.log.gz)
head -c $((gz / 2)) 10MB.log.gz > long.gz
check_rc "long truncated .gz: exit 3" 3 "$LT" ingest --db long.db --source app long.gz
check_contains "long truncated .gz: the error names the damage" "$T/err" \
    "logtriage: long.gz: unexpected end of gzip data; an unfinished line ("
b=$(sql long.db "SELECT bytes FROM ingests")
head -c "$b" 10MB.log > longpart.log
"$LT" ingest -q --db longpart.db --source app longpart.log
check_eq "long truncated .gz: stored as its whole lines, status failed" \
    "failed|$(row longpart.db | cut -d'|' -f2-)" "$(row long.db)"
dump longpart.db > longpart.dump
dump long.db > long.dump
if cmp -s longpart.dump long.dump && [ "$b" -gt 2000000 ]; then
	ok "long truncated .gz: every event before the damage ($b bytes)"; else
	not_ok "long truncated .gz: every event before the damage" "$b bytes, $(wc -l < long.dump) events, $(wc -l < longpart.dump) expected"; fi
cp 10MB.log.gz long.gz
check_rc "long .gz made whole: exit 0" 0 "$LT" ingest -q --db long.db --source app long.gz
dump long.db > long.dump
if cmp -s plain10MB.dump long.dump; then ok "long .gz made whole: every event as one ingest of the log"; else
	not_ok "long .gz made whole: every event as one ingest of the log" "$(diff plain10MB.dump long.dump | head -5)"; fi

# --- a .gz cut short (as one still being written): every whole line that
# decoded before the damage is stored and counted, the unfinished one is
# left for the next run, and once the file is whole the next run completes
# it: nothing lost, nothing twice
gen 1000000 > c.log
gzip -c c.log > c.log.gz
head -c 100000 c.log.gz > t.gz
check_rc "truncated .gz: exit 3" 3 "$LT" ingest --db t.db --source app t.gz
n=$(sql t.db "SELECT lines FROM ingests")
b=$(sql t.db "SELECT bytes FROM ingests")
d=$(gzip -dc t.gz 2> /dev/null | wc -c)
if [ "$n" -gt 0 ] && [ "$b" -le "$d" ] && [ "$b" -gt $((d - 300)) ] &&
    [ "$(head -c "$b" c.log | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ]; then
	ok "truncated .gz: every whole line decoded is read ($n lines, $b of $d bytes)"; else
	not_ok "truncated .gz: every whole line decoded is read" "$n lines, $b bytes, gzip -d gives $d"; fi
# (zlib may decode a byte more than gzip -d writes out)
check_contains "truncated .gz: the error names the damage" "$T/err" \
    "logtriage: t.gz: unexpected end of gzip data; an unfinished line ("
check_contains "truncated .gz: the error says what was kept and what waits" "$T/err" \
    " bytes) before it is left for the next run; the $n lines before it are stored"
# the whole lines, uncompressed, give the same lines, records and events
head -c "$b" c.log > part.log
"$LT" ingest -q --db part.db --source app part.log
check_eq "truncated .gz: stored as its whole lines, status failed" \
    "failed|$(row part.db | cut -d'|' -f2-)" "$(row t.db)"
dump part.db > part.dump
dump t.db > t.dump
if cmp -s part.dump t.dump && [ -s t.dump ]; then ok "truncated .gz: every event before the damage"; else
	not_ok "truncated .gz: every event before the damage" "$(wc -l < t.dump) events, $(wc -l < part.dump) expected"; fi
check_contains "truncated .gz: the summary counts what was read" "$T/err" \
    "logtriage: $(sql t.db "SELECT lines || ' lines, ' || bytes || ' bytes, ' || records || ' records, ' || events || ' events'
    FROM ingests")"
check_rc "truncated .gz again: exit 3" 3 "$LT" ingest --db t.db --source app t.gz
check_eq "truncated .gz again: resumed at the damage, nothing twice" \
    "failed|0|0|0|$b|$(wc -l < part.dump | tr -d ' ')" \
    "$(sql t.db "SELECT status, lines, records, events, skipped_bytes, (SELECT count(*) FROM events_all)
    FROM ingests ORDER BY id DESC LIMIT 1")"
cp c.log.gz t.gz
check_rc "the .gz made whole: exit 0" 0 "$LT" ingest -q --db t.db --source app t.gz
"$LT" ingest -q --db whole.db --source app c.log
check_eq "the .gz made whole: the rest read once, from the unfinished line on" \
    "done|$b|$(wc -l < c.log | tr -d ' ')" \
    "$(sql t.db "SELECT status, skipped_bytes, (SELECT sum(lines) FROM ingests) FROM ingests ORDER BY id DESC LIMIT 1")"
dump whole.db > whole.dump
dump t.db > t.dump
if cmp -s whole.dump t.dump; then ok "the .gz made whole: every event as one ingest of the log"; else
	not_ok "the .gz made whole: every event as one ingest of the log" "$(diff whole.dump t.dump | head -5)"; fi
check_eq "the .gz made whole: volume as one ingest of the log" \
    "$(sql whole.db "SELECT sum(lines), sum(records), sum(bytes) FROM volume")" \
    "$(sql t.db "SELECT sum(lines), sum(records), sum(bytes) FROM volume")"

# --- other compressors, archives, a journal file, a database: not read as
# lines (they would be binary records that say nothing); the user is told
# what to run, the input fails (exit 3), and the next input is read
printf '2025-10-25 23:00:00 ERROR after the foreign input\n' > good.log
foreign() {
	# foreign NAME OCTAL_BYTES MESSAGE
	printf "$2" > "f.$1"
	printf 'junk\0\001\002\n' >> "f.$1"
	rm -f f.db f.db-*
	check_rc "$1: exit 3" 3 "$LT" ingest --db f.db "f.$1" good.log
	check_contains "$1: the user is told what it is and what to run" "$T/err" \
	    "logtriage: f.$1: $3"
	check_eq "$1: nothing of it stored, the next input read" "1|1|good.log" \
	    "$(sql f.db "SELECT count(*), sum(line), min(s.name) FROM events_all e JOIN sources s ON s.id = e.source_id")"
}
foreign xz '\375\067zXZ\000\000' "xz data: decompress it first, as with xz -dc"
foreign bz2 'BZh91AY&SY' "bzip2 data: decompress it first, as with bzip2 -dc"
foreign bz2-empty 'BZh9\027\162\105\070\120\220' "bzip2 data: decompress it first, as with bzip2 -dc"
foreign zst '\050\265\057\375' "zstd data: decompress it first, as with zstd -dc"
foreign lz4 '\004\042\115\030' "lz4 data: decompress it first, as with lz4 -dc"
foreign zip 'PK\003\004' "a zip archive: extract it first, as with unzip -p"
foreign 7z '7z\274\257\047\034' "a 7z archive: extract it first, as with 7z x -so"
foreign journal 'LPKSHHRH' "a systemd journal file: read it through journalctl, as with journalctl --file=FILE -o json"
foreign sqlite 'SQLite format 3\000' "an SQLite database, not a log (a store is named with --db)"
printf '\375\067zXZ\000\000junk\n' | "$LT" ingest --db fs.db 2> fs.err
check_eq "xz on standard input: exit 3 and one message, no count of lines before it" \
    "3|logtriage: stdin: xz data: decompress it first, as with xz -dc" \
    "$?|$(head -n 1 fs.err)"
check_rc "patterns --input of xz data: exit 3" 3 "$LT" patterns --input f.xz
check_contains "patterns --input of xz data: the message" "$T/err" \
    "f.xz: xz data: decompress it first, as with xz -dc"
check_rc "rules test --input of a zip archive: exit 3" 3 "$LT" rules test --input f.zip
check_contains "rules test --input of a zip archive: the message" "$T/err" \
    "f.zip: a zip archive: extract it first, as with unzip -p"
# text that opens with the letters of a magic is text
printf 'BZh is a word\nPK ready\n' > words.log
check_rc "text opening with BZh or PK: read" 0 "$LT" ingest -q --db w.db words.log
check_eq "text opening with BZh or PK: its two records" "2" "$(sql w.db "SELECT records FROM ingests")"
