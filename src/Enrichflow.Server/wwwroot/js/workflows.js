// Workflows: the list, and the editor with the visual builder (graph + block inspector + specs forms).
import { html, useState, useEffect, useMemo } from './html.js';
import { api, ApiError } from './api.js';
import { WorkflowGraph, blockId } from './graph.js';
import { SchemaForm } from './schemaform.js';
import { placeErrors, errorCounts } from './errors.js';
import { navigate, Time, ErrorBox, useLoad } from './ui.js';

export function WorkflowList() {
  const [state, reload] = useLoad(() => api.workflows(), []);
  const [error, setError] = useState(null);
  const remove = async (w) => {
    if (!confirm(`Delete workflow "${w.name}" (${w.id})? Its runs and result files stay.`)) return;
    try { await api.deleteWorkflow(w.id); reload(); } catch (e) { setError(e); }
  };
  return html`<section aria-labelledby="wf-title">
    <div class="title-row"><h1 id="wf-title">Workflows</h1><a class="button primary" href="#/workflows/new" id="new-workflow">New workflow</a></div>
    <${ErrorBox} error=${error || state.error} />
    ${state.data && (state.data.length === 0 ? html`<p>No workflows yet. <a href="#/workflows/new">Build one</a>.</p>` : html`
    <div class="table-wrap"><table id="workflow-table"><thead><tr><th>Name</th><th>Id</th><th>Version</th><th>Step</th><th>Updated</th><th>Last run</th><th><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${state.data.map((w) => html`<tr key=${w.id}>
      <td><a href=${'#/workflows/' + encodeURIComponent(w.id)}>${w.name}</a>${w.description ? html`<div class="muted">${w.description}</div>` : ''}</td>
      <td><code>${w.id}</code></td><td>${w.version}</td><td>${w.step}</td><td><${Time} value=${w.updated_at} /></td><td><${Time} value=${w.last_run_date} /></td>
      <td class="actions"><a class="button small" href=${'#/runs/new?workflow=' + encodeURIComponent(w.id)}>Run</a>
        <button type="button" class="small danger" onClick=${() => remove(w)}>Delete</button></td></tr>`)}</tbody></table></div>`)}
  </section>`;
}

const SOURCES = new Set(['webhook', 'read_csv', 'read_notebook']);
const emptyDefinition = () => ({ blocks: [], edges: [] });

