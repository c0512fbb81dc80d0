#!/usr/bin/env bash
# Copies the dashboard's libraries from npm into src/Enrichflow.Server/wwwroot/vendor/ (committed, so a checkout needs
# no npm): each pinned package is fetched with `npm pack` into a temp directory and its browser build and licence are
# copied. Run it again after changing a version below; the server embeds whatever is in vendor/ at build time.
#   preact + hooks   the UI (components, state), as ES modules, no build step
#   htm              JSX-like tagged templates for preact, so the sources run as written
#   @dagrejs/dagre   the layered layout of a workflow's DAG (graphlib bundled in its ESM build)
#   chart.js         the usage chart (UMD build, sets window.Chart)
set -euo pipefail
cd "$(dirname "$0")/.."
PREACT=11.2.0
HTM=3.1.1
DAGRE=3.1.3
CHARTJS=4.6.1

out=src/Enrichflow.Server/wwwroot/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unpack() { # unpack NAME@VERSION DIR
  (cd "$tmp" && npm pack "$1" --silent --loglevel=error </dev/null >/dev/null)
  local tgz
  tgz=$(ls -t "$tmp"/*.tgz | head -1)
  mkdir -p "$tmp/$2" && tar xzf "$tgz" -C "$tmp/$2" && rm "$tgz"
}
unpack "preact@$PREACT" preact
unpack "htm@$HTM" htm
unpack "@dagrejs/dagre@$DAGRE" dagre
unpack "chart.js@$CHARTJS" chartjs

rm -rf "$out" && mkdir -p "$out"
cp "$tmp/preact/package/dist/preact.mjs" "$out/preact.mjs"
# hooks import the bare name "preact"; point it at the file beside it (no import map, so the page's CSP needs no inline script).
sed 's#from"preact"#from"./preact.mjs"#g; s#from "preact"#from "./preact.mjs"#g' "$tmp/preact/package/hooks/dist/hooks.mjs" > "$out/preact-hooks.mjs"
cp "$tmp/preact/package/LICENSE" "$out/preact.LICENSE"
cp "$tmp/htm/package/dist/htm.mjs" "$out/htm.mjs"
cp "$tmp/htm/package/LICENSE" "$out/htm.LICENSE"
cp "$tmp/dagre/package/dist/dagre.esm.js" "$out/dagre.esm.js"
cp "$tmp/dagre/package/LICENSE" "$out/dagre.LICENSE"
cp "$tmp/dagre/package/dist/dagre.esm.js.LEGAL.txt" "$out/dagre.LEGAL.txt"
cp "$tmp/chartjs/package/dist/chart.umd.min.js" "$out/chart.umd.min.js"
cp "$tmp/chartjs/package/LICENSE.md" "$out/chart.js.LICENSE"
# Sources that the minified files point at are not shipped.
sed -i '/^\/\/# sourceMappingURL=/d' "$out"/*.mjs "$out"/*.js
sed -i "s/dagre.esm.js.LEGAL.txt/dagre.LEGAL.txt/" "$out/dagre.esm.js"
cat > "$out/VERSIONS" <<VERSIONS
preact $PREACT
htm $HTM
@dagrejs/dagre $DAGRE
chart.js $CHARTJS
VERSIONS
ls -l "$out"
