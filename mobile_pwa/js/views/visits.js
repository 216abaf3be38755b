// My visits: those needing the user on top, then all of them by month, newest first, each with its sync state;
// a search over what this phone holds (notes, site, kind, pain points).
import { h, when, field } from '../ui.js';
import { getAll } from '../db.js';
import { on } from '../bus.js';
import { KINDS, listVisits } from '../outbox.js';
import { errorLines } from './visit-parts.js';

export function stateLabel(rec) {
  if (rec.state === 'draft') return rec.visit.ended_at ? 'Saved on this phone' : 'In progress';
  if (rec.state === 'pending') return 'Waiting to sync';
  if (rec.state === 'synced') return 'Synced';
  if (rec.state === 'withdrawing') return 'Withdrawing…';
  if (rec.state === 'rejected') return 'Needs attention: not accepted';
  return 'Needs attention: changed on another device';
}

function item(rec, sites, withReason) {
  const site = rec.visit.site_id && sites.get(rec.visit.site_id);
  const count = rec.visit.pain_points.length;
  const bright = rec.visit.bright_spots?.length;
  const link = h('a', { class: 'item', href: `#/visit/${rec.id}` },
    h('span', { class: 'title' }, [KINDS[rec.visit.kind], site ? ` · ${site.name}` : ''].join('')),
    h('span', {}, `${when(rec.visit.started_at)} · ${count} ${count === 1 ? 'pain point' : 'pain points'}${bright ? ` · ${bright} bright spot${bright > 1 ? 's' : ''}` : ''}`),
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

const monthOf = (rec) => new Date(rec.visit.started_at).toLocaleDateString(undefined, { month: 'long', year: 'numeric' });

/** The words a search looks in, lower case. */
function haystack(rec, site) {
  const v = rec.visit;
  return [KINDS[v.kind], site && site.name, v.notes, v.private_notes, ...v.pain_points.flatMap((p) => [p.text, p.quote])]
    .filter(Boolean).join(' ').toLowerCase();
}

export async function render(main) {
  const search = field('Search my visits', (id) => h('input', { id, type: 'search', autocomplete: 'off' }), 'Notes, site, kind or pain points.');
  const body = h('div', {});
  main.append(h('h1', {}, 'My visits'), search.wrap, body);
  let drawn = 0;
  const draw = async () => {
    const token = ++drawn;
    // Photos and voice notes the server refused: their code loads when first needed.
    const [rows, siteRows, files] = await Promise.all([listVisits(), getAll('sites'), import('./media.js').then((m) => m.attentionItems(), () => [])]);
    if (token !== drawn) return; // typed on meanwhile: a later draw shows it
    const sites = new Map(siteRows.map((s) => [s.id, s]));
    const parts = [];
    const attention = rows.filter((r) => r.state === 'rejected' || r.state === 'conflict');
    if (attention.length + files.length) {
      parts.push(h('h2', {}, `Needs attention (${attention.length + files.length})`),
        h('p', {}, 'Open each one to fix and resend it, or to discard it.'),
        h('ul', { class: 'list', 'aria-label': 'Needs attention' }, attention.map((r) => item(r, sites, true)), files));
    }
    const words = search.control.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = rows.filter((r) => words.every((w) => haystack(r, sites.get(r.visit.site_id)).includes(w)));
    const all = h('section', { 'aria-labelledby': 'all-visits' }, h('h2', { id: 'all-visits' }, 'All visits'));
    let list = null;
    for (const rec of shown) {
      const month = monthOf(rec);
      if (!list || list.dataset.month !== month) {
        list = h('ul', { class: 'list', 'aria-label': month, 'data-month': month });
        all.append(h('h3', {}, month), list);
      }
      list.append(item(rec, sites, false));
    }
    if (!rows.length) all.append(h('p', {}, 'No visits yet. Start one from Home with “New visit”.'));
    else if (!shown.length) all.append(h('p', { role: 'status' }, `No visits match “${search.control.value.trim()}”.`));
    body.replaceChildren(...parts, all);
  };
  search.control.addEventListener('input', draw);
  await draw();
  return on('visits', draw);
}
