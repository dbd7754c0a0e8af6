# Sourced by every script that installs a tool (bash). Tools live outside the clone, one folder per
# tool and version: ${ANALYTICS_TOOLS_CACHE:-$HOME/.cache/analytics-tools}/<tool>-<version>/, so a
# fresh clone (CI's) reuses what an earlier clone installed, and a new version installs beside the
# old one. A folder counts only once its `.complete` stamp exists, written after the install
# succeeded; a half-made one (an install killed midway) is removed and made again. Installs of one
# tool are serialised with flock, so two scripts or two clones may ask for it at once.
#
#   cached_tool <tool> <version> <installer> [args...]   prints the folder; runs
#                                                         `<installer> [args...] <folder>` first if needed
#   cached_venv <tool> <requirement>...                  the same for a Python venv with those pip
#                                                         requirements (its version: theirs and Python's)
#
# Every script that installs a tool takes `--install-only` (install it, then stop): tests/run.sh
# installs them all in the background while the lints compile.
#
# Call them as a plain assignment (`dir="$(cached_tool ...)"`) under `set -e`, never inside `if`, `!`,
# `&&` or `||`: there bash ignores `set -e` in the installer too, and a failed step would go unseen.

tool_cache="${ANALYTICS_TOOLS_CACHE:-$HOME/.cache/analytics-tools}"

cached_tool() {
    local tool="$1" version="$2"
    shift 2
    local dir="$tool_cache/$tool-$version"
    if [[ ! -f "$dir/.complete" ]]; then
        mkdir -p "$tool_cache"
        # No `||` after the subshell: bash would then ignore `set -e` inside it.
        (
            set -e
            flock 9
            if [[ ! -f "$dir/.complete" ]]; then
                echo "installing $tool $version into $dir" >&2
                started=$SECONDS
                rm -rf "$dir"
                mkdir -p "$dir"
                "$@" "$dir" >&2
                date -u +%FT%TZ >"$dir/.complete"
                echo "installed $tool $version in $((SECONDS - started)) s" >&2
            fi
        ) 9>"$tool_cache/.$tool-$version.lock"
        [[ -f "$dir/.complete" ]] || { echo "installing $tool $version failed" >&2; return 1; }
    fi
    printf '%s\n' "$dir"
}

# A venv is made in place (its scripts name their own path), so it is installed into its final folder.
install_venv() { # install_venv <requirement>... <folder>
    local dir="${*: -1}"
    python3 -m venv "$dir"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$dir/bin/python" -m pip install --quiet "${@:1:$#-1}"
}

cached_venv() {
    local tool="$1"
    shift
    local python pins
    python="$(python3 -c 'import sys; print(f"py{sys.version_info[0]}.{sys.version_info[1]}")')"
    pins="$(printf '%s\n' "$@" | sed 's/.*==//' | paste -sd+)"
    cached_tool "$tool" "$pins-$python" install_venv "$@"
}
