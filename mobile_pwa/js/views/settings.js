// Organisation settings (admins), the pulse questions (retiring one keeps its answers), sites and departments,
// and failed deliveries (settings-org.js), the company's values (settings-values.js).
import { h, field, select, nextId } from '../ui.js';
import { send } from '../lists.js';
import { asOfNote, load } from '../reads.js';
import { entityList, failedDeliveries } from './settings-org.js';
import { valueList } from './settings-values.js';

const MAX_ACTIVE = 10;

export async function render(main) {
  main.append(h('h1', {}, 'Settings'));
  const body = h('div', {});
  main.append(body);
  const reads = await Promise.all(['/api/settings', '/api/pulse/questions?include_retired=true', '/api/sites?include_inactive=true',
    '/api/departments?include_inactive=true', '/api/deliveries?limit=20', '/api/values?include_archived=true'].map(load));
  const [settings, questions, sites, departments, deliveries, values] = reads;
  const fail = reads.slice(0, 4).find((r) => r.error); // failed deliveries are a footnote: never a reason to show nothing
  if (fail) {
    body.append(h('p', { class: 'error', role: 'alert' }, fail.error));
    return;
  }
  const asOf = reads.map((r) => r.asOf).find(Boolean);
  const offline = Boolean(asOf);
  const notice = h('p', { role: 'status', tabindex: '-1', class: 'notice' });
  const say = (text) => { notice.textContent = text; notice.focus(); };
  body.append(...[asOfNote(asOf), notice, orgForm(settings.data), questionList(questions.data),
    entityList('sites', sites.data, offline, say), entityList('departments', departments.data, offline, say),
    values.error ? h('p', { class: 'error' }, values.error) : valueList(values.data, offline, say),
    failedDeliveries(deliveries)].filter(Boolean));

  function orgForm(s) {
    const target = field('Target hours in the field per executive per month', (id) => h('input', { id, type: 'number', min: 0, max: 744, step: 0.5, value: s.field_hours_target, inputmode: 'decimal' }));
    const seeId = nextId('see');
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', {}, h('fieldset', { class: 'card', disabled: offline },
      h('legend', {}, 'Organisation'), target.wrap,
      h('div', { class: 'check' },
        h('input', { id: seeId, type: 'checkbox', checked: s.executives_see_feed }),
        h('label', { for: seeId }, 'Executives may read the whole pain-point feed')),
      error, h('button', { type: 'submit', class: 'btn primary' }, 'Save settings')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const hours = Number(target.control.value);
      if (target.control.value === '' || !Number.isFinite(hours) || hours < 0 || hours > 744) {
        error.textContent = 'The target is a number of hours from 0 to 744.';
        target.control.focus();
        return;
      }
      const res = await send('/api/settings', 'PATCH', { field_hours_target: hours, executives_see_feed: form.querySelector(`#${seeId}`).checked });
      if (res.error) { error.textContent = res.error; return; }
      say(`Saved: the target is ${res.data.field_hours_target} hours per executive per month.`);
    });
    return form;
  }

  function questionList(rows) {
    const box = h('section', { 'aria-labelledby': 'pulse-q' });
    const draw = (list) => {
      const active = list.filter((q) => q.is_active);
      const retired = list.filter((q) => !q.is_active);
      box.replaceChildren(...[ // replaceChildren would write a null as the text "null"
        h('h2', { id: 'pulse-q' }, 'Pulse questions'),
        h('p', {}, `${active.length} of at most ${MAX_ACTIVE} questions are asked each month. Retiring a question keeps its past answers.`),
        h('ol', { class: 'plain-list' }, active.map((q, i) => h('li', {}, questionForm(q, i + 1)))),
        active.length < MAX_ACTIVE ? addForm() : h('p', { class: 'hint' }, 'Retire a question before adding another.'),
        retired.length ? h('h3', {}, 'Retired questions') : null,
        retired.length ? h('ul', { class: 'plain-list' }, retired.map((q) => h('li', { class: 'card' }, h('p', {}, q.text),
          h('button', { type: 'button', class: 'btn small', disabled: offline || active.length >= MAX_ACTIVE, onclick: () => change(q, { is_active: true }, 'Asked again from now on.') }, 'Ask again')))) : null,
      ].filter(Boolean));
    };
    const reload = async (message) => {
      const res = await load('/api/pulse/questions?include_retired=true');
      if (res.error) { say(res.error); return; }
      draw(res.data);
      if (message) say(message);
    };
    async function change(q, json, message) {
      const res = await send(`/api/pulse/questions/${q.id}`, 'PATCH', json);
      if (res.error) { say(res.error); return; }
      reload(message);
    }
    function questionForm(q, n) {
      const f = field(`Question ${n} (${q.kind === 'scale' ? '0–10 scale' : 'free text'})`, (id) => h('textarea', { id, minlength: 3, maxlength: 300, value: q.text }));
      const form = h('form', { class: 'card' }, h('fieldset', { class: 'plain', disabled: offline }, f.wrap, h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'btn small' }, 'Save question'),
        h('button', { type: 'button', class: 'btn small danger', onclick: () => change(q, { is_active: false }, 'Retired. Its answers are kept.') }, 'Retire'))));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const text = f.control.value.trim();
        if (text.length < 3) { say('A question needs at least 3 characters.'); return; }
        change(q, { text }, 'Question saved.');
      });
      return form;
    }
    function addForm() {
      const text = field('New question', (id) => h('textarea', { id, minlength: 3, maxlength: 300 }));
      const kind = field('Answered with', (id) => select(id, [['scale', 'A 0–10 scale'], ['text', 'Free text']], 'scale'));
      const form = h('form', { class: 'card' }, h('fieldset', { class: 'plain', disabled: offline }, text.wrap, kind.wrap,
        h('button', { type: 'submit', class: 'btn' }, 'Add question')));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const value = text.control.value.trim();
        if (value.length < 3) { say('A question needs at least 3 characters.'); return; }
        const res = await send('/api/pulse/questions', 'POST', { text: value, kind: kind.control.value });
        if (res.error) { say(res.error); return; }
        reload('Question added: executives see it from now on.');
      });
      return form;
    }
    draw(rows);
    return box;
  }
}
