// Settings (admins), continued: the company's values (name and a one-line meaning): add, edit, archive, restore.
// Executives pick them on pain points and bright spots; archived values stay on what was tagged.
import { h, field, nextId } from '../ui.js';
import { send, fieldErrors } from '../lists.js';
import { load } from '../reads.js';

const PATH = '/api/values';

/** The values section, drawn from `rows` (current and archived). */
export function valueList(rows, offline, say) {
  const headingId = nextId('val');
  const box = h('section', { 'aria-labelledby': headingId });
  const reload = async (message) => {
    const res = await load(`${PATH}?include_archived=true`);
    if (res.error) { say(res.error); return; }
    draw(res.data);
    say(message);
  };

  function draw(list) {
    const sorted = list.slice().sort((a, b) => a.name.localeCompare(b.name));
    const current = sorted.filter((v) => !v.archived);
    const archived = sorted.filter((v) => v.archived);
    box.replaceChildren(...[
      h('h2', { id: headingId }, 'Company values'),
      h('p', { class: 'hint' }, 'What customers should feel from everyone’s work. Executives tag pain points and bright spots with them; the dashboards count both per value.'),
      current.length ? h('ul', { class: 'plain-list' }, current.map((v) => h('li', { class: 'card' }, item(v))))
        : h('p', {}, 'No values yet: add the first one below.'),
      addForm(),
      archived.length ? h('h3', {}, 'Archived values') : null,
      archived.length ? h('ul', { class: 'plain-list' }, archived.map((v) => h('li', { class: 'card' }, h('p', {}, v.name),
        h('button', {
          type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Restore ${v.name}`,
          onclick: () => change(v, { archived: false }, `${v.name} is offered again.`, null),
        }, 'Restore')))) : null,
    ].filter(Boolean));
  }

  /** PATCH a value; a refusal shows under its fields (`fields`) or, without them, in the notice. */
  async function change(v, json, message, fields, error) {
    const res = await send(`${PATH}/${v.id}`, 'PATCH', json);
    if (res.error) {
      if (fields && res.status === 422) error.textContent = fieldErrors(fields, res);
      else if (error) error.textContent = res.error;
      else say(res.error);
      return;
    }
    await reload(message);
  }

  function inputs(prefix, v = { name: '', meaning: '' }) {
    return {
      name: field(`${prefix}name`, (id) => h('input', { id, required: true, maxlength: 80, value: v.name })),
      meaning: field(`${prefix}meaning`, (id) => h('input', { id, maxlength: 300, value: v.meaning }), 'One line: what living this value looks like.'),
    };
  }

  function item(v) {
    const fields = inputs(`${v.name}: `, v);
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', {}, h('fieldset', { class: 'plain', disabled: offline }, fields.name.wrap, fields.meaning.wrap, error,
      h('button', { type: 'submit', class: 'btn small primary' }, 'Save value')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const name = fields.name.control.value.trim();
      if (!name) { error.textContent = fieldErrors(fields, { detail: [{ loc: ['name'], msg: 'A name is needed' }] }); return; }
      change(v, { name, meaning: fields.meaning.control.value.trim() }, `${name} saved.`, fields, error);
    });
    return [
      h('h3', {}, v.name), v.meaning ? h('p', {}, v.meaning) : null,
      h('details', { class: 'edit' }, h('summary', { 'aria-label': `Edit ${v.name}` }, 'Edit'), form),
      h('button', {
        type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Archive ${v.name}`,
        onclick: () => change(v, { archived: true }, `${v.name} is archived: it is no longer offered for new entries.`, null),
      }, 'Archive'),
    ];
  }

  function addForm() {
    const fields = inputs('New value’s ');
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'card' }, h('fieldset', { class: 'plain', disabled: offline }, fields.name.wrap, fields.meaning.wrap, error,
      h('button', { type: 'submit', class: 'btn' }, 'Add value')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const name = fields.name.control.value.trim();
      if (!name) { error.textContent = fieldErrors(fields, { detail: [{ loc: ['name'], msg: 'A name is needed' }] }); return; }
      const res = await send(PATH, 'POST', { name, meaning: fields.meaning.control.value.trim() });
      if (res.error) { error.textContent = res.status === 422 ? fieldErrors(fields, res) : res.error; return; }
      await reload(`${name} added.`);
    });
    return form;
  }

  draw(rows);
  return box;
}
