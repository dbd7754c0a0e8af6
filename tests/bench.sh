#!/usr/bin/env bash
# Runs the engine benchmark in a release build and keeps its report in tests/bench-results.md.
# Takes the better part of an hour: it ingests about 15 million events (10 million calls of one
# survey campaign among them), more with seed 002's workspaces. DuckDB (PyPI), a baseline of the
# seed-000, seed-002 and seed-003 views and of the seed-001 page, is installed into the tool cache
# on first use (tests/tool-cache.sh).
# `BENCH_ONLY=<section> tests/bench.sh` runs one section at full size and records it: its `## `
# sections replace those of the same heading in tests/bench-results.md (or are appended), the
# others stay as the last run left them, and a line under each replaced heading says so.
# With `BENCH_SCALE` (such as `BENCH_ONLY=campaign_stats BENCH_SCALE=0.01`) it is a quick run of
# smaller workspaces: it prints its report and leaves tests/bench-results.md as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
duckdb_venv="$(cached_venv duckdb duckdb==1.5.6)"
export DUCKDB_PYTHON="$duckdb_venv/bin/python"
if [[ -n "${BENCH_SCALE:-}" ]]; then
    exec cargo bench -p tests --bench engine --locked
fi
if [[ -n "${BENCH_ONLY:-}" ]]; then
    cargo bench -p tests --bench engine --locked | tee tests/bench-results.md.section
    commit="$(git rev-parse --short HEAD)"
    note="_Recorded on its own by \`BENCH_ONLY=$BENCH_ONLY tests/bench.sh\` at commit \`$commit\`, $(date -u +%FT%TZ)${BENCH_WA_LARGE:+, BENCH_WA_LARGE=$BENCH_WA_LARGE}; the other sections are from the run named at the top._"
    # Each `## ` section of the new report replaces the recorded one of the same heading, in place;
    # a new heading is appended.
    awk -v note="$note" '
        FNR == NR {
            if (/^## /) { heading = $0; order[++n] = heading; text[heading] = $0 "\n\n" note "\n"; next }
            if (heading != "") text[heading] = text[heading] $0 "\n"
            next
        }
        /^## / { skipping = ($0 in text); if (skipping) { printf "%s", text[$0]; done[$0] = 1 } }
        !skipping { print }
        END { for (i = 1; i <= n; i++) if (!(order[i] in done)) printf "\n%s", text[order[i]] }
    ' tests/bench-results.md.section tests/bench-results.md >tests/bench-results.md.new
    rm tests/bench-results.md.section
    mv tests/bench-results.md.new tests/bench-results.md
    echo "Updated the $BENCH_ONLY section(s) of tests/bench-results.md"
    exit 0
fi
cargo bench -p tests --bench engine --locked | tee tests/bench-results.md.new
mv tests/bench-results.md.new tests/bench-results.md
echo "Wrote tests/bench-results.md"
