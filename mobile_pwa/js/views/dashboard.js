// The dashboard: field time, the flow of pain points, the pulse. Every chart has a table of its numbers.
import * as api from '../api.js';
import { h, field, select } from '../ui.js';
import { KINDS } from '../outbox.js';
import { day, computedNote } from '../lists.js';
import { asOfNote, load } from '../reads.js';
import { bars, columns, dataTable, figure } from '../charts.js';

export const wide = true;

const WEEKS = [['4', '4 weeks'], ['8', '8 weeks'], ['12', '12 weeks'], ['26', '26 weeks'], ['52', '52 weeks']];
const fmt = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

function monthName(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
const shortMonth = (ym) => {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(undefined, { month: 'short', timeZone: 'UTC' });
};
const shortDay = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export async function render(main, [query], ctx) {
  const user = api.currentUser();
  const sp = new URLSearchParams(query || '');
  const now = new Date();
  const thisMonth = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const month = /^\d{4}-\d{2}$/.test(sp.get('month') || '') ? sp.get('month') : thisMonth;
  const weeks = WEEKS.some(([w]) => w === sp.get('weeks')) ? sp.get('weeks') : '12';

  const monthField = field('Month', (id) => h('input', { id, type: 'month', value: month, max: thisMonth }));
  const weeksField = field('Flow over', (id) => select(id, WEEKS, weeks));
  const form = h('form', { class: 'toolbar', 'aria-label': 'Dashboard period' }, monthField.wrap, weeksField.wrap,
    h('button', { type: 'submit', class: 'btn' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const m = /^\d{4}-\d{2}$/.test(monthField.control.value) ? monthField.control.value : thisMonth;
    ctx.go(`#/dashboard?month=${m}&weeks=${weeksField.control.value}`);
  });
  const loading = h('p', { role: 'status' }, 'Loading the dashboard…');
  main.append(h('h1', {}, 'Dashboard'), form, loading);
  const section = (id, title) => h('section', { 'aria-labelledby': id }, h('h2', { id }, title));
  const fieldBox = section('dash-field', `Field time, ${monthName(month)}`);
  const flowBox = section('dash-flow', 'Flow of pain points');
  const pulseBox = section('dash-pulse', 'Reality-check pulse');
  const [ft, fl, pu] = await Promise.all([
    load(`/api/dashboard/field-time?month=${month}`),
    load(`/api/dashboard/flow?weeks=${weeks}`),
    load('/api/pulse/results'),
  ]);
  const asOf = [ft, fl, pu].map((r) => r.asOf).filter(Boolean).sort()[0];
  const fill = (box, res, draw) => {
    box.append(...(res.error ? [h('p', { class: 'error', role: 'alert' }, res.error)] : draw(res.data)));
  };
  fill(fieldBox, ft, (d) => fieldTime(d, user));
  fill(flowBox, fl, flow);
  fill(pulseBox, pu, pulse);
  // Drawn in one go: nothing already on screen moves.
  loading.replaceWith(...[asOfNote(asOf), h('div', { class: 'dash' }, fieldBox, flowBox, pulseBox)].filter(Boolean));
}

function fieldTime(d, user) {
  const t = d.team;
  const kinds = Object.keys(KINDS);
  const out = [
    h('p', {}, `Team: ${plural(t.hours, 'hour', 'hours')} in ${plural(t.visits, 'visit', 'visits')} across ${plural(t.distinct_sites, 'site', 'sites')}; ${t.executives_out} of ${t.executives} executives out this month. Target: ${plural(d.target_hours, 'hour', 'hours')} each.`,
      user && user.role === 'admin' ? [' ', h('a', { href: '#/settings' }, 'Change the target')] : null),
  ];
  if (d.executives.length) {
    out.push(figure('Hours in the field per executive',
      bars(d.executives.map((e) => ({ label: e.executive.name, value: e.hours, warn: !e.target_met })),
        `Hours in the field per executive in ${monthName(d.month)}, target ${fmt(d.target_hours)} hours: ${d.executives.map((e) => `${e.executive.name} ${fmt(e.hours)}`).join(', ')}`,
        { target: d.target_hours, unit: ' h' }),
      dataTable(`Field time per executive, ${monthName(d.month)}`,
        ['Executive', 'Hours', 'Of target', 'Visits', ...kinds.map((k) => KINDS[k]), 'Sites'],
        d.executives.map((e) => [e.executive.name, fmt(e.hours), e.share_of_target === null ? '–' : `${Math.round(e.share_of_target * 100)}%`,
          String(e.visits), ...kinds.map((k) => String(e.visits_by_kind[k] || 0)), String(e.distinct_sites)])),
      [['bar', 'Hours'], ['warn', 'Below target'], ['target', 'Target']]));
  }
  out.push(figure('Visits by kind, whole team',
    bars(kinds.map((k) => ({ label: KINDS[k], value: t.visits_by_kind[k] || 0 })),
      `Team visits by kind: ${kinds.map((k) => `${KINDS[k]} ${t.visits_by_kind[k] || 0}`).join(', ')}`),
    dataTable('Team visits by kind', ['Kind', 'Visits'], kinds.map((k) => [KINDS[k], String(t.visits_by_kind[k] || 0)]))));
  out.push(h('h3', {}, 'Not out this month'),
    d.not_out_this_month.length
      ? h('ul', {}, d.not_out_this_month.map((r) => h('li', {}, r.name)))
      : h('p', {}, 'Every executive has been out this month.'));
  return out;
}

function flow(d) {
  const cats = d.weeks.map((w) => shortDay(w.week_start));
  const out = [computedNote(d.as_of),
    h('p', {}, `${day(d.since)} to ${day(new Date(Date.parse(`${d.until}T00:00:00Z`) - 86400000).toISOString().slice(0, 10))}: ${d.resolved_in_period} resolved; median time to resolve ${d.median_days_to_resolve === null ? '– (nothing resolved yet)' : plural(d.median_days_to_resolve, 'day', 'days')}.`),
    figure('Opened and resolved per week',
      columns(cats, [
        { name: 'Opened', values: d.weeks.map((w) => w.opened), cls: 'a' },
        { name: 'Resolved or won’t fix', values: d.weeks.map((w) => w.resolved + w.wont_fix), cls: 'b' },
      ], `Pain points opened and resolved per week: ${d.weeks.reduce((a, w) => a + w.opened, 0)} opened, ${d.weeks.reduce((a, w) => a + w.resolved + w.wont_fix, 0)} closed`),
      dataTable('Pain points per week', ['Week of', 'Opened', 'Resolved', 'Won’t fix'],
        d.weeks.map((w) => [day(w.week_start), String(w.opened), String(w.resolved), String(w.wont_fix)])),
      [['a', 'Opened'], ['b', 'Resolved or won’t fix']]),
  ];
  if (d.open_by_department.length) {
    const rows = d.open_by_department.map((r) => ({ label: r.department ? r.department.name : 'No department yet', value: r.open }));
    out.push(figure('Open pain points by owner department',
      bars(rows, `Open pain points by department: ${rows.map((r) => `${r.label} ${r.value}`).join(', ')}`),
      dataTable('Open pain points by department', ['Department', 'Open'], rows.map((r) => [r.label, String(r.value)]))));
  }
  const themeLink = (m) => h('a', { href: `#/feed?theme_id=${m.theme.id}` }, m.theme.label);
  out.push(h('h3', {}, 'Top 5 themes'),
    d.top_themes.length ? h('ol', { class: 'plain-list' }, d.top_themes.map((m) => h('li', {}, themeLink(m), ` · ${plural(m.count, 'pain point', 'pain points')}`)))
      : h('p', {}, 'No themed pain points in this period.'),
    h('h3', {}, 'Biggest movers'),
    d.movers.length ? h('ul', { class: 'plain-list' }, d.movers.map((m) => h('li', {}, themeLink(m),
      ` · ${m.change > 0 ? '+' : ''}${m.change} (${m.previous} → ${m.count} against the previous ${d.weeks.length} weeks)`)))
      : h('p', {}, 'No change against the previous period.'));
  return out.filter(Boolean);
}

function pulse(d) {
  if (!d.questions.length) return [h('p', {}, 'No questions yet.')];
  const out = [h('p', {}, 'Answered monthly by executives, anonymously. Scores 0–10.')];
  for (const { question, months } of d.questions) {
    const title = `${question.text}${question.is_active ? '' : ' (retired)'}`;
    const parts = [h('h3', {}, title)];
    const withheld = months.filter((m) => m.withheld && m.responses).map((m) => monthName(m.month));
    const answered = months.filter((m) => m.responses && !m.withheld);
    if (withheld.length) parts.push(h('p', { class: 'hint' }, `Too few answers to show: ${withheld.join(', ')}`));
    if (!answered.length) {
      if (!withheld.length) parts.push(h('p', { class: 'hint' }, 'No answers yet.'));
    } else if (question.kind === 'scale') {
      const latest = answered[answered.length - 1];
      parts.push(figure('Average per month',
        columns(answered.map((m) => shortMonth(m.month)), [{ name: 'Average', values: answered.map((m) => m.average || 0), cls: 'a' }],
          `Average score per month: ${answered.map((m) => `${monthName(m.month)} ${m.average === null ? '–' : fmt(m.average)}`).join(', ')}`, { max: 10 }),
        dataTable(`Answers to “${question.text}”`, ['Month', 'Answers', 'Average', ...Array.from({ length: 11 }, (_, i) => `Score ${i}`)],
          answered.map((m) => [monthName(m.month), String(m.responses), m.average === null ? '–' : fmt(m.average), ...(m.distribution || []).map(String)]))));
      parts.push(figure(`Distribution in ${monthName(latest.month)}`,
        columns(Array.from({ length: 11 }, (_, i) => String(i)), [{ name: 'Answers', values: latest.distribution || [], cls: 'b' }],
          `How many executives gave each score in ${monthName(latest.month)}: ${(latest.distribution || []).map((n, i) => `${i}: ${n}`).join(', ')}`),
        dataTable(`Scores in ${monthName(latest.month)}`, ['Score', 'Answers'], (latest.distribution || []).map((n, i) => [String(i), String(n)]))));
    } else {
      for (const m of answered.slice().reverse()) {
        parts.push(h('h4', {}, `${monthName(m.month)} (${plural(m.responses, 'answer', 'answers')})`),
          h('ul', { class: 'answers' }, (m.texts || []).map((t) => h('li', { class: 'prewrap' }, t))));
      }
    }
    out.push(h('div', { class: 'card' }, parts));
  }
  return out;
}
