#!/usr/bin/env bash
# Runs every benchmark under bench/. `full` = the sizes quoted in the README (minutes);
# `small` = the quick sizes CI runs so the benchmarks cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-small}"
PY=.venv/bin/python
run() { echo "== $*"; "$PY" "$@"; }
for bench in bench/bench_*.py; do
  [ -e "$bench" ] || continue
  if [ "$size" = "full" ]; then run "$bench"; else run "$bench" --small; fi
done
