// Pieces of the visit form: kind-specific fields, journey steps, pain points.
import { h, field, select, duration } from '../ui.js';
import { stepMinutes, isBlankPainPoint } from '../outbox.js';
import { request, online } from '../api.js';

export const TEXT_MAX = 2000;
export const NOTES_MAX = 10000;
export const NOT_A_SITE = 'Not a site in the list: pick one of the suggestions, or leave it empty.';
const DAY = 864e5;
const CALL_CHANNELS = [['', '—'], ['phone', 'Phone'], ['chat', 'Chat'], ['email', 'Email'], ['social', 'Social media']];
const OUTCOMES = [['', '—'], ['resolved_first_contact', 'Resolved at first contact'], ['transferred', 'Transferred'], ['unresolved', 'Unresolved']];
const STEP_CHANNELS = [['', '—'], ['in_store', 'In store'], ['web', 'Web'], ['app', 'App'], ['phone', 'Phone'], ['chat', 'Chat'],
  ['email', 'Email'], ['social', 'Social media'], ['post', 'Post'], ['other', 'Other']];
const SEVERITY = [['1', '1 – minor irritation'], ['2', '2'], ['3', '3 – real problem'], ['4', '4'], ['5', '5 – lost customer or harm']];
const FELT_BY = [['customer', 'Customer'], ['employee', 'Employee'], ['both', 'Both']];
const EFFORT = [['', '—'], ['1', '1 – effortless'], ['2', '2'], ['3', '3'], ['4', '4'], ['5', '5'], ['6', '6'], ['7', '7 – very hard']];
export const LABELS = {
  site_id: 'Site', started_at: 'Started', ended_at: 'Ended', incognito: 'Incognito', notes: 'Notes',
  private_notes: 'Private notes', text: 'Pain point', severity: 'Severity', felt_by: 'Felt by', department_id: 'Department',
  journey_step: 'Journey step', quote: 'Quote', role_worked: 'Role worked', team_lead: 'Team lead', channel: 'Channel',
  queue: 'Queue', call_reason: 'Call reason', outcome: 'Outcome', handle_time_minutes: 'Handle time (minutes)',
  journey_name: 'Journey name', name: 'Step name', minutes: 'Minutes', effort: 'Effort', steps: 'Steps',
};

function where(err, rec) {
  const loc = err.loc || [];
  if (loc[0] === 'bright_spots') return `Bright spot ${loc[1] + 1}`;
  if (loc[0] === 'pain_points') {
    const i = rec.visit.pain_points.findIndex((p) => p.id === err.pain_point_id);
    const n = i >= 0 ? i + 1 : Number(loc[1]) + 1;
    return `Pain point ${n}${loc[2] ? ` – ${LABELS[loc[2]] || loc[2]}` : ''}`;
  }
  if (loc[0] === 'details' && loc[1] === 'steps' && loc.length > 2) {
    return `Step ${Number(loc[2]) + 1}${loc[3] ? ` – ${LABELS[loc[3]] || loc[3]}` : ''}`;
  }
  const last = loc[loc.length - 1];
  return last === undefined ? '' : LABELS[last] || String(last);
}

/** The server's reasons, each with the field it is about. */
export const errorLines = (rec) => (rec.errors || []).map((e) => {
  const place = where(e, rec);
  return place ? `${place}: ${e.msg}` : e.msg;
});

/** A text input bound to obj[key]. */
function text(label, obj, key, onChange, attrs = {}) {
  return field(label, (id) => h('input', {
    id, type: 'text', value: obj[key] ?? '', maxlength: 200, ...attrs,
    oninput: (e) => { obj[key] = e.target.value; onChange(); },
  })).wrap;
}

function choice(label, options, obj, key, onChange) {
  return field(label, (id) => {
    const el = select(id, options, obj[key]);
    el.addEventListener('change', () => { obj[key] = el.value || null; onChange(); });
    return el;
  }).wrap;
}

function number(label, obj, key, onChange, attrs = {}) {
  return field(label, (id) => h('input', {
    id, type: 'number', inputmode: 'decimal', min: 0, max: 1440, step: 'any', value: obj[key] ?? '', ...attrs,
    oninput: (e) => { obj[key] = e.target.value === '' ? null : Number(e.target.value); onChange(); },
  })).wrap;
}

