#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the tests and prints
# its URL. PostgreSQL refuses to run as root, so as root the cluster belongs
# to the `postgres` user. Usage: scripts/test-postgres.sh [port] > url
#   stop it with: pg_ctl -D "$CRENEAU_PG_DIR/data" stop (printed on stderr)
set -euo pipefail

port="${1:-54329}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

# A cluster an interrupted run left on this port (one of ours: /tmp/creneau-pg.*) is stopped
# and removed; anything else on the port is named, not touched.
for old in /tmp/creneau-pg.*/data; do
  [ -f "$old/postmaster.pid" ] || continue
  if [ "$(sed -n 4p "$old/postmaster.pid")" = "$port" ]; then
    echo "Stopping the test cluster an earlier run left on port $port ($old)" >&2
    as_owner "'$bin/pg_ctl' -D '$old' -m fast stop >/dev/null" || true
    rm -rf "$(dirname "$old")"
  fi
done
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "Port $port is taken by another program: choose another with CRENEAU_TEST_PG_PORT." >&2
  exit 1
fi
dir="$(mktemp -d /tmp/creneau-pg.XXXXXX)"

[ "$(id -u)" = "0" ] && chown postgres:postgres "$dir"
as_owner "'$bin/initdb' -D '$dir/data' -U creneau --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
# fsync and synchronous_commit stay on: the durability the tests check is the production one.
as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c max_connections=200\" start >/dev/null"
as_owner "'$bin/createdb' -h 127.0.0.1 -p $port -U creneau creneau_test"
echo "PostgreSQL test cluster in $dir (stop: su postgres -c \"$bin/pg_ctl -D $dir/data stop\")" >&2
echo "postgres://creneau@127.0.0.1:$port/creneau_test?sslmode=disable"
