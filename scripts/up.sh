#!/usr/bin/env bash
# Starts OpenRunner (installing what it needs first). Arguments go to `openrunner up`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node dist/src/cli/main.js up "$@"
