# tunables.sh - an ingest backs its heap with transparent huge pages
# (memtune.c), and so does its writer thread for its own (started when
# following, or once a megabyte is read); with the user's own
# glibc.malloc.hugetlb in GLIBC_TUNABLES, or in a sanitizer build the
# heap is left as it is.  Seen in /proc/PID/smaps of a following ingest
# once its database exists (the heap is advised before the database is
# opened): mappings advised for huge pages ("hg" among their VmFlags).
. "$TOP/tests/e2e/lib.sh"

# tunables NAME INPUT [VAR=VALUE]: "huge" if an ingest of INPUT has memory
# advised for huge pages, "plain" if not, "gone" if it ended too soon; the
# count of advised mappings, once the writer's heap has joined the main
# one (or after two seconds), is left in NAME.hg
tunables() {
	name=$1 input=$2
	shift 2
	if [ "$input" = - ]; then
		# a pipe that stays open: its writer sleeps
		mkfifo "$name.fifo"
		sleep 10 > "$name.fifo" &
		writer=$!
		env "$@" "$LT" ingest -q --follow --db "$name.db" - \
		    < "$name.fifo" > /dev/null 2>&1 &
	else
		writer=
		env "$@" "$LT" ingest -q --follow --db "$name.db" "$input" \
		    > /dev/null 2>&1 &
	fi
	pid=$!
	n=0
	while [ ! -e "$name.db" ] && [ $n -lt 500 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	n=0
	while [ "$(grep -c '^VmFlags:.* hg' "/proc/$pid/smaps" 2> /dev/null)" \
	    -eq 1 ] && [ $n -lt 200 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	if [ ! -r "/proc/$pid/smaps" ]; then
		got=gone
	elif grep -q '^VmFlags:.* hg' "/proc/$pid/smaps" 2> /dev/null; then
		got=huge
	else
		got=plain
	fi
	grep -c '^VmFlags:.* hg' "/proc/$pid/smaps" > "$name.hg" 2> /dev/null
	kill "$pid" $writer 2> /dev/null
	wait "$pid" $writer 2> /dev/null
	echo "$got"
}

awk 'BEGIN { for (i = 0; i < 30000; i++)
    printf "2025-10-25 23:00:00 INFO line %06d of the input\n", i }' > big.log
printf '2025-10-25 23:00:00 INFO one line\n' > small.log
check_eq "a megabyte of input is over the threshold" 1 \
    "$([ "$(wc -c < big.log)" -ge 1048576 ] && echo 1)"

if [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	ok "a big input's heap is advised for huge pages # SKIP no transparent huge pages in this kernel"
elif ldd "$LT" 2> /dev/null | grep -q libasan; then
	ok "a big input's heap is advised for huge pages # SKIP a sanitizer build keeps its own allocator"
	check_eq "a sanitizer build runs as started" plain \
	    "$(tunables san big.log)"
else
	check_eq "a big input's heap is advised for huge pages" huge \
	    "$(tunables big big.log)"
	check_eq "the writer's heap too: two advised mappings or more" 1 \
	    "$([ "$(cat big.hg)" -ge 2 ] && echo 1)"
	check_eq "a user's other tunables do not stop it" huge \
	    "$(tunables keep big.log GLIBC_TUNABLES=glibc.malloc.arena_max=2)"
	check_eq "a user's hugetlb value is left as it is" plain \
	    "$(tunables user big.log GLIBC_TUNABLES=glibc.malloc.hugetlb=0)"
	check_eq "standard input counts as much" huge "$(tunables stdin -)"
fi
if [ -e /sys/kernel/mm/transparent_hugepage/enabled ] &&
    ! ldd "$LT" 2> /dev/null | grep -q libasan; then
	check_eq "a small input's heap is advised too" huge \
	    "$(tunables small small.log)"
	check_eq "and its writer's, following it: two advised mappings or more" 1 \
	    "$([ "$(cat small.hg)" -ge 2 ] && echo 1)"
else
	check_eq "a small input runs as started" plain \
	    "$(tunables small small.log)"
fi
check_rc "a big input is read whole" 0 "$LT" ingest -q --db whole.db big.log
check_eq "a big input: every record counted" 30000 \
    "$(sql whole.db "SELECT records FROM ingests")"
