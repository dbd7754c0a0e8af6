#!/usr/bin/env bash
# The load test: the release local runtime with its demo data on 127.0.0.1, driven by goose for
# 60 s with 32 users and the mix of tests/load/mix.txt (the driver is the crate tests/load/, a
# project of its own so that the workspace never builds goose), and its results in
# tests/load-results.md. Not part of tests/run.sh: it needs the release build (about 8 minutes from
# scratch) and a machine that is otherwise quiet. LOAD_SECONDS, LOAD_WARMUP, LOAD_USERS and
# LOAD_MIX change the run (60, 10, 32, tests/load/mix.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/local-runtime.sh
. tests/local-runtime.sh

driver=(--release --locked --quiet --manifest-path tests/load/Cargo.toml --target-dir "${CARGO_TARGET_DIR:-target}/load")
cargo test "${driver[@]}"
cargo build "${driver[@]}"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_local --release RUST_LOG=warn
# Tokens of the demo workspace as LOAD_TOKEN_<role>, of another as LOAD_TOKEN_<role>_AT_<workspace>
# (a mix line's role@workspace).
for role in admin manager viewer agent user service; do
    export "LOAD_TOKEN_$role=$(token "$role")"
    export "LOAD_TOKEN_${role}_AT_ws_callcentre=$(token "$role" ws_callcentre)"
    export "LOAD_TOKEN_${role}_AT_ws_agents=$(token "$role" ws_agents)"
done
changes="$(git diff --quiet HEAD -- . ':!tests/load-results.md' || echo ' with uncommitted changes')"
"${CARGO_TARGET_DIR:-target}/load/release/load" --base "$base" --mix "${LOAD_MIX:-tests/load/mix.txt}" --pid "$local_pid" \
    --seconds "${LOAD_SECONDS:-60}" --warmup "${LOAD_WARMUP:-10}" --users "${LOAD_USERS:-32}" \
    --context "commit $(git rev-parse --short HEAD)$changes" --load-before "$load_before" \
    --out tests/load-results.md.new
mv tests/load-results.md.new tests/load-results.md
# What the server itself logged as wrong during the run (5xx causes are logged there).
grep -E ' (WARN|ERROR) ' "$local_log" | head -20 >&2 || true
echo "Wrote tests/load-results.md"
