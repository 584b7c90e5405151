#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suites.
#
#   eval "$(tests/postgres.sh start)"   starts one in a fresh temp dir on a free 127.0.0.1 port and
#                                       prints TESSERA_PG_DIR=… and TESSERA_TEST_POSTGRES_URL=…
#   tests/postgres.sh stop "$TESSERA_PG_DIR"   stops it and removes the dir
#
# Exit 3 (with a "SKIPPED: PostgreSQL not installed (…)" line on stderr) when no PostgreSQL
# server binaries are found; any other failure exits 1 with the server log on stderr.
# When run as root the cluster runs as the `postgres` user (initdb refuses root).
set -euo pipefail

find_bindir() {
  local d
  if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then echo "$PG_BINDIR"; return 0; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bindir dir port url
  if ! bindir=$(find_bindir); then
    echo "SKIPPED: PostgreSQL not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH; apt-get install postgresql)" >&2
    exit 3
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "SKIPPED: PostgreSQL not installed (running as root and there is no postgres user to run the server)" >&2
    exit 3
  fi
  if ! command -v psql >/dev/null 2>&1 && [ ! -x "$bindir/psql" ]; then
    echo "SKIPPED: PostgreSQL not installed (no psql client)" >&2
    exit 3
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tessera-pg.XXXXXX")
  chmod 700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if ! as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
    echo "initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
  fi
  port=$(free_port)
  # fsync off: the cluster is thrown away; it makes schema creation per test server fast.
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
    echo "PostgreSQL did not start:" >&2; cat "$dir/server.log" >&2 || true
    rm -rf "$dir"; exit 1
  fi
  url="postgres://postgres@127.0.0.1:$port/postgres"
  local psql_bin; psql_bin=$(command -v psql || echo "$bindir/psql")
  if ! "$psql_bin" "$url" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    echo "PostgreSQL started but does not answer at $url:" >&2; cat "$dir/server.log" >&2 || true
    stop "$dir"; exit 1
  fi
  printf 'TESSERA_PG_DIR=%q\nTESSERA_TEST_POSTGRES_URL=%q\n' "$dir" "$url"
}

stop() {
  local dir=${1:?usage: tests/postgres.sh stop DIR} bindir
  [ -d "$dir" ] || return 0
  if bindir=$(find_bindir) && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: tests/postgres.sh start | stop DIR" >&2; exit 2 ;;
esac
