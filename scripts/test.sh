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
# Three lists (scripts/test-files.sh; together every test): unit tests that touch nothing shared
# on the host ("pure"), two at a time (node's default is one per core less one: 1 on a 2-core
# machine); end-to-end tests that start only an in-process server and clients of it (the AWS
# CLI, Terraform: "side"), one at a time after them; both beside the others ("host": every other
# end-to-end test, and the unit tests that start runc, HAProxy, dockerd, registries or git), one
# at a time as before. The side lane's output is kept in a file and printed after the host
# files'; either lane failing fails the run, and its output is shown either way.
mapfile -t pure < <(bash scripts/test-files.sh --pure dist src test)
mapfile -t side < <(bash scripts/test-files.sh --side dist src test)
mapfile -t host < <(bash scripts/test-files.sh --host dist src test)
side_log=$(mktemp /tmp/openrunner-side-tests.XXXXXX)
trap 'rm -f "$side_log"' EXIT
# The side lane runs at nice 10: the host lane's tests time real processes (a SIGTERM relayed by
# an instance's init, a rollout's share of clients), and on two cores they get the CPU first;
# the side lane has whatever they leave, which is most of it while they wait on timers.
(
  renice -n 10 -p "$BASHPID" >/dev/null
  rc=0
  # (node --test with no file would look for tests itself.)
  if [ "${#pure[@]}" -gt 0 ]; then node --test --test-concurrency=2 --test-timeout=180000 --test-reporter=spec "${pure[@]}" || rc=1; fi
  if [ "${#side[@]}" -gt 0 ]; then node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "${side[@]}" || rc=1; fi
  exit "$rc"
) >"$side_log" 2>&1 &
side_pid=$!
host_rc=0
node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "${host[@]}" || host_rc=$?
side_rc=0
wait "$side_pid" || side_rc=$?
echo "--- run beside the above: unit tests that touch nothing on the host, then end-to-end tests of an in-process server ---"
cat "$side_log"
if [ "$side_rc" -ne 0 ]; then echo "npm test: the pure unit tests or the side end-to-end tests failed" >&2; fi
if [ "$host_rc" -ne 0 ]; then echo "npm test: the host tests failed (exit $host_rc)" >&2; fi
if [ "$side_rc" -ne 0 ] || [ "$host_rc" -ne 0 ]; then exit 1; fi
