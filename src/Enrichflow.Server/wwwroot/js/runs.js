// Runs: starting one (upload or pasted rows, estimate first), the list with filters, and the run page.
import { html, useState, useEffect } from './html.js';
import { api, fetchHead, fetchText } from './api.js';
import { csvObjects } from './csv.js';
import { WorkflowGraph, blockId } from './graph.js';
import { navigate, Time, ErrorBox, useLoad, usePoll, Progress, RowsTable, num } from './ui.js';

const STATUSES = ['', 'active', 'queued', 'running', 'paused', 'completed', 'failed', 'cancelled'];
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function RunList({ params }) {
  const [filters, setFilters] = useState({ status: params.get('status') || '', workflow_id: params.get('workflow') || '', limit: 100 });
  const [workflows] = useLoad(() => api.workflows(), []);
  const [runs, reload] = useLoad(() => api.runs(filters), [JSON.stringify(filters)]);
  const anyActive = runs.data?.some((r) => !TERMINAL.has(r.status));
  usePoll(async () => reload(), 3000, !!anyActive, [anyActive]);
  return html`<section aria-labelledby="runs-title">
    <div class="title-row"><h1 id="runs-title">Runs</h1><a class="button primary" href="#/runs/new">Start a run</a></div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="runs-status">Status</label>
        <select id="runs-status" onChange=${(e) => setFilters({ ...filters, status: e.target.value })}>
          ${STATUSES.map((s) => html`<option value=${s} selected=${s === filters.status}>${s || 'any'}</option>`)}</select></div>
      <div class="field"><label for="runs-workflow">Workflow</label>
        <select id="runs-workflow" onChange=${(e) => setFilters({ ...filters, workflow_id: e.target.value })}>
          <option value="">any</option>
          ${(workflows.data || []).map((w) => html`<option value=${w.id} selected=${w.id === filters.workflow_id}>${w.name} (${w.id})</option>`)}</select></div>
      <div class="field"><label for="runs-limit">At most</label>
        <input id="runs-limit" type="number" min="1" max="500" value=${filters.limit} onChange=${(e) => setFilters({ ...filters, limit: e.target.value })} /></div>
    </form>
    <${ErrorBox} error=${runs.error} />
    ${runs.data && (runs.data.length === 0 ? html`<p>No runs match.</p>` : html`<div class="table-wrap"><table id="runs-table">
      <thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Rows in / out / rejected</th><th>Credits</th><th>Queued</th><th>Duration</th></tr></thead>
      <tbody>${runs.data.map((r) => html`<tr key=${r.run_id}>
        <td><a href=${'#/runs/' + r.run_id}><code>${r.run_id.slice(0, 8)}…</code></a></td>
        <td>${r.workflow_name} <span class="muted">v${r.workflow_version}</span></td>
        <td><span class=${'pill ' + r.status}>${r.status}</span>${r.status_reason ? html`<div class="muted small">${r.status_reason}</div>` : ''}</td>
        <td>${num(r.metrics?.rows_in)} / ${num(r.metrics?.rows_out)} / ${num(r.metrics?.rows_rejected)}</td>
        <td>${num(r.metrics?.credits_used, 2)}</td><td><${Time} value=${r.queued_at} /></td>
        <td>${r.duration_ms != null ? (r.duration_ms / 1000).toFixed(1) + ' s' : '—'}</td></tr>`)}</tbody></table></div>`)}
  </section>`;
}

function sourceOf(definition) {
  const blocks = [...(definition?.blocks || [])].sort((a, b) => Number(a.sequence_number) - Number(b.sequence_number));
  return blocks.find((b) => ['webhook', 'read_csv', 'read_notebook'].includes((b.block_name || b.block_type || '').toLowerCase())) || blocks[0];
}

/** Pasted rows: a JSON list (or one object), or CSV with a header line. */
function readPastedRows(text) {
  const t = text.trim();
  if (!t) throw new Error('Paste rows first: a JSON list of objects, or CSV with a header line.');
  if (t.startsWith('[') || t.startsWith('{')) return JSON.parse(t);
  return csvObjects(t).rows;
}

