#!/usr/bin/env bash
# Measures each Lambda function's cold start and keeps the numbers in tests/aws-results.md (its
# "Lambda cold start" section; the rest of the file is left as it is). Builds the release
# bootstraps of every function for this machine's architecture in one cargo call (size-optimised
# with fat LTO: several minutes), starts the emulators if they are not running (DynamoDB Local
# and moto, which serves SSM here), and runs tests/cold-start.py: each bootstrap is spawned against
# a fake Lambda Runtime API on loopback, with the environment Lambda and the template give it, 20
# times; it reports the time to the first `next` poll and to the first response, and what each
# function connects to before its first poll (strace, installed through apt if missing). Not part
# of tests/run.sh: it measures, it does not test.
set -euo pipefail
cd "$(dirname "$0")/.."

starts="${COLD_STARTS:-20}"
target="${CARGO_TARGET_DIR:-target}"
work="$target/cold-start"
results="tests/aws-results.md"
heading="## Lambda cold start"

if ! command -v strace >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends strace >/dev/null
fi

# shellcheck source=infra/functions.sh
. infra/functions.sh
echo "== cargo build --release ${function_packages[*]}"
nice -n 10 cargo build --release --locked "${function_packages[@]}"

# Emulators already running (tests/measure-aws.sh leaves them so) are reused and left running.
[[ -f .tools/emulators/pids ]] || trap 'tests/emulators/stop.sh' EXIT
tests/emulators/start.sh
set -a
# shellcheck disable=SC1091
. .tools/emulators/env
set +a
eval "$(tests/emulators/install.sh)" # MOTO_HOME: its Python has boto3 and PyYAML

rm -rf "$work" && mkdir -p "$work"
load_average="$(cut -d' ' -f1 /proc/loadavg)"
"$MOTO_HOME/bin/python" -B tests/cold-start.py --bin-dir "$target/release" --starts "$starts" \
    --logs "$work" --out "$work/table.md" "${functions[@]}"

kept="$(mktemp)"
sed "/^$heading/,\$d" "$results" >"$kept"
{
    cat "$kept"
    cat <<SECTION
$heading

Written by \`tests/cold-start.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)), $(rustc --version),
load average $load_average at the start (other work shares the cores: the figures move by a few ms
from run to run).
Each function's release bootstrap for this machine (\`cargo build --release\`: the profile of the
Lambda zips, opt-level z, fat LTO, stripped; x86-64 here, where the zips are arm64) is spawned
$starts times against a fake Lambda Runtime API on loopback (\`tests/cold-start.py\`), with the
environment Lambda sets and the template's variables, the SDK's endpoints pointed at DynamoDB Local
and at moto for SSM. Times run from the spawn to the first \`GET /2018-06-01/runtime/invocation/next\`
(the init) and to the POST of the response to the one invocation handed out (a sample payload of
\`events/\` with a valid token; ingest's events made new and recent). One unmeasured start of each
function comes first (it creates the table; each binary is then in the page cache, as a warm host's
would be). Lambda gives a 256 MB function a fraction of a core and reaches SSM over TLS in its region;
here each start has a whole core and plain HTTP on loopback, so in AWS the SSM read costs more (a DNS
lookup, a TLS handshake and a round trip: typically tens of ms), hence the "secret inline" row. The
published figure for a Rust arm64 function is 13 to 19 ms of init.

SECTION
    cat "$work/table.md"
} >"$results"
rm -f "$kept"
echo "Wrote the cold-start section of $results"
cat "$work/table.md"
