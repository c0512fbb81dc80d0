// The public HTTP API (docs/api.md), called with the key kept in sessionStorage; never in a URL.
const KEY = 'enrichflow.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An answer other than 2xx: its status, `detail` (a sentence or FastAPI's list) and our `errors` list. */
export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
    this.errors = Array.isArray(body?.errors) ? body.errors
      : Array.isArray(body?.detail) ? body.detail.map((e) => ({ loc: e.loc, msg: e.msg })) : [];
  }
}

function describe(status, body) {
  if (typeof body?.detail === 'string') return body.detail;
  if (Array.isArray(body?.detail)) return body.detail.map((e) => `${(e.loc || []).join('.')}: ${e.msg}`).join('; ');
  return `The server answered ${status}.`;
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) { onUnauthorized = callback; }

/** One request; the answer's JSON (null for 204), or an ApiError. `key` overrides the stored key (login check). */
export async function request(method, path, { body, form, key, signal } = {}) {
  const headers = { 'x-api-key': key ?? session.key() ?? '' };
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, signal });
  const text = await response.text();
  let json = null;
  if (text) { try { json = JSON.parse(text); } catch { json = { detail: text }; } }
  if (!response.ok) {
    const error = new ApiError(response.status, json);
    if (response.status === 401 && key === undefined) onUnauthorized(error);
    throw error;
  }
  return json;
}

const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.append(k, v);
  const t = s.toString();
  return t ? '?' + t : '';
};
const id = encodeURIComponent;

export const api = {
  workflows: () => request('GET', '/workflows'),
  workflow: (wid) => request('GET', `/workflows/${id(wid)}`),
  blocks: () => request('GET', '/workflows/blocks'),
  createWorkflow: (body) => request('POST', '/workflows/create_workflow', { body }),
  updateWorkflow: (wid, body) => request('POST', `/workflows/update_workflow${q({ workflow_id: wid })}`, { body }),
  deleteWorkflow: (wid) => request('POST', `/workflows/delete_workflow${q({ workflow_id: wid })}`),
  validate: (definition) => request('POST', '/workflows/validate', { body: { workflow_definition: definition } }),
  upload: (file) => { const form = new FormData(); form.append('file', file, file.name); return request('POST', '/storage/csv/upload', { form }); },
  estimate: (wid, body) => request('POST', `/workflows/estimate${q({ workflow_id: wid })}`, { body }),
  run: (wid, body) => request('POST', `/workflows/run${q({ workflow_id: wid })}`, { body }),
  runs: (filters) => request('GET', `/workflows/runs${q(filters)}`),
  runInfo: (rid) => request('GET', `/workflows/runs/${id(rid)}`),
  liveStatus: (rid) => request('GET', `/workflows/runs/${id(rid)}/live_status`),
  cancel: (rid) => request('POST', `/workflows/cancel${q({ job_id: rid })}`),
  resume: (rid) => request('POST', `/workflows/resume${q({ job_id: rid })}`),
  links: (rid, format) => request('GET', `/workflows/runs/${id(rid)}/results/download-links${q({ format })}`),
  notebooks: () => request('GET', '/notebooks'),
  notebookLinks: (nid, format) => request('GET', `/notebooks/${id(nid)}/download-links${q({ format })}`),
  deleteNotebook: (nid) => request('DELETE', `/notebooks/${id(nid)}`),
  schedules: () => request('GET', '/schedules'),
  createSchedule: (body) => request('POST', '/schedules', { body }),
  updateSchedule: (sid, body) => request('POST', `/schedules/${id(sid)}`, { body }),
  deleteSchedule: (sid) => request('DELETE', `/schedules/${id(sid)}`),
  providers: () => request('GET', '/providers'),
  usage: (from, to) => request('GET', `/usage${q({ from, to })}`),
};

/**
 * The first bytes of a result file (signed link, same origin, no key), for previews: a range request, so a large
 * file is not fetched whole. Returns {text, complete}.
 */
export async function fetchHead(url, bytes = 256 * 1024) {
  const response = await fetch(url, { headers: { range: `bytes=0-${bytes - 1}` } });
  if (!response.ok && response.status !== 206) throw new ApiError(response.status, await response.json().catch(() => null));
  const text = await response.text();
  return { text, complete: response.status === 200 };
}

/** The whole file behind a signed link. */
export async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response.text();
}
