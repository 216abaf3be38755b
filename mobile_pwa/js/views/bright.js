// A visit's bright spots: what went well, which department, the company value it lives, who to recognise.
// Loaded by the visit screen when a visit has some or the user adds one (js/screens.js PARTS); kept like pain
// points: every change is saved on the phone at once and goes out with the visit through the outbox.
import { h, field, select, confirmDialog } from '../ui.js';
import { get } from '../db.js';
import { longText, TEXT_MAX } from './visit-parts.js';

const NAME_MAX = 200;

/** ctx: { departments, changed(), save(), add } — `add`: start a new bright spot and focus it. */
export async function draw(box, rec, ctx) {
  const list = rec.visit.bright_spots || (rec.visit.bright_spots = []);
  const values = (await get('kv', 'values')) || [];
  if (ctx.add) {
    list.push({ id: crypto.randomUUID(), text: '', department_id: null, recognise: '', value_id: null });
    ctx.save();
  }
  const redraw = () => draw(box, rec, { ...ctx, add: false });
  const choice = (label, options, spot, key) => field(label, (id) => {
    const el = select(id, [['', 'Not sure'], ...options.map((o) => [o.id, o.name])], spot[key]);
    el.addEventListener('change', () => { spot[key] = el.value || null; ctx.changed(); });
    return el;
  }).wrap;
  async function remove(i) {
    const spot = list[i];
    if ((spot.text || '').trim() && !(await confirmDialog(`Remove bright spot ${i + 1}?`, { confirm: 'Remove', danger: true }))) return;
    list.splice(i, 1);
    ctx.changed();
    redraw();
  }
  const parts = list.map((spot, i) => {
    const what = longText('Bright spot', spot, 'text', TEXT_MAX, ctx.changed, 'What went well, in a sentence or two.');
    const who = field('Who to recognise', (id) => h('input', {
      id, type: 'text', maxlength: NAME_MAX, autocomplete: 'off', value: spot.recognise ?? '',
      oninput: (e) => { spot.recognise = e.target.value; ctx.changed(); },
    }), 'A name, if someone deserves thanks (optional). Only managers see it.');
    const active = values.filter((v) => !v.archived || v.id === spot.value_id);
    return h('fieldset', { class: 'card', 'data-bright-spot': spot.id },
      h('legend', {}, `Bright spot ${i + 1}`),
      what.wrap,
      choice('Department', ctx.departments, spot, 'department_id'),
      who.wrap,
      active.length ? choice('Company value', active, spot, 'value_id') : null,
      h('button', { type: 'button', class: 'btn small danger', onclick: () => remove(i) }, `Remove bright spot ${i + 1}`));
  });
  box.replaceChildren(...(list.length ? [h('h2', {}, `Bright spots (${list.length})`), ...parts] : []));
  if (ctx.add) parts[parts.length - 1].querySelector('textarea').focus();
}
