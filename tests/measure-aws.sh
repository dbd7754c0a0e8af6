#!/usr/bin/env bash
# Measures the AWS path and keeps the numbers in tests/aws-results.md: DynamoDB calls per request of
# every route and writes per ingested event at batch sizes 1, 25 and 500 (counted by the test
# `dynamodb_calls_per_route_are_pinned_and_writes_per_event_are_measured` on DynamoDB Local), and
# the size of each Lambda zip (infra/build-lambdas.sh). Starts the emulators if they are not running
# and leaves them running (tests/emulators/stop.sh stops them).
set -euo pipefail
cd "$(dirname "$0")/.."

tests/emulators/start.sh
set -a
# shellcheck disable=SC1091
. .tools/emulators/env
set +a

calls="$(mktemp)"
trap 'rm -f "$calls"' EXIT
AWS_RESULTS_OUT="$calls" cargo test -p tests --features emulators --test aws --locked -- \
    api::dynamodb_calls_per_route_are_pinned_and_writes_per_event_are_measured --exact

infra/build-lambdas.sh

{
    echo "# AWS path: measured"
    echo
    echo "Written by \`tests/measure-aws.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(rustc --version)."
    echo
    cat "$calls"
    echo
    echo "## Lambda zips (cargo lambda build --release --arm64)"
    echo
    cat "${CARGO_TARGET_DIR:-target}/lambda/sizes.md"
} >tests/aws-results.md
echo "Wrote tests/aws-results.md"
