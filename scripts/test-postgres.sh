#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL on loopback for the test suite.
# Usage: scripts/test-postgres.sh start|stop|url
# The server runs as the 'postgres' user when started by root (PostgreSQL refuses to run as root),
# keeps its data under $KV_PG_DIR (default /tmp/kv-test-pg) and listens on 127.0.0.1:$KV_PG_PORT.
set -euo pipefail

PORT="${KV_PG_PORT:-54329}"
DIR="${KV_PG_DIR:-/tmp/kv-test-pg}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
URL="postgresql://kv@127.0.0.1:${PORT}/kv"

if [ -z "$PGBIN" ]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if as_owner "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      echo "$URL"; exit 0
    fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
      rm -rf "$DIR"; mkdir -p "$DIR"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
      as_owner "$PGBIN/initdb" -D "$DIR" -U kv -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # Durability off: this cluster holds test data only and is thrown away.
    as_owner "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start -o \
      "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
    as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U kv -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='kv'" | grep -q 1 \
      || as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U kv kv
    echo "$URL"
    ;;
  stop)
    as_owner "$PGBIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  url)
    echo "$URL"
    ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
