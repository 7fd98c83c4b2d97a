#!/usr/bin/env bash
# FOSSology's own fo_scheduler (built from ../shared/fossology-kit) and `shoal fo-scheduler`, side by side at
# FOSSology's own job: N one-step uploads inserted into FOSSology's job queue (PostgreSQL) as its UI inserts them,
# then `database` on the command port; timed until every jobqueue row has ended. Same agent (the kit's
# minimal_agent), same host max (localhost 10, the kit's fossology.conf), same database server; Shoal keeps its own
# store in SQLite, run as installed (scripts/fo_scheduler). Prints the wall time and the CPU time of each scheduler
# process (and its ratio to FOSSology's).
#
#   PG=$(scripts/pg-cluster.sh start) [WARM=100] bench/fossology-vs-shoal.sh [uploads] [runs] [single|pipeline]
#
# single: one step per upload. pipeline: four steps per upload as FOSSology schedules an analysis (unpack, then two
# scans after it, then a report after both; jobdepends rows), timed until every step has ended.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
RUNS=${2:-3}
SHAPE=${3:-single}
PG=${PG:?set PG to a PostgreSQL connection string (scripts/pg-cluster.sh start prints one)}
dotnet build -c Release src/Shoal.Cli >/dev/null
SHOAL_DLL=$PWD/src/Shoal.Cli/bin/Release/net10.0/shoal.dll
OUT=$(mktemp -d /tmp/fo-bench-XXXX)
trap 'pkill -f "$OUT" 2>/dev/null || true; rm -rf "$OUT"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$OUT FO_PORT=$PORT bash ../shared/fossology-kit/build.sh >/dev/null
G=$OUT/src/scheduler/agent_tests/gen/agents
for d in "$G"/mods-enabled/*; do [ "$(basename "$d")" = minimal_agent ] || rm -rf "$d"; done

field() { echo "$PG" | tr ';' '\n' | sed -n "s/^$1=//p"; }
HOST=$(field Host); DBPORT=$(field Port); USER_=$(field Username); PASS=$(field Password)
export PGPASSWORD=$PASS
psql_() { psql -qAt -h "$HOST" -p "$DBPORT" -U "$USER_" "$@"; }

# One run: a fresh database, the scheduler ($1: fossology|shoal) started, N uploads inserted, 'database', wait.
run() {
  local which=$1 db="fobench_$RANDOM$RANDOM"
  psql_ -d postgres -c "CREATE DATABASE $db" >/dev/null
  psql_ -d "$db" -f ../shared/fossology-kit/fossology-queue-schema.sql >/dev/null 2>&1
  printf 'dbname=%s;\nhost=%s;\nport=%s;\nuser=%s;\npassword=%s;\n' "$db" "$HOST" "$DBPORT" "$USER_" "$PASS" > "$G/Db.conf"
  rm -rf "$G/shoal"
  if [ "$which" = fossology ]; then
    "$OUT/bin/fo_scheduler" -c "$G" --log="$OUT/fo.log" --verbose=1 >/dev/null 2>&1 &
  else
    SHOAL="dotnet $SHOAL_DLL" scripts/fo_scheduler -c "$G" --log="$OUT/shoal.log" --verbose=1 >/dev/null 2>&1 &
  fi
  local pid=$!
  until "$OUT/src/scheduler/agent/fo_cli" -c "$G" -S >/dev/null 2>&1; do sleep 0.1; done
  sleep 2 # start-up tests
  # As the UI: a job row, then its jobqueue row, each its own transaction (one psql session).
  for i in $(seq 1 "$N"); do
    if [ "$SHAPE" = pipeline ]; then
      echo "INSERT INTO job (job_user_fk, job_group_fk, job_queued, job_priority, job_name, job_upload_fk) VALUES (2, 2, now(), 0, 'u$i', $i);"
      for step in unpack scan-a scan-b report; do
        echo "INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) VALUES (currval('job_job_pk_seq'), 'minimal_agent', '$i-$step');"
      done
      # jq_pks of this upload: report = last, scan-b = last-1, scan-a = last-2, unpack = last-3.
      echo "INSERT INTO jobdepends VALUES (currval('jobqueue_jq_pk_seq') - 2, currval('jobqueue_jq_pk_seq') - 3), (currval('jobqueue_jq_pk_seq') - 1, currval('jobqueue_jq_pk_seq') - 3), (currval('jobqueue_jq_pk_seq'), currval('jobqueue_jq_pk_seq') - 2), (currval('jobqueue_jq_pk_seq'), currval('jobqueue_jq_pk_seq') - 1);"
    else
      echo "WITH j AS (INSERT INTO job (job_user_fk, job_group_fk, job_queued, job_priority, job_name, job_upload_fk) VALUES (2, 2, now(), 0, 'u$i', $i) RETURNING job_pk) INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) SELECT job_pk, 'minimal_agent', '$i' FROM j;"
    fi
  done > "$OUT/inserts.sql"
  # Warm-up, untimed: WARM uploads run first, so that what is timed is a scheduler at work (a .NET process compiles
  # its hot code in its first seconds of work; a scheduler runs for days). WARM=0 times a cold start.
  if [ "${WARM:-100}" -gt 0 ]; then
    for i in $(seq 1 "${WARM:-100}"); do
      echo "WITH j AS (INSERT INTO job (job_user_fk, job_group_fk, job_queued, job_priority, job_name, job_upload_fk) VALUES (2, 2, now(), 0, 'warm$i', 0) RETURNING job_pk) INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) SELECT job_pk, 'minimal_agent', 'warm$i' FROM j;"
    done | psql_ -d "$db" >/dev/null
    "$OUT/src/scheduler/agent/fo_cli" -c "$G" -d >/dev/null
    psql_ -d "$db" -c "DO \$\$ BEGIN WHILE (SELECT count(*) FROM jobqueue WHERE jq_endtime IS NULL) > 0 LOOP PERFORM pg_sleep(0.01); END LOOP; END \$\$;"
  fi
  local cpu0 start end cpu1
  cpu0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  start=$(date +%s.%N)
  psql_ -d "$db" -f "$OUT/inserts.sql" >/dev/null
  "$OUT/src/scheduler/agent/fo_cli" -c "$G" -d >/dev/null
  # One psql session polls (a psql started every few ms would load the machine the schedulers share).
  psql_ -d "$db" -c "DO \$\$ BEGIN WHILE (SELECT count(*) FROM jobqueue WHERE jq_endtime IS NULL) > 0 LOOP PERFORM pg_sleep(0.01); END LOOP; END \$\$;"
  end=$(date +%s.%N)
  cpu1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local ok
  ok=$(psql_ -d "$db" -c "SELECT count(*) FROM jobqueue WHERE jq_end_bits = 1 AND jq_args NOT LIKE 'warm%'")
  "$OUT/src/scheduler/agent/fo_cli" -c "$G" -D >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  psql_ -d postgres -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
  local ticks; ticks=$(getconf CLK_TCK)
  local rows=$N; [ "$SHAPE" = pipeline ] && rows=$((4 * N))
  echo "$which $(echo "$end - $start" | bc) $(echo "scale=4; ($cpu1 - $cpu0) / $ticks * 1000 / $rows" | bc) $ok/$rows"
}

echo "# $N uploads ($SHAPE), $RUNS runs each: scheduler, wall s, scheduler CPU ms per jobqueue row, rows completed"
for r in $(seq 1 "$RUNS"); do
  run fossology
  run shoal
done
