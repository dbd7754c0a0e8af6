#!/usr/bin/env bash
# Installs (if needed, into the tool cache: install.sh) and starts the AWS emulators on 127.0.0.1,
# on free ports: DynamoDB Local, moto server (SQS, S3, SSM, API Gateway management API) and s3s-fs.
# Their state stays in the clone: .tools/emulators/env (shell `export` lines for the tests),
# .tools/emulators/pids (one PID per line), logs in .tools/emulators/logs/.
#
# If the emulators recorded in the pids file are all still up, they are reused
# (exit 0 at once); pass --restart to stop them and start fresh ones.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="$REPO_ROOT/.tools"
EMU="$TOOLS/emulators"
LOGS="$EMU/logs"
PIDS="$EMU/pids"
ENV_FILE="$EMU/env"
S3S_DATA="$EMU/s3s-data"

S3S_KEY="s3s-test-key"
S3S_SECRET="s3s-test-secret"
TIMEOUT="${EMULATORS_START_TIMEOUT:-60}"

log() { printf '[emulators/start] %s\n' "$*" >&2; }

restart=0
case "${1:-}" in
    --restart) restart=1 ;;
    "") ;;
    *) echo "usage: $0 [--restart]" >&2; exit 2 ;;
esac

eval "$("$HERE/install.sh")"

mkdir -p "$EMU" "$LOGS"

# Any HTTP answer at all (even 400/403) means the server is up.
answers() { [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true)" != "000" ]]; }

# ------------------------------------------------------------ reuse running ones
if [[ -f "$PIDS" ]]; then
    healthy=0
    if [[ $restart -eq 0 && -f "$ENV_FILE" ]]; then
        healthy=1
        while read -r pid; do
            [[ -n "$pid" ]] || continue
            kill -0 "$pid" 2>/dev/null || healthy=0
        done <"$PIDS"
        if [[ $healthy -eq 1 ]]; then
            for url in $(sed -n 's/^export \(DYNAMODB\|MOTO\|S3S\)_ENDPOINT=//p' "$ENV_FILE"); do
                answers "$url" || healthy=0
            done
        fi
    fi
    if [[ $healthy -eq 1 ]]; then
        log "emulators already running; reusing them (use --restart for fresh ones)"
        log "env: $ENV_FILE"
        exit 0
    fi
    "$HERE/stop.sh"
fi

# ------------------------------------------------------------ free loopback ports
read -r DDB_PORT MOTO_PORT S3S_PORT < <(python3 - <<'PY'
import socket
socks = []
for _ in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
)

# ------------------------------------------------------------ launch
: >"$PIDS"
rm -f "$ENV_FILE"

# launch <name> <cmd...>: own session/process group (so stop.sh can kill the whole
# group), stdin from /dev/null, stdout+stderr to logs/<name>.log.
launch() {
    local name="$1"; shift
    local logf="$LOGS/$name.log"
    if command -v setsid >/dev/null 2>&1; then
        (cd "$EMU" && exec setsid "$@" </dev/null >"$logf" 2>&1) &
    else
        (cd "$EMU" && exec "$@" </dev/null >"$logf" 2>&1) &
    fi
    local pid=$!
    echo "$pid" >>"$PIDS"
    eval "${name//-/_}_PID=$pid"
    log "started $name (pid $pid), log: $logf"
}

DDB="$DYNAMODB_LOCAL_HOME"
# -inMemory: fresh state every start, nothing on disk.
# -sharedDb: one database for all clients. Without it DynamoDB Local keeps a separate
#   database per access-key-id + region, so a table created by a test fixture with one
#   set of credentials/region would be invisible to code under test using another.
# -disableTelemetry: no outbound calls (this machine has no internet).
# shellcheck disable=SC2086
launch dynamodb java ${DYNAMODB_JAVA_OPTS:-} -Djava.library.path="$DDB/DynamoDBLocal_lib" \
    -cp "$DDB/DynamoDBLocal.jar:$DDB/launcher" LoopbackDynamoDBLocal \
    -inMemory -sharedDb -disableTelemetry -port "$DDB_PORT"

launch moto "$MOTO_HOME/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"

# s3s-fs: buckets are plain directories under its root; they can be created through the
# API (CreateBucket) or by mkdir. The root must exist; it is wiped on every start.
rm -rf "$S3S_DATA"
mkdir -p "$S3S_DATA"
RUST_LOG="${S3S_RUST_LOG:-info}" launch s3s "$S3S_FS_HOME/bin/s3s-fs" \
    --host 127.0.0.1 --port "$S3S_PORT" \
    --access-key "$S3S_KEY" --secret-key "$S3S_SECRET" "$S3S_DATA"

# ------------------------------------------------------------ wait until they answer
fail() {
    local name="$1" why="$2"
    log "ERROR: $name $why; last lines of $LOGS/$name.log:"
    tail -n 40 "$LOGS/$name.log" >&2 || true
    "$HERE/stop.sh" || true
    exit 1
}

deadline=$(( $(date +%s) + TIMEOUT ))
wait_up() { # wait_up <name> <pid> <url>
    local name="$1" pid="$2" url="$3"
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail "$name" "exited during startup"
        fi
        if answers "$url"; then
            log "$name is up at $url"
            return
        fi
        if (( $(date +%s) >= deadline )); then
            fail "$name" "did not answer on $url within ${TIMEOUT}s"
        fi
        sleep 0.5
    done
}

wait_up dynamodb "$dynamodb_PID" "http://127.0.0.1:$DDB_PORT/"
wait_up moto "$moto_PID" "http://127.0.0.1:$MOTO_PORT/moto-api/"
wait_up s3s "$s3s_PID" "http://127.0.0.1:$S3S_PORT/"

# ------------------------------------------------------------ env file for the tests
cat >"$ENV_FILE.tmp" <<EOF
export DYNAMODB_ENDPOINT=http://127.0.0.1:$DDB_PORT
export MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT
export S3S_ENDPOINT=http://127.0.0.1:$S3S_PORT
export S3S_ACCESS_KEY=$S3S_KEY
export S3S_SECRET_KEY=$S3S_SECRET
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_REGION=us-east-1
EOF
mv "$ENV_FILE.tmp" "$ENV_FILE"

log "all emulators up; env written to $ENV_FILE:"
sed 's/^/    /' "$ENV_FILE" >&2
