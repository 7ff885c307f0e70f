#!/usr/bin/env bash
# Runs every benchmark under bench/. `full` = the sizes quoted in the README (many minutes: it
# builds a 1,000-rep x 12-month database once per engine, then reuses it); `small` = the quick
# sizes CI runs so the benchmarks cannot rot. The database benchmarks run on SQLite, and on
# PostgreSQL too when NINETY_BENCH_PG (default: the local test server) answers.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-small}"
PY=.venv/bin/python
PG="${NINETY_BENCH_PG:-postgresql://postgres@127.0.0.1:5432/test}"
flag=()
[ "$size" = "full" ] || flag=(--small)
run() { echo "== $*"; "$PY" "$@"; }
for bench in bench/bench_*.py; do
  run "$bench" "${flag[@]}"
done
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  run bench/bench_import.py "${flag[@]}" --database-url "$PG"
  run bench/bench_deals.py "${flag[@]}" --database-url "$PG"
  run bench/bench_pages.py "${flag[@]}" --database-url "$PG"
fi
