#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests: Debian's postgresql-15 (installed when missing), run as an unprivileged user
# on a socket in a temp directory and a loopback TCP port, with a role and a database for the tests.
#   scripts/postgres.sh start   installs when needed, starts the server, writes its connection string to the state file
#   scripts/postgres.sh env     prints `export ENRICHFLOW_TEST_POSTGRES=...` for the running server (eval "$(... env)")
#   scripts/postgres.sh stop    stops the server and removes its temp directory
#   scripts/postgres.sh halt    stops the server at once (as a crash would) but keeps its data: `start` brings the same
#                               server back on the same port (the fault tests restart PostgreSQL mid-run this way)
# Works unattended (CI=true, no stdin). State: $ENRICHFLOW_PG_STATE (default /tmp/enrichflow-postgres.state).
set -euo pipefail

bin=${ENRICHFLOW_PG_BIN:-/usr/lib/postgresql/15/bin}
state=${ENRICHFLOW_PG_STATE:-/tmp/enrichflow-postgres.state}
port=${ENRICHFLOW_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
run_as=${ENRICHFLOW_PG_USER:-nobody}
password=enrichflow

as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$run_as" -- "$@"; else "$@"; fi
}

install() {
  if [ -x "$bin/initdb" ]; then return; fi
  if [ "$(id -u)" != 0 ]; then
    echo "postgres.sh: $bin/initdb is missing; install postgresql-15 (apt-get install -y postgresql-15) as root" >&2
    exit 1
  fi
  echo "postgres.sh: installing postgresql-15" >&2
  export DEBIAN_FRONTEND=noninteractive
  local log
  log=$(mktemp /tmp/enrichflow-postgres-install.XXXXXX.log)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15; } </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  rm -f "$log"
  # The Debian package creates and starts a cluster of its own; the tests do not use it.
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql/15/main ]; then
    pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
  fi
}

running() {
  [ -f "$state" ] && . "$state" && [ -n "${PGDIR:-}" ] && as_user "$bin/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1
}

start() {
  install
  if running; then
    echo "postgres.sh: already running ($PGDIR)" >&2
    return
  fi
  if [ -f "$state" ] && . "$state" && [ -n "${PGDIR:-}" ] && [ -d "$PGDIR/data" ]; then
    # Halted: the same data directory and port again.
    if ! as_user "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 start >/dev/null; then
      cat "$PGDIR/server.log" >&2
      exit 1
    fi
    echo "postgres.sh: PostgreSQL restarted on 127.0.0.1:$PGPORT_USED (socket in $PGDIR)" >&2
    return
  fi

  local dir
  dir=$(mktemp -d /tmp/enrichflow-postgres.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown "$run_as" "$dir"; fi
  as_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
CONF
  # Loopback TCP asks for the password; the socket trusts the local user.
  cat >"$dir/data/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 scram-sha-256
HBA
  if ! as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
    cat "$dir/server.log" >&2
    exit 1
  fi

  as_user "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE enrichflow LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE enrichflow OWNER enrichflow" >/dev/null

  local connection="Host=127.0.0.1;Port=$port;Username=enrichflow;Password=$password;Database=enrichflow"
  printf 'PGDIR=%q\nPGPORT_USED=%q\nCONNECTION=%q\n' "$dir" "$port" "$connection" >"$state"
  echo "postgres.sh: PostgreSQL on 127.0.0.1:$port (socket in $dir)" >&2
}

stop() {
  if [ -f "$state" ]; then
    . "$state"
    if [ -n "${PGDIR:-}" ] && [ -d "$PGDIR/data" ]; then
      as_user "$bin/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
      rm -rf "$PGDIR"
    fi
    rm -f "$state"
  fi
}

halt() {
  if [ -f "$state" ]; then
    . "$state"
    if [ -n "${PGDIR:-}" ] && [ -d "$PGDIR/data" ]; then
      as_user "$bin/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  halt) halt ;;
  env)
    if ! running; then echo "postgres.sh: not running; run scripts/postgres.sh start" >&2; exit 1; fi
    printf 'export ENRICHFLOW_TEST_POSTGRES=%q\n' "$CONNECTION"
    ;;
  *) echo "usage: scripts/postgres.sh start|stop|halt|env" >&2; exit 2 ;;
esac
