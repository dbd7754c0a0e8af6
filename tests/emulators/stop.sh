#!/usr/bin/env bash
# Stops exactly the emulator processes recorded in .tools/emulators/pids (and their
# process groups, which start.sh created with setsid). PIDs that are already gone, or
# that now belong to some other program, are skipped. Removes the pids and env files.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
EMU="$REPO_ROOT/.tools/emulators"
# shellcheck source=tests/tool-cache.sh
. "$HERE/../tool-cache.sh"
PIDS="$EMU/pids"
ENV_FILE="$EMU/env"

log() { printf '[emulators/stop] %s\n' "$*" >&2; }

# state and process-group id of a pid, from /proc (no dependency on procps)
proc_field() { # proc_field <pid> <state|pgrp>
    local rest
    rest="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null)" || return 1
    set -- "$2" $rest
    case "$1" in state) echo "$2" ;; pgrp) echo "$4" ;; esac
}
alive() { # running and not a zombie
    local st
    st="$(proc_field "$1" state)" || return 1
    [[ -n "$st" && "$st" != Z && "$st" != X ]]
}
ours() { # the command line points into the tool cache, where the emulators are installed
    local cmd
    cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
    [[ "$cmd" == *"$tool_cache/"* ]]
}
signal() { # signal <SIG> <pid>: the whole group if the pid leads its own group
    if [[ "$(proc_field "$2" pgrp 2>/dev/null)" == "$2" ]]; then
        kill -s "$1" -- "-$2" 2>/dev/null || true
    else
        kill -s "$1" "$2" 2>/dev/null || true
    fi
}

if [[ ! -f "$PIDS" ]]; then
    log "no pids file; nothing to stop"
    rm -f "$ENV_FILE"
    exit 0
fi

targets=()
while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    if ! alive "$pid"; then
        log "pid $pid already gone"
    elif ! ours "$pid"; then
        log "pid $pid is no longer an emulator (pid reused?); leaving it alone"
    else
        targets+=("$pid")
    fi
done <"$PIDS"

for pid in "${targets[@]}"; do
    log "stopping pid $pid"
    signal TERM "$pid"
done

# wait up to 15 s, then SIGKILL what is left
for _ in $(seq 1 30); do
    left=()
    for pid in "${targets[@]}"; do alive "$pid" && left+=("$pid"); done
    [[ ${#left[@]} -eq 0 ]] && break
    sleep 0.5
done
for pid in "${targets[@]}"; do
    if alive "$pid"; then
        log "pid $pid ignored SIGTERM; sending SIGKILL"
        signal KILL "$pid"
    fi
done

rm -f "$PIDS" "$ENV_FILE"
log "stopped"
