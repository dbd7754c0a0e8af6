#!/usr/bin/env bash
# The local runtime pointed at DynamoDB by environment alone, as README's "On AWS" section says:
# starts `local` (no demo data) on DynamoDB Local, ingests three events through HTTP, and checks
# the stats it serves and another workspace's 404. Needs the emulators' env (tests/run.sh sources
# it; or run tests/emulators/start.sh and source .tools/emulators/env first).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DYNAMODB_ENDPOINT:?start the emulators and source .tools/emulators/env first}"
# shellcheck source=tests/local-runtime.sh
. tests/local-runtime.sh
start_local STORAGE=dynamodb TABLE_NAME="local-smoke-$RANDOM$RANDOM" DYNAMODB_CREATE_TABLE=1 \
    AWS_ENDPOINT_URL_DYNAMODB="$DYNAMODB_ENDPOINT" DEMO=0 ROLLUP_INTERVAL_SECS=1
other="$(stranger_token)"

now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
events=$(cat <<JSON
{"events": [
  {"id": "smoke-1", "type": "campaign.upserted", "occurred_at": "$now", "data": {"campaign_id": "cmp_smoke", "name": "Smoke"}},
  {"id": "smoke-2", "type": "call.completed", "occurred_at": "$now",
   "data": {"call_id": "k1", "campaign_id": "cmp_smoke", "call_type": "outbound", "outcome": "completed", "duration_s": 120}},
  {"id": "smoke-3", "type": "call.completed", "occurred_at": "$now",
   "data": {"call_id": "k2", "campaign_id": "cmp_smoke", "call_type": "outbound", "outcome": "busy", "duration_s": 4}}
]}
JSON
)
ingested="$(curl -sS -X POST "$base/api/v1/events" -H "Authorization: Bearer $(token service)" \
    -H 'Content-Type: application/json' -d "$events")"
stats="$(curl -sS "$base/api/campaigns/cmp_smoke/stats?include_time_series=false" -H "Authorization: Bearer $(token viewer)")"
hidden="$(curl -sS -o /dev/null -w '%{http_code}' "$base/api/campaigns/cmp_smoke/stats" -H "Authorization: Bearer $other")"

python3 - "$ingested" "$stats" "$hidden" <<'PY'
import json, sys
ingested, stats, hidden = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
assert ingested["accepted"] == 3, ingested
assert stats["campaign_name"] == "Smoke", stats
assert stats["calls"]["total_attempts"] == 2 and stats["calls"]["busy"] == 1, stats["calls"]
assert stats["duration"]["total_seconds"] == 124 and stats["duration"]["max_seconds"] == 120, stats["duration"]
assert stats["rates"]["answer_rate"] == 0.5, stats["rates"]
assert hidden == "404", hidden
print("local runtime on DynamoDB Local: ingest and stats agree")
PY
