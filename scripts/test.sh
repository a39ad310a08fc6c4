#!/usr/bin/env bash
# The whole suite, on SQLite and then on PostgreSQL. Called by `make test` (and so by CI).
# PostgreSQL: TEST_DATABASE_URL if set, else the machine's server on 127.0.0.1:5432, else a throwaway
# cluster started here. With CI=true a missing PostgreSQL is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)  # the huey-on-Redis test starts its own server
command -v pg_ctlcluster >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

cleanup() { [ -n "${PG_TMP:-}" ] && [ -f "$PG_TMP/data/postmaster.pid" ] && kill -INT "$(head -1 "$PG_TMP/data/postmaster.pid")" 2>/dev/null || true; }
trap cleanup EXIT

pg_reachable() { "$BIN/python" - "$1" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres", password=u.password or None,
                    dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {u.hostname}:{u.port}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

start_throwaway_pg() {
  local initdb; initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
  [ -n "$initdb" ] || return 1
  local pgbin; pgbin=$(dirname "$initdb")
  local port=${TEST_PG_PORT:-54329}
  PG_TMP=$(mktemp -d); chmod 755 "$PG_TMP"
  local run_as=""; [ "$(id -u)" -eq 0 ] && { chown postgres "$PG_TMP"; run_as="su postgres -c"; }
  local cmd="$pgbin/initdb -D $PG_TMP/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null && $pgbin/pg_ctl -D $PG_TMP/data -l $PG_TMP/log -w start -o '-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' >/dev/null"
  if [ -n "$run_as" ]; then $run_as "$cmd"; else bash -c "$cmd"; fi
  PG_URL="postgresql://postgres@127.0.0.1:$port/kartoteka"
}

PG_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/kartoteka}
if ! pg_reachable "$PG_URL" 2>/dev/null; then
  if [ -z "${TEST_DATABASE_URL:-}" ] && start_throwaway_pg && pg_reachable "$PG_URL"; then
    echo "using a throwaway PostgreSQL cluster at $PG_URL"
  elif [ "${CI:-}" = "true" ] || [ "${ONLY_POSTGRESQL:-}" = "true" ]; then
    pg_reachable "$PG_URL" || true
    echo "FAIL: PostgreSQL is required (CI=true or ONLY_POSTGRESQL=true) and could not be reached or started." >&2
    exit 1
  else
    echo "WARNING: PostgreSQL not reachable; running on SQLite only (CI would fail here)." >&2
    PG_URL=""
  fi
fi

export KARTOTEKA_VAR_DIR=${KARTOTEKA_VAR_DIR:-$(mktemp -d)}
# No persistent connections: a live-server thread holding one would block dropping the test database.
export DB_CONN_MAX_AGE=0
PYTEST_ARGS=("$@")

if [ "${ONLY_POSTGRESQL:-}" != "true" ]; then  # `make fuzz` runs on PostgreSQL only
  echo "=== SQLite ==="
  DATABASE_URL="sqlite:///$KARTOTEKA_VAR_DIR/test.sqlite3" "$BIN/pytest" -q "${PYTEST_ARGS[@]}"
fi

if [ -n "$PG_URL" ]; then
  echo "=== PostgreSQL ($PG_URL) ==="
  DATABASE_URL="$PG_URL" "$BIN/pytest" -q "${PYTEST_ARGS[@]}"
fi