export function StartRun({ params }) {
  const [workflows] = useLoad(() => api.workflows(), []);
  const [workflowId, setWorkflowId] = useState(params.get('workflow') || '');
  const [workflow, setWorkflow] = useState(null);
  const [file, setFile] = useState(null);
  const [upload, setUpload] = useState(null);
  const [pasted, setPasted] = useState('');
  const [maxCredits, setMaxCredits] = useState('');
  const [estimate, setEstimate] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(null);

  useEffect(() => {
    if (!workflowId && workflows.data?.length) setWorkflowId(workflows.data[0].id);
  }, [workflows.data]);
  useEffect(() => {
    setWorkflow(null); setEstimate(null); setError(null);
    if (workflowId) api.workflow(workflowId).then(setWorkflow, setError);
  }, [workflowId]);

  const source = sourceOf(workflow?.workflow_definition);
  const kind = (source?.block_name || source?.block_type || '').toLowerCase();

  const doUpload = async () => {
    if (!file) { setError(new Error('Choose a file to upload first.')); return null; }
    if (upload?.file === file) return upload.answer;
    setBusy('Uploading…'); setError(null);
    try {
      const answer = await api.upload(file);
      setUpload({ file, answer });
      return answer;
    } catch (e) { setError(e); setUpload(null); return null; } finally { setBusy(null); }
  };

  const body = async () => {
    const b = {};
    if (maxCredits !== '') b.max_credits = Number(maxCredits);
    if (kind === 'webhook') b.webhook_payload = readPastedRows(pasted);
    else if (kind === 'read_csv') {
      const answer = await doUpload();
      if (!answer) return null;
      b.specs_override = { resource_handle_id: answer.handle_id };
    }
    return b;
  };

  const doEstimate = async () => {
    setError(null); setEstimate(null);
    try {
      const b = await body();
      if (!b) return;
      setBusy('Estimating…');
      setEstimate(await api.estimate(workflowId, b));
    } catch (e) { setError(e); } finally { setBusy(null); }
  };

  const start = async () => {
    setError(null);
    try {
      const b = await body();
      if (!b) return;
      setBusy('Starting…');
      const answer = await api.run(workflowId, b);
      navigate('#/runs/' + answer.job_id);
    } catch (e) { setError(e); } finally { setBusy(null); }
  };

  return html`<section aria-labelledby="start-title" class="start-run">
    <h1 id="start-title">Start a run</h1>
    <div class="field"><label for="start-workflow">Workflow</label>
      <select id="start-workflow" onChange=${(e) => setWorkflowId(e.target.value)}>
        ${(workflows.data || []).map((w) => html`<option value=${w.id} selected=${w.id === workflowId}>${w.name} (${w.id})</option>`)}</select></div>
    ${workflow && html`<p>Source block <code>${source ? blockId(source) : '?'}</code> (${kind || 'none'}).</p>`}
    ${kind === 'read_csv' && html`<div class="field"><label for="start-file">Input file (.csv, .json, .jsonl, .ndjson)</label>
      <input id="start-file" type="file" accept=".csv,.json,.jsonl,.ndjson" onChange=${(e) => { setFile(e.target.files[0] || null); setUpload(null); setEstimate(null); }} />
      ${upload && html`<p class="muted" id="upload-done">Uploaded ${upload.answer.file_name} (${num(upload.answer.size_bytes)} bytes) as <code>${upload.answer.handle_id}</code>.</p>`}</div>`}
    ${kind === 'webhook' && html`<div class="field"><label for="start-rows">Rows (a JSON list of objects, or CSV with a header line)</label>
      <textarea id="start-rows" class="code" rows="8" value=${pasted} onInput=${(e) => { setPasted(e.target.value); setEstimate(null); }}
        placeholder='[{"email": "ada@example.com", "name": "Ada"}]' /></div>`}
    <div class="field"><label for="start-max-credits">Most credits to spend (optional)</label>
      <input id="start-max-credits" type="number" min="0" step="any" value=${maxCredits} onInput=${(e) => setMaxCredits(e.target.value)} /></div>
    <div class="toolbar">
      <button type="button" id="estimate-run" onClick=${doEstimate} disabled=${!workflow || !!busy}>Estimate</button>
      <button type="button" id="start-run" class="primary" onClick=${start} disabled=${!workflow || !!busy}>Start run</button>
      ${busy && html`<span role="status" class="muted">${busy}</span>`}
    </div>
    <${ErrorBox} error=${error} id="start-error" />
    ${estimate && html`<${EstimateTable} estimate=${estimate} />`}
  </section>`;
}

