// Just enough RFC 4180 to preview result files and to turn pasted CSV into webhook rows.

/** Rows of a CSV text as arrays of strings; a cut-off last record (a range request) is dropped when `partial`. */
export function parseCsv(text, partial = false) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [], field = '', quoted = false, i = 0, atEnd = true;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; atEnd = false; continue; }
    if (c === ',') { row.push(field); field = ''; i++; atEnd = false; continue; }
    if (c === '\r' || c === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; atEnd = true;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1; continue;
    }
    field += c; i++; atEnd = false;
  }
  if (!atEnd || field !== '' || row.length) { if (!partial) { row.push(field); rows.push(row); } }
  return rows;
}

/** CSV text with a header line as objects of strings. */
export function csvObjects(text, partial = false) {
  const [header, ...rows] = parseCsv(text, partial);
  if (!header) return { columns: [], rows: [] };
  return { columns: header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}
