// A form generated from a block's JSON Schema (GET /workflows/blocks `specs_schema`): strings, numbers, booleans,
// enums, lists of strings, lists and objects of such fields; anything else (free-key maps, unions) as raw JSON.
import { html, useState, useEffect } from './html.js';

const typeOf = (schema) => {
  if (!schema) return undefined;
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (t) return t;
  if (schema.enum) return 'string';
  return undefined;
};

/** The schema of one property, following a local $ref. */
function resolve(schema, root) {
  if (schema?.$ref?.startsWith('#')) {
    const target = schema.$ref.slice(1).split('/').filter(Boolean).reduce((node, part) => node?.[part], root);
    return target ? { ...target, ...schema, $ref: undefined } : schema;
  }
  return schema;
}

const simple = (schema) => ['string', 'number', 'integer', 'boolean', undefined].includes(typeOf(schema)) && !schema?.properties && !schema?.anyOf && !schema?.oneOf;

/** A value of no declared type (filter `value`): JSON when it reads as a list, number or boolean, else text. */
const readLoose = (t) => {
  if (/^\s*(\[|\{|-?\d|true$|false$)/.test(t)) { try { return JSON.parse(t); } catch { /* text */ } }
  return t;
};
const fieldId = (prefix, path) => `${prefix}-${path.join('.')}`.replace(/[^A-Za-z0-9_.-]/g, '_');
const errorAt = (errors, path) => errors[path.join('.')];

/** `value` is the specs object; `onChange` receives the new one; `errors` maps "a.0.b" paths to messages. */
export function SchemaForm({ schema, value, onChange, errors = {}, idPrefix }) {
  const root = schema || {};
  const props = root.properties || {};
  const required = new Set(root.required || []);
  const names = Object.keys(props);
  if (!names.length) return html`<p class="hint">This block takes no specs.</p>`;
  return html`<div class="schema-form">
    ${names.map((name) => html`<${Field} key=${name} name=${name} schema=${resolve(props[name], root)} root=${root}
      required=${required.has(name)} value=${value?.[name]} path=${[name]} errors=${errors} idPrefix=${idPrefix}
      onChange=${(v) => onChange(setKey(value, name, v))} />`)}
  </div>`;
}

function setKey(object, key, v) {
  const next = { ...(object || {}) };
  if (v === undefined) delete next[key]; else next[key] = v;
  return next;
}

function Label({ id, name, required, schema }) {
  return html`<label for=${id}>${name}${required ? html`<span class="req" title="required"> *</span>` : ''}
    ${schema?.default !== undefined && schema?.default !== null ? html`<span class="default"> (default ${JSON.stringify(schema.default)})</span>` : ''}</label>`;
}

function ErrorText({ id, message }) {
  return message ? html`<p class="field-error" id=${id + '-error'} role="alert">${message}</p>` : null;
}

function Field({ name, schema, root, required, value, path, errors, idPrefix, onChange }) {
  const id = fieldId(idPrefix, path);
  const message = errorAt(errors, path);
  const type = typeOf(schema);
  const describedBy = message ? id + '-error' : undefined;
  const help = schema?.description ? html`<p class="help">${schema.description}</p>` : null;
  const cls = 'field' + (message ? ' invalid' : '');

  if (schema?.enum) {
    return html`<div class=${cls}><${Label} id=${id} name=${name} required=${required} schema=${schema} />
      <select id=${id} name=${path.join('.')} aria-invalid=${!!message} aria-describedby=${describedBy}
        onChange=${(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="" selected=${value === undefined}>(not set)</option>
        ${schema.enum.filter((o) => o !== null).map((o) => html`<option value=${o} selected=${value === o}>${o}</option>`)}
      </select>${help}<${ErrorText} id=${id} message=${message} /></div>`;
  }
  if (type === 'boolean') {
    const state = value === undefined ? '' : String(value);
    return html`<div class=${cls}><${Label} id=${id} name=${name} required=${required} schema=${schema} />
      <select id=${id} name=${path.join('.')} aria-invalid=${!!message} aria-describedby=${describedBy}
        onChange=${(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
        <option value="" selected=${state === ''}>(not set)</option>
        <option value="true" selected=${state === 'true'}>true</option>
        <option value="false" selected=${state === 'false'}>false</option>
      </select>${help}<${ErrorText} id=${id} message=${message} /></div>`;
  }
  if (type === 'string' || type === 'number' || type === 'integer' || (type === undefined && simple(schema) && path.length > 1)) {
    const numeric = type === 'number' || type === 'integer';
    const loose = type === undefined;
    const text = value === undefined || value === null ? '' : typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    return html`<div class=${cls}><${Label} id=${id} name=${name} required=${required} schema=${schema} />
      <input id=${id} name=${path.join('.')} type=${numeric ? 'number' : 'text'} step=${type === 'number' ? 'any' : undefined}
        value=${text} aria-invalid=${!!message} aria-describedby=${describedBy}
        onInput=${(e) => { const t = e.target.value; onChange(t === '' ? undefined : numeric ? Number(t) : loose ? readLoose(t) : t); }} />
      ${help}<${ErrorText} id=${id} message=${message} /></div>`;
  }
  if (type === 'array') {
    const items = resolve(schema.items, root);
    if (typeOf(items) === 'string' && !items.enum) {
      return html`<div class=${cls}><${Label} id=${id} name=${name + ' (one a line)'} required=${required} schema=${schema} />
        <textarea id=${id} name=${path.join('.')} rows="3" aria-invalid=${!!message} aria-describedby=${describedBy}
          value=${Array.isArray(value) ? value.join('\n') : ''}
          onInput=${(e) => { const lines = e.target.value.split('\n').map((s) => s.trim()).filter(Boolean); onChange(lines.length ? lines : undefined); }} />
        ${help}<${ErrorText} id=${id} message=${message} /></div>`;
    }
    if (typeOf(items) === 'object' && items.properties && Object.values(items.properties).every((p) => simple(resolve(p, root)))) {
      const list = Array.isArray(value) ? value : [];
      return html`<fieldset class=${cls + ' list'}><legend>${name}${required ? ' *' : ''}</legend>${help}
        ${list.map((item, i) => html`<div class="list-item" key=${i}>
          ${Object.entries(items.properties).map(([k, p]) => html`<${Field} key=${k} name=${k} schema=${resolve(p, root)} root=${root}
            required=${(items.required || []).includes(k)} value=${item?.[k]} path=${[...path, i, k]} errors=${errors} idPrefix=${idPrefix}
            onChange=${(v) => onChange(list.map((x, j) => (j === i ? setKey(x, k, v) : x)))} />`)}
          <${ErrorText} id=${fieldId(idPrefix, [...path, i])} message=${errorAt(errors, [...path, i])} />
          <button type="button" class="small" onClick=${() => { const next = list.filter((_, j) => j !== i); onChange(next.length ? next : undefined); }}>Remove ${name} ${i + 1}</button>
        </div>`)}
        <button type="button" class="small" onClick=${() => onChange([...list, {}])}>Add to ${name}</button>
        <${ErrorText} id=${id} message=${message} /></fieldset>`;
    }
  }
  if (type === 'object' && schema.properties && Object.values(schema.properties).every((p) => simple(resolve(p, root)))) {
    return html`<fieldset class=${cls}><legend>${name}${required ? ' *' : ''}</legend>${help}
      ${Object.entries(schema.properties).map(([k, p]) => html`<${Field} key=${k} name=${k} schema=${resolve(p, root)} root=${root}
        required=${(schema.required || []).includes(k)} value=${value?.[k]} path=${[...path, k]} errors=${errors} idPrefix=${idPrefix}
        onChange=${(v) => { const next = setKey(value, k, v); onChange(Object.keys(next).length ? next : undefined); }} />`)}
      <${ErrorText} id=${id} message=${message} /></fieldset>`;
  }
  // Raw JSON: the problems anywhere inside the value show under it.
  const inside = Object.entries(errors).filter(([p]) => p === path.join('.') || p.startsWith(path.join('.') + '.')).map(([p, m]) => (p === path.join('.') ? m : `${p}: ${m}`));
  return html`<${JsonField} id=${id} name=${name} schema=${schema} required=${required} value=${value} message=${inside.join(' ') || undefined} help=${help} onChange=${onChange} path=${path} />`;
}

/** Raw JSON for what the generated form does not cover; read when it parses. */
function JsonField({ id, name, schema, required, value, message, help, onChange, path }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [parseError, setParseError] = useState(null);
  useEffect(() => {
    try { if (JSON.stringify(JSON.parse(text || 'null')) === JSON.stringify(value ?? null)) return; } catch { return; }
    setText(value === undefined ? '' : JSON.stringify(value, null, 2));
  }, [JSON.stringify(value)]);
  const shown = parseError || message;
  return html`<div class=${'field' + (shown ? ' invalid' : '')}><${Label} id=${id} name=${name + ' (JSON)'} required=${required} schema=${schema} />
    <textarea id=${id} name=${path.join('.')} rows="4" class="code" aria-invalid=${!!shown} aria-describedby=${shown ? id + '-error' : undefined}
      value=${text} onInput=${(e) => {
        const t = e.target.value; setText(t);
        if (t.trim() === '') { setParseError(null); onChange(undefined); return; }
        try { onChange(JSON.parse(t)); setParseError(null); } catch (err) { setParseError('Not valid JSON: ' + err.message); }
      }} />
    ${help}<${ErrorText} id=${id} message=${shown} /></div>`;
}
