// A Workflows API client written the way Sixtyfour's public docs show it (JavaScript, global fetch, Node 20+).
//
// Only the base URL and the API key change between Sixtyfour and Enrichflow:
//   SIXTYFOUR_BASE_URL=http://127.0.0.1:8080 SIXTYFOUR_API_KEY=... node sixtyfour_client.mjs
//
// Flow: list workflows, create webhook -> validate_email -> filter, run it with a webhook payload of
// leads, poll live_status until the run ends, fetch the download links and download the final output
// (the last link) without the API key, like a browser would. Prints a one-line JSON summary on stdout;
// exits non-zero on any mismatch. No npm packages.

const BASE_URL = (process.env.SIXTYFOUR_BASE_URL ?? "https://api.sixtyfour.ai").replace(/\/+$/, "");
const API_KEY = process.env.SIXTYFOUR_API_KEY;
const HEADERS = { "x-api-key": API_KEY, "Content-Type": "application/json" };

const POLL_INTERVAL_MS = 1000;
const POLL_TIMEOUT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 30_000;

const GOOD_EMAILS = [
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
];
const BAD_EMAILS = ["not-an-email", "jane.doe@", "@missing-local.com", "two@@signs.com", "no-at-sign.example.org"];

class Mismatch extends Error {
  constructor(step, message, status, body) {
    super(message);
    this.step = step;
    this.status = status;
    this.body = body;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function request(step, path, { method = "GET", body, query } = {}) {
  const url = new URL(BASE_URL + path);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  const response = await fetch(url, {
    method,
    headers: HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Mismatch(step, `expected HTTP 200, got ${response.status}`, response.status, text.slice(0, 2000));
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Mismatch(step, "response is not JSON", response.status, text.slice(0, 2000));
  }
}

function buildLeads() {
  const leads = [];
  let good = 0;
  let bad = 0;
  for (let i = 0; i < GOOD_EMAILS.length + BAD_EMAILS.length; i++) {
    const email = i % 4 === 1 ? BAD_EMAILS[bad++] : GOOD_EMAILS[good++];
    leads.push({ full_name: `Lead ${i + 1}`, company: `Company ${i + 1}`, email });
  }
  return leads;
}

// RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header = [], ...rows] = records.filter((r) => !(r.length === 1 && r[0] === ""));
  return rows.map((r) => Object.fromEntries(header.map((name, k) => [name, r[k]])));
}

async function main() {
  const listedBefore = await request("list_workflows", "/workflows");
  if (!Array.isArray(listedBefore)) throw new Mismatch("list_workflows", "GET /workflows did not return a list");

  const workflow = await request("create_workflow", "/workflows/create_workflow", {
    method: "POST",
    body: {
      workflow_name: "Clean inbound leads (JS)",
      workflow_description: "Validate lead emails and drop the invalid ones",
      workflow_definition: {
        blocks: [
          { sequence_number: 1, block_type: "webhook", block_name: "webhook", block_id: "incoming_leads", specs: { dataframe_type: "LEAD" } },
          { sequence_number: 2, block_type: "validate_email", block_name: "validate_email", block_id: "check_emails", specs: { email_field: "email", check_mx: false } },
          { sequence_number: 3, block_type: "filter", block_name: "filter", block_id: "drop_invalid", specs: { expression: "[email_status] != 'invalid'" } },
        ],
        edges: [
          { from_block_id: "incoming_leads", to_block_id: "check_emails" },
          { from_block_id: "check_emails", to_block_id: "drop_invalid" },
        ],
      },
    },
  });
  const workflowId = workflow.id;
  if (!workflowId) throw new Mismatch("create_workflow", "the created workflow has no id");

  const listedAfter = await request("list_workflows", "/workflows");
  if (!listedAfter.some((w) => w.id === workflowId)) {
    throw new Mismatch("list_workflows", `workflow ${workflowId} is missing from GET /workflows after create`);
  }

  const leads = buildLeads();
  const started = await request("run", "/workflows/run", {
    method: "POST",
    query: { workflow_id: workflowId },
    body: { webhook_payload: leads },
  });
  const jobId = started.job_id;
  if (!jobId) throw new Mismatch("run", "the run response has no job_id");
  if (started.workflow_id !== workflowId) {
    throw new Mismatch("run", `run answered workflow_id ${started.workflow_id}, sent ${workflowId}`);
  }

  const deadline = Date.now() + POLL_TIMEOUT_MS;
  let status;
  let polls = 0;
  for (;;) {
    status = await request("live_status", `/workflows/runs/${jobId}/live_status`);
    polls++;
    if (["completed", "failed", "cancelled"].includes(status.overall_status)) break;
    if (Date.now() > deadline) throw new Mismatch("live_status", `run did not finish within ${POLL_TIMEOUT_MS / 1000}s`);
    await sleep(POLL_INTERVAL_MS);
  }
  if (status.overall_status !== "completed") {
    throw new Mismatch("live_status", `run ended ${status.overall_status}: ${status.error_message}`);
  }

  const links = await request("download_links", `/workflows/runs/${jobId}/results/download-links`);
  if (!Array.isArray(links) || links.length === 0) throw new Mismatch("download_links", "expected a non-empty list of result files");
  const final = links[links.length - 1];

  // A signed link: fetched without x-api-key, as a browser would.
  const download = await fetch(final.download_url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const csvText = await download.text();
  if (download.status !== 200) throw new Mismatch("download", `expected HTTP 200, got ${download.status}`, download.status, csvText.slice(0, 2000));
  const rows = parseCsv(csvText);

  const expectedEmails = leads.map((l) => l.email).filter((e) => GOOD_EMAILS.includes(e)).sort();
  const downloadedEmails = rows.map((r) => r.email).sort();

  const summary = {
    ok: true,
    client: "node-fetch",
    workflow_id: workflowId,
    job_id: jobId,
    workflows_listed_before: listedBefore.length,
    workflows_listed_after: listedAfter.length,
    leads_sent: leads.length,
    expected_valid: expectedEmails.length,
    overall_status: status.overall_status,
    overall_progress_percentage: status.overall_progress_percentage,
    polls,
    files: links.map((l) => l.filename),
    final_row_count: final.row_count,
    downloaded_rows: rows.length,
  };
  const errors = [];
  if (final.row_count !== expectedEmails.length) errors.push(`last link row_count ${final.row_count} != expected ${expectedEmails.length}`);
  if (rows.length !== expectedEmails.length) errors.push(`downloaded ${rows.length} rows != expected ${expectedEmails.length}`);
  if (JSON.stringify(downloadedEmails) !== JSON.stringify(expectedEmails)) errors.push("downloaded emails differ from the valid leads sent");
  if (errors.length > 0) {
    summary.ok = false;
    summary.errors = errors;
  }
  console.log(JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

if (!API_KEY) {
  console.log(JSON.stringify({ ok: false, step: "setup", error: "SIXTYFOUR_API_KEY is not set" }));
  process.exit(2);
}

try {
  process.exitCode = await main();
} catch (error) {
  const summary = { ok: false, step: error.step ?? "unexpected", error: error.message };
  if (error.status !== undefined) summary.status_code = error.status;
  if (error.body !== undefined) summary.body = error.body;
  console.log(JSON.stringify(summary));
  process.exitCode = 1;
}
