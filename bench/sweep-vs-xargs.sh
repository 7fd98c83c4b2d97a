#!/usr/bin/env bash
# Fleet sweep against `xargs -P N` running the same collector over the same hosts.
#   bench/sweep-vs-xargs.sh            # both cases of the table
#   CASES="b" bench/sweep-vs-xargs.sh  # one of them
# Prints a markdown table: wall time and peak memory of each, and Shoal's ratio to xargs.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Shoal.Cli -o /tmp/shoal-bench-cli >/dev/null
work=$(mktemp -d /tmp/shoal-sweep-bench.XXXXXX)
printf '#!/bin/sh\nsleep 2\n' > "$work/sleep2.sh"; chmod +x "$work/sleep2.sh"

measure() { # prints "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || true
  cat "$work/time.txt" | tail -1
}

run_case() { # name hosts threads collector
  local name=$1 hosts=$2 threads=$3 collector=$4
  { echo "host,environment"; for i in $(seq 1 "$hosts"); do echo "h$i.example,production"; done; } > "$work/hosts.csv"
  tail -n +2 "$work/hosts.csv" | cut -d, -f1 > "$work/hosts.txt"
  read -r xs xm < <(measure xargs -P "$threads" -n 1 "$collector" < "$work/hosts.txt")
  rm -rf "$work/state"
  read -r ss sm < <(measure dotnet /tmp/shoal-bench-cli/shoal.dll sweep --state-dir "$work/state" --hosts "$work/hosts.csv" \
      --collector "$collector {host}" --threads "$threads" --fresh-within 0s)
  printf '| %s | %s | %s | %s s, %s MB | %s s, %s MB | %.2f× |\n' "$name" "$hosts" "$threads" "$xs" "$((xm / 1024))" "$ss" "$((sm / 1024))" "$(echo "$ss / $xs" | bc -l)"
}

echo "| case | hosts | N | xargs -P N | shoal sweep | shoal / xargs |"
echo "| --- | --- | --- | --- | --- | --- |"
for c in ${CASES:-a b}; do
  case $c in
    a) run_case "(a) collector sleeps 2 s" 5000 1000 "$work/sleep2.sh" ;;
    b) run_case "(b) collector /bin/true" 20000 64 /bin/true ;;
  esac
done
rm -rf "$work"
