#!/usr/bin/env bash
# The whole test suite: install, type-check and build (tsc), lint (eslint), the layering of
# src/ (dependency-cruiser, .dependency-cruiser.cjs), then unit tests beside the code and
# end-to-end tests in test/, with node's test runner. From a clean build: dist/ is removed
# first, and the test files are listed from the sources, so a deleted test never runs from a
# stale compiled file.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
bash scripts/install-deps.sh --test
# eslint and dependency-cruiser read the sources, not dist/, and each keeps about one core busy:
# they run beside the build (tsc, the console's tsc and vite) instead of after it.
(npx eslint --max-warnings 0 . && npx depcruise --no-progress src) &
checks=$!
built=0
bash scripts/bootstrap.sh --test || built=$?
checked=0
wait "$checks" || checked=$?
if [ "$built" -ne 0 ] || [ "$checked" -ne 0 ]; then exit 1; fi
# Unit tests that touch nothing shared on the host run two at a time (node's default is one
# per core less one: 1 on a 2-core machine), beside the others (every end-to-end test, and the unit
# tests that start runc, HAProxy, dockerd, registries or git) one at a time, as before.
# scripts/test-files.sh says which is which; the two lists together are every test.
mapfile -t pure < <(bash scripts/test-files.sh --pure dist src test)
mapfile -t host < <(bash scripts/test-files.sh --host dist src test)
# The pure files run beside the host files (they touch nothing the host files use, and take
# about 26 s of the ~20 min), their output kept in a file and printed after the host files'.
# Either failing fails the run, and its output is shown either way.
pure_log=$(mktemp /tmp/openrunner-pure-tests.XXXXXX)
trap 'rm -f "$pure_log"' EXIT
node --test --test-concurrency=2 --test-timeout=180000 --test-reporter=spec "${pure[@]}" >"$pure_log" 2>&1 &
pure_pid=$!
host_rc=0
node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "${host[@]}" || host_rc=$?
pure_rc=0
wait "$pure_pid" || pure_rc=$?
echo "--- unit tests that touch nothing on the host (run beside the others) ---"
cat "$pure_log"
if [ "$pure_rc" -ne 0 ]; then echo "npm test: the pure unit tests failed (exit $pure_rc)" >&2; fi
if [ "$host_rc" -ne 0 ]; then echo "npm test: the host tests failed (exit $host_rc)" >&2; fi
if [ "$pure_rc" -ne 0 ] || [ "$host_rc" -ne 0 ]; then exit 1; fi
