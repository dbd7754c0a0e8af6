#!/usr/bin/env bash
# The whole test suite, from a fresh machine: formatting, lints, then every test of the
# workspace (unit tests, contract suites, the exactly-once property test, end-to-end HTTP).
set -euo pipefail
cd "$(dirname "$0")/.."

# rustfmt and clippy ship as rustup components; a minimal toolchain may lack them.
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    rustup component add "${component}"
  fi
done

echo "== formatting"
cargo fmt --all -- --check
echo "== lints"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== tests"
cargo test --workspace --locked
