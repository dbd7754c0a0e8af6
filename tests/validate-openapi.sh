#!/usr/bin/env bash
# Validates the OpenAPI document the local runtime serves (`local --openapi` prints the same) with
# openapi-spec-validator from PyPI, installed on first use into the tool cache
# (tests/tool-cache.sh). Offline once installed.
set -euo pipefail
cd "$(dirname "$0")/.."

validator_version="0.9.0"
# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
venv="$(cached_venv openapi-spec-validator "openapi-spec-validator==$validator_version")"
[[ "${1:-}" != --install-only ]] || exit 0

# shellcheck source=tests/local-runtime.sh
. tests/local-runtime.sh
build_local
document="${CARGO_TARGET_DIR:-target}/openapi.json"
"${CARGO_TARGET_DIR:-target}/debug/local" --openapi >"$document"
"$venv/bin/openapi-spec-validator" --schema 3.1 "$document"
