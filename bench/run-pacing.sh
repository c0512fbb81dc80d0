#!/usr/bin/env bash
# Pacing benchmark: bench/run-pacing.sh [ROWS] [more options for the pacing mode, e.g. --set Engine:Workers=8 --append]
#   Starts a fake Sixtyfour (600 requests/min, 2-30 s latency, 70% found) in the bench process and `enrichflow serve`
#   as a child process pointed at it, runs webhook -> enrich_company over ROWS (default 5000) distinct companies,
#   samples every second (calls in the last 60 s, in flight, server RSS and CPU, progress), prints a line per 10 s
#   and writes the summary to bench/results/pacing.md. Exits 1 when the run used < 95% of the limit once warm,
#   exceeded it in any 60-s window, or got a 429. 5,000 rows take about 9 minutes.
#   ArtifactsPath (environment) selects the build output tree, as for every build of this repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-5000}"
shift || true
artifacts="${ArtifactsPath:-$root/artifacts}"
build="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$root" diff --quiet HEAD -- src 2>/dev/null || build="$build (with uncommitted changes in src/)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/src/Enrichflow.Cli/Enrichflow.Cli.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
dotnet build "$root/bench/Enrichflow.Benchmarks/Enrichflow.Benchmarks.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
exec dotnet "$artifacts/bin/Enrichflow.Benchmarks/release/Enrichflow.Benchmarks.dll" pacing --rows "$rows" --rpm 600 --latency 2-30 \
  --work "${TMPDIR:-/tmp}/enrichflow-pacing" --server "$artifacts/bin/Enrichflow.Cli/release/enrichflow.dll" \
  --out "$root/bench/results/pacing.md" --reproduce "bench/run-pacing.sh $rows${*:+ $*}" --build "$build" "$@"
