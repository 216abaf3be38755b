// Shared goals: two or more departments, a measurable target, a due date; progress computed by the server
// (baseline → current → target, on track / at risk / met / missed). Managers and admins make and archive
// them; executives read their own departments' goals. `#/goals?theme_id=…` opens the form pre-filled from a
// cross-silo theme (the Themes screen's "Make a shared goal").
import * as api from '../api.js';
import { h, field, select, nextId } from '../ui.js';
import { isManager, day, send, fieldErrors, lookups, options, computedNote } from '../lists.js';
import { asOfNote, load } from '../reads.js';
import { sparkline, dataTable, figure } from '../charts.js';

export const wide = true;

export const STATUS_WORDS = { on_track: 'On track', at_risk: 'At risk', met: 'Met', missed: 'Missed' };
const TYPES = [['kpi', 'A metric (KPI)'], ['theme_count', 'A theme’s pain points per month'], ['open_pain_points', 'Open pain points of these departments']];
const COMPARISONS = [['at_most', 'At most'], ['at_least', 'At least']];
const num = (v) => (v === null || v === undefined ? 'no data' : Number.isInteger(v) ? String(v) : v.toFixed(1));

export async function render(main, [query], ctx) {
  const manager = isManager(api.currentUser());
  const sp = new URLSearchParams(query || '');
  const notice = h('p', { role: 'status', tabindex: '-1' });
  const formBox = h('div', {});
  const listBox = h('div', {});
  main.append(h('h1', {}, 'Shared goals'),
    h('p', {}, 'Goals that departments own together, so customers do not fall into the cracks between them. Progress is computed from the data, never typed in.'),
    notice, formBox, listBox);
  const lk = await lookups({ themes: manager });
  const deptName = (id) => (lk.departments.find((d) => d.id === id) || { name: 'Unknown department' }).name;
  let kpis = [];

  function say(message) {
    notice.textContent = message;
    notice.focus();
  }

  async function drawList() {
    listBox.replaceChildren(h('p', { role: 'status' }, 'Loading goals…'));
    const res = await load('/api/goals');
    if (res.error) { listBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, res.error)); return; }
    const offline = Boolean(res.asOf) || !api.online();
    const goals = res.data;
    // A large organisation's progress is measured in the background: say so when it is not from just now.
    const measured = goals.map((g) => g.progress.as_of).sort()[0];
    listBox.replaceChildren(...[asOfNote(res.asOf), computedNote(measured),
      h('h2', {}, `${goals.length} ${goals.length === 1 ? 'goal' : 'goals'}, nearest due date first`),
      goals.length ? h('ol', { class: 'goals list' }, goals.map((g) => h('li', {}, goalCard(g, offline))))
        : h('p', {}, manager ? 'No shared goals yet. Make one below, or from a cross-silo theme on the Themes screen.'
          : 'Your departments have no shared goals yet.')].filter(Boolean));
  }

  function targetWords(g) {
    const t = g.target;
    const what = t.type === 'kpi' ? `${(kpis.find((k) => k.key === t.kpi_key) || { name: t.kpi_key }).name}`
      : t.type === 'theme_count' ? `pain points a month in “${(lk.themes.find((x) => x.id === t.theme_id) || { name: 'a theme' }).name}”`
        : 'open pain points';
    const site = t.site_id ? ` at ${(lk.sites.find((s) => s.id === t.site_id) || { name: 'a site' }).name}` : '';
    return `${what}${site} ${t.comparison === 'at_most' ? 'at most' : 'at least'} ${num(t.value)}`;
  }

  function goalCard(g, offline) {
    const p = g.progress;
    const titleId = nextId('goal');
    const known = p.series.filter((pt) => pt.value !== null);
    const chart = known.length ? figure(null,
      sparkline(known.map((pt) => pt.value), `${g.title}: ${known.length} ${p.period === 'month' ? 'months' : 'weeks'} of data, from ${num(known[0].value)} to ${num(known[known.length - 1].value)}; target ${num(p.target)}`),
      dataTable(`“${g.title}” per ${p.period}`, [p.period === 'month' ? 'Month of' : 'Week of', 'Value'],
        p.series.map((pt) => [day(pt.period_start), num(pt.value)]))) : h('p', { class: 'hint' }, 'No data yet for its series.');
    const actions = h('div', { class: 'row' });
    if (manager && !g.archived) {
      actions.append(h('button', {
        type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Archive “${g.title}”`,
        onclick: async () => {
          const res = await send(`/api/goals/${g.id}`, 'DELETE');
          if (res.error) { say(res.error); return; }
          await drawList();
          say(`Archived “${g.title}”.`);
        },
      }, 'Archive'));
    }
    return h('article', { class: 'card goal', 'aria-labelledby': titleId },
      h('h3', { id: titleId }, g.title),
      h('p', { class: 'flags' }, h('span', { class: `flag status-${p.status}` }, STATUS_WORDS[p.status] || p.status)),
      h('p', {}, `Baseline ${num(p.baseline)} → now ${num(p.current)} → target ${targetWords(g)}`),
      h('p', { class: 'hint' }, `Due ${day(g.due_date)} · owned by ${g.department_ids.map(deptName).sort().join(', ')}`),
      chart, actions);
  }

  function goalForm(preset = {}) {
    const title = field('Title', (id) => h('input', { id, type: 'text', required: true, maxlength: 200, value: preset.title || '' }));
    const boxes = lk.departments.map((d) => {
      const id = nextId('dep');
      return h('div', { class: 'check' }, h('input', { id, type: 'checkbox', value: d.id, checked: (preset.departments || []).includes(d.id) }),
        h('label', { for: id }, d.name));
    });
    const depHint = h('p', { class: 'hint', id: nextId('dep-hint') }, 'Two or more: the departments that own it together.');
    const depWrap = h('fieldset', { class: 'plain', 'aria-describedby': depHint.id }, h('legend', { class: 'label' }, 'Departments'), boxes, depHint);
    const departments = { wrap: depWrap, control: depWrap, hint: depHint };
    const type = field('Target', (id) => select(id, TYPES, preset.type || 'kpi'));
    const kpi = field('Metric', (id) => select(id, [['', 'Choose a metric'], ...kpis.map((k) => [k.key, k.name])], ''));
    const theme = field('Theme', (id) => select(id, options(lk.themes, 'Choose a theme'), preset.theme_id || ''));
    const site = field('Site (optional)', (id) => select(id, options(lk.sites, 'Every site'), ''));
    const comparison = field('Comparison', (id) => select(id, COMPARISONS, preset.comparison || 'at_least'));
    const value = field('Value', (id) => h('input', { id, type: 'number', step: 'any', required: true, inputmode: 'decimal', value: preset.value ?? '' }));
    const due = field('Due date', (id) => h('input', { id, type: 'date', required: true }));
    const fields = { title, department_ids: departments, type, kpi_key: kpi, theme_id: theme, site_id: site, comparison, value, due_date: due };
    const showFor = () => {
      kpi.wrap.hidden = type.control.value !== 'kpi';
      theme.wrap.hidden = type.control.value !== 'theme_count';
    };
    type.control.addEventListener('change', showFor);
    showFor();
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'btn primary', disabled: !api.online() }, 'Make the goal');
    const form = h('form', { class: 'card goal-form', 'aria-labelledby': 'goal-form-h' },
      h('h2', { id: 'goal-form-h' }, 'New shared goal'),
      preset.note ? h('p', { class: 'hint' }, preset.note) : null,
      title.wrap, depWrap, type.wrap, kpi.wrap, theme.wrap, site.wrap, comparison.wrap, value.wrap, due.wrap, error,
      h('div', { class: 'row' }, submit,
        h('button', { type: 'button', class: 'btn', onclick: () => { formBox.replaceChildren(newButton()); } }, 'Cancel')),
      api.online() ? null : h('p', { class: 'hint' }, 'You are offline: making a goal needs a connection.'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const t = type.control.value;
      const target = { type: t, comparison: comparison.control.value, value: value.control.value === '' ? null : Number(value.control.value) };
      if (t === 'kpi') target.kpi_key = kpi.control.value || null;
      if (t === 'theme_count') target.theme_id = theme.control.value || null;
      if (site.control.value) target.site_id = site.control.value;
      const body = {
        title: title.control.value.trim(), target, due_date: due.control.value || null,
        department_ids: [...depWrap.querySelectorAll('input:checked')].map((i) => i.value),
      };
      if (body.department_ids.length < 2) {
        error.textContent = fieldErrors(fields, { detail: [{ loc: ['department_ids'], msg: 'Tick two or more departments: a shared goal is owned together' }] });
        return;
      }
      const res = await send('/api/goals', 'POST', body);
      if (res.error) {
        // The API names target fields [target, name]: show them under the field of that name.
        const detail = Array.isArray(res.detail) ? res.detail.map((e) => ({ ...e, loc: e.loc && e.loc[0] === 'target' && e.loc.length > 1 ? e.loc.slice(1) : e.loc })) : res.detail;
        error.textContent = res.status === 422 ? fieldErrors(fields, { ...res, detail }) : res.error;
        return;
      }
      formBox.replaceChildren(newButton());
      // Made: a reload shows the list, not the theme's form again (no hashchange, so no re-render now).
      if (location.hash.includes('?')) history.replaceState(null, '', '#/goals');
      await drawList();
      say(`Made “${res.data.title}”: ${STATUS_WORDS[res.data.progress.status] || res.data.progress.status}.`);
    });
    return form;
  }

  function newButton() {
    return manager ? h('button', {
      type: 'button', class: 'btn', disabled: !api.online(),
      onclick: () => { formBox.replaceChildren(goalForm()); formBox.querySelector('input').focus(); },
    }, 'New shared goal') : h('span', {});
  }

  async function presetFromTheme(themeId) {
    const res = await load(`/api/themes/${themeId}/kpis`);
    const t = lk.themes.find((x) => x.id === themeId);
    const label = t ? t.name : 'this theme';
    return {
      title: `Fewer “${label}” pain points`, type: 'theme_count', theme_id: themeId, comparison: 'at_most', value: '',
      departments: res.data ? res.data.departments.map((d) => d.id) : [],
      note: `From the theme “${label}”: its departments are ticked; the target counts its pain points per calendar month.`,
    };
  }

  kpis = (await load('/api/kpis')).data || [];
  if (manager && sp.get('theme_id')) {
    formBox.replaceChildren(goalForm(await presetFromTheme(sp.get('theme_id'))));
  } else {
    formBox.replaceChildren(newButton());
  }
  await drawList();
  if (manager && sp.get('theme_id')) formBox.querySelector('input[type="text"]')?.focus();
}
