# prometheus.sh - the fleet view against the real thing: the shipped
# alerting rules through `promtool check rules` and `promtool test rules`,
# then two simulated hosts (a generator corpus and a database each), their
# .prom files served by two node exporters (textfile collector only) and
# scraped every second by a Prometheus, which must answer PromQL with what
# the two databases hold: events per host and rule, the fleet's p95 per
# model within one histogram bucket, storms and unresolved leaks per host.
# Counters must not reset when a host ingests more.  Both servers are
# stopped by their process ids on exit.
. "$TOP/tests/e2e/lib.sh"

C=$TOP/contrib/prometheus
if command -v promtool > /dev/null 2>&1; then
	check_rc "promtool check rules accepts the shipped rules" 0 \
	    promtool check rules "$C/logtriage.rules.yml"
	check_contains "the rules file holds six rules" "$T/out" "SUCCESS: 6 rules found"
	check_rc "promtool test rules passes the rules' unit tests" 0 \
	    sh -c 'cd "$1" && promtool test rules logtriage.rules.test.yml' sh "$C"
else
	ok "promtool check rules, promtool test rules # SKIP promtool not installed"
fi

missing=
for b in prometheus prometheus-node-exporter promtool python3; do
	command -v "$b" > /dev/null 2>&1 || missing="$missing $b"
done
if [ -n "$missing" ]; then
	ok "prometheus end to end # SKIP not installed:$missing"
	exit 0
fi

pids=
# shellcheck disable=SC2317
stop_servers() {
	for p in $pids; do
		kill "$p" 2> /dev/null
	done
	for p in $pids; do
		wait "$p" 2> /dev/null
	done
	pids=
}
trap 'stop_servers; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# Three free loopback ports, bound and released by the kernel's choice.
set -- $(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
')
PA=$1 PB=$2 PP=$3

# The servers start first: they come up while the hosts ingest.
mkdir "$T/tf-a" "$T/tf-b"
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$T/tf-a" --web.listen-address="127.0.0.1:$PA" \
    > "$T/exporter-a.log" 2>&1 &
pids="$pids $!"
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$T/tf-b" --web.listen-address="127.0.0.1:$PB" \
    > "$T/exporter-b.log" 2>&1 &
pids="$pids $!"
cat > "$T/prometheus.yml" << EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $C/logtriage.rules.yml
scrape_configs:
  - job_name: logtriage
    static_configs:
      - targets: ['127.0.0.1:$PA']
        labels:
          instance: host-a
      - targets: ['127.0.0.1:$PB']
        labels:
          instance: host-b
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
    --web.listen-address="127.0.0.1:$PP" > "$T/prometheus.log" 2>&1 &
pids="$pids $!"

${CC:-cc} -std=gnu11 -O2 -o "$T/gen_corpus" "$TOP/tools/gen_corpus.c" -lm
"$T/gen_corpus" --seed 1 --size 3M --envelope mixed --storms 1 --out "$T/a.log" \
    --truth "$T/a.json" 2> /dev/null
"$T/gen_corpus" --seed 5 --size 3M --envelope mixed --storms 3 --out "$T/b.log" \
    --truth "$T/b.json" 2> /dev/null
# host-a ingests its log in two steps (the second while Prometheus watches).
half=$(( $(wc -l < "$T/a.log") / 2 ))
head -n "$half" "$T/a.log" > "$T/a-now.log"
$LT ingest --db "$T/a.db" --rules "$TOP/rules" "$T/a-now.log" 2> /dev/null
$LT ingest --db "$T/b.db" --rules "$TOP/rules" "$T/b.log" 2> /dev/null
check_rc "host-a writes its .prom file" 0 \
    $LT report --db "$T/a.db" --format prometheus -o "$T/tf-a/logtriage.prom"
check_rc "host-b writes its .prom file" 0 \
    $LT report --db "$T/b.db" --format prometheus -o "$T/tf-b/logtriage.prom"
check_rc "promtool check metrics accepts host-b's file" 0 \
    sh -c 'promtool check metrics < "$1"' sh "$T/tf-b/logtriage.prom"

# q EXPR: the instant vector as sorted "label=value,... value" lines.
q() {
	python3 - "$PP" "$1" << 'EOF'
import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/api/v1/query?" % sys.argv[1]
try:
    with urllib.request.urlopen(url + urllib.parse.urlencode({"query": sys.argv[2]}), timeout=5) as f:
        d = json.load(f)
except Exception as e:
    print("error:", e)
    sys.exit(0)
out = []
for r in d["data"]["result"]:
    m = ",".join("%s=%s" % kv for kv in sorted(r["metric"].items()))
    out.append("%s %s" % (m, r["value"][1]))
print("\n".join(sorted(out)))
EOF
}

# wait_for NAME EXPR WANT: poll until the query answers WANT, 20 s at most.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		got=$(q "$2")
		[ "$got" = "$3" ] && break
		sleep 0.2
		i=$((i + 1))
	done
	check_eq "$1" "$3" "$got"
}

# truth DB: "rule n" per rule, from the database itself.
truth_events() {
	sql "$1" "SELECT rule || ' ' || count(*) FROM events_all GROUP BY rule ORDER BY rule"
}

wait_for "both exporters are scraped" 'count(up{job="logtriage"} == 1)' " 2"
ta=$(truth_events "$T/a.db" | wc -l)
tb=$(truth_events "$T/b.db" | wc -l)
wait_for "every rule of both hosts is in Prometheus" \
    'count(count by (instance, rule) (logtriage_events_total))' " $((ta + tb))"

