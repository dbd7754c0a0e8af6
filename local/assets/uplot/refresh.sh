#!/usr/bin/env bash
# Refreshes the vendored uPlot files the dashboard page at / draws its charts with, from the npm
# registry's uplot package (no CDN, no GitHub): `local/assets/uplot/refresh.sh [version]`.
# The files are committed, so building and running need neither npm nor a network.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:-1.6.32}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$version" >/dev/null && tar xzf uplot-*.tgz)
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$here/"
printf '%s\n' "$version" >"$here/VERSION"
echo "uplot $version copied into $here"
