#!/usr/bin/env bash
# Builds Enrichflow and runs every test project; ends with "N passed, N failed".
# Usage: ./test.sh [extra xunit v3 runner arguments, e.g. -class Enrichflow.Server.Tests.RunApiTests]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

config=Release
echo "==> building (dotnet build -c $config)"
dotnet build Enrichflow.slnx -c "$config" -nologo -clp:ErrorsOnly -v:minimal

# S3 (issue 13): a throwaway S3-protocol server for tests/Enrichflow.Storage.Tests/S3 (scripts/s3.sh), stopped on exit.
scripts/s3.sh start
eval "$(scripts/s3.sh env)"
trap 'scripts/s3.sh stop' EXIT

results=artifacts/test-results
rm -rf "$results" && mkdir -p "$results"
status=0
for csproj in tests/*Tests/*.csproj; do
  name=$(basename "$csproj" .csproj)
  dll="artifacts/bin/$name/${config,,}/$name.dll"
  echo "==> $name"
  if ! dotnet "$dll" -noColor -result-xml "$results/$name.xml" "$@"; then
    status=1
  fi
done

python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for assembly in ET.parse(path).getroot().iter("assembly"):
        passed += int(assembly.get("passed", 0))
        failed += int(assembly.get("failed", 0)) + int(assembly.get("errors", 0))
        skipped += int(assembly.get("skipped", 0))
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
