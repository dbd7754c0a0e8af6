#!/usr/bin/env bash
# Validates infra/template.yaml with the SAM CLI, cfn-lint and checkov.
#
# Installs the linters into one venv in the tool cache on first use (tests/tool-cache.sh; later runs
# and later clones reuse it), then runs:
#   sam validate --lint --template infra/template.yaml
#   cfn-lint infra/template.yaml
#   checkov -f infra/template.yaml --framework cloudformation --skip-download --config-file infra/.checkov.yaml
# The checks work offline and without AWS credentials (dummy ones are exported for this script
# only); only the first install needs PyPI.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

template="infra/template.yaml"
checkov_config="infra/.checkov.yaml"

# Exact versions, known to pass together. In one venv they must share boto3: aws-sam-cli pins it,
# and checkov 3.3.x pins an older one, so checkov stays on the newest 3.2 release. To upgrade, bump
# these, run this script, and fix what the new rules find. A change here installs a new venv.
requirements=(
    "aws-sam-cli==1.170.0"
    "cfn-lint==1.58.0"
    "checkov==3.2.459"
)

export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export AWS_REGION="${AWS_REGION:-$AWS_DEFAULT_REGION}"
# sam validate --lint never calls AWS, but botocore wants credentials to exist. Dummy ones, and no
# profile or metadata lookups, keep it offline.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-AKIAIOSFODNN7EXAMPLE}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}"
export AWS_EC2_METADATA_DISABLED=true
# checkov: no calls to the Prisma Cloud platform, no check for a newer release.
export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n==> %s\n' "$*"; }

# shellcheck source=tests/tool-cache.sh
. tests/tool-cache.sh
venv="$(cached_venv sam-cfn-lint-checkov "${requirements[@]}")"
[[ "${1:-}" != --install-only ]] || exit 0
export PATH="$venv/bin:$PATH"
step "versions"
sam --version
cfn-lint --version
checkov --version

step "sam validate --lint --template $template"
sam validate --lint --template "$template"

step "cfn-lint $template"
cfn-lint "$template"

step "checkov -f $template --framework cloudformation --skip-download --config-file $checkov_config"
checkov -f "$template" --framework cloudformation --skip-download --config-file "$checkov_config"

# checkov checks only the resources whose Condition holds with the parameters' defaults, so the
# optional dashboard page (DeployDashboardPage, off by default) is checked in a copy with it on.
with_page="$(mktemp -d)/template.yaml"
awk '/^  DeployDashboardPage:$/ { on = 1 } on && /^    Default: "false"$/ { sub(/"false"/, "\"true\""); on = 0 } { print }' \
    "$template" >"$with_page"
grep -A2 '^  DeployDashboardPage:$' "$with_page" | grep -q 'Default: "true"' ||
    { echo "could not switch DeployDashboardPage on in a copy of $template" >&2; exit 1; }
step "checkov with DeployDashboardPage=true"
checkov -f "$with_page" --framework cloudformation --skip-download --config-file "$checkov_config"

step "all infra checks passed"
