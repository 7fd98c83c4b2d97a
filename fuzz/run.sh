#!/usr/bin/env bash
# Fuzzes one or more of Shoal's parsers with AFL++ and SharpFuzz.
#   fuzz/run.sh [SECONDS] [TARGET...]      default: 300 seconds each, every target
# Needs: apt-get install afl++; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# Findings (inputs that crash or hang) are kept in fuzz/findings/<target>/default/{crashes,hangs}.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-300}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(ini agentconf agentline port csv stream range)
export PATH="$PATH:$HOME/.dotnet/tools" AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
out=bin/fuzz
rm -rf "$out"
dotnet publish -c Release Shoal.Fuzz -o "$out" >/dev/null
# SharpFuzz instruments the assembly under test in place (branch coverage for AFL).
sharpfuzz "$out/Shoal.Core.dll"
mkdir -p findings
for t in "${targets[@]}"; do
  echo "== $t: $seconds s"
  afl-fuzz -i "corpus/$t" -o "findings/$t" -t 5000 -m none -V "$seconds" -- dotnet "$out/Shoal.Fuzz.dll" "$t" >"findings-$t.log" 2>&1 || true
  stats="findings/$t/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time) ' "$stats" | tr -s ' ' | paste -sd' ' -
  else
    echo "no stats (see fuzz/findings-$t.log)"
  fi
done
