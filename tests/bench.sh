#!/usr/bin/env bash
# Runs the engine benchmark in a release build and keeps its report in tests/bench-results.md.
# Takes a few minutes: it ingests about 1.25 million events.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p tests --bench engine --locked | tee tests/bench-results.md.new
mv tests/bench-results.md.new tests/bench-results.md
echo "Wrote tests/bench-results.md"
