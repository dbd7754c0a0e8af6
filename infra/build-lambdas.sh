#!/usr/bin/env bash
# Builds every Lambda function the template deploys with `cargo lambda build --release --arm64`,
# zips each bootstrap, and writes a size report (<target dir>/lambda/sizes.md, also printed).
# Fails when a zip is over the size budget (3 MB by default, LAMBDA_ZIP_BUDGET_BYTES to change).
#
# Installs cargo-lambda (which ships zig, its cross linker) from PyPI into <repo>/.tools/venv-lambda
# on first use; `cargo lambda build` adds the aarch64 target through rustup when it is missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# The function crates the template deploys, each a binary of the same name.
functions=(ingest campaign-stats campaigns rollups)
cargo_lambda_version="1.9.2"
budget="${LAMBDA_ZIP_BUDGET_BYTES:-3000000}"
venv="${LAMBDA_VENV:-$repo/.tools/venv-lambda}"
python="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n==> %s\n' "$*"; }

stamp="$venv/.cargo-lambda-version"
if [[ ! -x "$venv/bin/cargo-lambda" || ! -f "$stamp" || "$(cat "$stamp")" != "$cargo_lambda_version" ]]; then
    step "installing cargo-lambda $cargo_lambda_version into $venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "cargo-lambda==$cargo_lambda_version"
    printf '%s' "$cargo_lambda_version" >"$stamp"
fi
# cargo finds `cargo-lambda` on PATH; zig, its linker, sits beside it in the venv.
export PATH="$venv/bin:$PATH"
cargo lambda --version

packages=()
for function in "${functions[@]}"; do packages+=(--package "$function"); done
step "cargo lambda build --release --arm64 --output-format zip ${packages[*]}"
cargo lambda build --release --arm64 --output-format zip --locked "${packages[@]}"

target="${CARGO_TARGET_DIR:-target}"
report="$target/lambda/sizes.md"
over=0
{
    echo "| function | bootstrap (bytes) | zip (bytes) | zip (MB) | budget |"
    echo "|---|---|---|---|---|"
    for function in "${functions[@]}"; do
        zip="$target/lambda/$function/bootstrap.zip"
        [[ -f "$zip" ]] || { echo "missing $zip" >&2; exit 1; }
        zip_bytes=$(stat -c %s "$zip")
        binary_bytes=$("$python" -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).getinfo("bootstrap").file_size)' "$zip")
        verdict="within"
        if ((zip_bytes > budget)); then verdict="OVER"; over=1; fi
        printf '| %s | %s | %s | %s | %s %s |\n' "$function" "$binary_bytes" "$zip_bytes" \
            "$(awk -v b="$zip_bytes" 'BEGIN { printf "%.2f", b / 1e6 }')" "$verdict" "$budget"
    done
} >"$report"
step "sizes ($report)"
cat "$report"
if ((over)); then
    echo "a Lambda zip is over the budget of $budget bytes" >&2
    exit 1
fi
