#!/usr/bin/env bash
# The whole test suite, from a fresh machine: formatting, lints, the emulators the AWS adapters are
# tested against, every test of the workspace (unit, contract suites on SQLite and on the
# emulators, exactly-once properties, end to end over HTTP), the OpenAPI document's validation and
# schemathesis over it, the local runtime on DynamoDB Local, the infrastructure checks and the
# Lambda builds with their size report. Everything it needs is installed under .tools/.
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
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
# The Lambdas build without the OpenAPI parts (and with only their adapters): lint that build too.
cargo clippy --locked -p ingest -p campaign-stats -p campaigns -p rollups -- -D warnings

echo "== emulators"
tests/emulators/start.sh
trap 'tests/emulators/stop.sh' EXIT
set -a
# shellcheck disable=SC1091
. .tools/emulators/env
set +a

echo "== tests"
cargo test --workspace --all-features --locked

echo "== the OpenAPI document, validated and fuzzed"
tests/validate-openapi.sh
tests/schemathesis.sh

echo "== the dashboard page in a real browser"
tests/browser.sh

echo "== the local runtime on DynamoDB Local"
tests/local-on-emulators.sh

echo "== infrastructure"
infra/validate.sh

echo "== lambda builds"
infra/build-lambdas.sh
