#!/usr/bin/env bash
# Installs what OpenRunner needs on a fresh Debian 12 machine, then builds it. Idempotent and
# quick when everything is already there: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh "$@"

npx tsc -p tsconfig.json
chmod +x dist/src/cli/main.js
# The web console (console/, React + Vite) is type-checked on its own and built to console/dist,
# which src/console/route.ts serves at /console/.
npx tsc -p console/tsconfig.json
npx vite build console --logLevel warn
