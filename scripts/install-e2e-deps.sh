#!/usr/bin/env bash
# Installs what the Node-RED end-to-end and editor tests need beyond `pnpm install`:
#   - Debian's chromium, for the headless editor tests (driven by playwright-core, never downloaded by it);
#   - Debian's nats-server (2.9.x, with JetStream), for the relay's tests: they start their own servers;
#   - Node 24 and Node-RED 5, in a git-ignored cache inside the package, for the Node-RED 5 run
#     (Node-RED 5 needs Node >= 22.9; the project itself stays on the machine's Node 20).
# Idempotent: every part is skipped when it is already there, so a second run takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=packages/node-red-nodes/.e2e-cache
node24_range=${NODE24_RANGE:-24}
node_red5_range=${NODE_RED5_RANGE:-5}
npm_quiet=(--no-audit --no-fund --no-update-notifier --loglevel=error)

if [ ! -x /usr/bin/chromium ]; then
  echo "install-e2e-deps: installing chromium (Debian)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ ! -x /usr/sbin/nats-server ] && ! command -v nats-server >/dev/null 2>&1; then
  echo "install-e2e-deps: installing nats-server (Debian)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nats-server >/dev/null
fi

if [ ! -x "$cache/node24/node_modules/.bin/node" ]; then
  echo "install-e2e-deps: installing node@$node24_range into $cache/node24"
  npm install --prefix "$cache/node24" "${npm_quiet[@]}" "node@$node24_range"
fi

if [ ! -f "$cache/node-red-5/node_modules/node-red/package.json" ]; then
  echo "install-e2e-deps: installing node-red@$node_red5_range into $cache/node-red-5"
  # Node-RED 5's engines ask for Node >= 22.9: it is installed with this npm and run with Node 24.
  # Optional native modules (bcrypt) are skipped; Node-RED falls back to bcryptjs.
  npm install --prefix "$cache/node-red-5" "${npm_quiet[@]}" --omit=optional --engine-strict=false "node-red@$node_red5_range"
fi

echo "install-e2e-deps: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), nats-server $("$(command -v nats-server || echo /usr/sbin/nats-server)" --version | awk '{print $2}'), node $("$cache/node24/node_modules/.bin/node" --version), node-red $(node -p "require('./$cache/node-red-5/node_modules/node-red/package.json').version")"
