// My visits: newest first, each with its sync state; those needing the user on top.
import { h, when } from '../ui.js';
import { getAll } from '../db.js';
import { on } from '../bus.js';
import { KINDS, listVisits } from '../outbox.js';
import { errorLines } from './visit-parts.js';

export function stateLabel(rec) {
  if (rec.state === 'draft') return rec.visit.ended_at ? 'Saved on this phone' : 'In progress';
  if (rec.state === 'pending') return 'Waiting to sync';
  if (rec.state === 'synced') return 'Synced';
  if (rec.state === 'rejected') return 'Needs attention: not accepted';
  return 'Needs attention: changed on another device';
}

function item(rec, sites, withReason) {
  const site = rec.visit.site_id && sites.get(rec.visit.site_id);
  const count = rec.visit.pain_points.length;
  const link = h('a', { class: 'item', href: `#/visit/${rec.id}` },
    h('span', { class: 'title' }, [KINDS[rec.visit.kind], site ? ` · ${site.name}` : ''].join('')),
    h('span', {}, `${when(rec.visit.started_at)} · ${count} ${count === 1 ? 'pain point' : 'pain points'}`),
    h('br'),
    h('span', { class: `badge ${rec.state}` }, stateLabel(rec)));
  if (withReason) {
    const lines = rec.state === 'conflict'
      ? ['Both versions are kept until you choose.']
      : errorLines(rec).map((line) => `Server says: ${line}`);
    link.append(h('ul', { class: 'errors' }, lines.map((line) => h('li', {}, line))));
  }
  return h('li', {}, link);
}

export async function render(main) {
  const heading = h('h1', {}, 'My visits');
  const body = h('div', {});
  main.append(heading, body);
  const draw = async () => {
    const [rows, siteRows] = await Promise.all([listVisits(), getAll('sites')]);
    const sites = new Map(siteRows.map((s) => [s.id, s]));
    const parts = [];
    const attention = rows.filter((r) => r.state === 'rejected' || r.state === 'conflict');
    if (attention.length) {
      parts.push(h('h2', {}, `Needs attention (${attention.length})`),
        h('p', {}, 'Open each one to fix and resend it, or to discard it.'),
        h('ul', { class: 'list', 'aria-label': 'Needs attention' }, attention.map((r) => item(r, sites, true))));
    }
    parts.push(h('h2', {}, 'All visits'));
    if (rows.length) parts.push(h('ul', { class: 'list', 'aria-label': 'All visits' }, rows.map((r) => item(r, sites, false))));
    else parts.push(h('p', {}, 'No visits yet. Start one from Home with “New visit”.'));
    body.replaceChildren(...parts);
  };
  await draw();
  return on('visits', draw);
}
