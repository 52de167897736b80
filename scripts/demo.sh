#!/usr/bin/env bash
# The main job on the embedded default, from a fresh clone: bring Node 24 and pnpm when needed,
# install, build the CLI, then store, list, read and inject a first secret in a throw-away
# local store (scripts/demo.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
pnpm install --frozen-lockfile && pnpm demo
