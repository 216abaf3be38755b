// One pain point: its visit (never private notes), triage, history, comments.
import * as api from '../api.js';
import { h, field, select, nextId, when } from '../ui.js';
import { KINDS } from '../outbox.js';
import { STATUS, FELT, day, send, options } from '../lists.js';
import { asOfNote, load } from '../reads.js';

const CLOSED = new Set(['resolved', 'wont_fix']);
// The workflow the API enforces; the status picker offers only these moves.
const NEXT = {
  new: ['acknowledged', 'in_progress', 'resolved', 'wont_fix'],
  acknowledged: ['in_progress', 'resolved', 'wont_fix'],
  in_progress: ['acknowledged', 'resolved', 'wont_fix'],
  resolved: ['acknowledged', 'in_progress'],
  wont_fix: ['acknowledged', 'in_progress'],
};
const FIELD = {
  status: 'Status', resolution_note: 'Resolution note', owner_department_id: 'Owner department',
  assignee_id: 'Assignee', due_date: 'Due date', theme_id: 'Theme', duplicate_of_id: 'Duplicate of',
};

/**
 * The triage controls, for one pain point (current) or for a bulk change (every field "leave as is").
 * changes() -> { value } with only what changed, or { error }; onSubmit(form, error, save) calls
 * save(value) when the form is sent with valid changes, and says in `error` why not otherwise.
 */
export function triageFields({ lk, current = null, bulk = false }) {
  const keep = bulk ? [['', 'Leave as is']] : [];
  const statuses = bulk ? Object.keys(STATUS).filter((s) => s !== 'new') : [current.status, ...NEXT[current.status]];
  const refOr = (ref) => (ref ? ref.id : '');
  const f = {
    status: field('Status', (id) => select(id, [...keep, ...statuses.map((s) => [s, STATUS[s]])], bulk ? '' : current.status)),
    note: field('Resolution note', (id) => h('textarea', { id, maxlength: 2000, value: bulk ? '' : current.resolution_note || '' }),
      'Required when the status becomes Resolved or Won’t fix.'),
    owner: field('Owner department', (id) => select(id, [['', bulk ? 'Leave as is' : 'None yet'], ...lk.departments.map((d) => [d.id, d.name])], bulk ? '' : refOr(current.owner_department))),
    assignee: field('Assignee', (id) => select(id, [['', bulk ? 'Leave as is' : 'Nobody yet'], ...lk.users.map((u) => [u.id, u.name])], bulk ? '' : refOr(current.assignee))),
    due: field('Due date', (id) => h('input', { id, type: 'date', value: bulk ? '' : current.due_date || '' })),
    theme: field(bulk ? 'Move to theme' : 'Theme', (id) => select(id, [['', bulk ? 'Leave as is' : 'No theme'], ...lk.themes.map((t) => [t.id, t.name])], bulk ? '' : refOr(current.theme))),
  };
  const v = (k) => f[k].control.value;
  return {
    wraps: [f.status.wrap, f.note.wrap, f.owner.wrap, f.assignee.wrap, f.due.wrap, f.theme.wrap],
    fields: f,
    reset() {
      for (const one of Object.values(f)) one.control.value = '';
    },
    changes() {
      const out = {};
      const note = v('note').trim();
      f.note.control.removeAttribute('aria-invalid');
      if (bulk) {
        if (v('status')) out.status = v('status');
        if (note) out.resolution_note = note;
        if (v('owner')) out.owner_department_id = v('owner');
        if (v('assignee')) out.assignee_id = v('assignee');
        if (v('due')) out.due_date = v('due');
        if (v('theme')) out.theme_id = v('theme');
      } else {
        if (v('status') !== current.status) out.status = v('status');
        if (note !== (current.resolution_note || '') && note) out.resolution_note = note;
        if (v('owner') !== refOr(current.owner_department)) out.owner_department_id = v('owner') || null;
        if (v('assignee') !== refOr(current.assignee)) out.assignee_id = v('assignee') || null;
        if (v('due') !== (current.due_date || '')) out.due_date = v('due') || null;
        if (v('theme') !== refOr(current.theme)) out.theme_id = v('theme') || null;
      }
      if (out.status && CLOSED.has(out.status) && !note) {
        f.note.control.setAttribute('aria-invalid', 'true');
        f.note.control.focus();
        return { error: `Write a resolution note: it is required to mark ${bulk ? 'them' : 'it'} ${STATUS[out.status]}.` };
      }
      if (!Object.keys(out).length) return { error: bulk ? 'Choose at least one change to apply.' : 'Nothing to save: change a field first.' };
      return { value: out };
    },
    onSubmit(form, error, save) {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        error.textContent = '';
        const changes = this.changes();
        if (changes.error) { error.textContent = changes.error; return; }
        await save(changes.value);
      });
    },
  };
}