export function WorkflowEditor({ workflowId }) {
  const isNew = !workflowId;
  const [catalog, setCatalog] = useState(null);
  const [wf, setWf] = useState(isNew ? { name: '', description: '', definition: emptyDefinition() } : null);
  const [selected, setSelected] = useState(null);
  const [problems, setProblems] = useState(null);
  const [status, setStatus] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [showJson, setShowJson] = useState(false);

  useEffect(() => { api.blocks().then(setCatalog, setLoadError); }, []);
  useEffect(() => {
    if (isNew) { setWf({ name: '', description: '', definition: emptyDefinition() }); setSelected(null); setProblems(null); setStatus(null); return; }
    api.workflow(workflowId).then((w) => {
      const d = w.workflow_definition || {};
      setWf({ name: w.name, description: w.description || '', definition: { blocks: d.blocks || [], edges: d.edges || [] }, version: w.version });
    }, setLoadError);
  }, [workflowId]);

  const definition = wf?.definition;
  const placed = useMemo(() => (definition ? placeErrors(problems?.errors, definition) : null), [problems, definition]);
  const counts = useMemo(() => (placed ? errorCounts(placed, definition) : {}), [placed]);
  const catalogByName = useMemo(() => {
    const map = {};
    for (const b of catalog || []) { map[b.block_name.toLowerCase()] = b; for (const a of b.aliases || []) map[a.toLowerCase()] = b; }
    return map;
  }, [catalog]);

  if (loadError) return html`<${ErrorBox} error=${loadError} />`;
  if (!wf || !catalog) return html`<p class="loading">Loading…</p>`;

  const setDefinition = (next) => { setWf({ ...wf, definition: next }); setStatus(null); };
  const block = definition.blocks.find((b) => blockId(b) === selected);

  const addBlock = (name) => {
    const info = catalogByName[name.toLowerCase()];
    const seq = Math.max(0, ...definition.blocks.map((b) => Number(b.sequence_number) || 0)) + 1;
    let id = info?.role === 'source' ? 'source' : name;
    const taken = new Set(definition.blocks.map(blockId));
    if (taken.has(id)) id = `${name}_${seq}`;
    const next = { sequence_number: seq, block_type: name, block_name: name, block_id: id, specs: {} };
    const edges = [...definition.edges];
    const parent = selected && taken.has(selected) ? selected : definition.blocks.length ? blockId(definition.blocks[definition.blocks.length - 1]) : null;
    if (info?.role !== 'source' && parent) edges.push({ from_block_id: parent, to_block_id: id });
    setDefinition({ blocks: [...definition.blocks, next], edges });
    setSelected(id);
  };

  const updateBlock = (changed) => {
    const oldId = blockId(block), newId = blockId(changed);
    const edges = oldId === newId ? definition.edges : definition.edges.map((e) => ({
      ...e, from_block_id: e.from_block_id === oldId ? newId : e.from_block_id, to_block_id: e.to_block_id === oldId ? newId : e.to_block_id,
    }));
    setDefinition({ blocks: definition.blocks.map((b) => (b === block ? changed : b)), edges });
    if (oldId !== newId) setSelected(newId);
  };
  const removeBlock = () => {
    const id = blockId(block);
    setDefinition({ blocks: definition.blocks.filter((b) => b !== block), edges: definition.edges.filter((e) => e.from_block_id !== id && e.to_block_id !== id) });
    setSelected(null);
  };

  const report = (e, what) => {
    if (e instanceof ApiError && (e.status === 400 || e.status === 422) && e.errors.length) {
      setProblems({ errors: e.errors, detail: e.message });
      setStatus({ kind: 'error', text: `${what}: ${e.errors.length} problem${e.errors.length > 1 ? 's' : ''} in the definition.` });
    } else setStatus({ kind: 'error', text: `${what}: ${e.message}` });
  };

  const validate = async () => {
    setStatus({ kind: 'busy', text: 'Validating…' });
    try {
      const answer = await api.validate(definition);
      setProblems({ errors: [], warnings: answer.warnings });
      setStatus({ kind: 'ok', text: 'The definition is valid.' + (answer.warnings?.length ? ` ${answer.warnings.length} warning(s).` : '') });
    } catch (e) { report(e, 'Not valid'); }
  };

  const save = async () => {
    if (!wf.name.trim()) { setStatus({ kind: 'error', text: 'Give the workflow a name before saving.' }); document.getElementById('wf-name')?.focus(); return; }
    setStatus({ kind: 'busy', text: 'Saving…' });
    const body = { workflow_name: wf.name, workflow_description: wf.description, workflow_definition: definition };
    try {
      const saved = isNew ? await api.createWorkflow(body) : await api.updateWorkflow(workflowId, body);
      setProblems({ errors: [], warnings: saved.warnings });
      setWf({ ...wf, version: saved.version });
      setStatus({ kind: 'ok', text: `Saved as ${saved.id}, version ${saved.version}.` });
      if (isNew) navigate('#/workflows/' + encodeURIComponent(saved.id), { replace: true });
    } catch (e) { report(e, 'Not saved'); }
  };

  const remove = async () => {
    if (!confirm(`Delete workflow ${workflowId}?`)) return;
    try { await api.deleteWorkflow(workflowId); navigate('#/workflows'); } catch (e) { setStatus({ kind: 'error', text: e.message }); }
  };

  return html`<section class="editor" aria-labelledby="editor-title">
    <div class="title-row">
      <h1 id="editor-title">${isNew ? 'New workflow' : wf.name}${wf.version ? html` <span class="muted">v${wf.version}</span>` : ''}</h1>
      <div class="toolbar">
        <button type="button" id="validate-workflow" onClick=${validate}>Validate</button>
        <button type="button" id="save-workflow" class="primary" onClick=${save}>Save</button>
        ${!isNew && html`<a class="button" id="run-workflow" href=${'#/runs/new?workflow=' + encodeURIComponent(workflowId)}>Run…</a>
          <button type="button" class="danger" onClick=${remove}>Delete</button>`}
      </div>
    </div>
    <div class="meta-row">
      <div class="field"><label for="wf-name">Name</label><input id="wf-name" value=${wf.name} onInput=${(e) => setWf({ ...wf, name: e.target.value })} /></div>
      <div class="field grow"><label for="wf-description">Description</label><input id="wf-description" value=${wf.description} onInput=${(e) => setWf({ ...wf, description: e.target.value })} /></div>
    </div>
    ${status && html`<p id="editor-status" class=${'status ' + status.kind} role="status">${status.text}</p>`}
    ${placed && (placed.general.length > 0 || Object.keys(placed.blocks).length > 0 || Object.keys(placed.edges).length > 0) && html`
      <div class="problems" id="problems" role="alert"><h2>Problems</h2><ul>
        ${placed.general.map((m) => html`<li>${m}</li>`)}
        ${Object.entries(placed.blocks).map(([id, entry]) => [...Object.entries(entry.fields).map(([f, m]) => [f, m]), ...entry.other.map((m) => ['', m])].map(([f, m]) =>
          html`<li><button type="button" class="link" onClick=${() => setSelected(id)}>Block ${id}${f ? ', ' + f.replace(/^@/, '') : ''}</button>: ${m}</li>`))}
        ${Object.entries(placed.edges).map(([i, msgs]) => msgs.map((m) => {
          const e = definition.edges[i];
          return html`<li><button type="button" class="link" onClick=${() => setSelected(e?.to_block_id)}>Edge ${e ? e.from_block_id + ' → ' + e.to_block_id : i}</button>: ${m}</li>`;
        }))}
      </ul></div>`}
    ${problems?.warnings?.length > 0 && html`<div class="warnings"><h2>Warnings</h2><ul>${problems.warnings.map((w) => html`<li>${(w.loc || []).join('.')}: ${w.msg}</li>`)}</ul></div>`}
    <div class="builder">
      <div class="canvas">
        <div class="add-block">
          <label for="add-block-type">Add block</label>
          <select id="add-block-type">${[['source', 'Sources'], ['row', 'Row blocks'], ['merge', 'Merging']].map(([role, label]) => html`<optgroup label=${label}>
            ${catalog.filter((b) => b.role === role).sort((x, y) => x.block_name.localeCompare(y.block_name)).map((b) => html`<option value=${b.block_name} title=${b.description}>${b.block_name} (${b.role})</option>`)}</optgroup>`)}</select>
          <button type="button" id="add-block" onClick=${() => addBlock(document.getElementById('add-block-type').value)}>Add${selected ? ' after ' + selected : ''}</button>
        </div>
        <div class="graph-wrap"><${WorkflowGraph} definition=${definition} selected=${selected} onSelect=${setSelected} errorsByBlock=${counts} /></div>
        <nav aria-label="Blocks" class="block-list"><ul>${definition.blocks.map((b) => html`<li><button type="button" class=${'link' + (blockId(b) === selected ? ' current' : '')}
          aria-current=${blockId(b) === selected ? 'true' : undefined} onClick=${() => setSelected(blockId(b))}>${b.sequence_number}. ${blockId(b)} (${b.block_name || b.block_type})${counts[blockId(b)] ? ` — ${counts[blockId(b)]} problem(s)` : ''}</button></li>`)}</ul></nav>
        <details open=${showJson} onToggle=${(e) => setShowJson(e.target.open)}><summary>Definition as JSON</summary>
          <${DefinitionJson} definition=${definition} onChange=${setDefinition} /></details>
      </div>
      <div class="inspector" aria-live="polite">${block
        ? html`<${BlockInspector} key=${blockId(block)} block=${block} definition=${definition} info=${catalogByName[(block.block_name || block.block_type || '').toLowerCase()]}
            catalog=${catalog} placedBlock=${placed?.blocks[blockId(block)]} placedEdges=${placed?.edges || {}}
            onChange=${updateBlock} onRemove=${removeBlock} onEdges=${(edges) => setDefinition({ ...definition, edges })} />`
        : html`<p class="hint">Select a block in the graph (click, or Tab and Enter) to edit its specs and inputs, or add one.</p>`}</div>
    </div>
  </section>`;
}

