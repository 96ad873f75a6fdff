// charts.js - the stacked bar per rank and the donut, as SVG strings (no chart library).
// Every segment carries a <title>: name, GiB, formula and source, shown on hover.

const CATEGORIES = ['weights', 'kv_cache', 'activations', 'optimizer', 'gradients', 'allocator', 'overhead', 'other'];

export function categoryColor(category) {
  const known = CATEGORIES.includes(category) ? category : 'other';
  return `var(--c-${known})`;
}

function esc(s) {
  return String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}
const gib = (b) => (b / 2 ** 30).toFixed(2);

// One bar per rank, segments by category; a line marks the GPU's capacity when known.
export function barsSVG(ranks, capacity) {
  const width = 640, rowH = 26, left = 90, right = 70;
  const scaleMax = Math.max(capacity || 0, ...ranks.map((r) => r.total_bytes)) || 1;
  const x = (b) => left + (b / scaleMax) * (width - left - right);
  let svg = `<svg viewBox="0 0 ${width} ${ranks.length * rowH + 22}" width="100%" role="img" ` +
            `aria-label="Memory per rank by category">`;
  ranks.forEach((rank, i) => {
    const y = 4 + i * rowH;
    const sums = new Map();
    const formulas = new Map();
    for (const c of rank.components || []) {
      sums.set(c.category, (sums.get(c.category) || 0) + c.bytes);
      formulas.set(c.category, (formulas.get(c.category) || '') + `\n${c.name}: ${gib(c.bytes)} GiB = ${c.formula || ''}`);
    }
    svg += `<text x="0" y="${y + 15}">${esc(rank.label || 'GPU ' + i)}</text>`;
    let at = 0;
    for (const cat of [...CATEGORIES, ...[...sums.keys()].filter((k) => !CATEGORIES.includes(k))]) {
      const b = sums.get(cat);
      if (!b) continue;
      svg += `<rect class="seg" x="${x(at)}" y="${y}" width="${Math.max(0.5, x(at + b) - x(at))}" height="${rowH - 8}" ` +
             `fill="${categoryColor(cat)}"><title>${esc(cat)}: ${gib(b)} GiB${esc(formulas.get(cat))}</title></rect>`;
      at += b;
    }
    svg += `<text x="${x(at) + 4}" y="${y + 15}">${gib(rank.total_bytes)}</text>`;
  });
  if (capacity > 0) {
    const cx = x(capacity);
    svg += `<line class="cap" x1="${cx}" x2="${cx}" y1="0" y2="${ranks.length * rowH + 4}" stroke="currentColor" ` +
           `stroke-dasharray="4 3"><title>usable per GPU: ${gib(capacity)} GiB</title></line>` +
           `<text x="${Math.min(cx, width - 60)}" y="${ranks.length * rowH + 18}">${gib(capacity)} GiB</text>`;
  }
  return svg + '</svg>';
}

// A donut of the components, largest first; arcs as stroked circles (dash array per segment).
export function donutSVG(components, total) {
  const r = 70, c = 2 * Math.PI * r;
  let svg = `<svg viewBox="0 0 200 200" width="200" height="200" role="img" aria-label="Share of each component">`;
  let offset = 0;
  const sorted = [...components].sort((a, b) => b.bytes - a.bytes);
  for (const comp of sorted) {
    if (comp.bytes <= 0 || total <= 0) continue;
    const len = (comp.bytes / total) * c;
    svg += `<circle class="seg" cx="100" cy="100" r="${r}" fill="none" stroke="${categoryColor(comp.category)}" ` +
           `stroke-width="34" stroke-dasharray="${len} ${c - len}" stroke-dashoffset="${-offset}" ` +
           `transform="rotate(-90 100 100)"><title>${esc(comp.name)}: ${gib(comp.bytes)} GiB ` +
           `(${(100 * comp.bytes / total).toFixed(1)} %)\n${esc(comp.formula)}\n${esc(comp.source)}</title></circle>`;
    offset += len;
  }
  svg += `<text x="100" y="104" text-anchor="middle">${gib(total)} GiB</text>`;
  return svg + '</svg>';
}
