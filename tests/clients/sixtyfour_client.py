#!/usr/bin/env python3
"""A Workflows API client written the way Sixtyfour's public docs show it (Python + requests).

Only the base URL and the API key change between Sixtyfour and Enrichflow:
    SIXTYFOUR_BASE_URL=http://127.0.0.1:8080 SIXTYFOUR_API_KEY=... python3 sixtyfour_client.py

Flow: list workflows, create webhook -> validate_email -> filter, run it with a webhook
payload of leads, poll live_status until the run ends, fetch the download links and
download the final output (the last link) without the API key, like a browser would.
Prints a one-line JSON summary on stdout; exits non-zero on any mismatch.

    python3 sixtyfour_client.py --foreign-run JOB_ID [--foreign-workflow WORKFLOW_ID]
reads a run (and workflow) that belongs to another organization and expects 404 everywhere.
"""

import csv
import io
import json
import os
import sys
import time

import requests

BASE_URL = os.environ.get("SIXTYFOUR_BASE_URL", "https://api.sixtyfour.ai").rstrip("/")
API_KEY = os.environ["SIXTYFOUR_API_KEY"]
HEADERS = {"x-api-key": API_KEY, "Content-Type": "application/json"}

POLL_INTERVAL_SECONDS = 1
POLL_TIMEOUT_SECONDS = 90
REQUEST_TIMEOUT_SECONDS = 30

GOOD_EMAILS = [
    "ada.lovelace@analytical-engines.com",
    "grace.hopper@cobol-systems.com",
    "alan.turing@bletchley-labs.com",
    "katherine.johnson@orbital-math.com",
    "linus.t@kernel-works.org",
    "margaret.hamilton@apollo-guidance.com",
    "dennis.ritchie@unix-labs.com",
    "barbara.liskov@substitution.io",
    "ken.thompson@plan-nine.dev",
    "radia.perlman@spanning-tree.net",
    "john.backus@fortran-works.com",
    "frances.allen@compiler-labs.com",
    "edsger.dijkstra@shortest-path.nl",
    "tim.bl@world-wide-web.org",
    "donald.knuth@tex-works.com",
]
BAD_EMAILS = [
    "not-an-email",
    "jane.doe@",
    "@missing-local.com",
    "two@@signs.com",
    "no-at-sign.example.org",
]


def fail(step, message, response=None):
    """Report a mismatch and stop with a non-zero exit code."""
    summary = {"ok": False, "step": step, "error": message}
    if response is not None:
        summary["status_code"] = response.status_code
        summary["body"] = response.text[:2000]
    print(json.dumps(summary))
    sys.exit(1)


def expect_status(step, response, expected=200):
    if response.status_code != expected:
        fail(step, f"expected HTTP {expected}, got {response.status_code}", response)
    try:
        return response.json()
    except ValueError:
        fail(step, "response is not JSON", response)
    return None


def build_leads():
    leads = []
    good = iter(GOOD_EMAILS)
    bad = iter(BAD_EMAILS)
    for i in range(len(GOOD_EMAILS) + len(BAD_EMAILS)):
        email = next(bad) if i % 4 == 1 else next(good)
        leads.append({"full_name": f"Lead {i + 1}", "company": f"Company {i + 1}", "email": email})
    return leads


def list_workflows():
    response = requests.get(f"{BASE_URL}/workflows", headers=HEADERS, timeout=REQUEST_TIMEOUT_SECONDS)
    workflows = expect_status("list_workflows", response)
    if not isinstance(workflows, list):
        fail("list_workflows", "GET /workflows did not return a list", response)
    return workflows


def create_workflow():
    payload = {
        "workflow_name": "Clean inbound leads",
        "workflow_description": "Validate lead emails and drop the invalid ones",
        "workflow_definition": {
            "blocks": [
                {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook",
                 "block_id": "incoming_leads", "specs": {"dataframe_type": "LEAD"}},
                {"sequence_number": 2, "block_type": "validate_email", "block_name": "validate_email",
                 "block_id": "check_emails", "specs": {"email_field": "email", "check_mx": False}},
                {"sequence_number": 3, "block_type": "filter", "block_name": "filter",
                 "block_id": "drop_invalid", "specs": {"expression": "[email_status] != 'invalid'"}},
            ],
            "edges": [
                {"from_block_id": "incoming_leads", "to_block_id": "check_emails"},
                {"from_block_id": "check_emails", "to_block_id": "drop_invalid"},
            ],
        },
    }
    response = requests.post(f"{BASE_URL}/workflows/create_workflow", headers=HEADERS, json=payload,
                             timeout=REQUEST_TIMEOUT_SECONDS)
    workflow = expect_status("create_workflow", response)
    if not workflow.get("id"):
        fail("create_workflow", "the created workflow has no id", response)
    return workflow


