#!/usr/bin/env bash
# A private PostgreSQL cluster on 127.0.0.1 for the tests and benchmarks (Debian's postgresql package).
#   scripts/pg-cluster.sh start     initdb (first time) and start; prints the connection string
#   scripts/pg-cluster.sh stop | restart | status | url
# The cluster lives in $SHOAL_PG_DIR (default /tmp/shoal-pg) and runs as the postgres user when started by root.
set -euo pipefail
dir="${SHOAL_PG_DIR:-/tmp/shoal-pg}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
url() { echo "Host=127.0.0.1;Port=$(cat "$dir/port");Username=shoal;Password=shoal;Database=shoal"; }

case "${1:-}" in
  start)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir/data"
      [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
      as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
      free_port > "$dir/port"
      cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $(cat "$dir/port")
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    port=$(cat "$dir/port")
    if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'shoal'" | grep -q 1; then
      as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE USER shoal PASSWORD 'shoal' SUPERUSER" >/dev/null
      as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE shoal OWNER shoal" >/dev/null
    fi
    url ;;
  stop) as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  restart) as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null ;;
  status) as_pg "$bin/pg_ctl" -D "$dir/data" status ;;
  url) url ;;
  *) echo "usage: $0 start|stop|restart|status|url" >&2; exit 2 ;;
esac
