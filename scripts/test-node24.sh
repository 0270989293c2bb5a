#!/usr/bin/env bash
# The Node suite again on Node 24 (the project's own tests run on the machine's Node 20): core, testkit
# and the providers — everything below Node-RED that an application loads — under the newest LTS, with
# its own report so the main run's counts stay the main run's. Node 24 comes from install-e2e-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
node24=packages/node-red-nodes/.e2e-cache/node24/node_modules/.bin/node
if [ ! -x "$node24" ]; then
  echo "test-node24: no Node 24 at $node24 — run scripts/install-e2e-deps.sh first" >&2
  exit 1
fi
echo "test-node24: $("$node24" --version)"
PATH="$(dirname "$node24"):$PATH" "$node24" node_modules/vitest/vitest.mjs run \
  packages/core packages/testkit packages/provider-toncenter packages/provider-tonapi packages/provider-venum-solana \
  --reporter=default --reporter=json --outputFile.json=reports/vitest-node24.json
