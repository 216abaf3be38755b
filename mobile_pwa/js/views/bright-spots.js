// Bright spots (managers): what went well on visits, newest first, with who to recognise; filters in the URL.
import * as api from '../api.js';
import { h, field, select } from '../ui.js';
import { day, lookups, options } from '../lists.js';
import { asOfNote, load } from '../reads.js';

const KEYS = ['site_id', 'department_id', 'value_id', 'q'];

export async function render(main, [query], ctx) {
  const sp = new URLSearchParams(query || '');
  const filters = Object.fromEntries(KEYS.map((k) => [k, sp.get(k) || '']));
  main.append(h('h1', {}, 'Bright spots'),
    h('p', {}, 'What went well on visits, and who to recognise. ', h('a', { href: '#/feed' }, 'Back to the feed')));
  const [lk, values] = await Promise.all([lookups(), load('/api/values')]);
  const controls = {};
  const go = () => {
    const next = api.query(Object.fromEntries(KEYS.map((k) => [k, controls[k].value.trim()])));
    ctx.go(`#/bright-spots${next}`);
  };
  const choose = (key, label, rows, any) => {
    const f = field(label, (id) => select(id, options(rows, any), filters[key]));
    controls[key] = f.control;
    f.control.addEventListener('change', go);
    return f.wrap;
  };
  const search = field('Search', (id) => h('input', { id, type: 'search', value: filters.q, autocomplete: 'off' }));
  controls.q = search.control;
  const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter bright spots' },
    choose('site_id', 'Site', lk.sites, 'Every site'),
    choose('department_id', 'Department', lk.departments, 'Every department'),
    choose('value_id', 'Company value', values.data || [], 'Every value'),
    search.wrap);
  form.addEventListener('submit', (event) => { event.preventDefault(); go(); });
  const list = h('ul', { class: 'cards', 'aria-label': 'Bright spots' });
  const status = h('p', { role: 'status' }, 'Loading bright spots…');
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, 'Load more');
  main.append(form, status, list, more);

  let cursor = null;
  let shown = 0;
  async function page() {
    more.disabled = true;
    const res = await load(`/api/bright-spots${api.query({ ...filters, cursor, limit: 50 })}`);
    more.disabled = false;
    if (res.error) {
      status.textContent = res.error;
      return;
    }
    const note = asOfNote(res.asOf);
    if (note && !main.querySelector('.asof')) status.before(note);
    for (const item of res.data.items) list.append(card(item));
    shown += res.data.items.length;
    cursor = res.data.next_cursor;
    more.hidden = !cursor;
    status.textContent = shown ? `${shown} bright spot${shown === 1 ? '' : 's'} shown.` : 'No bright spots match.';
  }
  more.addEventListener('click', page);
  await page();
  return undefined;
}

function card(item) {
  const where = [item.site && item.site.name, item.department && item.department.name].filter(Boolean).join(' · ');
  return h('li', { class: 'card' },
    h('p', {}, item.text),
    item.recognise ? h('p', {}, h('strong', {}, 'Recognise: '), item.recognise) : null,
    h('p', { class: 'hint' }, [day(item.occurred_at), where, item.value && `Lives “${item.value.name}”`,
      item.executive && `by ${item.executive.name}`].filter(Boolean).join(' · ')));
}
