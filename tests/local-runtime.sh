# Sourced by the scripts that test the built local runtime (bash). `build_local` builds
# target/debug/local; `start_local VAR=value ...` builds and starts it with those variables on a
# free loopback port over a temporary data folder (`$local_work/data`), waits for its banner and
# sets `base` (`start_local --release ...`: target/release/local, for measurements); `token <role>
# [workspace]` prints that role's token from the banner (of ws_demo unless named),
# `stranger_token` the other workspace's viewer token. The process is stopped by PID and the
# folder removed when the script exits.

local_work="$(mktemp -d)"
local_log="$local_work/local.log"
local_pid=""
stop_local() {
    if [[ -n "$local_pid" ]]; then kill "$local_pid" 2>/dev/null || true; wait "$local_pid" 2>/dev/null || true; fi
    rm -rf "$local_work"
}
trap stop_local EXIT

# The local runtime built with the test build's features (tests/run.sh builds the workspace with
# --all-features), so that its artifacts are reused: `-p local` alone unifies fewer features and
# rebuilds most of the workspace, six minutes on 2 cores.
build_local() {
    cargo build --workspace --all-features --bin local --locked --quiet
}

start_local() {
    local profile=debug
    if [[ "${1:-}" == --release ]]; then
        profile=release
        shift
        cargo build -p local --release --locked --quiet
    else
        build_local
    fi
    env "$@" PORT=0 DATA_DIR="$local_work/data" "${CARGO_TARGET_DIR:-target}/$profile/local" >"$local_log" 2>&1 &
    local_pid=$!
    base=""
    for _ in $(seq 1 600); do
        base="$(sed -n 's/^Analytics API listening on \(http:[^ ]*\)$/\1/p' "$local_log")"
        [[ -n "$base" ]] && break
        kill -0 "$local_pid" 2>/dev/null || { cat "$local_log" >&2; echo "local exited" >&2; exit 1; }
        sleep 0.5
    done
    [[ -n "$base" ]] || { cat "$local_log" >&2; echo "local did not start" >&2; exit 1; }
    sleep 0.5 # the banner's token lines follow the address
}

token() {
    awk -v role="$1" -v ws="${2:-ws_demo}" '/^Tokens for workspace / { on = ($4 == ws) } on && $1 == role { print $2; exit }' "$local_log"
}
stranger_token() { sed -n 's/^  viewer of [^:]*: //p' "$local_log"; }
