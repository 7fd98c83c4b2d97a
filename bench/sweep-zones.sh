#!/usr/bin/env bash
# A sweep of HOSTS hosts (default 20,000; collector /bin/true) run two ways on loopback, with the server's CPU:
#   one:   no zones, the server's own runner with 48 threads;
#   zones: three zones, one `shoal agent --collector --zone` node each with 16 threads (the server visits nothing).
#   bench/sweep-zones.sh [HOSTS]
# Prints a markdown table: wall time of `shoal sweep`, and the server process's CPU seconds (user + system).
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-20000}
dotnet build -c Release src/Shoal.Cli -o /tmp/shoal-bench-cli >/dev/null
shoal() { dotnet /tmp/shoal-bench-cli/shoal.dll "$@"; }
tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }

run() { # name zoned
  local name=$1 zoned=$2 work
  work=$(mktemp -d /tmp/shoal-zones-bench.XXXXXX)
  mkdir -p "$work/agents"
  printf '[SCHEDULER]\nport = 0\ncommand_port = 0\n' > "$work/shoal.conf"
  if [ "$zoned" = 1 ]; then
    { echo "host,environment,zone"; for i in $(seq 1 "$hosts"); do z=$(( i % 3 )); echo "h$i.example,$([ $((i % 10)) = 0 ] && echo production || echo dev),z$z"; done; } > "$work/hosts.csv"
  else
    { echo "host,environment"; for i in $(seq 1 "$hosts"); do echo "h$i.example,$([ $((i % 10)) = 0 ] && echo production || echo dev)"; done; } > "$work/hosts.csv"
  fi
  (cd "$work" && shoal server --config shoal.conf > server.log 2>&1) &
  local spid=$!
  until [ -s "$work/.shoal/server.url" ]; do sleep 0.2; done
  local url server_pid
  url=$(cat "$work/.shoal/server.url")
  server_pid=$(pgrep -f "shoal.dll server --config shoal.conf" | while read -r p; do [ "$(readlink /proc/$p/cwd)" = "$work" ] && echo "$p"; done | head -1)
  local nodes=()
  if [ "$zoned" = 1 ]; then
    for z in z0 z1 z2; do
      (cd "$work" && shoal token create --agent "collector-$z" --tags "zone:$z" > "$z.token" 2>/dev/null)
      (cd "$work" && shoal agent --server "$url" --token-file "$z.token" --zone "$z" --threads 16 --wait 5 --collector '/bin/true {host}' > "$z.log" 2>&1) &
      nodes+=($!)
    done
  fi
  local before start end after
  before=$(cpu "$server_pid")
  start=$(date +%s.%N)
  (cd "$work" && shoal sweep --server "$url" --hosts hosts.csv --collector '/bin/true {host}' --threads 48 --fresh-within 0s > summary.json 2> sweep.log) || true
  end=$(date +%s.%N)
  after=$(cpu "$server_pid")
  local done
  done=$(python3 -c "import json,sys; print(json.load(open('$work/summary.json'))['global_success_hosts'])")
  for n in "${nodes[@]}"; do kill -TERM "$n" 2>/dev/null || true; done
  kill -TERM "$spid" 2>/dev/null || true
  wait 2>/dev/null || true
  printf '| %s | %s | %s | %.1f s | %.1f s |\n' "$name" "$hosts" "$done" "$(echo "$end - $start" | bc -l)" "$(echo "$after - $before" | bc -l)"
  rm -rf "$work"
}

echo "| sweep | hosts | visited | wall | server CPU |"
echo "| --- | --- | --- | --- | --- |"
run "one collector (the server, 48 threads)" 0
run "three zone nodes (16 threads each)" 1
