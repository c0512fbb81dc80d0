// Places the `loc` of each validation problem (docs/api.md §1, §2.1) on the block, field or edge it names.
import { blockId } from './graph.js';

/**
 * errors: [{loc, msg}] as the validate/create/update answers give them. Returns
 * {general: [msg], blocks: {id: {fields: {"a.0.b": msg}, other: [msg], count}}, edges: {index: [msg]}}.
 */
export function placeErrors(errors, definition) {
  const placed = { general: [], blocks: {}, edges: {} };
  for (const e of errors || []) {
    let loc = [...(e.loc || [])];
    while (loc.length && (loc[0] === 'body' || loc[0] === 'workflow_definition')) loc.shift();
    const msg = e.msg || String(e);
    if (loc[0] === 'blocks' && Number.isInteger(loc[1]) && definition.blocks[loc[1]]) {
      const id = blockId(definition.blocks[loc[1]]);
      const entry = (placed.blocks[id] ||= { fields: {}, other: [], count: 0 });
      entry.count++;
      const rest = loc.slice(2);
      if (rest[0] === 'specs' && rest.length > 1) {
        const path = rest.slice(1).join('.');
        entry.fields[path] = entry.fields[path] ? entry.fields[path] + ' ' + msg : msg;
      } else if (rest.length === 1 && rest[0] !== 'specs') {
        entry.fields['@' + rest[0]] = msg;
      } else entry.other.push(msg);
    } else if (loc[0] === 'edges' && Number.isInteger(loc[1])) {
      (placed.edges[loc[1]] ||= []).push(msg);
    } else placed.general.push(loc.length ? `${loc.join('.')}: ${msg}` : msg);
  }
  return placed;
}

export function errorCounts(placed, definition) {
  const counts = {};
  for (const [id, entry] of Object.entries(placed.blocks)) counts[id] = entry.count;
  for (const [index, msgs] of Object.entries(placed.edges)) {
    counts['edge:' + index] = msgs.length;
    const to = definition.edges[index]?.to_block_id;
    if (to) counts[to] = (counts[to] || 0) + msgs.length;
  }
  return counts;
}
