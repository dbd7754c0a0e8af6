#!/usr/bin/env bash
# Fuzzes every route of the OpenAPI document with schemathesis (PyPI, installed on first use into
# the tool cache: tests/tool-cache.sh) against the local runtime with its demo data, once with a
# token of each role: the run must find no server error, every response as documented (status,
# content type, headers, schema), every 4xx in the error envelope, bad input refused and good input
# accepted.
# Writes tests/schemathesis-results.md. The local runtime runs on loopback, on a free port, over a
# temporary data folder, and is stopped by PID when the script ends (tests/local-runtime.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

version="4.32.5"
# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
venv="$(cached_venv schemathesis "schemathesis==$version")"
[[ "${1:-}" != --install-only ]] || exit 0

# shellcheck source=tests/local-runtime.sh
. tests/local-runtime.sh
start_local ROLLUP_INTERVAL_SECS=5 RUST_LOG=warn

results="${CARGO_TARGET_DIR:-target}/schemathesis"
rm -rf "$results" && mkdir -p "$results"
status=0
# fuzz <name> <token> [schemathesis options]: one run, its report in $results/<name>.json.
fuzz() {
    local name="$1" bearer="$2"
    shift 2
    echo "== schemathesis as $name"
    if ! "$venv/bin/schemathesis" --config-file tests/schemathesis.toml run "$base/openapi.json" \
        --header "Authorization: Bearer $bearer" \
        --checks all --exclude-checks use_after_free,ensure_resource_availability,object_level_authorization \
        --phases examples,coverage,fuzzing --max-examples 100 --seed 20261124 --generation-database none \
        --workers 1 --no-color --request-timeout 30 \
        --report json --report-json-path "$results/$name.json" "$@" \
        | tee "$results/$name.txt"; then
        status=1
    fi
}
for role in admin manager viewer agent user service; do
    fuzz "$role" "$(token "$role")"
done
# Seed 001's page has its data in the call-centre workspace (ws_demo has none, nor an agent
# profile for its agent): its routes again with that workspace's tokens.
for role in admin manager user agent; do
    fuzz "$role@ws_callcentre" "$(token "$role" ws_callcentre)" --include-path /api/dashboard/comprehensive/
done
# Seed 002's nine routes read the AI-agent workspace: again with its tokens.
for role in admin manager viewer user; do
    fuzz "$role@ws_agents" "$(token "$role" ws_agents)" \
        --include-path-regex '^/api/v1/dashboard/(executive|agents|users|workspace|leaderboards)'
done

python3 - "$results" "$version" <<'PY' >tests/schemathesis-results.md
import datetime, json, pathlib, sys
results, version = pathlib.Path(sys.argv[1]), sys.argv[2]
print("# Schemathesis over the OpenAPI document\n")
print(f"Written by `tests/schemathesis.sh` on {datetime.date.today()} with schemathesis {version}, against the local "
      "runtime with its demo data, once per token (of `ws_demo`, seed 001's route again with the tokens of `ws_callcentre` "
      "and seed 002's routes with those of `ws_agents`, where their data is); every check but the stateful ones (the API declares no links "
      "between operations) and `object_level_authorization` (the authorization matrix test covers it), with the "
      "exceptions of `tests/schemathesis.toml` (two rules JSON Schema cannot state). Phases: examples, coverage, fuzzing (100 cases per operation).\n")
print("| token | operations tested | test cases | failures | errors | warnings |")
print("|---|---|---|---|---|---|")
for role in ["admin", "manager", "viewer", "agent", "user", "service",
             *(f"{role}@ws_callcentre" for role in ["admin", "manager", "user", "agent"]),
             *(f"{role}@ws_agents" for role in ["admin", "manager", "viewer", "user"])]:
    report = json.loads((results / f"{role}.json").read_text())
    operations, cases = report["operations"], report["test_cases"]
    warnings = "; ".join(f"{kind.replace('_', ' ')}: {', '.join(ops)}" for kind, ops in report["warnings"].items() if ops) or "none"
    print(f"| {role} | {operations['tested']} of {operations['total']} | {cases['generated']} | "
          f"{cases['unique_failures']} | {len(report['errors'])} | {warnings} |")
print("\nWarnings are not failures: `missing auth` lists routes the token's role may not use (403, as documented); "
      "`validation mismatch` would be a route refusing most random date ranges (over 400 days, or reversed).")
PY
echo "Wrote tests/schemathesis-results.md"
exit "$status"