/** Shows a problem beside its field (marked invalid), or hintText when there is none. */
export function mark(f, problem, hintText = '') {
  f.control.setAttribute('aria-invalid', String(Boolean(problem)));
  f.hint.classList.toggle('bad', Boolean(problem));
  f.hint.textContent = problem || hintText;
  f.hint.hidden = !f.hint.textContent;
}

const tooLong = (text, max) => (text || '').length > max && `${text.length} of ${max} characters: too long to send, please shorten it.`;

/** A long text with a soft limit: nothing typed is ever cut off, an over-long text is flagged instead. */
export function longText(label, obj, key, max, onChange, hintText = '') {
  const f = field(label, (id) => h('textarea', { id, rows: 3 }), hintText);
  f.control.value = obj[key] || '';
  const check = () => {
    const len = f.control.value.length;
    mark(f, tooLong(f.control.value, max), len > max * 0.9 ? `${len} of ${max} characters.` : hintText);
  };
  f.control.addEventListener('input', () => { obj[key] = f.control.value; check(); onChange(); });
  check();
  return f;
}

/** What the server would refuse: Map of field key ('site', '<pain point id>.text'…) → plain words. */
export function check(rec, end = rec.visit.ended_at || new Date().toISOString()) {
  const v = rec.visit;
  const out = new Map();
  if (!v.site_id && (rec.local.site_text || '').trim()) out.set('site', NOT_A_SITE);
  for (const p of v.pain_points) {
    if (isBlankPainPoint(p)) continue;
    out.set(`${p.id}.text`, !(p.text || '').trim() ? 'Say what went wrong: a quote alone is not enough.' : tooLong(p.text, TEXT_MAX));
    out.set(`${p.id}.quote`, tooLong(p.quote, TEXT_MAX));
  }
  out.set('notes', tooLong(v.notes, NOTES_MAX));
  out.set('private_notes', tooLong(v.private_notes, NOTES_MAX));
  const start = Date.parse(v.started_at);
  const stop = Date.parse(end);
  const at = v.ended_at ? 'ended_at' : 'started_at';
  if (start > Date.now() + DAY) out.set('started_at', 'A visit may not start more than a day in the future.');
  else if (stop < start) out.set(at, 'A visit may not end before it starts.');
  else if (stop - start > DAY) out.set(at, 'A visit may not last longer than 24 hours.');
  for (const [key, problem] of out) if (!problem) out.delete(key);
  return out;
}

export function detailFields(rec, onChange) {
  const d = rec.visit.details;
  if (rec.visit.kind === 'shop_floor_shift') {
    return [text('Role worked', d, 'role_worked', onChange), text('Team lead', d, 'team_lead', onChange)];
  }
  if (rec.visit.kind === 'listened_call') {
    return [
      h('div', { class: 'grid2' }, choice('Channel', CALL_CHANNELS, d, 'channel', onChange),
        choice('Outcome', OUTCOMES, d, 'outcome', onChange)),
      text('Queue', d, 'queue', onChange),
      text('Call reason', d, 'call_reason', onChange),
      number('Handle time (minutes)', d, 'handle_time_minutes', onChange),
    ];
  }
  return [text('Journey name', d, 'journey_name', onChange)];
}

/** One journey step. handlers: { onChange, toggleTimer(i), remove(i) } */
export function stepFieldset(rec, i, handlers) {
  const step = rec.visit.details.steps[i];
  const timer = rec.local.step_timer;
  const running = Boolean(timer && timer.index === i);
  const live = h('p', { class: 'hint', 'data-step-timer': i });
  const minutes = number('Minutes', step, 'minutes', () => {
    // A typed number replaces the timed one; a running timer goes on from there.
    if (rec.local.step_timer && rec.local.step_timer.index === i) rec.local.step_timer.since = Date.now();
    handlers.onChange();
  }, { step: 0.1 });
  const box = h('fieldset', { class: 'card' },
    h('legend', {}, `Step ${i + 1}`),
    text('Step name', step, 'name', handlers.onChange),
    h('div', { class: 'grid2' }, choice('Channel', STEP_CHANNELS, step, 'channel', handlers.onChange),
      choice('Effort (1–7)', EFFORT, step, 'effort', handlers.onChange)),
    minutes, live,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn small', 'aria-label': `${running ? 'Stop timer' : 'Start timer'}, step ${i + 1}`, onclick: () => handlers.toggleTimer(i) },
        running ? 'Stop timer' : 'Start timer'),
      h('button', { type: 'button', class: 'btn small danger', onclick: () => handlers.remove(i) }, `Remove step ${i + 1}`)));
  tickStep(rec, i, live);
  return box;
}