function describeValue(e, side) {
  const raw = side === 'old' ? e.old_value : e.new_value;
  const label = side === 'old' ? e.old_label : e.new_label;
  if (e.field === 'status' && raw) return STATUS[raw] || raw;
  if (e.field === 'due_date' && raw) return day(raw);
  return label || raw || 'none';
}

function meta(rows) {
  return h('dl', { class: 'meta-list' }, rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

async function visitPanel(p, lk) {
  const res = await load(`/api/visits/${p.visit_id}`);
  if (res.error) return h('p', { class: 'error' }, res.error);
  const v = res.data;
  const site = lk.sites.find((s) => s.id === v.site_id);
  const details = Object.entries(v.details || {}).filter(([, val]) => typeof val === 'string' && val);
  const steps = Array.isArray(v.details && v.details.steps) ? v.details.steps : [];
  const points = (v.pain_points || []).filter((x) => !x.deleted_at);
  // Private notes are never shown here, even when the API returns them to their author.
  return h('div', { class: 'visit-box' },
    meta([
      ['Kind', KINDS[v.kind] || v.kind], ['Site', site ? site.name : p.site && p.site.name], ['Started', when(v.started_at)],
      ['Ended', v.ended_at ? when(v.ended_at) : 'Still running'], ['Incognito', v.incognito ? 'Yes' : 'No'],
      ...details.map(([k, val]) => [k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), val]),
      ['Steps', steps.map((s, i) => `${i + 1}. ${s.name || 'Unnamed step'}`).join('; ')],
      ['Pain points in this visit', String(points.length)],
    ]),
    h('h4', {}, 'Notes'),
    h('p', { class: 'prewrap' }, v.notes || 'No notes.'));
}

/** How photos' alt texts name a pain point: its first words, quoted. */
export const named = (p) => {
  const words = p.text.split(/\s+/);
  return `“${words.slice(0, 8).join(' ')}${words.length > 8 ? '…' : ''}”`;
};

/** Its photos and voice notes (js/views/media.js, loaded when a pain point has some). */
export function mediaBox(p, options) {
  if (!p.media || !p.media.length) return null;
  const box = h('div', { class: 'pp-media' });
  import('./media.js').then((m) => m.gallery(box, p.media, named(p), options),
    () => box.append(h('p', { class: 'hint' }, 'Photos and voice notes need a connection the first time.')));
  return box;
}

/** Draws pain point `id` into box. opts: manager, lk, back(), changed(item), hrefFor(id), search(q), focus. */
export async function renderDetail(box, id, opts) {
  const { manager, lk } = opts;
  const backBtn = h('button', { type: 'button', class: 'btn small back', onclick: opts.back }, 'Back to the list');
  box.dataset.want = id;
  box.replaceChildren(backBtn, h('p', { role: 'status' }, 'Loading…'));
  const res = await load(`/api/pain-points/${id}`);
  if (box.dataset.want !== id) return;
  if (res.error) {
    box.replaceChildren(backBtn, h('p', { class: 'error', role: 'alert' }, res.error));
    return;
  }
  const p = res.data;
  const offline = Boolean(res.asOf) || !api.online();
  const heading = h('h2', { tabindex: '-1', class: 'pp-text' }, p.text);
  const notice = h('p', { role: 'status', tabindex: '-1', class: 'notice' });
  const redraw = async (message) => {
    await renderDetail(box, id, { ...opts, focus: false });
    const n = box.querySelector('.notice');
    if (n && message) {
      n.textContent = message;
      n.focus();
    }
  };
  const linkTo = (otherId, text) => h('a', { href: opts.hrefFor(otherId) }, text);

  const parts = [backBtn, asOfNote(res.asOf), heading,
    p.quote ? h('blockquote', {}, `“${p.quote}”`) : null,
    mediaBox(p),
    notice,
    meta([
      ['Status', STATUS[p.status] || p.status], ['Severity', `${p.severity} of 5`], ['Felt by', FELT[p.felt_by] || p.felt_by],
      ['Visit kind', KINDS[p.visit_kind] || p.visit_kind], ['Site', p.site && p.site.name],
      ['Department', p.department && p.department.name], ['Executive', p.executive && p.executive.name],
      ['Date', when(p.occurred_at)], ['Theme', p.theme ? p.theme.label : 'No theme'],
      ['Owner department', p.owner_department ? p.owner_department.name : 'None yet'],
      ['Assignee', p.assignee ? p.assignee.name : 'Nobody yet'], ['Due date', p.due_date ? day(p.due_date) : null],
      ['Resolution note', p.resolution_note],
      ['Duplicate of', p.duplicate_of_id ? linkTo(p.duplicate_of_id, 'the original pain point') : null],
      ['Its duplicates', p.duplicates.length ? h('span', {}, p.duplicates.map((d, i) => [i ? ', ' : '', linkTo(d, `duplicate ${i + 1}`)])) : null],
    ])];

  // The visit it came from, on demand.
  const visitId = nextId('visit');
  const visitBox = h('div', { id: visitId, hidden: true });
  const visitBtn = h('button', {
    type: 'button', class: 'btn small', 'aria-expanded': 'false', 'aria-controls': visitId,
    onclick: async () => {
      const open = visitBox.hidden;
      visitBtn.setAttribute('aria-expanded', String(open));
      visitBox.hidden = !open;
      if (open && !visitBox.firstChild) {
        visitBox.append(h('p', { role: 'status' }, 'Loading the visit…'));
        visitBox.replaceChildren(await visitPanel(p, lk));
      }
    },
  }, 'The visit it came from');
  parts.push(h('div', { class: 'row' }, visitBtn), visitBox);

  if (manager) parts.push(triageForm(p, lk, offline, redraw, opts), duplicatePanel(p, offline, redraw, opts));

  parts.push(h('h3', {}, 'History'));
  parts.push(p.history.length
    ? h('ol', { class: 'history', 'aria-label': 'History' }, p.history.map((e) => h('li', {},
      h('span', { class: 'when' }, `${when(e.created_at)} · ${e.actor ? e.actor.name : 'System'}: `),
      `${FIELD[e.field] || e.field} ${describeValue(e, 'old')} → ${describeValue(e, 'new')}`)))
    : h('p', { class: 'hint' }, 'No changes yet.'));

  parts.push(commentsPanel(p, offline, redraw));
  box.replaceChildren(...parts.filter(Boolean));
  if (opts.focus !== false) heading.focus();
}

function triageForm(p, lk, offline, redraw, opts) {
  const t = triageFields({ lk, current: p });
  const error = h('p', { class: 'error', role: 'alert' });
  const fieldset = h('fieldset', { class: 'card', disabled: offline },
    h('legend', {}, 'Triage'),
    offline ? h('p', { class: 'hint' }, 'You are offline: triage needs a connection.') : null,
    h('div', { class: 'filter-grid' }, t.wraps), error,
    h('button', { type: 'submit', class: 'btn primary' }, 'Save changes'));
  const form = h('form', {}, fieldset);
  t.onSubmit(form, error, async (changes) => {
    const res = await send(`/api/pain-points/${p.id}`, 'PATCH', changes);
    if (res.error) { error.textContent = res.error; return; }
    opts.changed(res.data);
    redraw('Saved. The change is in the history below.');
  });
  return form;
}

function duplicatePanel(p, offline, redraw, opts) {
  const mark = async (target) => {
    const res = await send(`/api/pain-points/${p.id}`, 'PATCH', { duplicate_of_id: target });
    if (res.error) { error.textContent = res.error; return; }
    opts.changed(res.data);
    redraw(target ? 'Marked as a duplicate.' : 'No longer marked as a duplicate.');
  };
  const error = h('p', { class: 'error', role: 'alert' });
  if (p.duplicate_of_id) {
    return h('div', { class: 'row' }, h('button', { type: 'button', class: 'btn small', disabled: offline, onclick: () => mark(null) }, 'Not a duplicate'), error);
  }
  const panelId = nextId('dup');
  const results = h('ul', { class: 'list', 'aria-label': 'Possible originals' });
  const find = field('Find the original', (id) => h('input', { id, type: 'search', value: p.text.split(/\s+/).slice(0, 3).join(' ') }),
    'Words from the original pain point.');
  const panel = h('form', { id: panelId, class: 'card', hidden: true }, find.wrap,
    h('button', { type: 'submit', class: 'btn small' }, 'Search'), results);
  panel.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const res = await opts.search(find.control.value.trim());
    if (res.error) { error.textContent = res.error; return; }
    const rows = res.data.items.filter((x) => x.id !== p.id);
    results.replaceChildren(...(rows.length ? rows.map((x) => h('li', {},
      h('p', {}, x.text, h('span', { class: 'hint' }, ` · ${x.executive.name}, ${day(x.occurred_at)}`)),
      h('button', { type: 'button', class: 'btn small', 'aria-label': `Duplicate of this one: ${x.text}`, onclick: () => mark(x.id) }, 'Duplicate of this one')))
      : [h('li', {}, 'No other pain point matches those words.')]));
  });
  const toggle = h('button', {
    type: 'button', class: 'btn small', disabled: offline, 'aria-expanded': 'false', 'aria-controls': panelId,
    onclick: () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) find.control.focus();
    },
  }, 'Mark as duplicate…');
  // The five most similar open pain points (same site, within 30 days), offered one tap away.
  const suggested = h('div', { class: 'possible-dups' });
  load(`/api/pain-points/${p.id}/similar`).then((res) => {
    const rows = res.data ? res.data.items : [];
    if (!rows.length) return;
    suggested.replaceChildren(h('h3', {}, 'Possible duplicates'),
      h('ul', { class: 'list', 'aria-label': 'Possible duplicates' }, rows.map((x) => h('li', {},
        h('p', {}, h('a', { href: opts.hrefFor(x.id) }, x.text),
          h('span', { class: 'hint' }, ` · ${STATUS[x.status] || x.status} · ${x.executive.name}, ${day(x.occurred_at)}`)),
        h('button', {
          type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Mark as duplicate of this: ${x.text}`, onclick: () => mark(x.id),
        }, 'Mark as duplicate of this')))));
  }).catch(() => {});
  return h('div', {}, suggested, h('div', { class: 'row' }, toggle), error, panel);
}

function commentsPanel(p, offline, redraw) {
  const text = field('Add a comment', (id) => h('textarea', { id, maxlength: 2000 }));
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {}, h('fieldset', { class: 'plain', disabled: offline }, text.wrap, error,
    h('button', { type: 'submit', class: 'btn' }, 'Post comment')));
  if (offline) text.hint.textContent = 'You are offline: comments need a connection.';
  text.hint.hidden = !offline;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = text.control.value.trim();
    if (!body) { error.textContent = 'Write the comment first.'; text.control.focus(); return; }
    const res = await send(`/api/pain-points/${p.id}/comments`, 'POST', { body });
    if (res.error) { error.textContent = res.error; return; }
    redraw('Comment posted.');
  });
  return h('section', { 'aria-label': 'Comments' },
    h('h3', {}, `Comments (${p.comments.length})`),
    p.comments.length
      ? h('ul', { class: 'comments' }, p.comments.map((c) => h('li', {},
        h('p', { class: 'when' }, `${c.author.name} · ${when(c.created_at)}`), h('p', { class: 'prewrap' }, c.body))))
      : h('p', { class: 'hint' }, 'No comments yet.'),
    form);
}
