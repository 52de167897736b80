#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server binaries for the PostgreSQL-backed tests (the harness in
# packages/test-emulators starts its own server from them), when initdb is missing. Idempotent
# and quiet. The package also creates the `postgres` system user the harness runs it as.
set -euo pipefail

if [ -x /usr/lib/postgresql/15/bin/initdb ] || { command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; }; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "ci: installing Debian's postgresql-15 for the PostgreSQL-backed tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ci: installing postgresql-15 failed" >&2
  exit 1
fi