export function tickStep(rec, i, el) {
  const timer = rec.local.step_timer;
  if (timer && timer.index === i) el.textContent = `Timer running: ${duration(Date.now() - timer.since)} (${stepMinutes(rec, i)} min in total)`;
  else el.textContent = '';
}

/** One pain point. ctx: { departments, values (the company's), steps (names) | null, errors, problems (from check), onChange, remove(i), media(action, i, files) } */
export function painPointFieldset(rec, i, ctx) {
  const p = rec.visit.pain_points[i];
  const errors = ctx.errors.filter((e) => e.pain_point_id === p.id);
  const what = longText('Pain point', p, 'text', TEXT_MAX, ctx.onChange, 'What went wrong, in a sentence or two.');
  const depts = [['', 'Not sure'], ...ctx.departments.map((d) => [d.id, d.name])];
  const parts = [
    h('legend', {}, `Pain point ${i + 1}`),
    errors.length ? h('ul', { class: 'errors error' }, errors.map((e) => h('li', {}, `${LABELS[e.loc[2]] || 'This pain point'}: ${e.msg}`))) : null,
    what.wrap,
    similarHint(rec, p, what.control),
    h('div', { class: 'grid2' },
      choice('Severity', SEVERITY, p, 'severity', ctx.onChange),
      choice('Felt by', FELT_BY, p, 'felt_by', ctx.onChange)),
    choice('Department', depts, p, 'department_id', ctx.onChange),
  ];
  const values = ctx.values.filter((v) => !v.archived || v.id === p.value_id).map((v) => [v.id, v.name]);
  if (values.length) parts.push(choice('Company value it breaks', [['', 'None'], ...values], p, 'value_id', ctx.onChange));
  if (ctx.steps) {
    const options = [['', 'Not tied to a step'], ...ctx.steps.map((name, n) => [String(n), `${n + 1}. ${name || `Step ${n + 1}`}`])];
    parts.push(field('Journey step', (id) => {
      const el = select(id, options, p.journey_step ?? '');
      el.addEventListener('change', () => { p.journey_step = el.value === '' ? null : Number(el.value); ctx.onChange(); });
      return el;
    }).wrap);
  }
  const quote = longText('Quote', p, 'quote', TEXT_MAX, ctx.onChange, 'Their exact words, if you have them (optional).');
  // Photos and voice notes: drawn and handled by js/views/media.js, loaded when first needed.
  const pick = h('input', { type: 'file', accept: 'image/*', multiple: true, hidden: true, onchange: () => { ctx.media('photo', i, [...pick.files]); pick.value = ''; } });
  parts.push(quote.wrap, h('div', { class: 'media', 'data-media': p.id }), h('div', { class: 'row' }, pick,
    h('button', { type: 'button', class: 'btn small', onclick: () => pick.click() }, 'Add photo'),
    h('button', { type: 'button', class: 'btn small', onclick: () => ctx.media('voice', i) }, 'Record voice note'),
    h('button', { type: 'button', class: 'btn small danger', onclick: () => ctx.remove(i) }, `Remove pain point ${i + 1}`)));
  for (const [f, key] of [[what, 'text'], [quote, 'quote']]) {
    if (errors.some((e) => e.loc[2] === key)) f.control.setAttribute('aria-invalid', 'true');
    if (ctx.problems.has(`${p.id}.${key}`)) mark(f, ctx.problems.get(`${p.id}.${key}`));
  }
  const box = h('fieldset', { class: 'card', 'data-pain-point': p.id }, parts);
  return { box, focus: () => what.control.focus() };
}

// "3 similar reported this month": a count, never texts; only online with a site.
function similarHint(rec, p, input) {
  const el = h('p', { class: 'hint', 'aria-live': 'polite' });
  let wait;
  input.addEventListener('input', () => {
    clearTimeout(wait);
    wait = setTimeout(async () => {
      const text = p.text.trim().slice(0, TEXT_MAX);
      const site = rec.visit.site_id;
      const res = online() && site && text.length > 9 && await request('/api/pain-points/similar-count',
        { method: 'POST', json: { text, site_id: site, exclude_id: p.id } }).catch(() => 0);
      const say = res && res.ok && res.data.count ? `${res.data.count} similar reported this month` : '';
      if (el.textContent !== say) el.textContent = say;
    }, 700);
  });
  return el;
}
