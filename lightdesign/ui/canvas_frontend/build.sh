#!/usr/bin/env bash
# Rebuild the canvas bundle (static/lightdesign-canvas.js at the app root) from the npm registry's packages when its
# sources changed since the committed build; built/stamp holds the sources' checksum.
# Without npm the committed bundle is used as it is (the app itself never needs Node).
set -euo pipefail
cd "$(dirname "$0")"
stamp=$(cat package.json package-lock.json build.mjs src/* | sha256sum | cut -d' ' -f1)
if [ -f ../../../static/lightdesign-canvas.js ] && [ "$(cat built/stamp 2>/dev/null)" = "$stamp" ]; then
    echo "canvas bundle up to date"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "canvas sources changed but npm is missing: using the committed bundle" >&2
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
mkdir -p built
echo "$stamp" >built/stamp
echo "canvas bundle rebuilt"
