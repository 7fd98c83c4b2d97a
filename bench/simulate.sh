#!/usr/bin/env bash
# The scale simulation (see docs/scaling.md): the real store on simulated time, a big fleet with failures.
#   bench/simulate.sh [--agents 100000] [--parts 5000000] [--median-seconds 30] [--lease 600] [--seed 1]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Shoal.Bench >/dev/null
exec dotnet bench/Shoal.Bench/bin/Release/net10.0/Shoal.Bench.dll simulate "$@"
