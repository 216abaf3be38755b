// Journey insight: per journey (a site and a journey name), the steps where customers spend minutes and effort,
// with the pain points logged at each, from every walkthrough. Filters (site, order) in the URL.
import * as api from '../api.js';
import { h, field, select, nextId } from '../ui.js';
import { day, lookups, options } from '../lists.js';
import { asOfNote, load } from '../reads.js';
import { bars } from '../charts.js';

export const wide = true;

const RANKS = [['minutes', 'Total minutes'], ['median_minutes', 'Median minutes'], ['effort', 'Effort'], ['pain_points', 'Pain points']];
const num = (n, unit = '') => (n === null || n === undefined ? '–' : `${Number.isInteger(n) ? n : n.toFixed(1)}${unit}`);
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export async function render(main, [query], ctx) {
  const sp = new URLSearchParams(query || '');
  const filters = { site_id: sp.get('site_id') || '', rank_by: sp.get('rank_by') || 'minutes' };
  main.append(h('h1', {}, 'Journeys'),
    h('p', {}, 'Where customers spend time and effort, step by step, from every journey walkthrough; with the pain points logged at each step. ',
      h('a', { href: '#/themes' }, 'Back to the themes')));
  const lk = await lookups();
  const controls = {};
  const choose = (key, label, choices) => {
    const f = field(label, (id) => select(id, choices, filters[key]));
    controls[key] = f.control;
    f.control.addEventListener('change', () => {
      const next = new URLSearchParams();
      if (controls.site_id.value) next.set('site_id', controls.site_id.value);
      if (controls.rank_by.value !== 'minutes') next.set('rank_by', controls.rank_by.value);
      ctx.go(`#/journeys${next.toString() ? `?${next}` : ''}`);
    });
    return f.wrap;
  };
  const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter journeys' },
    choose('site_id', 'Site', options(lk.sites, 'Every site')), choose('rank_by', 'Rank steps by', RANKS));
  form.addEventListener('submit', (event) => event.preventDefault());
  const box = h('div', {}, h('p', { role: 'status' }, 'Loading journeys…'));
  main.append(form, box);

  const res = await load(`/api/journeys${api.query(filters)}`);
  if (res.error) {
    box.replaceChildren(h('p', { class: 'error', role: 'alert' }, res.error));
    return undefined;
  }
  const { journeys, walkthroughs, unnamed, truncated } = res.data;
  const notes = [asOfNote(res.asOf),
    h('p', { role: 'status' }, `${plural(journeys.length, 'journey', 'journeys')} from ${plural(walkthroughs, 'walkthrough', 'walkthroughs')}.`),
    unnamed ? h('p', { class: 'hint' }, `${plural(unnamed, 'walkthrough has', 'walkthroughs have')} no journey name and ${unnamed === 1 ? 'is' : 'are'} left out.`) : null,
    truncated ? h('p', { class: 'hint' }, 'Only the newest walkthroughs are counted: choose a site to see them all.') : null];
  if (!journeys.length) {
    box.replaceChildren(...notes.filter(Boolean), h('p', {},
      'No journey walkthroughs yet. When executives walk a journey (New visit → Journey walkthrough), name it and add its steps, they show here.'));
    return undefined;
  }
  const rankName = RANKS.find(([k]) => k === filters.rank_by)[1].toLowerCase();
  box.replaceChildren(...notes.filter(Boolean), ...journeys.map((j) => journeyCard(j, rankName)));
  return undefined;
}

function journeyCard(j, rankName) {
  const titleId = nextId('journey');
  const where = j.site ? j.site.name : 'No site';
  const label = `Minutes per step in “${j.name}” at ${where}, ranked by ${rankName}: `
    + `${j.steps.map((s) => `${s.name} ${num(s.total_minutes)} min, effort ${num(s.mean_effort)}`).join('; ')}`;
  const chart = bars(j.steps.map((s) => ({ label: s.name, value: s.total_minutes, warn: s.mean_effort >= 5 })), label, { unit: ' min' });
  const table = h('table', { class: 'data steps' },
    h('caption', {}, `Steps of “${j.name}” at ${where}, ranked by ${rankName}`),
    h('thead', {}, h('tr', {}, ['Rank', 'Step', 'Total minutes', 'Median minutes', 'Effort (1–7)', 'Walkthroughs', 'Pain points logged']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, j.steps.map((s, i) => h('tr', {},
      h('td', {}, String(i + 1)), h('th', { scope: 'row' }, s.name), h('td', {}, num(s.total_minutes)),
      h('td', {}, num(s.median_minutes)), h('td', {}, num(s.mean_effort)), h('td', {}, String(s.walkthroughs)),
      h('td', { class: 'pains' }, s.pain_points
        ? [`${s.pain_points}${s.mean_severity ? ` (severity ${num(s.mean_severity)} on average)` : ''}`,
          h('ul', {}, s.examples.map((e) => h('li', {}, h('a', { href: `#/feed?open=${e.pain_point_id}` }, e.text), ` · severity ${e.severity}`)))]
        : '0')))));
  return h('article', { class: 'card journey', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, `${j.name} `, h('span', { class: 'hint' }, `· ${where}`)),
    h('p', {}, [plural(j.walkthroughs, 'walkthrough', 'walkthroughs'), `by ${plural(j.executives, 'executive', 'executives')}`,
      j.median_minutes === null ? null : `${num(j.median_minutes)} min in all (median)`,
      plural(j.pain_points, 'pain point', 'pain points'), `last walked ${day(j.last_walked_at)}`].filter(Boolean).join(' · ')),
    h('figure', { class: 'chart' }, h('figcaption', {}, 'Minutes per step (brown bars: effort 5 or more of 7)'), chart),
    h('div', { class: 'numbers' }, table));
}
