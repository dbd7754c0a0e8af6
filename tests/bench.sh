#!/usr/bin/env bash
# Runs the engine benchmark in a release build and keeps its report in tests/bench-results.md.
# Takes several minutes: it ingests about 3.25 million events. DuckDB (PyPI), the baseline of the
# seed-000 view and of the seed-001 page, is installed into the tool cache on first use
# (tests/tool-cache.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
duckdb_venv="$(cached_venv duckdb duckdb==1.5.6)"
DUCKDB_PYTHON="$duckdb_venv/bin/python" cargo bench -p tests --bench engine --locked | tee tests/bench-results.md.new
mv tests/bench-results.md.new tests/bench-results.md
echo "Wrote tests/bench-results.md"
