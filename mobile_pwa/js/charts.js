// Small SVG charts built node by node, each an aria-labelled img with a table of its numbers.
import { h, nextId } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  if (text !== undefined) el.textContent = String(text);
  return el;
}

function svg(width, height, label, cls) {
  return s('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: `chart-svg ${cls || ''}`,
    preserveAspectRatio: 'xMinYMin meet', focusable: 'false',
  });
}

const fmt = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** A 12-week trend line: values oldest first. */
export function sparkline(values, label) {
  const width = 120;
  const height = 32;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  const points = values.map((v, i) => [2 + i * step, height - 3 - (v / max) * (height - 6)]);
  const el = svg(width, height, label, 'spark');
  el.append(s('line', { x1: 0, x2: width, y1: height - 2, y2: height - 2, class: 'axis' }));
  el.append(s('polyline', { points: points.map((p) => p.map((n) => n.toFixed(1)).join(',')).join(' '), class: 'line' }));
  const last = points[points.length - 1];
  if (last) el.append(s('circle', { cx: last[0].toFixed(1), cy: last[1].toFixed(1), r: 2.5, class: 'dot' }));
  return el;
}

/** Horizontal bars [{ label, value }], labels above (never cut off). Options: target, unit, max. */
export function bars(rows, label, { target = null, unit = '', max = null } = {}) {
  const width = 360;
  const row = 34;
  const right = 52;
  const top = target !== null ? 16 : 4;
  const height = top + rows.length * row + 4;
  const top1 = Math.max(max || 0, target || 0, ...rows.map((r) => r.value), 1);
  const scale = (v) => ((width - right) * v) / top1;
  const el = svg(width, height, label, 'bars');
  rows.forEach((r, i) => {
    const y = top + i * row;
    const name = r.label.length > 50 ? `${r.label.slice(0, 49)}…` : r.label;
    el.append(s('text', { x: 2, y: y + 12, class: 'label' }, name));
    el.append(s('rect', { x: 0, y: y + 16, width: Math.max(1, scale(r.value)).toFixed(1), height: 14, class: r.warn ? 'bar warn' : 'bar' }));
    el.append(s('text', { x: scale(r.value) + 4, y: y + 28, class: 'label' }, `${fmt(r.value)}${unit}`));
  });
  if (target !== null) {
    const x = scale(target);
    el.append(s('line', { x1: x, x2: x, y1: 12, y2: height, class: 'target' }));
    el.append(s('text', { x: Math.max(x, 30), y: 10, class: 'label small mid' }, `target ${fmt(target)}${unit}`));
  }
  return el;
}

/**
 * Vertical columns in groups: categories along the bottom, one column per series in each.
 * series: [{ name, values, cls }]. Every other category is labelled when there are many.
 */
export function columns(categories, series, label, { max = null } = {}) {
  const width = 320;
  const height = 150;
  const bottom = 22;
  const left = 26;
  const top1 = Math.max(max || 0, 1, ...series.flatMap((x) => x.values));
  const band = (width - left) / Math.max(1, categories.length);
  const gap = Math.min(6, band * 0.2);
  const colWidth = (band - gap) / series.length;
  const y = (v) => height - bottom - ((height - bottom - 8) * v) / top1;
  const el = svg(width, height, label, 'columns');
  el.append(s('line', { x1: left, x2: width, y1: height - bottom, y2: height - bottom, class: 'axis' }));
  el.append(s('text', { x: left - 4, y: 12, class: 'label small end' }, fmt(top1)));
  el.append(s('text', { x: left - 4, y: height - bottom, class: 'label small end' }, '0'));
  const every = categories.length > 8 ? Math.ceil(categories.length / 6) : 1;
  categories.forEach((cat, i) => {
    const x0 = left + i * band + gap / 2;
    series.forEach((ser, j) => {
      const v = ser.values[i] || 0;
      el.append(s('rect', { x: (x0 + j * colWidth).toFixed(1), y: y(v).toFixed(1), width: Math.max(1, colWidth - 1).toFixed(1), height: (height - bottom - y(v)).toFixed(1), class: `bar ${ser.cls || ''}` }));
    });
    if (i % every === 0) el.append(s('text', { x: (x0 + (band - gap) / 2).toFixed(1), y: height - 6, class: 'label small mid' }, cat));
  });
  return el;
}

/** A table of the numbers: head is a list of column names, rows lists of cells (first cell a row header). */
export function dataTable(caption, head, rows) {
  return h('table', { class: 'data' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))));
}

/** A chart and its table. The table is read by screen readers and shown on demand ("Show numbers"). */
export function figure(title, drawing, table, legend) {
  const box = h('div', { class: 'numbers sr-only', id: nextId('tbl') }, table);
  const toggle = h('button', {
    type: 'button', class: 'link-btn', 'aria-expanded': 'false', 'aria-controls': box.id,
    onclick: () => {
      const show = box.classList.contains('sr-only');
      box.classList.toggle('sr-only', !show);
      toggle.setAttribute('aria-expanded', String(show));
      toggle.textContent = show ? 'Hide numbers' : 'Show numbers';
    },
  }, 'Show numbers');
  return h('figure', { class: 'chart' },
    title ? h('figcaption', {}, title) : null,
    drawing,
    legend ? h('p', { class: 'legend', 'aria-hidden': 'true' }, legend.map(([cls, text]) => h('span', { class: `key ${cls}` }, text))) : null,
    toggle,
    box);
}
