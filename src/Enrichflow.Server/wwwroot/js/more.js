// Notebooks, schedules, providers (limits and live activity) and usage (a chart by provider and day).
import { html, useState, useEffect, useRef } from './html.js';
import { api } from './api.js';
import { Time, ErrorBox, useLoad, usePoll, num } from './ui.js';

export function Notebooks() {
  const [state, reload] = useLoad(() => api.notebooks(), []);
  const [error, setError] = useState(null);
  const download = async (n) => {
    try { const [file] = await api.notebookLinks(n.id, 'csv'); window.location.assign(file.download_url); } catch (e) { setError(e); }
  };
  const remove = async (n) => {
    if (!confirm(`Delete notebook "${n.name}" and its ${n.row_count} rows?`)) return;
    try { await api.deleteNotebook(n.id); reload(); } catch (e) { setError(e); }
  };
  return html`<section aria-labelledby="nb-title"><h1 id="nb-title">Notebooks</h1>
    <p class="hint">Tables of rows that <code>append_to_notebook</code> writes and <code>read_notebook</code> and <code>deduplicate_wrt_notebook</code> read.</p>
    <${ErrorBox} error=${error || state.error} />
    ${state.data && (state.data.length === 0 ? html`<p>No notebooks yet.</p>` : html`<div class="table-wrap"><table id="notebooks-table">
      <thead><tr><th>Name</th><th>Id</th><th>Rows</th><th>Key fields</th><th>Updated</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${state.data.map((n) => html`<tr><td>${n.name}</td><td><code>${n.id}</code></td><td>${num(n.row_count)}</td><td>${(n.key_fields || []).join(', ')}</td>
        <td><${Time} value=${n.updated_at} /></td><td class="actions"><button type="button" class="small" onClick=${() => download(n)}>Download CSV</button>
        <button type="button" class="small danger" onClick=${() => remove(n)}>Delete</button></td></tr>`)}</tbody></table></div>`)}
  </section>`;
}

