#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (apps/dashboard/test), when
# /usr/bin/chromium is missing. Idempotent and quiet; never downloads a browser build of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "ci: installing Debian's chromium for the dashboard's browser tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Fonts are only a recommendation of the package; pages need them, printers and power daemons not.
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ci: installing chromium failed" >&2
  exit 1
fi
/usr/bin/chromium --version 2>/dev/null | sed 's/^/ci: /' || true
