#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium and its WebDriver (packages chromium, chromium-driver) when missing, for
# tests/Enrichflow.Browser.Tests, and prints their paths as two lines: CHROMIUM=... and CHROMEDRIVER=...
# Idempotent and non-interactive; needs root (apt-get) only when something is missing.
set -euo pipefail
find_paths() {
  chromium=$(command -v chromium || true)
  driver=$(command -v chromedriver || true)
}
find_paths
if [[ -z $chromium || -z $driver ]]; then
  echo "chromium.sh: installing chromium and chromium-driver (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null >/dev/null
  apt-get install -y -qq --no-install-recommends chromium chromium-driver </dev/null >/dev/null
  find_paths
fi
if [[ -z $chromium || -z $driver ]]; then
  echo "chromium.sh: chromium or chromedriver is still missing after apt-get install" >&2
  exit 1
fi
echo "CHROMIUM=$chromium"
echo "CHROMEDRIVER=$driver"