# ph HOST EXPR: "rule n" lines of one host from a by (instance, rule) query.
ph() {
	q "$2" | sed -n "s/^instance=$1,rule=\([^ ]*\) \(.*\)/\1 \2/p"
}
check_eq "host-b: events per rule equal the database's" "$(truth_events "$T/b.db")" \
    "$(ph host-b 'sum by (instance, rule) (logtriage_events_total)')"
check_eq "host-b: all events equal what logtriage events prints" \
    "instance=host-b $($LT events --db "$T/b.db" | wc -l)" \
    "$(q 'sum by (instance) (logtriage_events_total{instance="host-b"})')"

# The rest of host-a's log, ingested while Prometheus scrapes.
wait_for "host-a's first ingest is in Prometheus" \
    'sum(logtriage_events_total{instance="host-a"})' \
    " $(sql "$T/a.db" 'SELECT count(*) FROM events_all')"
first=$(sql "$T/a.db" 'SELECT count(*) FROM events_all')
cp "$T/a.log" "$T/a-now.log"
$LT ingest --db "$T/a.db" --rules "$TOP/rules" "$T/a-now.log" 2> /dev/null
$LT report --db "$T/a.db" --format prometheus -o "$T/tf-a/logtriage.prom"
check_eq "host-a ingested more in its second step" "yes" \
    "$([ "$(sql "$T/a.db" 'SELECT count(*) FROM events_all')" -gt "$first" ] && echo yes)"
wait_for "host-a's second ingest reaches Prometheus" \
    'sum(logtriage_events_total{instance="host-a"})' \
    " $(sql "$T/a.db" 'SELECT count(*) FROM events_all')"
check_eq "host-a: events per rule equal the database's" "$(truth_events "$T/a.db")" \
    "$(ph host-a 'sum by (instance, rule) (logtriage_events_total)')"
check_eq "no counter reset across the second ingest" " 0" \
    "$(q 'sum(resets(logtriage_events_total[1m])) + sum(resets(logtriage_latency_seconds_count[1m]))')"

# The fleet's p95 per model: the exact nearest-rank value over both
# databases' samples, and the bucket histogram_quantile lands in.
sql "$T/a.db" "SELECT grp, value FROM events_all WHERE rule = 'response-time' AND value IS NOT NULL" > "$T/lat"
sql "$T/b.db" "SELECT grp, value FROM events_all WHERE rule = 'response-time' AND value IS NOT NULL" >> "$T/lat"
q 'histogram_quantile(0.95, sum by (le, group) (logtriage_latency_seconds_bucket{rule="response-time"}))' > "$T/hq"
check_eq "fleet p95 per model within one bucket of the exact value" "ok" "$(python3 - "$T/lat" "$T/hq" << 'EOF'
import math, sys
bounds = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, math.inf]
def bucket(v):
    return next(i for i, b in enumerate(bounds) if v <= b)
vals = {}
for line in open(sys.argv[1]):
    g, v = line.rstrip("\n").split("|")
    vals.setdefault(g, []).append(float(v) / 1000)
est = {}
for line in open(sys.argv[2]):
    labels, v = line.split()
    est[labels.split("=", 1)[1]] = float(v)
bad = []
if sorted(vals) != sorted(est):
    bad.append("models %s vs %s" % (sorted(vals), sorted(est)))
for g, vs in vals.items():
    vs.sort()
    exact = vs[math.ceil(0.95 * len(vs)) - 1]
    if g in est and abs(bucket(exact) - bucket(est[g])) > 1:
        bad.append("%s: exact %g, histogram_quantile %g" % (g, exact, est[g]))
print("; ".join(bad) or "ok")
EOF
)"

storms() {
	sql "$1" "SELECT count(*) FROM incidents WHERE kind = 'storm'"
}
unresolved() {
	sql "$1" "SELECT count(*) FROM incidents WHERE kind = 'unresolved'"
}
check_eq "storms per host" \
    "instance=host-a $(storms "$T/a.db")
instance=host-b $(storms "$T/b.db")" \
    "$(q 'sum by (instance) (logtriage_storms_open)')"
check_eq "the hosts' storm counts differ (1 and 3 asked of the generator)" "yes" \
    "$([ "$(storms "$T/a.db")" -lt "$(storms "$T/b.db")" ] && echo yes)"
check_eq "unresolved leaks per host (none on host-a: no series)" \
    "$( [ "$(unresolved "$T/a.db")" -gt 0 ] && echo "instance=host-a $(unresolved "$T/a.db")
")instance=host-b $(unresolved "$T/b.db")" \
    "$(q 'sum by (instance) (logtriage_unresolved)')"
check_eq "host-b has unresolved leaks to count" "yes" \
    "$([ "$(unresolved "$T/b.db")" -gt 0 ] && echo yes)"
check_eq "the last ingest time of both hosts is recent" " 2" \
    "$(q 'count(time() - logtriage_last_ingest_timestamp_seconds < 600)')"
wait_for "the shipped storm alert is active for both hosts" \
    'count by (instance) (ALERTS{alertname="LogtriageStormOpen"})' \
    "instance=host-a 1
instance=host-b 1"

started=$pids
stop_servers
check_eq "nothing left running" "" \
    "$(for p in $started; do kill -0 "$p" 2> /dev/null && echo "$p"; done)"
