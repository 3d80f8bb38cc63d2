#!/bin/sh
# Runs the webhook workload under wrk: `ditstar run` of testdata/webhooks on
# the embedded ledger, then GET /table and POST /sequences at 1, 10 and 50
# connections. Prints one line per wrk run with the requests per second,
# the p50 and p99 latency in milliseconds and the load average at its end.
#
# Usage, from anywhere in the repository:
#   benchmarks/http.sh
# Settings, from the environment:
#   RUNS      runs of every method and connection count (default 5)
#   DURATION  length of one wrk run, in wrk's units (default 10s)
#   CONNS     connection counts (default "1 10 50")
#   DITSTAR_DARS  folder of the test DARs (default ../shared/data/dars
#             beside the repository)
#
# wrk comes from the OS packages; on Debian and Ubuntu the script installs
# it with apt-get when it is missing, which needs root.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
duration=${DURATION:-10s}
conns=${CONNS:-"1 10 50"}
dars=${DITSTAR_DARS:-$root/../shared/data/dars}
dar=$dars/dabl-integration-core-1.2.3.dar

if [ ! -f "$dar" ]; then
	echo "http.sh: DAR not found: $dar; set DITSTAR_DARS to the folder of the test DARs" >&2
	exit 1
fi
if ! command -v wrk >/dev/null 2>&1; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "http.sh: wrk not found and no apt-get to install it; install wrk from your OS packages" >&2
		exit 1
	fi
	echo "http.sh: installing wrk with apt-get" >&2
	apt-get update -qq
	apt-get install -y -qq wrk
fi

work=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then
		kill -TERM "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

(cd "$root" && go build -o "$work/ditstar" ./cmd/ditstar)
"$work/ditstar" run "$root/benchmarks/testdata/webhooks" --dar "$dar" \
	--listen 127.0.0.1:0 --addr-file "$work/addr" >"$work/log" 2>&1 &
server=$!

# The address file appears once the integration is running.
tries=0
while [ ! -s "$work/addr" ]; do
	if ! kill -0 "$server" 2>/dev/null; then
		echo "http.sh: ditstar run exited before running; its output:" >&2
		cat "$work/log" >&2
		exit 1
	fi
	tries=$((tries + 1))
	if [ "$tries" -gt 600 ]; then
		echo "http.sh: ditstar run not running after 60s" >&2
		exit 1
	fi
	sleep 0.1
done
base=$(cat "$work/addr")/integration/bench

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
LUA

# to_ms converts one wrk latency such as 812.00us, 1.25ms or 1.02s to
# milliseconds.
to_ms() {
	echo "$1" | awk '{
		v = $1 + 0
		if ($1 ~ /us$/) v = v / 1000
		else if ($1 ~ /ms$/) v = v
		else if ($1 ~ /m$/) v = v * 60000
		else if ($1 ~ /s$/) v = v * 1000
		printf "%.3f", v
	}'
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(go version)"
printf '%-4s %-5s %5s %10s %9s %9s %5s %s\n' run method conns req/s p50-ms p99-ms non2xx load
for run in $(seq "$runs"); do
	for method in GET POST; do
		for c in $conns; do
			threads=$((c < 2 ? c : 2))
			if [ "$method" = GET ]; then
				set -- "$base/table"
			else
				set -- -s "$work/post.lua" "$base/sequences"
			fi
			wrk -t "$threads" -c "$c" -d "$duration" --latency "$@" >"$work/wrk.out"
			rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
			p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$work/wrk.out")")
			p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$work/wrk.out")")
			bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/wrk.out")
			load=$(cut -d' ' -f1 /proc/loadavg)
			printf '%-4s %-5s %5s %10s %9s %9s %5s %s\n' "$run" "$method" "$c" "$rps" "$p50" "$p99" "${bad:-0}" "$load"
		done
	done
done
