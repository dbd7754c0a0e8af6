#!/usr/bin/env bash
# Validates the OpenAPI document the local runtime serves (`local --openapi` prints the same) with
# openapi-spec-validator from PyPI, installed on first use into .tools/venv-openapi. Offline once
# installed.
set -euo pipefail
cd "$(dirname "$0")/.."

validator_version="0.9.0"
venv="${OPENAPI_VENV:-.tools/venv-openapi}"
stamp="$venv/.version"
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [[ ! -x "$venv/bin/openapi-spec-validator" || "$(cat "$stamp" 2>/dev/null)" != "$validator_version" ]]; then
    echo "installing openapi-spec-validator $validator_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "openapi-spec-validator==$validator_version"
    printf '%s' "$validator_version" >"$stamp"
fi

document="${CARGO_TARGET_DIR:-target}/openapi.json"
cargo run --quiet --locked -p local -- --openapi >"$document"
"$venv/bin/openapi-spec-validator" --schema 3.1 "$document"
