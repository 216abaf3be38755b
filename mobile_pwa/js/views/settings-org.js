// Settings (admins), continued: sites and departments (create, rename, archive, restore) and the e-mails and
// webhook calls that failed for good.
import { h, field, select, nextId, when } from '../ui.js';
import { send, fieldErrors } from '../lists.js';
import { load } from '../reads.js';

const KINDS = [['store', 'Store'], ['branch', 'Branch'], ['contact_centre', 'Contact centre'], ['warehouse', 'Warehouse'],
  ['online', 'Online'], ['office', 'Office'], ['other', 'Other']];

const ENTITIES = {
  sites: { title: 'Sites', one: 'site', path: '/api/sites', note: 'Where visits happen. Archived sites stay on past visits but are no longer offered for new ones.' },
  departments: { title: 'Departments', one: 'department', path: '/api/departments', note: 'Who owns a problem, and who people belong to. Archived departments stay on past pain points.' },
};

/** The sites or the departments (`which`), drawn from `rows` (active and archived), with their forms. */
export function entityList(which, rows, offline, say) {
  const e = ENTITIES[which];
  const headingId = nextId('org');
  const box = h('section', { 'aria-labelledby': headingId });
  const reload = async (message) => {
    const res = await load(`${e.path}?include_inactive=true`);
    if (res.error) { say(res.error); return; }
    draw(res.data);
    say(message);
  };
  const change = async (row, json, message) => {
    const res = await send(`${e.path}/${row.id}`, 'PATCH', json);
    if (res.error) return res;
    await reload(message);
    return res;
  };

  function draw(list) {
    const sorted = list.slice().sort((a, b) => a.name.localeCompare(b.name));
    const active = sorted.filter((r) => r.is_active);
    const archived = sorted.filter((r) => !r.is_active);
    box.replaceChildren(...[
      h('h2', { id: headingId }, e.title),
      h('p', { class: 'hint' }, e.note),
      active.length ? h('ul', { class: 'plain-list' }, active.map((r) => h('li', { class: 'card' }, item(r))))
        : h('p', {}, `No ${e.one}s yet: add the first one below.`),
      addForm(),
      archived.length ? h('h3', {}, `Archived ${e.one}s`) : null,
      archived.length ? h('ul', { class: 'plain-list' }, archived.map((r) => h('li', { class: 'card' }, h('p', {}, r.name),
        h('button', {
          type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Restore ${r.name}`,
          onclick: async () => { const res = await change(r, { is_active: true }, `${r.name} is in use again.`); if (res.error) say(res.error); },
        }, 'Restore')))) : null,
    ].filter(Boolean));
  }

  function item(r) {
    const kind = which === 'sites' ? [(KINDS.find(([k]) => k === r.kind) || [r.kind, r.kind])[1], r.region].filter(Boolean).join(' · ') : '';
    const name = field(`New name for ${r.name}`, (id) => h('input', { id, required: true, maxlength: 120, value: r.name }));
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', {}, h('fieldset', { class: 'plain', disabled: offline }, name.wrap, error,
      h('button', { type: 'submit', class: 'btn small primary' }, 'Save name')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors({ name });
      const value = name.control.value.trim();
      if (!value) { error.textContent = fieldErrors({ name }, { detail: [{ loc: ['name'], msg: 'A name is needed' }] }); return; }
      const res = await change(r, { name: value }, `Renamed to ${value}.`);
      if (res.error) error.textContent = res.status === 422 ? fieldErrors({ name }, res) : res.error;
    });
    return [
      h('h3', {}, r.name), kind ? h('p', {}, kind) : null,
      h('details', { class: 'edit' }, h('summary', { 'aria-label': `Rename ${r.name}` }, 'Rename'), form),
      h('button', {
        type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Archive ${r.name}`,
        onclick: async () => {
          const res = await change(r, { is_active: false }, `${r.name} is archived: it is no longer offered for new entries.`);
          if (res.error) say(res.error);
        },
      }, 'Archive'),
    ];
  }

  function addForm() {
    const name = field(`New ${e.one}’s name`, (id) => h('input', { id, required: true, maxlength: 120 }));
    const fields = { name };
    if (which === 'sites') {
      fields.kind = field('Kind', (id) => select(id, KINDS, 'store'));
      fields.region = field('Region (optional)', (id) => h('input', { id, maxlength: 120 }));
    }
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'card' }, h('fieldset', { class: 'plain', disabled: offline },
      Object.values(fields).map((f) => f.wrap), error, h('button', { type: 'submit', class: 'btn' }, `Add ${e.one}`)));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const json = { name: name.control.value.trim() };
      if (fields.kind) Object.assign(json, { kind: fields.kind.control.value, region: fields.region.control.value.trim() || null });
      const res = await send(e.path, 'POST', json);
      if (res.error) { error.textContent = res.status === 422 ? fieldErrors(fields, res) : res.error; return; }
      reload(`${res.data.name} added.`);
    });
    return form;
  }

  draw(rows);
  return box;
}

const EVENTS = { 'auth.invitation': 'invitation', 'auth.password_reset': 'password-reset link' };

/** E-mails and webhook calls that failed for good (newest first), so that an admin can see what never arrived. */
export function failedDeliveries({ data: rows, error }) {
  return h('section', { 'aria-labelledby': 'failed-h' },
    h('h2', { id: 'failed-h' }, 'Failed deliveries'),
    error ? h('p', { class: 'error' }, error) : rows.length
      ? h('ul', { class: 'plain-list' }, rows.slice(0, 20).map((d) => h('li', { class: 'card' },
        h('p', {}, `${d.channel === 'email' ? 'E-mail' : 'Webhook'} · ${EVENTS[d.event] || d.event} · ${when(d.created_at)}`),
        h('p', { class: 'hint' }, `${d.attempts} attempt(s); last answer: ${d.last_error || (d.last_status_code ? `HTTP ${d.last_status_code}` : 'none')}`))))
      : h('p', {}, 'None: every e-mail and webhook call so far was delivered or is still being tried.'));
}
