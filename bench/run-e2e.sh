#!/usr/bin/env bash
# End-to-end benchmark: bench/run-e2e.sh ROWS [e2e|baseline|baseline-outputs|compare] [pipeline: default|dedupe|join|join_inputs|group_by]
#   e2e (default): generates ROWS synthetic leads, starts `enrichflow serve` as a child process on a loopback
#                  port, uploads them and runs read_csv -> validate_email (no MX) -> filter -> transform through
#                  the HTTP API; prints rows/s, MB/s, the server's peak RSS and its CPU time during the run.
#   baseline:      the same per-row work in one plain Sep loop (no chunks, store, HTTP or durability).
#   compare:       both on the same leads in one invocation: the loop's rows/s, Enrichflow's end to end
#                  (upload -> run -> poll -> download the final CSV) rows/s, and their ratio.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-100000}"
mode="${2:-e2e}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/src/Enrichflow.Cli/Enrichflow.Cli.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
dotnet build "$root/bench/Enrichflow.Benchmarks/Enrichflow.Benchmarks.csproj" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
exec dotnet "$root/artifacts/bin/Enrichflow.Benchmarks/release/Enrichflow.Benchmarks.dll" "$mode" --rows "$rows" ${3:+--pipeline "$3"} \
  --work "${TMPDIR:-/tmp}/enrichflow-bench" --server "$root/artifacts/bin/Enrichflow.Cli/release/enrichflow.dll"