def run_workflow(workflow_id, leads):
    response = requests.post(f"{BASE_URL}/workflows/run", params={"workflow_id": workflow_id}, headers=HEADERS,
                             json={"webhook_payload": leads}, timeout=REQUEST_TIMEOUT_SECONDS)
    started = expect_status("run", response)
    if not started.get("job_id"):
        fail("run", "the run response has no job_id", response)
    if started.get("workflow_id") != workflow_id:
        fail("run", f"run answered workflow_id {started.get('workflow_id')!r}, sent {workflow_id!r}", response)
    return started


def wait_for_run(job_id):
    deadline = time.monotonic() + POLL_TIMEOUT_SECONDS
    polls = 0
    while True:
        response = requests.get(f"{BASE_URL}/workflows/runs/{job_id}/live_status", headers=HEADERS,
                                timeout=REQUEST_TIMEOUT_SECONDS)
        status = expect_status("live_status", response)
        polls += 1
        if status.get("overall_status") in ("completed", "failed", "cancelled"):
            return status, polls
        if time.monotonic() > deadline:
            fail("live_status", f"run did not finish within {POLL_TIMEOUT_SECONDS}s", response)
        time.sleep(POLL_INTERVAL_SECONDS)


def get_download_links(job_id):
    response = requests.get(f"{BASE_URL}/workflows/runs/{job_id}/results/download-links", headers=HEADERS,
                            timeout=REQUEST_TIMEOUT_SECONDS)
    links = expect_status("download_links", response)
    if not isinstance(links, list) or not links:
        fail("download_links", "expected a non-empty list of result files", response)
    return links


def download_rows(url):
    # A signed link: no x-api-key, as a browser or a curl in a shell script would fetch it.
    response = requests.get(url, timeout=REQUEST_TIMEOUT_SECONDS)
    if response.status_code != 200:
        fail("download", f"expected HTTP 200, got {response.status_code}", response)
    response.encoding = "utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def check_foreign_run(job_id, workflow_id):
    """With a key of another organization, every read of the run must be a 404 with a FastAPI detail."""
    paths = [f"/workflows/runs/{job_id}/live_status", f"/workflows/runs/{job_id}/results/download-links"]
    if workflow_id:
        paths.append(f"/workflows/{workflow_id}")
    results = {}
    ok = True
    for path in paths:
        response = requests.get(f"{BASE_URL}{path}", headers=HEADERS, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            detail = None
        results[path] = {"status_code": response.status_code, "detail": detail}
        if response.status_code != 404 or not isinstance(detail, str):
            ok = False
    print(json.dumps({"ok": ok, "job_id": job_id, "workflow_id": workflow_id, "responses": results}))
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "--foreign-run":
        workflow_id = argv[3] if len(argv) >= 4 and argv[2] == "--foreign-workflow" else None
        return check_foreign_run(argv[1], workflow_id)

    listed_before = list_workflows()
    workflow = create_workflow()
    workflow_id = workflow["id"]
    listed_after = list_workflows()
    if workflow_id not in [w.get("id") for w in listed_after]:
        fail("list_workflows", f"workflow {workflow_id} is missing from GET /workflows after create")

    leads = build_leads()
    started = run_workflow(workflow_id, leads)
    job_id = started["job_id"]

    status, polls = wait_for_run(job_id)
    if status.get("overall_status") != "completed":
        fail("live_status", f"run ended {status.get('overall_status')}: {status.get('error_message')}")

    links = get_download_links(job_id)
    final = links[-1]
    expected_emails = sorted(lead["email"] for lead in leads if lead["email"] in GOOD_EMAILS)
    rows = download_rows(final["download_url"])
    downloaded_emails = sorted(row.get("email") for row in rows)

    summary = {
        "ok": True,
        "client": "python-requests",
        "workflow_id": workflow_id,
        "job_id": job_id,
        "workflows_listed_before": len(listed_before),
        "workflows_listed_after": len(listed_after),
        "leads_sent": len(leads),
        "expected_valid": len(expected_emails),
        "overall_status": status.get("overall_status"),
        "overall_progress_percentage": status.get("overall_progress_percentage"),
        "polls": polls,
        "files": [link.get("filename") for link in links],
        "final_row_count": final.get("row_count"),
        "downloaded_rows": len(rows),
    }
    problems = []
    if final.get("row_count") != len(expected_emails):
        problems.append(f"last link row_count {final.get('row_count')} != expected {len(expected_emails)}")
    if len(rows) != len(expected_emails):
        problems.append(f"downloaded {len(rows)} rows != expected {len(expected_emails)}")
    if downloaded_emails != expected_emails:
        problems.append("downloaded emails differ from the valid leads sent")
    if problems:
        summary["ok"] = False
        summary["errors"] = problems
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
