#!/usr/bin/env bash
# Uploads the dashboard page's files to a stack deployed with DeployDashboardPage=true, in the layout
# the local runtime serves them (local/src/dashboard_page.rs: index.html at the root, the rest under
# dashboard/, uPlot under dashboard/uplot/), then invalidates the distribution's cached copies:
#
#   infra/deploy-dashboard.sh <stack-name>
#
# Needs the AWS CLI and credentials allowed to write the bucket and invalidate the distribution.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: infra/deploy-dashboard.sh <stack-name>}"

output() {
    aws cloudformation describe-stacks --stack-name "$stack" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket="$(output DashboardPageBucketName)"
if [[ -z "$bucket" || "$bucket" == None ]]; then
    echo "stack $stack has no dashboard page: deploy it with DeployDashboardPage=true" >&2
    exit 1
fi
distribution="$(aws cloudformation describe-stack-resource --stack-name "$stack" \
    --logical-resource-id DashboardDistribution --query StackResourceDetail.PhysicalResourceId --output text)"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/dashboard/uplot"
cp -R local/assets/dashboard/. "$staging/dashboard/"
mv "$staging/dashboard/index.html" "$staging/index.html"
cp local/assets/uplot/uPlot.iife.min.js local/assets/uplot/uPlot.min.css "$staging/dashboard/uplot/"

# Names do not change between versions, so browsers revalidate every file (as locally).
aws s3 sync "$staging/" "s3://$bucket/" --delete --cache-control no-cache
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" >/dev/null
echo "Uploaded to s3://$bucket; the page is at $(output DashboardPageUrl)"
