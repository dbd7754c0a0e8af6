#!/usr/bin/env bash
# The whole test suite, from a fresh machine: formatting, lints, the emulators the AWS adapters are
# tested against, every test of the workspace (unit, contract suites on SQLite and on the
# emulators, exactly-once properties, end to end over HTTP), the OpenAPI document's validation and
# schemathesis over it, the local runtime on DynamoDB Local, the infrastructure checks and the
# Lambda builds with their size report. The tools it needs are installed once into the tool cache
# outside the clone (tests/tool-cache.sh); the emulators' state stays in .tools/emulators/.
#
# Each stage's wall time is printed when it ends, and the table of them (also printed at the end,
# on failure too) is written to <target dir>/ci-times.md.
set -euo pipefail
cd "$(dirname "$0")/.."

times="${CARGO_TARGET_DIR:-target}/ci-times.md"
stage_rows=()
stage_name=""
stage_started=0
installs_pid=""
# stage <name>: ends the stage under way (printing its time) and begins the next.
stage() {
    if [[ -n "$stage_name" ]]; then
        local took=$((SECONDS - stage_started))
        echo "== $stage_name: ${took} s"
        stage_rows+=("| $stage_name | $took | $(printf '%d:%02d' $((took / 60)) $((took % 60))) |")
    fi
    stage_name="$1"
    stage_started=$SECONDS
    [[ -z "$stage_name" ]] || echo "== $stage_name"
}
finish() {
    local status=$?
    [[ -z "$stage_name" ]] || { ((status == 0)) || stage_name="$stage_name (failed)"; stage ""; }
    [[ ! -f .tools/emulators/pids ]] || tests/emulators/stop.sh || true
    # Installs still under way when a stage failed: their process group, started with setsid.
    ! kill -0 "$installs_pid" 2>/dev/null || kill -- "-$installs_pid" 2>/dev/null || true
    mkdir -p "$(dirname "$times")"
    {
        echo "Stages of \`tests/run.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, exit status $status."
        echo
        echo "| stage | seconds | m:ss |"
        echo "|---|---|---|"
        printf '%s\n' "${stage_rows[@]}"
        echo "| total | $SECONDS | $(printf '%d:%02d' $((SECONDS / 60)) $((SECONDS % 60))) |"
    } >"$times"
    echo
    cat "$times"
    exit "$status"
}
trap finish EXIT

# The tools install into the cache in the background while the lints compile: pip and npm wait on
# the network more than on the CPU. Each stage still asks for its tool, and the cache's lock makes
# it wait for an install under way (or install it itself, should the one in the background fail).
# With a warm cache this takes a second.
installs_log="${CARGO_TARGET_DIR:-target}/tool-installs.log"
mkdir -p "$(dirname "$installs_log")"
setsid bash -c 'tests/emulators/install.sh >/dev/null & for script in tests/validate-openapi.sh \
    tests/schemathesis.sh infra/validate.sh infra/build-lambdas.sh; do "$script" --install-only; done; wait' \
    >"$installs_log" 2>&1 </dev/null &
installs_pid=$!

stage "toolchain components"
# rustfmt and clippy ship as rustup components; a minimal toolchain may lack them.
for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
        rustup component add "${component}"
    fi
done

stage "formatting"
cargo fmt --all -- --check

stage "lints"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
# The Lambdas build without the OpenAPI parts (and with only their adapters): lint that build too.
# shellcheck source=infra/functions.sh
. infra/functions.sh
cargo clippy --locked "${function_packages[@]}" -- -D warnings

stage "emulators"
tests/emulators/start.sh
set -a
# shellcheck disable=SC1091
. .tools/emulators/env
set +a

stage "tests: build"
cargo test --workspace --all-features --locked --no-run

stage "tests: run"
cargo test --workspace --all-features --locked

stage "OpenAPI document validated"
tests/validate-openapi.sh

stage "schemathesis"
tests/schemathesis.sh

stage "dashboard page in a real browser"
tests/browser.sh

stage "local runtime on DynamoDB Local"
tests/local-on-emulators.sh

stage "infrastructure checks"
infra/validate.sh

stage "lambda builds"
infra/build-lambdas.sh
