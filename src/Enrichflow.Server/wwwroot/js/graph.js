// Draws a workflow definition as a DAG: dagre lays out the boxes and routes the edges, this file only draws SVG.
import { html, useMemo } from './html.js';
import { graphlib, layout } from '../vendor/dagre.esm.js';

const NODE_W = 190, NODE_H = 54;

export function layoutDefinition(definition, rankdir = 'TB') {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir, nodesep: 30, ranksep: 46, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set();
  for (const b of definition.blocks) { const id = blockId(b); ids.add(id); g.setNode(id, { width: NODE_W, height: NODE_H }); }
  definition.edges.forEach((e, i) => {
    if (ids.has(e.from_block_id) && ids.has(e.to_block_id) && e.from_block_id !== e.to_block_id) {
      g.setEdge(e.from_block_id, e.to_block_id, { index: i, label: e.condition || '', width: e.condition ? 120 : 0, height: e.condition ? 16 : 0 }, 'e' + i);
    }
  });
  layout(g);
  const graph = g.graph();
  return {
    width: Math.max(graph.width || 0, NODE_W + 24), height: Math.max(graph.height || 0, NODE_H + 24),
    nodes: g.nodes().map((id) => ({ id, ...g.node(id) })),
    edges: g.edges().map((e) => ({ ...g.edge(e), from: e.v, to: e.w })),
  };
}

export const blockId = (b) => b.block_id || `block_${b.sequence_number}`;

/** The DAG; each box is a button (Tab, Enter) that selects its block; `errorsByBlock` marks boxes with problems. */
export function WorkflowGraph({ definition, selected, onSelect, errorsByBlock = {}, statusByBlock, direction = 'TB' }) {
  const laid = useMemo(() => layoutDefinition(definition, direction), [direction, JSON.stringify(definition.blocks.map((b) => [blockId(b), b.block_name])), JSON.stringify(definition.edges)]);
  const byId = Object.fromEntries(definition.blocks.map((b) => [blockId(b), b]));
  if (!definition.blocks.length) return html`<div class="graph-empty">No blocks yet: add a source block (webhook or read_csv) first.</div>`;
  return html`<svg class="graph" id="workflow-graph" role="group" aria-label="Workflow graph" viewBox=${`0 0 ${laid.width} ${laid.height}`}
      width=${laid.width} height=${laid.height}>
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
      <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" /></marker></defs>
    ${laid.edges.map((e) => html`<g class=${'edge' + (errorsByBlock['edge:' + e.index] ? ' has-error' : '')} data-edge=${e.from + '->' + e.to}>
      <path d=${'M' + e.points.map((p) => `${p.x},${p.y}`).join(' L')} marker-end="url(#arrow)" />
      ${e.label ? html`<text x=${e.x} y=${e.y + 4} text-anchor="middle" class="edge-label">${short(e.label, 22)}</text>` : ''}
    </g>`)}
    ${laid.nodes.map((n) => {
      const b = byId[n.id];
      const errors = errorsByBlock[n.id] || 0;
      const status = statusByBlock?.[n.id];
      const cls = ['node', selected === n.id ? 'selected' : '', errors ? 'has-error' : '', status ? 'status-' + status.status : ''].join(' ');
      const select = () => onSelect?.(n.id);
      return html`<g class=${cls} transform=${`translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})`} data-block=${n.id}
          tabindex=${onSelect ? 0 : undefined} role=${onSelect ? 'button' : undefined}
          aria-label=${`Block ${n.id} (${b?.block_name || b?.block_type}${errors ? `, ${errors} problem${errors > 1 ? 's' : ''}` : ''})`}
          onClick=${select} onKeyDown=${(ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(); } }}>
        <rect width=${NODE_W} height=${NODE_H} rx="7" />
        ${status ? html`<rect class="progress" width=${(NODE_W * Math.min(100, status.progress_percentage || 0)) / 100} height="4" y=${NODE_H - 4} />` : ''}
        <text x="10" y="21" class="node-id">${short(n.id, 22)}</text>
        <text x="10" y="40" class="node-type">${short(b?.block_name || b?.block_type || '', 20)}${status ? ' · ' + status.status : ''}</text>
        ${errors ? html`<g class="badge"><circle cx=${NODE_W - 14} cy="14" r="10" /><text x=${NODE_W - 14} y="18" text-anchor="middle">${errors}</text></g>` : ''}
      </g>`;
    })}
  </svg>`;
}

const short = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
