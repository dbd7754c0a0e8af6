#!/usr/bin/env bash
# The dashboard page in a real browser: headless Chromium (Debian's package, installed with apt if
# missing) driven by Playwright for Python and pytest (PyPI, installed once into the tool cache:
# tests/tool-cache.sh; Playwright's own browser download is never used), against the local runtime
# with its demo data (tests/local-runtime.sh). First with the development secret on loopback, where
# the page signs itself in through POST /dev/token (tests/browser/test_dev_runtime.py for the
# campaign stats, test_call_centre.py for seed 001's page of each role, test_ads.py for seed 000's
# ad campaigns, test_workspace_analytics.py for seed 002's AI workspace), then with another secret,
# where that route is absent and the page takes a pasted token (test_pasted_token.py). Screenshots
# go to <target dir>/screenshots/.
#
# README_SCREENSHOT=docs/dashboard-campaign-stats.png tests/browser.sh also writes the README's
# screenshot there (128 colours, to keep it small).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    echo "installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
venv="$(cached_venv playwright "playwright==1.65.2" "pytest==9.2.0" "pillow==13.0.0")"

screenshots="${CARGO_TARGET_DIR:-target}/screenshots"
rm -rf "$screenshots" && mkdir -p "$screenshots"
export CHROMIUM="$(command -v chromium)" SCREENSHOTS="$screenshots" PYTHONDONTWRITEBYTECODE=1
if [[ -n "${README_SCREENSHOT:-}" ]]; then export README_SCREENSHOT="$PWD/$README_SCREENSHOT"; fi
pytest() { "$venv/bin/python" -m pytest -p no:cacheprovider -v --tb=short "$@"; }

# shellcheck source=tests/local-runtime.sh
. tests/local-runtime.sh

echo "== the dashboard page, signed in by the development token route"
start_local RUST_LOG=warn
DASHBOARD_BASE="$base" VIEWER_TOKEN="$(token viewer)" pytest tests/browser/test_dev_runtime.py tests/browser/test_call_centre.py \
    tests/browser/test_ads.py tests/browser/test_workspace_analytics.py

echo "== the dashboard page with another secret: a pasted token"
kill "$local_pid" && wait "$local_pid" || true
# The same data folder: the demo data is there already.
start_local RUST_LOG=warn JWT_SECRET="browser-test-secret-$RANDOM-of-at-least-32-bytes"
DASHBOARD_BASE="$base" VIEWER_TOKEN="$(token viewer)" CALL_CENTRE_AGENT_TOKEN="$(token agent ws_callcentre)" \
    ADS_USER_TOKEN="$(token user)" AGENTS_ADMIN_TOKEN="$(token admin ws_agents)" \
    pytest tests/browser/test_pasted_token.py
echo "Screenshots in $screenshots: $(cd "$screenshots" && echo *.png)"
