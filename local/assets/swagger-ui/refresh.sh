#!/usr/bin/env bash
# Refreshes the vendored Swagger UI files the local runtime serves at /docs, from the npm
# registry's swagger-ui-dist (no CDN, no GitHub): `local/assets/swagger-ui/refresh.sh [version]`.
# The files are committed, so building and running need neither npm nor a network.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:-5.35.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
    cp "$work/package/$file" "$here/$file"
done
printf '%s\n' "$version" >"$here/VERSION"
echo "swagger-ui-dist $version copied into $here"
