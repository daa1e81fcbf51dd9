#!/usr/bin/env bash
# The whole test suite: install, type-check and build (tsc), lint (eslint), the layering of
# src/ (dependency-cruiser, .dependency-cruiser.cjs), then unit tests beside the code and
# end-to-end tests in test/, with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
npx eslint --max-warnings 0 .
npx depcruise --no-progress src
mapfile -t files < <(find dist/src dist/test -name '*.test.js' | sort)
node --test --test-timeout=180000 --test-reporter=spec "${files[@]}"
