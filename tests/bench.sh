#!/usr/bin/env bash
# Runs the engine benchmark in a release build and keeps its report in tests/bench-results.md.
# Takes the better part of an hour: it ingests about 15 million events (10 million calls of one
# survey campaign among them). DuckDB (PyPI), a baseline of the seed-000 and seed-003 views and of
# the seed-001 page, is installed into the tool cache on first use (tests/tool-cache.sh).
# `BENCH_ONLY=campaign_stats BENCH_SCALE=0.01 tests/bench.sh` is a quick run of one section, with
# smaller workspaces: it prints its report and leaves tests/bench-results.md as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
duckdb_venv="$(cached_venv duckdb duckdb==1.5.6)"
export DUCKDB_PYTHON="$duckdb_venv/bin/python"
if [[ -n "${BENCH_ONLY:-}${BENCH_SCALE:-}" ]]; then
    exec cargo bench -p tests --bench engine --locked
fi
cargo bench -p tests --bench engine --locked | tee tests/bench-results.md.new
mv tests/bench-results.md.new tests/bench-results.md
echo "Wrote tests/bench-results.md"
