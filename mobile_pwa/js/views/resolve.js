// What the user sees when the server refused a visit or holds a different version of it.
// Loaded by the visit screen only when a visit needs the user (js/screens.js PARTS).
import { h, when } from '../ui.js';
import { toPayload, fromServer } from '../outbox.js';
import { LABELS, errorLines } from './visit-parts.js';

export function rejectedPanel(rec, { resend, discard }) {
  return h('section', { class: 'banner bad', 'aria-labelledby': 'rejected-title' },
    h('h2', { id: 'rejected-title' }, 'Needs attention: the server did not accept this visit'),
    h('ul', { class: 'errors' }, errorLines(rec).map((line) => h('li', {}, line))),
    h('p', {}, 'Fix it below, then resend it. Or discard it if it should not be kept.'),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn primary', onclick: resend }, 'Resend'),
      h('button', { type: 'button', class: 'btn danger', onclick: discard }, 'Discard')));
}

function summarise(payload, sites, departments) {
  const rows = new Map();
  const site = payload.site_id ? (sites.get(payload.site_id)?.name || 'a site not on this phone') : '—';
  rows.set('Site', site);
  rows.set('Started', when(payload.started_at));
  rows.set('Ended', payload.ended_at ? when(payload.ended_at) : 'still running');
  rows.set('Incognito', payload.incognito ? 'Yes' : 'No');
  rows.set('Notes', payload.notes || '—');
  rows.set('Private notes', payload.private_notes || '—');
  for (const [key, value] of Object.entries(payload.details)) {
    if (key !== 'steps') rows.set(LABELS[key] || key, value ?? '—');
  }
  payload.bright_spots.forEach((b, i) => {
    const dept = b.department_id ? departments.get(b.department_id)?.name : null;
    rows.set(`Bright spot ${i + 1}`, [b.text, dept, b.recognise && `recognising ${b.recognise}`].filter(Boolean).join(' · '));
  });
  (payload.details.steps || []).forEach((st, i) => {
    rows.set(`Step ${i + 1}`, [st.name, st.channel, st.minutes != null ? `${st.minutes} min` : null,
      st.effort ? `effort ${st.effort}` : null].filter(Boolean).join(' · '));
  });
  return rows;
}

function painPointText(p, departments) {
  const dept = p.department_id ? departments.get(p.department_id)?.name : null;
  const step = p.journey_step === null ? '' : `, step ${p.journey_step + 1}`;
  return `${p.text} (severity ${p.severity}, felt by ${p.felt_by}${dept ? `, ${dept}` : ''}${step}${p.quote ? `, “${p.quote}”` : ''})`;
}

/** Rows [label, this phone, other device] where the two versions differ. sites, departments: Maps by id. */
export function differences(rec, sites, departments) {
  const mine = toPayload(rec);
  const theirs = toPayload({ id: rec.id, version: rec.conflict.version, visit: fromServer(rec.conflict), local: {} });
  const a = summarise(mine, sites, departments);
  const b = summarise(theirs, sites, departments);
  const out = [];
  for (const label of new Set([...a.keys(), ...b.keys()])) {
    const x = String(a.get(label) ?? '—');
    const y = String(b.get(label) ?? '—');
    if (x !== y) out.push([label, x, y]);
  }
  const ours = new Map(mine.pain_points.map((p) => [p.id, p]));
  const other = new Map(theirs.pain_points.map((p) => [p.id, p]));
  let n = 0;
  for (const id of new Set([...ours.keys(), ...other.keys()])) {
    n += 1;
    const x = ours.has(id) ? painPointText(ours.get(id), departments) : '—';
    const y = other.has(id) ? painPointText(other.get(id), departments) : '—';
    if (x !== y) out.push([`Pain point ${n}`, x, y]);
  }
  return out;
}

export function conflictPanel(rec, sites, departments, { keepMine, keepTheirs, keepBoth }) {
  const rows = differences(rec, sites, departments);
  const table = rows.length
    ? h('table', { class: 'diff' },
      h('caption', {}, 'What differs'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'This phone'),
        h('th', { scope: 'col' }, 'Other device'))),
      h('tbody', {}, rows.map(([label, x, y]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, x), h('td', {}, y)))))
    : h('p', {}, 'Both versions have the same content.');
  return h('section', { class: 'banner bad', 'aria-labelledby': 'conflict-title' },
    h('h2', { id: 'conflict-title' }, 'Needs attention: changed on another device'),
    h('p', {}, `This visit was also changed elsewhere (server version ${rec.conflict.version}, ${when(rec.conflict.updated_at)}). ` +
      'Both versions are kept until you choose.'),
    table,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn primary', onclick: keepMine }, 'Keep this phone’s version'),
      h('button', { type: 'button', class: 'btn', onclick: keepTheirs }, 'Keep the other version'),
      h('button', { type: 'button', class: 'btn', onclick: keepBoth }, 'Keep both as separate visits')));
}