function EstimateTable({ estimate }) {
  return html`<div class="estimate" id="estimate"><h2>Estimate</h2>
    <p>${num(estimate.rows_in)} rows in${estimate.rows_in_exact ? '' : ' (estimated)'}; about ${num(estimate.provider_calls_estimate)} provider calls and
      <strong>${num(estimate.credits_estimate, 2)} credits</strong>.</p>
    <div class="table-wrap"><table><thead><tr><th>Block</th><th>Rows in</th><th>Calls</th><th>Cache hits</th><th>Credits</th><th>Basis</th></tr></thead>
      <tbody>${estimate.blocks.map((b) => html`<tr><td>${b.block_id} <span class="muted">${b.block_name}</span></td><td>${num(b.rows_in_estimate)}</td>
        <td>${num(b.provider_calls_estimate)}</td><td>${num(b.cache_hits_estimate)}</td><td>${num(b.credits_estimate, 2)}</td><td>${b.basis}</td></tr>`)}</tbody></table></div>
    ${estimate.notes?.length > 0 && html`<ul>${estimate.notes.map((n) => html`<li>${n}</li>`)}</ul>`}</div>`;
}

export function RunPage({ runId }) {
  const [live, setLive] = useState(null);
  const [run, setRun] = useState(null);
  const [error, setError] = useState(null);
  const [definition, setDefinition] = useState(null);
  const [files, setFiles] = useState(null);
  const [action, setAction] = useState(null);
  const [tab, setTab] = useState('blocks');
  const ended = live && TERMINAL.has(live.overall_status);

  const refresh = async () => {
    try {
      const [l, r] = await Promise.all([api.liveStatus(runId), api.runInfo(runId)]);
      setLive(l); setRun(r); setError(null);
      setFiles(await api.links(runId, 'csv').catch(() => null));
    } catch (e) { setError(e); }
  };
  usePoll(refresh, 1000, !ended, [runId, ended]);
  useEffect(() => { if (ended) refresh(); }, [ended]);
  useEffect(() => {
    if (run?.workflow_id && !definition) api.workflow(run.workflow_id).then((w) => setDefinition(w.workflow_definition), () => {});
  }, [run?.workflow_id]);

  const act = async (what) => {
    setAction({ kind: 'busy', text: what === 'cancel' ? 'Cancelling…' : 'Resuming…' });
    try {
      const answer = what === 'cancel' ? await api.cancel(runId) : await api.resume(runId);
      setAction({ kind: 'ok', text: `The run is ${answer.status}.` });
      setLive(null);
      refresh();
    } catch (e) { setAction({ kind: 'error', text: e.message }); }
  };

  if (error && !live) return html`<${ErrorBox} error=${error} />`;
  if (!live) return html`<p class="loading">Loading run…</p>`;
  const status = live.overall_status;
  const byBlock = Object.fromEntries(live.blocks.map((b) => [b.block_id, b]));
  return html`<section class="run-page" aria-labelledby="run-title">
    <div class="title-row">
      <h1 id="run-title">Run <code>${runId.slice(0, 8)}</code> of ${run?.workflow_name || live.workflow_id}</h1>
      <div class="toolbar">
        ${!ended && html`<button type="button" id="cancel-run" class="danger" onClick=${() => act('cancel')}>Cancel run</button>`}
        ${(status === 'paused' || status === 'failed') && html`<button type="button" id="resume-run" onClick=${() => act('resume')}>Resume</button>`}
      </div>
    </div>
    <div class="run-summary">
      <p>Status <span class=${'pill ' + status} id="run-status">${status}</span>
        ${live.current_block ? html` — at <code>${live.current_block}</code>` : ''}</p>
      <${Progress} value=${live.overall_progress_percentage} label="Overall progress" id="run-progress" />
      ${(live.status_reason || live.error_message) && html`<div class="reason" id="run-reason" role="alert">
        ${live.status_reason && html`<p><strong>Reason:</strong> ${live.status_reason}</p>`}
        ${live.error_message && html`<p><strong>Error:</strong> ${live.error_message}</p>`}</div>`}
      ${run && html`<dl class="metrics">
        <div><dt>Rows in</dt><dd id="metric-rows-in">${num(run.metrics?.rows_in)}</dd></div>
        <div><dt>Rows out</dt><dd id="metric-rows-out">${num(run.metrics?.rows_out)}</dd></div>
        <div><dt>Rejected</dt><dd id="metric-rows-rejected">${num(run.metrics?.rows_rejected)}</dd></div>
        <div><dt>Credits</dt><dd>${num(run.metrics?.credits_used, 2)}</dd></div>
        <div><dt>Provider calls</dt><dd>${num(run.metrics?.provider_calls)}</dd></div>
        <div><dt>Cache hits</dt><dd>${num(run.metrics?.cache_hits)}</dd></div>
        <div><dt>Started</dt><dd><${Time} value=${live.started_at} /></dd></div>
        <div><dt>Ended</dt><dd><${Time} value=${live.completed_at} /></dd></div></dl>`}
      ${action && html`<p class=${'status ' + action.kind} role="status">${action.text}</p>`}
    </div>
    ${definition && html`<div class="graph-wrap small"><${WorkflowGraph} definition=${{ blocks: definition.blocks || [], edges: definition.edges || [] }} statusByBlock=${byBlock} direction="LR" /></div>`}
    <div class="tabs" role="tablist" aria-label="Run details">
      ${[['blocks', 'Blocks'], ['results', 'Results'], ['rejects', 'Rejects']].map(([k, label]) => html`<button type="button" role="tab" id=${'tab-' + k}
        aria-selected=${tab === k} class=${tab === k ? 'current' : ''} onClick=${() => setTab(k)}>${label}</button>`)}
    </div>
    <div role="tabpanel" aria-labelledby=${'tab-' + tab}>
      ${tab === 'blocks' && html`<${BlockTable} blocks=${live.blocks} />`}
      ${tab === 'results' && html`<${Results} runId=${runId} files=${files} ended=${ended} />`}
      ${tab === 'rejects' && html`<${Rejects} runId=${runId} ended=${ended} />`}
    </div>
  </section>`;
}

