// The home's own dashboard (GET /api/dashboard/me), loaded after the home has drawn: never in the first load.
// Every figure says what it is compared with and whether that is better or worse; charts have their numbers.
import { h, when } from '../ui.js';
import { asOfNote, load } from '../reads.js';
import { bars, dataTable, figure, sparkline } from '../charts.js';
import { STATUS, day } from '../lists.js';

const STYLES = ['css/managers.css', 'css/my-dashboard.css'];
const fmt = (n) => (n === null || n === undefined ? '–' : Number.isInteger(n) ? String(n) : n.toFixed(1));
const WORDS = { better: 'Better', worse: 'Worse', same: 'No change' };
const GOAL = { on_track: 'On track', at_risk: 'At risk', met: 'Met', missed: 'Missed' };

/** Its stylesheets, linked once; resolves when they apply (or failed: the cards still read), so nothing moves. */
function linkStyles() {
  return Promise.all(STYLES.filter((href) => !document.querySelector(`link[href="${href}"]`))
    .map((href) => new Promise((done) => document.head.append(h('link', { rel: 'stylesheet', href, onload: done, onerror: done })))));
}

/** One figure as a card: its value, then the comparison in words (never colour alone). */
function card(label, f, { unit = '', against = 'previous period' } = {}) {
  const word = f.trend ? WORDS[f.trend] : 'Nothing to compare yet';
  const change = f.change === null ? '' : ` (${f.change > 0 ? '+' : ''}${fmt(f.change)}${unit})`;
  return h('li', { class: `figure-card trend-${f.trend || 'none'}` },
    h('span', { class: 'figure-label' }, label),
    h('span', { class: 'figure-value' }, `${fmt(f.value)}${unit}`),
    h('span', { class: 'figure-trend' }, f.previous === null ? word : `${word}${change}: ${fmt(f.previous)}${unit} ${against}`));
}

const section = (title, ...children) => h('section', { class: 'my-dash-part' }, h('h3', {}, title), ...children);

function fieldTime(ft) {
  const rows = [{ label: 'This month', value: ft.hours.value, warn: ft.hours.value < ft.target_hours },
    { label: 'Last month by this day', value: ft.hours.previous }];
  return figure('Hours in the field',
    bars(rows, `Hours in the field: ${fmt(ft.hours.value)} this month, ${fmt(ft.hours.previous)} last month by this day, target ${fmt(ft.target_hours)}`,
      { target: ft.target_hours, unit: ' h' }),
    dataTable('Hours in the field', ['Period', 'Hours', 'Visits'],
      [['This month', fmt(ft.hours.value), fmt(ft.visits.value)], ['Last month by this day', fmt(ft.hours.previous), fmt(ft.visits.previous)]]),
    [['bar', 'Hours'], ['target', 'Target']]);
}

function goals(list) {
  if (!list.length) return h('p', { class: 'hint' }, 'No shared goals for your departments yet.');
  return h('ul', { class: 'plain-list' }, list.map((g) => h('li', { class: 'goal-line' },
    h('span', { class: 'title' }, g.title), ' ',
    h('span', { class: `badge goal-${g.status}` }, GOAL[g.status] || g.status),
    h('span', { class: 'meta' }, `Now ${fmt(g.figure.value)}, target ${g.comparison === 'at_least' ? 'at least' : 'at most'} ${fmt(g.target)} by ${day(g.due_date)}${g.figure.trend ? ` · ${WORDS[g.figure.trend]}: ${fmt(g.figure.previous)} the period before` : ''}`))));
}

function kpis(list) {
  if (!list.length) return h('p', { class: 'hint' }, 'No KPI values for your scope in the last six months.');
  return h('ul', { class: 'figure-cards' }, list.map((k) => card(
    `${k.name}${k.department ? ` · ${k.department.name}` : ' · whole organisation'}`, k.figure,
    { unit: k.unit === '%' ? '%' : '', against: k.previous_period_start ? `the ${k.period} of ${day(k.previous_period_start)}` : '' })));
}

function outcomes(list) {
  if (!list.length) return h('p', { class: 'hint' }, 'None of your pain points has been closed yet.');
  return h('ul', { class: 'plain-list' }, list.map((o) => h('li', { class: 'outcome' },
    h('span', { class: 'title' }, o.text),
    h('span', { class: 'meta' }, `${STATUS[o.status] || o.status}${o.resolved_at ? ` ${day(o.resolved_at)}` : ''}${o.resolution_note ? `: ${o.resolution_note}` : ''}`))));
}

