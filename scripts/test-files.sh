#!/usr/bin/env bash
# The compiled test files to run, listed from the sources: for each <dir>/**/*.test.ts,
# <out>/<dir>/**/*.test.js. Never a find over the output: a test deleted or renamed in the
# sources must not run again from a stale compiled file.
#   scripts/test-files.sh <outDir> <dir>...
set -euo pipefail
out=$1
shift
find "$@" -name '*.test.ts' | sort | sed -e 's/\.ts$/.js/' -e "s|^|$out/|"
