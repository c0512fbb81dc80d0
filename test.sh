#!/usr/bin/env bash
# Builds Enrichflow and runs every test project; ends with "N passed, N failed".
# Usage: ./test.sh [extra xunit v3 runner arguments, e.g. -class Enrichflow.Server.Tests.RunApiTests]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

config=Release
echo "==> building (dotnet build -c $config)"
dotnet build Enrichflow.slnx -c "$config" -nologo -clp:ErrorsOnly -v:minimal

# Throwaway servers for the scaled-out backends' tests (issue 13), both stopped on exit: PostgreSQL
# (scripts/postgres.sh, ENRICHFLOW_TEST_POSTGRES) and an S3-protocol server (scripts/s3.sh, ENRICHFLOW_TEST_S3).
export ENRICHFLOW_PG_STATE="${ENRICHFLOW_PG_STATE:-$(mktemp -u /tmp/enrichflow-postgres-test.XXXXXX.state)}"
trap 'scripts/postgres.sh stop; scripts/s3.sh stop' EXIT
scripts/postgres.sh start </dev/null
eval "$(scripts/postgres.sh env)"
scripts/s3.sh start </dev/null
eval "$(scripts/s3.sh env)"

# Headless Chromium and its driver from Debian's packages for tests/Enrichflow.Browser.Tests (installed when missing).
export $(scripts/chromium.sh </dev/null)

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
failures = []
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for assembly in ET.parse(path).getroot().iter("assembly"):
        passed += int(assembly.get("passed", 0))
        failed += int(assembly.get("failed", 0)) + int(assembly.get("errors", 0))
        skipped += int(assembly.get("skipped", 0))
        for test in assembly.iter("test"):
            if test.get("result") == "Fail":
                failures.append(test)
# The failures again, just above the summary, so that a log cut to its tail still names them.
for test in failures:
    print(f"FAILED {test.get('name')}")
    message = test.findtext("failure/message") or ""
    for line in message.strip().splitlines()[:12]:
        print(f"    {line}")
    trace = test.findtext("failure/stack-trace") or ""
    for line in [l for l in trace.strip().splitlines() if "Enrichflow" in l][:6]:
        print(f"    {line.strip()}")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