function rising(list) {
  if (!list.length) return h('p', { class: 'hint' }, 'No theme is growing in your scope.');
  const rows = list.map((t) => ({ label: t.theme.label, value: t.figure.value, warn: true }));
  return figure('Pain points in the last 4 weeks',
    bars(rows, `Rising themes: ${list.map((t) => `${t.theme.label} ${t.figure.value}, up from ${t.figure.previous}`).join('; ')}`),
    dataTable('Rising themes', ['Theme', 'Last 4 weeks', 'The 4 before'], list.map((t) => [t.theme.label, fmt(t.figure.value), fmt(t.figure.previous)])));
}

function overdue(o) {
  return [h('ul', { class: 'figure-cards' }, card('Overdue pain points', o.count, { against: 'a week ago' })),
    o.items.length ? h('ul', { class: 'plain-list' }, o.items.map((i) => h('li', {},
      h('a', { href: `#/pain-points/${i.id}` }, i.text),
      h('span', { class: 'meta' }, `Due ${day(i.due_date)}${i.department ? ` · ${i.department.name}` : ''}`)))) : null];
}

const sum = (weeks, from = 0) => weeks.slice(from).reduce((n, w) => n + w.count, 0);
const pulseLine = (q) => {
  const last = q.months[q.months.length - 1];
  return h('li', { class: 'meta' }, `Pulse: “${q.text}” ${last ? `${fmt(last.average)} of 10 in ${last.month} (${last.responses} answers)` : 'not enough answers yet'}`);
};

/** Pain points (the value broken) and bright spots (the value lived) per value over 12 weeks: counts only. */
function values(v) {
  if (!v.values.length) return h('p', { class: 'hint' }, 'The company has no values yet.');
  const weeks = v.weeks.map((w) => day(w));
  const list = h('ul', { class: 'plain-list value-weeks' }, v.values.map((x) => {
    const name = `${x.value.name}${x.archived ? ' (archived)' : ''}`;
    const pains = x.pain_points.map((w) => w.count);
    const spots = x.bright_spots.map((w) => w.count);
    return h('li', { class: 'value-line' },
      h('span', { class: 'title' }, name),
      h('span', { class: 'meta' }, `12 weeks: ${sum(x.pain_points)} pain points broke it, ${sum(x.bright_spots)} bright spots lived it · last 4 weeks: ${sum(x.pain_points, 8)} and ${sum(x.bright_spots, 8)}`),
      h('span', { class: 'sparks' },
        sparkline(pains, `${x.value.name}: pain points per week, oldest first: ${pains.join(', ')}`),
        sparkline(spots, `${x.value.name}: bright spots per week, oldest first: ${spots.join(', ')}`)),
      x.pulse.length ? h('ul', { class: 'plain-list' }, x.pulse.map(pulseLine)) : null);
  }));
  const table = dataTable('Pain points / bright spots per value per week', ['Week', ...v.values.map((x) => x.value.name)],
    weeks.map((w, i) => [w, ...v.values.map((x) => `${x.pain_points[i].count} / ${x.bright_spots[i].count}`)]));
  return [list, figure(null, null, table), v.pulse.length ? h('ul', { class: 'plain-list' }, v.pulse.map(pulseLine)) : null];
}

/** Draws the dashboard into `box`; a failed read says why, in place. */
export async function show(box) {
  box.className = 'my-dash';
  box.setAttribute('role', 'region');
  box.setAttribute('aria-labelledby', 'my-dash');
  const [res] = await Promise.all([load('/api/dashboard/me'), linkStyles()]);
  const head = h('h2', { id: 'my-dash' }, 'My dashboard');
  if (res.error) {
    box.append(head, h('p', { class: 'hint' }, res.error));
    return;
  }
  const d = res.data;
  const parts = [head, asOfNote(res.asOf), h('p', { class: 'hint' }, `Figures as of ${when(d.as_of)}${d.organisation ? ' · whole organisation' : d.departments.length ? ` · ${d.departments.map((x) => x.name).join(', ')}` : ''}.`)];
  if (d.field_time) {
    const ft = d.field_time;
    parts.push(h('ul', { class: 'figure-cards' },
      card(`Field time this month (target ${fmt(ft.target_hours)} h)`, ft.hours, { unit: ' h', against: 'last month by this day' }),
      card('Your open pain points', d.pain_points.open, { against: 'at the start of the month' }),
      card('Resolved this month', d.pain_points.resolved, { against: 'last month by this day' })),
    fieldTime(ft), section('What came of your pain points', outcomes(d.pain_points.outcomes)));
  }
  if (d.overdue) parts.push(section('Overdue', ...overdue(d.overdue)));
  parts.push(section('Shared goals', goals(d.goals)), section('KPIs', kpis(d.kpis)));
  if (d.overdue) parts.push(section('Rising themes', rising(d.rising_themes)));
  parts.push(section('Company values', ...(d.values ? [values(d.values)] : [h('p', { class: 'hint' }, 'The company has no values yet.')])));
  box.append(...parts.filter(Boolean));
}
