// Small shared pieces: hash navigation, times, numbers, error boxes, loading state.
import { html, useState, useEffect } from './html.js';

export function navigate(hash, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', hash); else history.pushState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function Time({ value }) {
  if (!value) return html`<span class="muted">—</span>`;
  const d = new Date(value);
  return html`<time datetime=${value} title=${value}>${d.toLocaleString()}</time>`;
}

export const num = (n, digits = 0) => (n === null || n === undefined ? '—' : Number(n).toLocaleString(undefined, { maximumFractionDigits: digits }));

/** An API error's `detail` as the server wrote it. */
export function ErrorBox({ error, id }) {
  if (!error) return null;
  return html`<div class="error-box" role="alert" id=${id}><strong>${error.status ? `Error ${error.status}: ` : 'Error: '}</strong>${error.message}</div>`;
}

/** Loads once (and on reload()); returns [{data, error, loading}, reload]. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => live && setState({ data }), (error) => live && setState({ error }));
    return () => { live = false; };
  }, [...deps, tick]);
  return [state, () => setTick((t) => t + 1)];
}

/** Calls `tick` now and every `ms` while `active`. */
export function usePoll(tick, ms, active, deps) {
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false, timer;
    const run = async () => { try { await tick(); } finally { if (!stopped) timer = setTimeout(run, ms); } };
    run();
    return () => { stopped = true; clearTimeout(timer); };
  }, [active, ...deps]);
}

export function Progress({ value, label, id }) {
  const v = Math.max(0, Math.min(100, Math.round(value || 0)));
  return html`<div class="progress-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${v} aria-label=${label} id=${id}>
    <div class="fill" style=${`width:${v}%`}></div><span>${v}%</span></div>`;
}

/** A table of row objects (previews, rejects): the union of their keys as columns. */
export function RowsTable({ rows, columns, caption, id }) {
  const cols = columns || [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return html`<div class="table-wrap"><table class="rows" id=${id}>${caption && html`<caption>${caption}</caption>`}
    <thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${cols.map((c) => html`<td>${cell(r[c])}</td>`)}</tr>`)}</tbody></table></div>`;
}

const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
