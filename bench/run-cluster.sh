#!/usr/bin/env bash
# Scale-out benchmark (issue 13): bench/run-cluster.sh cpu [ROWS] [WORKERS]   or   bench/run-cluster.sh provider [CALLS] [WORKERS] [RPM]
#   Starts a throwaway PostgreSQL (scripts/postgres.sh) and S3 server (scripts/s3.sh), both stopped at the end, then
#   cpu:      for each worker count in WORKERS (default 1,2,3): one `enrichflow serve` (API only) and that many
#             `enrichflow worker` processes on a fresh database and bucket run read_csv -> validate_email -> filter ->
#             transform over ROWS (default 1,000,000) generated leads; prints run time, rows/s, the workers' and the API's
#             CPU seconds and live_status p50/p99 (polled every 50 ms during the run).
#   provider: enrich_company over CALLS (default 3,000) distinct companies against a fake provider that allows RPM
#             (default 1,200) requests a minute, with WORKERS (default 3) workers; prints the rate kept once warm
#             (after the first minute) against the limit, the most calls in any 60 s and the 429s.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-cpu}"
if [ "$mode" = provider ]; then rows="${2:-3000}"; workers="${3:-3}"; else rows="${2:-1000000}"; workers="${3:-1,2,3}"; fi
rpm="${4:-1200}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ENRICHFLOW_PG_STATE="${ENRICHFLOW_PG_STATE:-$(mktemp -u /tmp/enrichflow-postgres-bench.XXXXXX.state)}"
dotnet build "$root/src/Enrichflow.Cli/Enrichflow.Cli.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
dotnet build "$root/bench/Enrichflow.Benchmarks/Enrichflow.Benchmarks.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
# s3rver's state is per checkout: one the tests started keeps running after the benchmark.
s3_was_running=false
"$root/scripts/s3.sh" env >/dev/null 2>&1 && s3_was_running=true
trap '"$root/scripts/postgres.sh" stop; $s3_was_running || "$root/scripts/s3.sh" stop' EXIT
"$root/scripts/postgres.sh" start </dev/null >&2
eval "$("$root/scripts/postgres.sh" env)"
"$root/scripts/s3.sh" start </dev/null >&2
eval "$("$root/scripts/s3.sh" env)"
dotnet "$root/artifacts/bin/Enrichflow.Benchmarks/release/Enrichflow.Benchmarks.dll" cluster "$mode" --rows "$rows" --workers "$workers" --rpm "$rpm" \
  --work "${TMPDIR:-/tmp}/enrichflow-cluster-bench" --server "$root/artifacts/bin/Enrichflow.Cli/release/enrichflow.dll"