function BlockTable({ blocks }) {
  return html`<div class="table-wrap"><table id="block-table"><thead><tr><th>Block</th><th>Status</th><th>Progress</th><th>Processed / total</th>
      <th>Passed on</th><th>Rejected</th><th>Failed</th><th>Credits</th><th>Calls</th><th>Cache hits</th></tr></thead>
    <tbody>${blocks.map((b) => html`<tr data-block=${b.block_id}>
      <td>${b.sequence_number}. <code>${b.block_id}</code> <span class="muted">${b.block_name}</span>${b.error_message ? html`<div class="field-error">${b.error_message}</div>` : ''}</td>
      <td><span class=${'pill ' + b.status}>${b.status}</span> <span class="muted small">${b.current_step}</span></td>
      <td><${Progress} value=${b.progress_percentage} label=${'Progress of ' + b.block_id} /></td>
      <td>${num(b.processed_count)} / ${num(b.total_count || b.estimated_total_count)}</td>
      <td>${num(b.metrics?.row_count)}</td><td>${num(b.metrics?.rows_rejected)}</td><td>${num(b.metrics?.rows_failed)}</td>
      <td>${num(b.metrics?.credits_used, 2)}</td><td>${num(b.metrics?.provider_calls)}</td><td>${num(b.metrics?.cache_hits)}</td></tr>
      ${b.metrics?.providers?.length > 0 && html`<tr class="providers-row"><td colspan="10"><table class="nested"><caption>Provider steps of ${b.block_id}</caption>
        <thead><tr><th>Provider</th><th>Calls</th><th>Hits</th><th>Misses</th><th>Failures</th><th>Cache hits</th><th>Credits</th></tr></thead>
        <tbody>${b.metrics.providers.map((p) => html`<tr><td>${p.provider}</td><td>${num(p.calls)}</td><td>${num(p.hits)}</td><td>${num(p.misses)}</td>
          <td>${num(p.failures)}</td><td>${num(p.cache_hits)}</td><td>${num(p.credits_used, 2)}</td></tr>`)}</tbody></table></td></tr>`}`)}</tbody></table></div>`;
}