export function Schedules() {
  const [state, reload] = useLoad(() => api.schedules(), []);
  const [workflows] = useLoad(() => api.workflows(), []);
  const [error, setError] = useState(null);
  const [form, setForm] = useState({ workflow_id: '', name: '', cron_expression: '0 9 * * MON-FRI', timezone: 'UTC', payload: '', handle: '' });
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const workflowName = (id) => workflows.data?.find((w) => w.id === id)?.name;
  const create = async (e) => {
    e.preventDefault(); setError(null);
    try {
      const body = { workflow_id: form.workflow_id || workflows.data?.[0]?.id, name: form.name, cron_expression: form.cron_expression, timezone: form.timezone || undefined };
      if (form.payload.trim()) body.webhook_payload = JSON.parse(form.payload);
      if (form.handle.trim()) body.specs_override = { resource_handle_id: form.handle.trim() };
      await api.createSchedule(body); reload();
    } catch (err) { setError(err); }
  };
  const toggle = async (s) => { try { await api.updateSchedule(s.id, { is_active: !s.is_active }); reload(); } catch (e) { setError(e); } };
  const remove = async (s) => { if (!confirm(`Delete schedule "${s.name}"?`)) return; try { await api.deleteSchedule(s.id); reload(); } catch (e) { setError(e); } };
  return html`<section aria-labelledby="sch-title"><h1 id="sch-title">Schedules</h1>
    <${ErrorBox} error=${error || state.error} />
    ${state.data && (state.data.length === 0 ? html`<p>No schedules yet.</p>` : html`<div class="table-wrap"><table id="schedules-table">
      <thead><tr><th>Name</th><th>Workflow</th><th>Cron</th><th>Next run</th><th>Last run</th><th>Last error</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${state.data.map((s) => html`<tr><td>${s.name}${s.is_active ? '' : html` <span class="pill paused">off</span>`}</td><td>${workflowName(s.workflow_id) ? html`<a href=${'#/workflows/' + encodeURIComponent(s.workflow_id)}>${workflowName(s.workflow_id)}</a>` : html`<code>${s.workflow_id}</code>`}</td>
        <td><code>${s.cron_expression}</code> <span class="muted">${s.timezone}</span></td><td><${Time} value=${s.next_run} /></td>
        <td>${s.last_job_id ? html`<a href=${'#/runs/' + s.last_job_id}><${Time} value=${s.last_run} /></a>` : html`<${Time} value=${s.last_run} />`}</td>
        <td>${s.last_error || ''}</td><td class="actions"><button type="button" class="small" onClick=${() => toggle(s)}>${s.is_active ? 'Turn off' : 'Turn on'}</button>
        <button type="button" class="small danger" onClick=${() => remove(s)}>Delete</button></td></tr>`)}</tbody></table></div>`)}
    <form class="card" onSubmit=${create} aria-labelledby="sch-new"><h2 id="sch-new">New schedule</h2>
      <div class="field"><label for="sch-workflow">Workflow</label><select id="sch-workflow" onChange=${set('workflow_id')}>
        ${(workflows.data || []).map((w) => html`<option value=${w.id} selected=${w.id === form.workflow_id}>${w.name} (${w.id})</option>`)}</select></div>
      <div class="field"><label for="sch-name">Name</label><input id="sch-name" required value=${form.name} onInput=${set('name')} /></div>
      <div class="field"><label for="sch-cron">Cron expression</label><input id="sch-cron" class="code" required value=${form.cron_expression} onInput=${set('cron_expression')} /></div>
      <div class="field"><label for="sch-tz">Time zone</label><input id="sch-tz" value=${form.timezone} onInput=${set('timezone')} /></div>
      <div class="field"><label for="sch-payload">Webhook payload (JSON, for a webhook source)</label><textarea id="sch-payload" class="code" rows="3" value=${form.payload} onInput=${set('payload')} /></div>
      <div class="field"><label for="sch-handle">Upload handle (for a read_csv source)</label><input id="sch-handle" value=${form.handle} onInput=${set('handle')} /></div>
      <button type="submit" class="primary">Create schedule</button></form>
  </section>`;
}

export function Providers() {
  const [state, setState] = useState({});
  usePoll(async () => { try { setState({ data: await api.providers() }); } catch (e) { setState({ error: e }); } }, 2000, true, []);
  return html`<section aria-labelledby="prov-title"><h1 id="prov-title">Providers</h1>
    <p class="hint">Configured on the server (<code>Providers:NAME</code>); activity is this process's and refreshes every 2 seconds.</p>
    <${ErrorBox} error=${state.error} />
    ${state.data && html`<div class="table-wrap"><table id="providers-table">
      <thead><tr><th>Name</th><th>Kind</th><th>Operations</th><th>Requests / min</th><th>Concurrency</th><th>Timeout</th><th>Credits / call</th>
        <th>In flight</th><th>Waiting</th><th>Current rpm</th><th>Throttled until</th></tr></thead>
      <tbody>${state.data.map((p) => html`<tr><td>${p.name}</td><td>${p.kind}</td><td>${p.operations.join(', ')}</td>
        <td>${p.requests_per_minute || 'no limit'}</td><td>${p.max_concurrency || 'no limit'}</td><td>${p.timeout_seconds} s</td><td>${num(p.credits_per_call, 3)}</td>
        <td>${p.activity ? num(p.activity.in_flight) : '—'}</td><td>${p.activity ? num(p.activity.waiting) : '—'}</td>
        <td>${p.activity ? num(p.activity.current_requests_per_minute, 1) : '—'}</td><td><${Time} value=${p.activity?.throttled_until} /></td></tr>
        ${p.cluster_slots?.length > 0 && html`<tr><td colspan="11" class="muted">Cluster slots: ${p.cluster_slots.map((s) => `${s.node} holds ${s.held} (wants ${s.wanted})`).join('; ')}</td></tr>`}`)}
      </tbody></table></div>`}
  </section>`;
}

