#!/usr/bin/env bash
# A throwaway S3-protocol server (s3rver, pinned in scripts/s3rver/package-lock.json) on 127.0.0.1 for the tests.
#   scripts/s3.sh start   installs node (Debian's nodejs/npm) and s3rver (into .tools/s3rver) when missing, and starts
#                         the server on a free loopback port with its objects in a temp directory (idempotent)
#   scripts/s3.sh env     prints the exports the tests read: ENRICHFLOW_TEST_S3 (its address) and the credentials it accepts
#   scripts/s3.sh stop    stops it and removes its directory
# Usage with the tests: scripts/s3.sh start && eval "$(scripts/s3.sh env)" && dotnet artifacts/bin/.../Enrichflow.Storage.Tests.dll
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.tools/s3rver
run=$tools/run
# The one key pair s3rver knows (it checks the access key id, not the V4 signature).
access_key=S3RVER
secret_key=S3RVER

install() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "s3.sh: installing nodejs and npm (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null >/dev/null
    apt-get install -y -qq nodejs npm </dev/null >/dev/null
  fi
  if [[ ! -d $tools/node_modules/s3rver ]] || ! cmp -s scripts/s3rver/package-lock.json "$tools/package-lock.json"; then
    echo "s3.sh: installing s3rver (npm ci)" >&2
    mkdir -p "$tools"
    cp scripts/s3rver/package.json scripts/s3rver/package-lock.json "$tools/"
    (cd "$tools" && CI=true npm ci --no-audit --no-fund --ignore-scripts --loglevel=error </dev/null >/dev/null)
  fi
}

running() { [[ -f $run/pid ]] && kill -0 "$(cat "$run/pid")" 2>/dev/null; }

start() {
  if running && [[ -s $run/port ]]; then
    return 0
  fi
  install
  rm -rf "$run" && mkdir -p "$run"
  local data
  data=$(mktemp -d "${TMPDIR:-/tmp}/enrichflow-s3.XXXXXX")
  echo "$data" >"$run/data"
  NODE_PATH="$PWD/$tools/node_modules" setsid node scripts/s3rver/serve.js 0 "$data" "$PWD/$run/port" \
    </dev/null >"$run/log" 2>&1 &
  echo $! >"$run/pid"
  for _ in $(seq 1 100); do
    if [[ -s $run/port ]]; then
      echo "s3.sh: s3rver listening on http://127.0.0.1:$(cat "$run/port")" >&2
      return 0
    fi
    if ! running; then
      break
    fi
    sleep 0.1
  done
  echo "s3.sh: s3rver did not start; its log ($run/log):" >&2
  cat "$run/log" >&2
  stop
  return 1
}

stop() {
  if running; then
    kill "$(cat "$run/pid")" 2>/dev/null || true
  fi
  if [[ -f $run/data ]]; then
    rm -rf "$(cat "$run/data")"
  fi
  rm -rf "$run"
}

env() {
  if ! running || [[ ! -s $run/port ]]; then
    echo "s3.sh: no s3rver is running; run scripts/s3.sh start first" >&2
    return 1
  fi
  echo "export ENRICHFLOW_TEST_S3=http://127.0.0.1:$(cat "$run/port") ENRICHFLOW_TEST_S3_ACCESS_KEY=$access_key ENRICHFLOW_TEST_S3_SECRET_KEY=$secret_key"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env ;;
  *) echo "usage: scripts/s3.sh start|stop|env" >&2; exit 2 ;;
esac
