#!/usr/bin/env bash
# The compiled test files to run, listed from the sources: for each <dir>/**/*.test.ts,
# <out>/<dir>/**/*.test.js. Never a find over the output: a test deleted or renamed in the
# sources must not run again from a stale compiled file.
#   scripts/test-files.sh [--pure|--side|--host] <outDir> <dir>...
# --pure lists only the unit tests that touch nothing shared on the host, which npm test runs
# side by side; --side the end-to-end tests named in SIDE_TESTS below; --host the others (every
# other test under test/, and the unit tests that start processes, need root or use the host
# fixtures of test/support), which it runs one at a time. The lists together are the whole
# list. A test is pure when its source under src/ imports no node:child_process, asks for no
# root (getuid) or host tools (missingHostTools), and takes from test/support only the
# in-memory fixtures named below; anything new counts as host until it is added there. Tests
# under test/ are host tests, but for those named in PURE_TESTS (the console's unit tests:
# functions of console/src/api, nothing started; the layering check: dependency-cruiser over
# the sources and over fixtures in its own temporary directories) and SIDE_TESTS.
set -euo pipefail
group=all
case "${1:-}" in
  --pure) group=pure; shift ;;
  --side) group=side; shift ;;
  --host) group=host; shift ;;
esac
out=$1
shift
PURE_SUPPORT='^test/support/(engine-fixture|fake-registry|iam-fakes|scripted-driver|service-fixture|sigv4-fixture|sigv4-signer|test-keys|trail-entries)$'
PURE_TESTS='^test/(console-[a-z-]+|layering)\.test\.ts$'
is_pure() {
  if [[ $1 =~ $PURE_TESTS ]]; then return 0; fi
  case "$1" in src/*) ;; *) return 1 ;; esac
  if grep -qE 'node:child_process|getuid|missingHostTools' "$1"; then return 1; fi
  local s
  for s in $(grep -oE 'test/support/[A-Za-z0-9_-]+' "$1" | sort -u); do
    [[ $s =~ $PURE_SUPPORT ]] || return 1
  done
  return 0
}
# End-to-end tests that start only an in-process server (startInProcess: no runtime on the host,
# no fixed port) and clients of it (the AWS CLI, Terraform with its own workspace and plugin
# cache), by name: npm test runs them one at a time beside the host files (--side).
SIDE_TESTS='^test/(aws-cli|ecr-cli|ecr-terraform|iam|iam-teams|iam-terraform|logs-cli|secrets-terraform)\.e2e\.test\.ts$'
is_side() { [[ $1 =~ $SIDE_TESTS ]]; }
find "$@" -name '*.test.ts' | sort | while IFS= read -r f; do
  if [ "$group" = pure ] && ! is_pure "$f"; then continue; fi
  if [ "$group" = side ] && ! is_side "$f"; then continue; fi
  if [ "$group" = host ] && { is_pure "$f" || is_side "$f"; }; then continue; fi
  printf '%s\n' "$f"
done | sed -e 's/\.ts$/.js/' -e "s|^|$out/|"
