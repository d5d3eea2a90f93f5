#!/usr/bin/env bash
# Rebuild the query page's SPARQL editor (CodeMirror 6 + its SPARQL mode) into one committed file,
# src/metkg/web/app/static/vendor/editor.js, with the licences of what it bundles beside it.
# Needs Node and npm (packages pinned in scripts/editor/package.json); the server never does:
# the built file is committed, and the query page works without it (a plain textarea).
#
#   bash scripts/build-editor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/metkg/web/app/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/editor/package.json scripts/editor/editor.js "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent && \
    npx esbuild editor.js --bundle --minify --format=iife --target=es2020 --legal-comments=none --outfile=editor.js.out)
mkdir -p "$out"
cp "$work/editor.js.out" "$out/editor.js"
{
    echo "vendor/editor.js bundles these npm packages (built by scripts/build-editor.sh):"
    echo
    for dir in "$work"/node_modules/@codemirror/* "$work"/node_modules/@lezer/* "$work"/node_modules/style-mod \
        "$work"/node_modules/w3c-keyname "$work"/node_modules/crelt "$work"/node_modules/@marijn/*; do
        [ -f "$dir/package.json" ] || continue
        name=$(node -p "require('$dir/package.json').name + ' ' + require('$dir/package.json').version")
        echo "================================================================"
        echo "$name"
        echo "================================================================"
        cat "$dir"/LICENSE* 2>/dev/null || echo "(licence: $(node -p "require('$dir/package.json').license"))"
        echo
    done
} > "$out/editor.LICENSES.txt"
echo "wrote $out/editor.js ($(wc -c < "$out/editor.js") bytes) and $out/editor.LICENSES.txt" >&2
