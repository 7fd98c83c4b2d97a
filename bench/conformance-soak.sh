#!/usr/bin/env bash
# A soak of the store's concurrency conformance suite (tests/Shoal.Storage.Tests/Concurrency): the same seeded
# rounds and the same invariant checker as the test suite, for many more rounds. Each round: 8 concurrent clients
# (on PostgreSQL over 3 store instances, as 3 servers), 60 operations each, on a 165-part, 6-job pair of streams,
# then a drain and the checker. Prints each store's rounds, time and outcome counts; exits non-zero on a violation
# (the failing seed is printed: replay it with SHOAL_CONFORMANCE_SEED=<seed>).
#   ROUNDS=500 bench/conformance-soak.sh            # both stores
#   ROUNDS=2000 STORE=Sqlite bench/conformance-soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export SHOAL_CONFORMANCE_ROUNDS="${ROUNDS:-500}"
export SHOAL_TEST_POSTGRES="${SHOAL_TEST_POSTGRES:-$(scripts/pg-cluster.sh start)}"
filter="FullyQualifiedName~${STORE:-}ConcurrencyConformance"
dotnet test tests/Shoal.Storage.Tests -c Release --filter "$filter" --logger "console;verbosity=detailed" 2>&1 \
  | grep -E "rounds from seed|^\s+(Passed|Failed) |violations|Passed!|Failed!"
