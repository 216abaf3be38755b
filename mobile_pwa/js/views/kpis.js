// Metrics (managers and admins): the organisation's VoC, VoE and VoB KPIs, each with its latest period and
// value; define a new one, edit a name, unit or scale, archive one no longer tracked (and restore it). Values
// arrive through the API or `undercover kpis import`.
import * as api from '../api.js';
import { h, field, select, nextId, confirmDialog } from '../ui.js';
import { day, send, fieldErrors } from '../lists.js';
import { asOfNote, load } from '../reads.js';

const KINDS = [['voc', 'Voice of the Customer'], ['voe', 'Voice of the Employees'], ['vob', 'Voice of the Business']];
const PERIODS = [['week', 'Per ISO week'], ['month', 'Per month']];
const num = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, ''));
const numberOrNull = (control) => (control.value.trim() === '' ? null : Number(control.value));

export async function render(main) {
  const notice = h('p', { role: 'status', tabindex: '-1' });
  const listBox = h('div', {});
  const formBox = h('div', {});
  main.append(h('h1', {}, 'Metrics'),
    h('p', {}, 'The numbers that say how customers, employees and the business fare: shown beside themes, goals and dashboards over the same weeks.'),
    notice, listBox, formBox);
  const say = (message) => { notice.textContent = message; notice.focus(); };

  async function draw() {
    const [kpis, latest] = await Promise.all([load('/api/kpis?include_archived=true'), load('/api/kpis/latest')]);
    if (kpis.error) { listBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, kpis.error)); return; }
    const offline = Boolean(kpis.asOf) || !api.online();
    const last = new Map((latest.data || []).map((l) => [l.key, l]));
    const list = kpis.data.filter((k) => !k.archived);
    const archived = kpis.data.filter((k) => k.archived);
    listBox.replaceChildren(...[asOfNote(kpis.asOf),
      h('h2', {}, `${list.length} ${list.length === 1 ? 'metric' : 'metrics'}`),
      h('ul', { class: 'plain-list' }, list.map((k) => h('li', { class: 'card' }, item(k, last.get(k.key), offline)))),
      archived.length ? h('h2', {}, `Archived (${archived.length})`) : null,
      archived.length ? h('p', { class: 'hint' }, 'Left out of dashboards, themes and new values; their past values are kept.') : null,
      archived.length ? h('ul', { class: 'plain-list' }, archived.map((k) => h('li', { class: 'card' }, archivedItem(k, offline)))) : null,
    ].filter(Boolean));
    formBox.replaceChildren(defineForm(offline));
  }

  function describe(k) {
    const kind = (KINDS.find(([v]) => v === k.kind) || [k.kind, k.kind])[1];
    const scale = k.scale_min !== null || k.scale_max !== null
      ? ` · scale ${k.scale_min === null ? '…' : num(k.scale_min)} to ${k.scale_max === null ? '…' : num(k.scale_max)}` : '';
    return `${kind} · ${k.period === 'month' ? 'monthly' : 'weekly'}${k.unit ? ` · in ${k.unit}` : ''} · ${k.higher_is_better ? 'higher is better' : 'lower is better'}${scale}`;
  }

  function item(k, latest, offline) {
    const latestWords = latest
      ? `Latest: ${num(latest.value)}${k.unit ? ` ${k.unit}` : ''}, the ${k.period} of ${day(latest.period_start)}${latest.rows > 1 ? ` (${latest.rows} sites or departments)` : ''}`
      : 'No values yet.';
    return [
      h('h3', {}, `${k.name} `, h('span', { class: 'muted' }, `(${k.key})`)),
      h('p', {}, describe(k)),
      h('p', { class: 'meta' }, latestWords),
      k.builtin ? h('p', { class: 'hint' }, 'Built in: computed from the monthly pulse, never sent.') : editForm(k, offline),
      k.builtin ? null : h('button', {
        type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Archive ${k.name}`,
        onclick: async () => {
          const ok = await confirmDialog(`Archive ${k.name}? It leaves dashboards, themes and goal choices, and takes no new values; its past values are kept and you can restore it.`,
            { confirm: 'Archive', danger: true });
          if (ok) await setArchived(k, true);
        },
      }, 'Archive'),
    ].filter(Boolean);
  }

  function archivedItem(k, offline) {
    return [
      h('h3', {}, `${k.name} `, h('span', { class: 'muted' }, `(${k.key})`)),
      h('p', {}, describe(k)),
      h('button', { type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Restore ${k.name}`, onclick: () => setArchived(k, false) }, 'Restore'),
    ];
  }

  async function setArchived(k, archived) {
    const res = await send(`/api/kpis/${k.key}`, 'PATCH', { archived });
    if (res.error) { say(res.error); return; }
    await draw();
    say(archived ? `${k.name} archived.` : `${k.name} restored.`);
  }

  function editForm(k, offline) {
    const fields = {
      name: field(`Name of ${k.key}`, (id) => h('input', { id, required: true, maxlength: 120, value: k.name })),
      unit: field(`Unit of ${k.key}`, (id) => h('input', { id, maxlength: 20, value: k.unit })),
      scale_min: field(`Lowest value of ${k.key}`, (id) => h('input', { id, type: 'number', step: 'any', inputmode: 'decimal', value: k.scale_min ?? '' }), 'Optional: lower values are refused.'),
      scale_max: field(`Highest value of ${k.key}`, (id) => h('input', { id, type: 'number', step: 'any', inputmode: 'decimal', value: k.scale_max ?? '' }), 'Optional: higher values are refused.'),
    };
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', {}, h('fieldset', { class: 'plain', disabled: offline }, Object.values(fields).map((f) => f.wrap), error,
      h('button', { type: 'submit', class: 'btn small primary' }, 'Save metric')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const res = await send(`/api/kpis/${k.key}`, 'PATCH', {
        name: fields.name.control.value.trim(), unit: fields.unit.control.value.trim(),
        scale_min: numberOrNull(fields.scale_min.control), scale_max: numberOrNull(fields.scale_max.control),
      });
      if (res.error) { error.textContent = res.status === 422 ? fieldErrors(fields, res) : res.error; return; }
      await draw();
      say(`${res.data.name} saved.`);
    });
    return h('details', { class: 'edit' }, h('summary', { 'aria-label': `Edit ${k.name}` }, 'Edit'), form);
  }

  function defineForm(offline) {
    const betterId = nextId('better');
    const fields = {
      key: field('Key', (id) => h('input', { id, required: true, maxlength: 40, autocomplete: 'off', autocapitalize: 'none' }), 'Short and unique, in small letters: e.g. nps, csat, staff-turnover. It never changes.'),
      name: field('Name', (id) => h('input', { id, required: true, maxlength: 120 })),
      kind: field('Kind', (id) => select(id, KINDS, 'voc')),
      unit: field('Unit', (id) => h('input', { id, maxlength: 20 }), 'Optional: e.g. points, %, £.'),
      period: field('Values come', (id) => select(id, PERIODS, 'week')),
      scale_min: field('Lowest value', (id) => h('input', { id, type: 'number', step: 'any', inputmode: 'decimal' }), 'Optional: lower values are refused.'),
      scale_max: field('Highest value', (id) => h('input', { id, type: 'number', step: 'any', inputmode: 'decimal' }), 'Optional: higher values are refused.'),
    };
    const better = h('input', { id: betterId, type: 'checkbox', checked: true });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'card', 'aria-labelledby': 'define-kpi' }, h('fieldset', { class: 'plain', disabled: offline },
      h('h2', { id: 'define-kpi' }, 'Define a metric'),
      fields.key.wrap, fields.name.wrap, fields.kind.wrap, fields.unit.wrap,
      h('div', { class: 'check' }, better, h('label', { for: betterId }, 'Higher is better')),
      fields.period.wrap, fields.scale_min.wrap, fields.scale_max.wrap, error,
      h('button', { type: 'submit', class: 'btn primary' }, 'Define metric')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const body = {
        key: fields.key.control.value.trim(), name: fields.name.control.value.trim(), kind: fields.kind.control.value,
        unit: fields.unit.control.value.trim(), higher_is_better: better.checked, period: fields.period.control.value,
        scale_min: numberOrNull(fields.scale_min.control), scale_max: numberOrNull(fields.scale_max.control),
      };
      const res = await send('/api/kpis', 'POST', body);
      if (res.error) { error.textContent = res.status === 422 ? fieldErrors(fields, res) : res.error; return; }
      await draw();
      say(`${res.data.name} defined: send its values through the API or undercover kpis import.`);
    });
    return form;
  }

  await draw();
}
