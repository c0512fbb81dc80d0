#!/usr/bin/env bash
# Load benchmark: bench/run-load.sh [more options for the load mode, e.g. --orgs 5 --runs-per-org 10 --rows 20000 --status-rps 200]
#   Makes API keys of 5 organizations with `enrichflow keys create`, starts `enrichflow serve` as a child process on a
#   loopback port, and for DURATION seconds (default 300) keeps each organization's 10 runs of 20,000 rows in flight
#   (read_csv -> validate_email (no MX) -> filter -> transform; a run that ends is replaced) while sending 200
#   status requests (live_status) a second, open loop. Prints status p50/p99, when each organization's first-wave
#   runs completed, runs completed per organization, errors and the server's peak RSS (VmHWM), and writes the
#   summary to bench/results/load.md. Exits 1 on any error. DURATION=60 for a shorter run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-300}"
artifacts="${ArtifactsPath:-$root/artifacts}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/src/Enrichflow.Cli/Enrichflow.Cli.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
dotnet build "$root/bench/Enrichflow.Benchmarks/Enrichflow.Benchmarks.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
exec dotnet "$artifacts/bin/Enrichflow.Benchmarks/release/Enrichflow.Benchmarks.dll" load --duration "$duration" \
  --work "${TMPDIR:-/tmp}/enrichflow-load" --server "$artifacts/bin/Enrichflow.Cli/release/enrichflow.dll" \
  --out "$root/bench/results/load.md" "$@"