function DefinitionJson({ definition, onChange }) {
  const [text, setText] = useState(JSON.stringify(definition, null, 2));
  const [error, setError] = useState(null);
  useEffect(() => { setText(JSON.stringify(definition, null, 2)); }, [JSON.stringify(definition)]);
  return html`<label for="definition-json" class="sr-only">Definition JSON</label>
    <textarea id="definition-json" class="code" rows="14" value=${text} onInput=${(e) => setText(e.target.value)} />
    <button type="button" id="apply-definition-json" onClick=${() => {
      try { const d = JSON.parse(text); onChange({ blocks: d.blocks || [], edges: d.edges || [] }); setError(null); } catch (e) { setError(e.message); }
    }}>Apply JSON</button>${error && html`<p class="field-error" role="alert">Not valid JSON: ${error}</p>`}`;
}

function BlockInspector({ block, definition, info, catalog, placedBlock, placedEdges, onChange, onRemove, onEdges }) {
  const id = blockId(block);
  const fields = placedBlock?.fields || {};
  const [rawSpecs, setRawSpecs] = useState(false);
  const set = (key, value) => onChange({ ...block, [key]: value });
  const incoming = definition.edges.map((e, i) => [e, i]).filter(([e]) => e.to_block_id === id);
  const others = definition.blocks.map(blockId).filter((x) => x !== id);
  const prefix = 'spec-' + id;
  return html`<div class="block-inspector" id=${'inspector-' + id}>
    <h2>Block <code>${id}</code></h2>
    ${info && html`<p class="help">${info.description}</p>`}
    ${placedBlock?.other?.length > 0 && html`<ul class="block-errors" role="alert">${placedBlock.other.map((m) => html`<li class="field-error">${m}</li>`)}</ul>`}
    <div class="field-row">
      <div class=${'field' + (fields['@block_id'] ? ' invalid' : '')}><label for="block-id">Block id</label>
        <input id="block-id" value=${block.block_id || ''} onChange=${(e) => set('block_id', e.target.value.trim() || undefined)} />
        ${fields['@block_id'] && html`<p class="field-error">${fields['@block_id']}</p>`}</div>
      <div class=${'field' + (fields['@sequence_number'] ? ' invalid' : '')}><label for="block-seq">Sequence number</label>
        <input id="block-seq" type="number" value=${block.sequence_number} onChange=${(e) => set('sequence_number', Number(e.target.value))} />
        ${fields['@sequence_number'] && html`<p class="field-error">${fields['@sequence_number']}</p>`}</div>
      <div class=${'field' + (fields['@block_name'] ? ' invalid' : '')}><label for="block-name">Block</label>
        <select id="block-name" onChange=${(e) => onChange({ ...block, block_name: e.target.value, block_type: e.target.value })}>
          ${!info && html`<option selected>${block.block_name || block.block_type}</option>`}
          ${catalog.map((b) => html`<option value=${b.block_name} selected=${info === b}>${b.block_name}</option>`)}</select>
        ${fields['@block_name'] && html`<p class="field-error">${fields['@block_name']}</p>`}</div>
    </div>
    <fieldset class="specs"><legend>Specs</legend>
      <label class="inline"><input type="checkbox" checked=${rawSpecs} onChange=${(e) => setRawSpecs(e.target.checked)} /> Edit as JSON</label>
      ${rawSpecs || !info
        ? html`<${RawSpecs} value=${block.specs || {}} onChange=${(specs) => set('specs', specs)} errors=${fields} />`
        : html`<${SchemaForm} schema=${info.specs_schema} value=${block.specs || {}} onChange=${(specs) => set('specs', specs)} errors=${fields} idPrefix=${prefix} />`}
      ${Object.entries(fields).filter(([f]) => !f.startsWith('@') && (rawSpecs || !info || !(f.split('.')[0] in (info.specs_schema?.properties || {})))).map(([f, m]) =>
        html`<p class="field-error" role="alert">specs.${f}: ${m}</p>`)}
    </fieldset>
    ${!SOURCES.has((block.block_name || '').toLowerCase()) && html`<fieldset class="edges"><legend>Inputs (edges into ${id})</legend>
      ${incoming.length === 0 && html`<p class="hint">No input: connect one below.</p>`}
      ${incoming.map(([e, i]) => html`<div class=${'edge-row' + (placedEdges[i] ? ' invalid' : '')} key=${i}>
        <div class="field"><label for=${'edge-' + i + '-from'}>From</label>
          <select id=${'edge-' + i + '-from'} onChange=${(ev) => onEdges(definition.edges.map((x, j) => (j === i ? { ...x, from_block_id: ev.target.value } : x)))}>
            ${[e.from_block_id, ...others.filter((o) => o !== e.from_block_id)].map((o) => html`<option value=${o} selected=${o === e.from_block_id}>${o}</option>`)}</select></div>
        <div class="field"><label for=${'edge-' + i + '-condition'}>Condition</label>
          <input id=${'edge-' + i + '-condition'} class="code" placeholder="e.g. [country] = 'DE'" value=${e.condition || ''}
            aria-describedby=${'edge-' + i + '-help'}
            onChange=${(ev) => onEdges(definition.edges.map((x, j) => (j === i ? { ...x, condition: ev.target.value.trim() || undefined } : x)))} />
          <p class="help" id=${'edge-' + i + '-help'}>An expression (docs/api.md §5.1); rows for which it is false do not travel the edge and go to rejects.</p></div>
        <button type="button" class="small" onClick=${() => onEdges(definition.edges.filter((_, j) => j !== i))}>Remove edge</button>
        ${placedEdges[i] && html`<p class="field-error" role="alert">${placedEdges[i].join(' ')}</p>`}
      </div>`)}
      ${others.length > 0 && html`<${AddEdge} others=${others.filter((o) => !incoming.some(([e]) => e.from_block_id === o))} onAdd=${(from) => onEdges([...definition.edges, { from_block_id: from, to_block_id: id }])} />`}
    </fieldset>`}
    <button type="button" class="danger" onClick=${onRemove}>Remove block ${id}</button>
  </div>`;
}

function AddEdge({ others, onAdd }) {
  const [from, setFrom] = useState(others[0]);
  if (!others.length) return null;
  return html`<div class="add-edge"><label for="add-edge-from">Add input from</label>
    <select id="add-edge-from" onChange=${(e) => setFrom(e.target.value)}>${others.map((o) => html`<option value=${o} selected=${o === from}>${o}</option>`)}</select>
    <button type="button" class="small" onClick=${() => onAdd(from || others[0])}>Connect</button></div>`;
}

function RawSpecs({ value, onChange }) {
  const [text, setText] = useState(JSON.stringify(value, null, 2));
  const [error, setError] = useState(null);
  return html`<label for="specs-json" class="sr-only">Specs JSON</label>
    <textarea id="specs-json" class="code" rows="8" value=${text} onInput=${(e) => {
      setText(e.target.value);
      try { const v = JSON.parse(e.target.value || '{}'); onChange(v); setError(null); } catch (err) { setError(err.message); }
    }} />${error && html`<p class="field-error" role="alert">Not valid JSON: ${error}</p>`}`;
}
