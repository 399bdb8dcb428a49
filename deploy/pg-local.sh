#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in a folder: no system service, no TCP port, a Unix socket in
# DIR/socket. When run as root the cluster runs as the `postgres` user (initdb refuses root).
#
# Only the cluster's owner can connect: the socket directory and the socket are 0700/0700 and
# owned by the cluster's OS user (root reaches them too), and no TCP listener exists. That is
# what guards the `trust` authentication of local connections: another local user cannot open
# the socket at all.
#
# As root, a DIR the postgres user cannot reach (under a private parent such as /root, or a
# private TMPDIR) still works: the cluster lives in /var/tmp/chorus-pg-HASH and DIR/location
# points there.
#
#   pg-local.sh init  DIR [--throwaway]   create the cluster (no-op if it exists)
#   pg-local.sh start DIR                 start it (no-op if running)
#   pg-local.sh stop  DIR                 stop it (fast shutdown; no-op if stopped)
#   pg-local.sh url   DIR [DBNAME]        print the connection URL (default database: postgres)
#   pg-local.sh createdb DIR DBNAME       create a database if it does not exist
#   pg-local.sh home  DIR                 print the folder holding data/, socket/ and postgres.log
#
# --throwaway turns off fsync for test clusters that are deleted afterwards.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -n "$bindir" ] || { echo "pg-local: PostgreSQL 15 server not installed (deploy/install-deps.sh)" >&2; exit 1; }

cmd=${1:?usage: pg-local.sh init|start|stop|url|createdb|home DIR}
dir=${2:?usage: pg-local.sh $cmd DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ "$(id -u)" -eq 0 ]; then
  pg_user=postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  pg_user=$(id -un)
  as_pg() { "$@"; }
fi

# Where the cluster really is: DIR itself, or the folder DIR/location names.
home="$dir"
if [ -f "$dir/location" ]; then
  home=$(cat "$dir/location")
elif [ "$cmd" = init ] && [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
  home="/var/tmp/chorus-pg-$(printf '%s' "$dir" | md5sum | cut -c1-12)"
  mkdir -p "$home"
  printf '%s\n' "$home" > "$dir/location"
fi
data="$home/data"
socket="$home/socket"

url() { echo "postgresql:///${1:-postgres}?host=${socket}&user=${pg_user}"; }

running() { as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case "$cmd" in
  init)
    if [ -f "$data/PG_VERSION" ]; then exit 0; fi
    mkdir -p "$data" "$socket"
    chmod 0700 "$home" "$socket"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$home" "$data" "$socket"
      if ! runuser -u postgres -- test -w "$data"; then
        echo "pg-local: the postgres user cannot reach $home (a parent folder is private); use a folder under /tmp or /var/tmp" >&2
        exit 1
      fi
    fi
    # Local connections only (there is no TCP listener); the socket's permissions decide who.
    as_pg "$bindir/initdb" -D "$data" -U "$pg_user" --auth-local=trust --auth-host=reject \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    {
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$socket'"
      echo "unix_socket_permissions = 0700"
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
    as_pg "$bindir/pg_ctl" -D "$data" -l "$home/postgres.log" -w -t 60 start >/dev/null
    ;;
  stop)
    running || exit 0
    as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    ;;
  url)
    url "${3:-postgres}"
    ;;
  home)
    echo "$home"
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
