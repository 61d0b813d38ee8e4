#!/bin/sh
# bench/run.sh -- what `make bench` runs (after building build/scribe and
# build/bench/*): every benchmark, a table on stdout, the figures in
# bench/results.json. QUICK=1 runs a small version in seconds.
set -e
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null 2>&1 || sh scripts/install-deps.sh
exec python3 bench/bench.py
