#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in a folder: no system service, no TCP port, a Unix socket in
# DIR/socket. When run as root the cluster runs as the `postgres` user (initdb refuses root).
#
#   pg-local.sh init  DIR [--throwaway]   create the cluster (no-op if it exists)
#   pg-local.sh start DIR                 start it (no-op if running)
#   pg-local.sh stop  DIR                 stop it (fast shutdown; no-op if stopped)
#   pg-local.sh url   DIR [DBNAME]        print the connection URL (default database: postgres)
#   pg-local.sh createdb DIR DBNAME       create a database if it does not exist
#
# --throwaway turns off fsync for test clusters that are deleted afterwards.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -n "$bindir" ] || { echo "pg-local: PostgreSQL 15 server not installed (deploy/install-deps.sh)" >&2; exit 1; }

cmd=${1:?usage: pg-local.sh init|start|stop|url|createdb DIR}
dir=${2:?usage: pg-local.sh $cmd DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
socket="$dir/socket"

if [ "$(id -u)" -eq 0 ]; then
  pg_user=postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  pg_user=$(id -un)
  as_pg() { "$@"; }
fi

url() { echo "postgresql:///${1:-postgres}?host=${socket}&user=${pg_user}"; }

running() { as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case "$cmd" in
  init)
    if [ -f "$data/PG_VERSION" ]; then exit 0; fi
    mkdir -p "$data" "$socket"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$dir" "$data" "$socket"
      if ! runuser -u postgres -- test -w "$data"; then
        echo "pg-local: the postgres user cannot reach $dir (a parent folder is private); use a folder under /tmp or /var/tmp" >&2
        exit 1
      fi
    fi
    as_pg "$bindir/initdb" -D "$data" -U "$pg_user" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    {
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$socket'"
      echo "max_connections = 200"
      echo "shared_buffers = 256MB"
      # A gateway writes steadily: with the default 1GB, a burst of 10,000 webhooks/s forces a
      # checkpoint every ~20 s, and its flush stalls commits (BENCHMARKS.md).
      echo "max_wal_size = 4GB"
      echo "checkpoint_timeout = 15min"
      echo "logging_collector = off"
      if [ "${3:-}" = "--throwaway" ]; then
        echo "fsync = off"
        echo "full_page_writes = off"
      fi
    } >> "$data/postgresql.conf"
    ;;
  start)
    running && exit 0
    as_pg "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null
    ;;
  stop)
    running || exit 0
    as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    ;;
  url)
    url "${3:-postgres}"
    ;;
  createdb)
    db=${3:?usage: pg-local.sh createdb DIR DBNAME}
    exists=$(psql "$(url)" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")
    [ "$exists" = 1 ] || psql "$(url)" -qc "CREATE DATABASE \"$db\"" >/dev/null
    ;;
  *)
    echo "pg-local: unknown command $cmd" >&2
    exit 2
    ;;
esac