const isoDay = (d) => d.toISOString().slice(0, 10);

export function Usage() {
  const today = new Date();
  const [range, setRange] = useState({ from: isoDay(new Date(today.getTime() - 29 * 864e5)), to: isoDay(today) });
  const [measure, setMeasure] = useState('calls');
  const [state] = useLoad(() => api.usage(range.from, range.to), [range.from, range.to]);
  const canvas = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    if (!state.data || !canvas.current || !window.Chart) return undefined;
    const days = [];
    for (let d = new Date(state.data.from + 'T00:00:00Z'); isoDay(d) <= state.data.to; d = new Date(d.getTime() + 864e5)) days.push(isoDay(d));
    const providers = [...new Set(state.data.days.map((d) => d.provider))];
    const palette = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];
    const datasets = providers.map((p, i) => ({
      label: p, backgroundColor: palette[i % palette.length],
      data: days.map((day) => state.data.days.filter((x) => x.date === day && x.provider === p).reduce((s, x) => s + (x[measure] || 0), 0)),
    }));
    chart.current?.destroy();
    chart.current = new window.Chart(canvas.current, {
      type: 'bar', data: { labels: days, datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
        plugins: { legend: { position: 'bottom' }, title: { display: true, text: `${measure.replace(/_/g, ' ')} by provider and day (UTC)` } } },
    });
    return () => { chart.current?.destroy(); chart.current = null; };
  }, [state.data, measure]);
  const u = state.data;
  return html`<section aria-labelledby="usage-title"><h1 id="usage-title">Usage</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="usage-from">From</label><input id="usage-from" type="date" value=${range.from} onChange=${(e) => setRange({ ...range, from: e.target.value })} /></div>
      <div class="field"><label for="usage-to">To</label><input id="usage-to" type="date" value=${range.to} onChange=${(e) => setRange({ ...range, to: e.target.value })} /></div>
      <div class="field"><label for="usage-measure">Show</label><select id="usage-measure" onChange=${(e) => setMeasure(e.target.value)}>
        ${[['calls', 'provider calls'], ['credits_used', 'credits'], ['cache_hits', 'cache hits'], ['failures', 'failures']].map(([v, l]) => html`<option value=${v} selected=${v === measure}>${l}</option>`)}</select></div>
    </form>
    <${ErrorBox} error=${state.error} />
    ${u && html`<dl class="metrics"><div><dt>Credits</dt><dd id="usage-credits">${num(u.credits_used, 2)}</dd></div><div><dt>Provider calls</dt><dd>${num(u.provider_calls)}</dd></div>
      <div><dt>Cache hits</dt><dd>${num(u.cache_hits)}</dd></div></dl>
      <div class="chart-wrap"><canvas ref=${canvas} role="img" aria-label="Usage by provider and day"></canvas></div>
      <h2>By provider</h2>${u.providers.length === 0 ? html`<p>No provider calls in this period.</p>` : html`<div class="table-wrap"><table id="usage-table">
        <thead><tr><th>Provider</th><th>Calls</th><th>Hits</th><th>Misses</th><th>Failures</th><th>Cache hits</th><th>Credits</th></tr></thead>
        <tbody>${u.providers.map((p) => html`<tr><td>${p.provider}</td><td>${num(p.calls)}</td><td>${num(p.hits)}</td><td>${num(p.misses)}</td><td>${num(p.failures)}</td>
          <td>${num(p.cache_hits)}</td><td>${num(p.credits_used, 2)}</td></tr>`)}</tbody></table></div>`}
      <h2>Limits</h2><div class="table-wrap"><table><thead><tr><th>Limit</th><th>In force</th><th>Used</th><th>Remaining</th><th>Period</th></tr></thead>
        <tbody>${Object.entries(u.limits || {}).map(([k, l]) => html`<tr><td>${k}</td><td>${l.limit ?? 'unlimited'}</td><td>${num(l.used, 2)}</td><td>${l.remaining ?? '—'}</td><td>${l.period || ''}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}