function Results({ files, ended }) {
  const [preview, setPreview] = useState({});
  if (!files) return html`<p class="loading">Loading files…</p>`;
  if (!files.length) return html`<p>No result files yet${ended ? '' : ' (blocks list their files as they finish)'}.</p>`;
  const show = async (f) => {
    if (preview[f.filename]) { setPreview({ ...preview, [f.filename]: null }); return; }
    if (f.results) { setPreview({ ...preview, [f.filename]: { rows: f.results.slice(0, 20) } }); return; }
    try {
      const head = await fetchHead(f.download_url);
      setPreview({ ...preview, [f.filename]: { rows: csvObjects(head.text, !head.complete).rows.slice(0, 20) } });
    } catch (e) { setPreview({ ...preview, [f.filename]: { error: e.message } }); }
  };
  return html`<ul class="files" id="result-files">${files.map((f) => html`<li data-file=${f.filename}>
    <div class="file-head"><a href=${f.download_url} download=${f.filename} class="download">${f.filename}</a>
      <span class="muted">${num(f.row_count)} rows${f.file_size != null ? `, ${num(f.file_size)} bytes` : ''}</span>
      <button type="button" class="small" aria-expanded=${!!preview[f.filename]} onClick=${() => show(f)}>${preview[f.filename] ? 'Hide' : 'Preview'} ${f.filename}</button></div>
    ${f.message && html`<p class="file-message">${f.message}</p>`}
    ${preview[f.filename]?.error && html`<p class="field-error">${preview[f.filename].error}</p>`}
    ${preview[f.filename]?.rows && html`<${RowsTable} rows=${preview[f.filename].rows} caption=${'First rows of ' + f.filename} />`}
  </li>`)}</ul>`;
}

const REJECTS_CAP = 4 * 1024 * 1024;

function Rejects({ runId, ended }) {
  const [state, setState] = useState({ loading: true });
  const [block, setBlock] = useState('');
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(null);
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const links = await api.links(runId, 'rejects');
        if (!links.length) { live && setState({ rows: [], file: null }); return; }
        const file = links[0];
        let text, complete = true;
        if (file.file_size != null && file.file_size > REJECTS_CAP) ({ text, complete } = await fetchHead(file.download_url, REJECTS_CAP));
        else text = await fetchText(file.download_url);
        let lines = text.split('\n').filter(Boolean);
        if (!complete) lines = lines.slice(0, -1);
        live && setState({ rows: lines.map((l) => JSON.parse(l)), file, complete });
      } catch (e) { live && setState({ error: e }); }
    })();
    return () => { live = false; };
  }, [runId, ended]);
  if (state.loading) return html`<p class="loading">Loading rejects…</p>`;
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (!state.rows.length) return html`<p id="no-rejects">No rejected rows${ended ? '' : ' so far'}.</p>`;
  const blocks = [...new Set(state.rows.map((r) => r.block_id))];
  const reasons = [...new Set(state.rows.filter((r) => !block || r.block_id === block).map((r) => r.reason))].sort();
  const shown = state.rows.filter((r) => (!block || r.block_id === block) && (!reason || r.reason === reason));
  const page = shown.slice(0, 200);
  return html`<div class="rejects" id="rejects">
    <p>${num(state.rows.length)} rejected rows${state.complete ? '' : ' (the first part of the file)'}; <a href=${state.file.download_url} download="rejects.ndjson">download rejects.ndjson</a>.</p>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="rejects-block">Block</label><select id="rejects-block" onChange=${(e) => { setBlock(e.target.value); setReason(''); }}>
        <option value="">every block</option>${blocks.map((b) => html`<option value=${b} selected=${b === block}>${b}</option>`)}</select></div>
      <div class="field grow"><label for="rejects-reason">Reason</label><select id="rejects-reason" onChange=${(e) => setReason(e.target.value)}>
        <option value="">every reason</option>${reasons.map((r) => html`<option value=${r} selected=${r === reason}>${r}</option>`)}</select></div>
    </form>
    <p class="muted" id="rejects-count">${num(shown.length)} shown${shown.length > page.length ? `, the first ${page.length} listed` : ''}.</p>
    <div class="table-wrap"><table id="rejects-table"><thead><tr><th>Row</th><th>Block</th><th>Reason</th><th><span class="sr-only">Row</span></th></tr></thead>
      <tbody>${page.map((r, i) => html`<tr key=${i} class="reject">
        <td>${r.row_index ?? ''}${r.line ? html` <span class="muted">line ${r.line}</span>` : ''}</td><td><code>${r.block_id}</code>${r.edge ? html` <span class="muted">edge ${r.edge}</span>` : ''}</td>
        <td class="reject-reason">${r.reason}${r.failed ? html` <span class="pill failed">error</span>` : ''}</td>
        <td><button type="button" class="small" aria-expanded=${open === i} onClick=${() => setOpen(open === i ? null : i)}>${open === i ? 'Hide row' : 'Show row'}</button></td></tr>
        ${open === i && html`<tr class="reject-row"><td colspan="4"><${RowsTable} rows=${[r.row || {}]} caption=${'Row ' + (r.row_index ?? '')} /></td></tr>`}`)}</tbody></table></div>
  </div>`;
}
