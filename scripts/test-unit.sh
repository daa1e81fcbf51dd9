#!/usr/bin/env bash
# The inner loop: the unit tests beside the code (src/**/*.test.ts), with no root, no apt and no
# browser. Builds from clean into dist-unit/ (its own folder, so a running `openrunner up` keeps
# dist/), then runs the tests compiled from the sources. Tests that need root, runc, HAProxy or
# other host tools report themselves skipped, with the reason, where those are missing.
#   npm run test:unit                       # all unit tests
#   npm run test:unit -- src/telemetry      # those under some folders or files of src/
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist-unit
rm -rf "$out"
npx tsc -p tsconfig.json --outDir "$out"
mapfile -t files < <(bash scripts/test-files.sh "$out" "${@:-src}")
if [ ${#files[@]} -eq 0 ]; then
  echo "test-unit: no *.test.ts under: ${*:-src}" >&2
  exit 1
fi
node --test --test-timeout=180000 --test-reporter=spec "${files[@]}"
