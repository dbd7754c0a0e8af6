#!/usr/bin/env bash
# Installs the AWS emulators used by the adapter tests under <repo>/.tools/.
# Idempotent: a part that is already installed (stamp file matches) is skipped,
# so a second run takes well under a second.
#
#   .tools/dynamodb-local/   DynamoDB Local (from the npm package amplify-dynamodb-simulator)
#                            + launcher/ (tiny Java class that binds it to 127.0.0.1)
#   .tools/venv-moto/        Python venv with moto[server] (SQS, S3, API GW management API)
#   .tools/cargo/bin/s3s-fs  s3s-fs (S3 server that checks SigV4 / presigned URLs)
#
# Versions can be overridden through the environment (changing one reinstalls that part).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="$REPO_ROOT/.tools"

DDB_SIM_VERSION="${DDB_SIM_VERSION:-2.9.30}"   # npm amplify-dynamodb-simulator (ships DynamoDB Local 1.25.1)
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
S3S_FS_VERSION="${S3S_FS_VERSION:-0.14.1}"      # newer s3s-fs needs a newer rustc

log() { printf '[emulators/install] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s; }

mkdir -p "$TOOLS"

# Serialise concurrent runs (e.g. two test jobs calling start.sh at once).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS/.emulators-install.lock"
    flock 9
fi

# ---------------------------------------------------------------- prerequisites
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $*; no apt-get to install it"
    [[ $(id -u) -eq 0 ]] || die "missing $*; run as root or install it: apt-get install $*"
    if [[ $APT_UPDATED -eq 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
need() { # need <command> <debian package>
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
    command -v "$1" >/dev/null 2>&1 || die "'$1' still not found after installing $2"
}

need curl curl
need tar tar
need java openjdk-17-jdk-headless
need javac openjdk-17-jdk-headless   # compiles the 20-line loopback launcher
need npm npm
need python3 python3
command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust via rustup)"

# ---------------------------------------------------------------- DynamoDB Local
install_dynamodb() {
    local dir="$TOOLS/dynamodb-local"
    local want="amplify-dynamodb-simulator@$DDB_SIM_VERSION launcher-v1"
    if [[ -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$want" \
          && -f "$dir/DynamoDBLocal.jar" && -f "$dir/launcher/LoopbackDynamoDBLocal.class" ]]; then
        log "DynamoDB Local: already installed ($want)"
        return
    fi
    local t0; t0=$(now)
    log "DynamoDB Local: installing from npm amplify-dynamodb-simulator@$DDB_SIM_VERSION"
    local tmp; tmp="$(mktemp -d "$TOOLS/.dynamodb-local.XXXXXX")"
    (cd "$tmp" && npm pack --silent "amplify-dynamodb-simulator@$DDB_SIM_VERSION" >/dev/null 2>npm-pack.err) \
        || { cat "$tmp/npm-pack.err" >&2; rm -rf "$tmp"; die "npm pack failed"; }
    tar -xzf "$tmp"/amplify-dynamodb-simulator-*.tgz -C "$tmp"
    # The package layout: package/emulator/{DynamoDBLocal.jar,DynamoDBLocal_lib/}
    local emu="$tmp/package/emulator"
    [[ -f "$emu/DynamoDBLocal.jar" && -d "$emu/DynamoDBLocal_lib" ]] \
        || { rm -rf "$tmp"; die "DynamoDBLocal.jar / DynamoDBLocal_lib not found in the npm package"; }
    ls "$emu/DynamoDBLocal_lib"/libsqlite4java-linux-*.so >/dev/null 2>&1 \
        || { rm -rf "$tmp"; die "no linux sqlite4java native library in DynamoDBLocal_lib"; }

    # DynamoDB Local has no bind-address flag (Jetty listens on 0.0.0.0). This launcher
    # builds the server exactly like DynamoDBLocal.jar's main (same CLI flags), then sets
    # the host of its Jetty connector(s) to 127.0.0.1 (or -Dddblocal.host) before start.
    mkdir -p "$emu/launcher"
    cat >"$emu/launcher/LoopbackDynamoDBLocal.java" <<'JAVA'
import java.lang.reflect.Field;

/** Runs DynamoDB Local (same CLI flags as DynamoDBLocal.jar) bound to one host, default 127.0.0.1. */
public final class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        String host = System.getProperty("ddblocal.host", "127.0.0.1");
        Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
        Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class)
                .invoke(null, (Object) args);
        Field f = proxy.getClass().getDeclaredField("server");
        f.setAccessible(true);
        Object jetty = f.get(proxy);
        Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
        if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no Jetty connector");
        for (Object c : connectors) {
            c.getClass().getMethod("setHost", String.class).invoke(c, host);
        }
        proxy.getClass().getMethod("start").invoke(proxy);
        System.err.println("LoopbackDynamoDBLocal: listening on " + host);
    }
}
JAVA
    javac -nowarn -d "$emu/launcher" "$emu/launcher/LoopbackDynamoDBLocal.java" \
        || { rm -rf "$tmp"; die "javac failed for the DynamoDB Local launcher"; }

    rm -rf "$dir"
    mv "$emu" "$dir"
    rm -rf "$tmp"
    echo "$want" >"$dir/.installed"
    log "DynamoDB Local: installed in $(( $(now) - t0 ))s"
}

# ---------------------------------------------------------------- moto
install_moto() {
    local venv="$TOOLS/venv-moto"
    local want="moto[server]==$MOTO_VERSION"
    if [[ -f "$venv/.installed" && "$(cat "$venv/.installed")" == "$want" && -x "$venv/bin/moto_server" ]] \
        && "$venv/bin/python" -c 'import moto, flask, boto3' >/dev/null 2>&1; then
        log "moto: already installed ($want)"
        return
    fi
    local t0; t0=$(now)
    log "moto: installing $want into $venv"
    if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    rm -f "$venv/.installed"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q "$want"
    "$venv/bin/python" -c 'import moto, flask, boto3' || die "moto import check failed"
    echo "$want" >"$venv/.installed"
    log "moto: installed in $(( $(now) - t0 ))s"
}

# ---------------------------------------------------------------- s3s-fs
install_s3s_fs() {
    local root="$TOOLS/cargo"
    local bin="$root/bin/s3s-fs"
    if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -qx "s3s-fs $S3S_FS_VERSION"; then
        log "s3s-fs: already installed ($S3S_FS_VERSION)"
        return
    fi
    local t0; t0=$(now)
    log "s3s-fs: cargo install s3s-fs@$S3S_FS_VERSION (takes a few minutes on 2 cores)"
    # Run from / so that no .cargo/config.toml of the repo influences the build.
    if ! (cd / && cargo install "s3s-fs@$S3S_FS_VERSION" --features binary --locked --force --root "$root"); then
        log "s3s-fs: 'cargo install --locked' failed; retrying without --locked"
        (cd / && cargo install "s3s-fs@$S3S_FS_VERSION" --features binary --force --root "$root") \
            || die "cargo install s3s-fs failed"
    fi
    "$bin" --version | grep -qx "s3s-fs $S3S_FS_VERSION" || die "installed s3s-fs reports an unexpected version"
    log "s3s-fs: installed in $(( $(now) - t0 ))s"
}

install_dynamodb
install_moto
install_s3s_fs
log "all emulators installed under $TOOLS"
