#!/usr/bin/env bash
# Installs the AWS emulators used by the adapter tests into the tool cache (tests/tool-cache.sh:
# one folder per tool and version under ${ANALYTICS_TOOLS_CACHE:-$HOME/.cache/analytics-tools}),
# unless they are there already, and prints their folders as shell assignments for start.sh:
#
#   DYNAMODB_LOCAL_HOME  dynamodb-local-<version>/   DynamoDB Local (from the npm package
#                        amplify-dynamodb-simulator) + launcher/ (a tiny Java class that binds it to 127.0.0.1)
#   MOTO_HOME            moto-<version>-py<x.y>/     Python venv with moto[server] (SQS, S3, SSM, API GW management)
#   S3S_FS_HOME          s3s-fs-<version>/bin/s3s-fs s3s-fs (S3 server that checks SigV4 / presigned URLs)
#
# Versions can be overridden through the environment (another version installs beside the first).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/tool-cache.sh
. "$HERE/../tool-cache.sh"

DDB_SIM_VERSION="${DDB_SIM_VERSION:-2.9.30}"   # npm amplify-dynamodb-simulator (ships DynamoDB Local 1.25.1)
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
S3S_FS_VERSION="${S3S_FS_VERSION:-0.14.1}"      # newer s3s-fs needs a newer rustc

log() { printf '[emulators/install] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

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
install_dynamodb() { # install_dynamodb <folder>
    local dir="$1"
    (cd "$dir" && npm pack --silent "amplify-dynamodb-simulator@$DDB_SIM_VERSION" >/dev/null) || die "npm pack failed"
    tar -xzf "$dir"/amplify-dynamodb-simulator-*.tgz -C "$dir"
    # The package layout: package/emulator/{DynamoDBLocal.jar,DynamoDBLocal_lib/}
    local emu="$dir/package/emulator"
    [[ -f "$emu/DynamoDBLocal.jar" && -d "$emu/DynamoDBLocal_lib" ]] \
        || die "DynamoDBLocal.jar / DynamoDBLocal_lib not found in the npm package"
    ls "$emu/DynamoDBLocal_lib"/libsqlite4java-linux-*.so >/dev/null 2>&1 \
        || die "no linux sqlite4java native library in DynamoDBLocal_lib"
    mv "$emu/DynamoDBLocal.jar" "$emu/DynamoDBLocal_lib" "$dir/"
    rm -rf "$dir/package" "$dir"/amplify-dynamodb-simulator-*.tgz

    # DynamoDB Local has no bind-address flag (Jetty listens on 0.0.0.0). This launcher
    # builds the server exactly like DynamoDBLocal.jar's main (same CLI flags), then sets
    # the host of its Jetty connector(s) to 127.0.0.1 (or -Dddblocal.host) before start.
    mkdir -p "$dir/launcher"
    cat >"$dir/launcher/LoopbackDynamoDBLocal.java" <<'JAVA'
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
    javac -nowarn -d "$dir/launcher" "$dir/launcher/LoopbackDynamoDBLocal.java" \
        || die "javac failed for the DynamoDB Local launcher"
}

# ---------------------------------------------------------------- s3s-fs
install_s3s_fs() { # install_s3s_fs <folder>
    log "s3s-fs: cargo install s3s-fs@$S3S_FS_VERSION (takes a few minutes on 2 cores)"
    # Run from / so that no .cargo/config.toml of the repo influences the build.
    if ! (cd / && cargo install "s3s-fs@$S3S_FS_VERSION" --features binary --locked --root "$1"); then
        log "s3s-fs: 'cargo install --locked' failed; retrying without --locked"
        (cd / && cargo install "s3s-fs@$S3S_FS_VERSION" --features binary --force --root "$1") \
            || die "cargo install s3s-fs failed"
    fi
    "$1/bin/s3s-fs" --version | grep -qx "s3s-fs $S3S_FS_VERSION" || die "installed s3s-fs reports an unexpected version"
}

# The launcher's revision is part of DynamoDB Local's version: a change to it installs anew.
dynamodb_home="$(cached_tool dynamodb-local "$DDB_SIM_VERSION-launcher1" install_dynamodb)"
moto_home="$(cached_venv moto "moto[server]==$MOTO_VERSION")"
s3s_fs_home="$(cached_tool s3s-fs "$S3S_FS_VERSION" install_s3s_fs)"
printf 'DYNAMODB_LOCAL_HOME=%q\nMOTO_HOME=%q\nS3S_FS_HOME=%q\n' "$dynamodb_home" "$moto_home" "$s3s_fs_home"
