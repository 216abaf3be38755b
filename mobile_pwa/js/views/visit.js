// The visit form: the clock runs while the visit does; every change is saved on the phone as it is typed.
import { h, field, clear, duration, toLocalInput, fromLocalInput, confirmDialog, nextId } from '../ui.js';
import { get, getAll, keepDraft, takeDraft, dropDraft } from '../db.js';
import { on } from '../bus.js';
import {
  KINDS, getVisit, saveVisit, newPainPoint, stepMinutes, isBlankPainPoint, discardLocal, keepBoth, withdrawVisit,
} from '../outbox.js';
import {
  detailFields, stepFieldset, painPointFieldset, longText, tickStep, check, mark, NOTES_MAX, NOT_A_SITE,
} from './visit-parts.js';
import { stateLabel } from './visits.js';

// The panel of a visit that needs the user (refused, or changed elsewhere): loaded when first needed.
let resolve = null;
async function loadResolve() {
  try {
    resolve = await import('./resolve.js');
  } catch {
    const offline = () => h('p', { class: 'banner bad' },
      'This visit needs your attention; the screen to resolve it needs a connection the first time.');
    resolve = { rejectedPanel: offline, conflictPanel: offline };
  }
}

export async function render(main, [id], ctx) {
  let rec = await getVisit(id);
  if (!rec) {
    main.append(h('h1', {}, 'Visit not found'), h('p', {}, 'It is not on this phone.'), h('p', {}, h('a', { href: '#/visits' }, 'My visits')));
    return undefined;
  }
  if (rec.state === 'withdrawing') {
    main.append(h('h1', {}, KINDS[rec.visit.kind]), h('p', { class: 'banner' },
      'Withdrawing: this visit leaves this phone and the managers’ feed as soon as the phone syncs.'));
    return undefined;
  }
  // Keystrokes the app closed on before IndexedDB held them: the newest content the user typed, when typed
  // over this very revision or the one a save then in flight made (else the phone's copy moved on since).
  const draft = takeDraft(id);
  const kept = Boolean(draft) && (draft.rev === rec.rev || draft.rev + 1 === rec.rev);
  if (kept) Object.assign(rec, { visit: draft.visit, local: draft.local });
  else dropDraft(id);
  const [siteRows, departmentRows, values] = await Promise.all([getAll('sites'), getAll('departments'), get('kv', 'values')]);
  const sites = new Map(siteRows.map((s) => [s.id, s]));
  const departments = departmentRows.sort((a, b) => a.name.localeCompare(b.name));
  const deptMap = new Map(departments.map((d) => [d.id, d]));

  let pending = false;
  let chain = Promise.resolve();
  let problems = new Map(); // shown by the next draw only
  const flag = (f, key) => problems.has(key) && mark(f, problems.get(key));

  const saved = h('p', { class: 'saved' }, 'Saved on this phone');
  const clock = h('p', { class: 'clock', role: 'timer' });
  const stateLine = h('p', {});
  const notice = h('p', { role: 'status', tabindex: '-1' });
  const attention = h('div', {});
  const stepsBox = h('div', {});
  const painBox = h('div', {});
  const brightBox = h('div', {});
  const form = h('div', {});
  const actions = h('div', { class: 'row sticky-actions' });
  const withdrawBtn = h('button', { type: 'button', class: 'btn danger', onclick: withdraw }, 'Withdraw visit');

  const isRunning = () => !rec.visit.ended_at;

  // Every change is written at once (the app may close any moment); changes during a write queue one more.
  function changed() {
    keepDraft(id, rec);
    saved.textContent = 'Saving…';
    if (!pending) save();
    pending = true;
  }

  /** Saves in order; each save starts from the revision the previous one produced. */
  function save(mode = 'auto', options = {}) {
    chain = chain.then(async () => {
      pending = false;
      const stored = await saveVisit(structuredClone(rec), { mode, ...options });
      Object.assign(rec, { rev: stored.rev, version: stored.version, state: stored.state, errors: stored.errors, conflict: stored.conflict });
      if (!pending) {
        dropDraft(id);
        saved.textContent = 'Saved on this phone';
      }
      updateMeta();
    }).catch((err) => {
      saved.textContent = `Not saved: ${err.message}. Keep this screen open and try again.`;
    });
    return chain;
  }

  function updateMeta() {
    const label = stateLabel(rec);
    withdrawBtn.hidden = !rec.version || !['synced', 'pending'].includes(rec.state);
    stateLine.textContent = `Status: ${label}`;
    const needsUser = rec.state === 'rejected' || rec.state === 'conflict';
    if (needsUser && !resolve) {
      loadResolve().then(updateMeta);
      return;
    }
    const panel = rec.state === 'rejected'
      ? resolve.rejectedPanel(rec, { resend, discard })
      : rec.state === 'conflict' ? resolve.conflictPanel(rec, sites, deptMap, { keepMine, keepTheirs, keepBoth: both }) : null;
    const key = panel ? `${rec.state}:${JSON.stringify(rec.errors)}:${rec.conflict?.version}:${rec.rev}` : '';
    if (attention.dataset.key !== key) {
      attention.dataset.key = key;
      if (panel) notice.textContent = '';
      attention.replaceChildren(...(panel ? [panel] : []));
    }
  }

  function tick() {
    const start = Date.parse(rec.visit.started_at);
    const end = rec.visit.ended_at ? Date.parse(rec.visit.ended_at) : Date.now();
    clock.textContent = `${isRunning() ? 'Running' : 'Finished'} · ${duration(end - start)}`;
    const t = rec.local.step_timer;
    if (t) {
      const el = stepsBox.querySelector(`[data-step-timer="${t.index}"]`);
      if (el) tickStep(rec, t.index, el);
    }
  }

  // ---- steps (journey walkthroughs) ----
  const steps = () => rec.visit.details.steps;

  function stopStepTimer() {
    const t = rec.local.step_timer;
    if (!t) return;
    steps()[t.index].minutes = stepMinutes(rec, t.index);
    rec.local.step_timer = null;
  }

  function drawSteps() {
    if (rec.visit.kind !== 'journey_walkthrough') return;
    clear(stepsBox).append(h('h2', {}, `Steps (${steps().length})`));
    if (!steps().length) stepsBox.append(h('p', { class: 'hint' }, 'Add a step each time the journey moves on; its timer starts at once.'));
    steps().forEach((_, i) => stepsBox.append(stepFieldset(rec, i, { onChange: changed, toggleTimer, remove: removeStep })));
  }

  function addStep() {
    stopStepTimer();
    steps().push({ name: '', channel: null, minutes: null, effort: null });
    rec.local.step_timer = { index: steps().length - 1, since: Date.now() };
    drawSteps();
    drawPainPoints();
    save();
    const inputs = stepsBox.querySelectorAll('fieldset');
    inputs[inputs.length - 1].querySelector('input').focus();
  }

  function toggleTimer(i) {
    const running = rec.local.step_timer && rec.local.step_timer.index === i;
    stopStepTimer();
    if (!running) rec.local.step_timer = { index: i, since: Date.now() };
    drawSteps();
    save();
    stepsBox.querySelectorAll('fieldset')[i].querySelector('button').focus();
  }

  async function removeStep(i) {
    const ok = await confirmDialog(`Remove step ${i + 1}? Pain points attached to it stay, without a step.`, { confirm: 'Remove step', danger: true });
    if (!ok) return;
    const t = rec.local.step_timer;
    if (t && t.index === i) rec.local.step_timer = null;
    else if (t && t.index > i) t.index -= 1;
    steps().splice(i, 1);
    for (const p of rec.visit.pain_points) {
      if (p.journey_step === i) p.journey_step = null;
      else if (p.journey_step > i) p.journey_step -= 1;
    }
    drawSteps();
    drawPainPoints();
    save();
  }

  // ---- pain points ----
  function drawPainPoints() {
    const list = rec.visit.pain_points;
    clear(painBox).append(h('h2', {}, `Pain points (${list.length})`));
    if (!list.length) painBox.append(h('p', { class: 'hint' }, 'Tap “Add pain point” whenever something hurts a customer or an employee.'));
    const stepNames = rec.visit.kind === 'journey_walkthrough' ? steps().map((s) => s.name) : null;
    const parts = list.map((_, i) => {
      const part = painPointFieldset(rec, i, { departments, values: values || [], steps: stepNames, errors: rec.errors || [], problems, onChange: changed, remove: removePainPoint, media });
      painBox.append(part.box);
      return part;
    });
    if (list.length) media('show');
    return parts;
  }

  // Photos and voice notes (js/views/media.js): loaded when first needed (js/screens.js PARTS).
  const view = { get rec() { return rec; }, painBox, changed };
  function media(...args) {
    import('./media.js').then((m) => m.media(view, ...args), () => {
      if (args[0] !== 'show') notice.textContent = 'Photos and voice notes need a connection the first time.';
    });
  }

  function addPainPoint() {
    const t = rec.local.step_timer;
    const step = t ? t.index : rec.visit.kind === 'journey_walkthrough' && steps().length ? steps().length - 1 : null;
    rec.visit.pain_points.push(newPainPoint(step));
    const parts = drawPainPoints();
    save();
    parts[parts.length - 1].focus();
  }

  async function removePainPoint(i) {
    const p = rec.visit.pain_points[i];
    if (!isBlankPainPoint(p)) {
      const ok = await confirmDialog(`Remove pain point ${i + 1}?`, { confirm: 'Remove', danger: true });
      if (!ok) return;
    }
    rec.visit.pain_points.splice(i, 1);
    drawPainPoints();
    save();
    actions.querySelector('button').focus();
  }

  // Their editor loads when first needed (js/screens.js PARTS).
  function drawBright(add) {
    brightBox.replaceChildren();
    if (add || rec.visit.bright_spots?.length) import('./bright.js').then((m) => m.draw(brightBox, rec, { departments, changed, save, add }), () => brightBox.append(h('p', { class: 'banner bad' }, 'Bright spots need a connection the first time.')));
  }

  // ---- whole visit ----
  function siteField() {
    const listId = nextId('sites');
    const byName = new Map(siteRows.map((s) => [s.name.trim().toLowerCase(), s]));
    const current = rec.visit.site_id ? sites.get(rec.visit.site_id) : null;
    const emptyHint = siteRows.length ? 'Type to search the sites on this phone.' : 'No sites on this phone yet: they load when you are online.';
    const f = field('Site', (fid) => h('input', { id: fid, type: 'text', list: listId, autocomplete: 'off', value: current ? current.name : rec.local.site_text || '' }), emptyHint);
    const datalist = h('datalist', { id: listId }, siteRows.map((s) => h('option', { value: s.name }, [s.region, s.kind].filter(Boolean).join(' · '))));
    f.control.addEventListener('input', () => {
      const typed = f.control.value.trim();
      const site = byName.get(typed.toLowerCase());
      rec.visit.site_id = site ? site.id : null;
      rec.local.site_text = site ? '' : f.control.value;
      mark(f, typed && !site && NOT_A_SITE, emptyHint);
      changed();
    });
    f.wrap.append(datalist);
    flag(f, 'site');
    return f.wrap;
  }

  function timeField(label, key) {
    const f = field(label, (fid) => h('input', { id: fid, type: 'datetime-local', step: 1, value: toLocalInput(rec.visit[key]) }));
    f.control.addEventListener('change', () => {
      const iso = fromLocalInput(f.control.value);
      if (!iso && key === 'started_at') {
        mark(f, 'A visit needs a start time.');
        return;
      }
      rec.visit[key] = iso;
      const times = check(rec);
      mark(f, times.get('started_at') || times.get('ended_at'));
      tick();
      changed();
    });
    flag(f, key);
    return f.wrap;
  }

  function drawActions() {
    const buttons = [h('button', { type: 'button', class: 'btn primary', onclick: addPainPoint }, 'Add pain point'),
      h('button', { type: 'button', class: 'btn', onclick: () => drawBright(true) }, 'Add bright spot')];
    if (rec.visit.kind === 'journey_walkthrough') buttons.push(h('button', { type: 'button', class: 'btn', onclick: addStep }, 'Add step'));
    if (isRunning()) buttons.push(h('button', { type: 'button', class: 'btn', onclick: finish }, 'Finish visit'));
    actions.replaceChildren(...buttons);
  }

  function draw() {
    const notes = longText('Notes', rec.visit, 'notes', NOTES_MAX, changed, 'What you saw and heard.');
    const privateNotes = longText('Private notes', rec.visit, 'private_notes', NOTES_MAX, changed, 'Only you can read these.');
    flag(notes, 'notes');
    flag(privateNotes, 'private_notes');
    const incognito = nextId();
    const discardBtn = rec.state === 'draft' && rec.version === 0
      ? h('button', { type: 'button', class: 'btn danger', onclick: discardDraft }, 'Discard visit') : null;
    form.replaceChildren(...[
      siteField(),
      h('div', { class: 'check' },
        h('input', { id: incognito, type: 'checkbox', checked: Boolean(rec.visit.incognito), onchange: (e) => { rec.visit.incognito = e.target.checked; changed(); } }),
        h('label', { for: incognito }, 'Incognito (people did not know who I was)')),
      ...detailFields(rec, changed),
      stepsBox,
      painBox,
      brightBox,
      h('h2', {}, 'Notes'),
      notes.wrap,
      privateNotes.wrap,
      h('h2', {}, 'Time'),
      h('div', { class: 'grid2' }, timeField('Started', 'started_at'), isRunning() ? null : timeField('Ended', 'ended_at')),
      h('div', { class: 'row' }, discardBtn, withdrawBtn),
    ].filter(Boolean));
    drawSteps();
    drawPainPoints();
    drawBright();
    drawActions();
    updateMeta();
    tick();
  }

  /** Nothing the server would refuse is sent: the problems show beside their fields, the first focused. */
  function ready(end) {
    problems = check(rec, end);
    if (!problems.size) return true;
    draw();
    problems = new Map();
    notice.textContent = 'Not sent yet: please correct what is marked below.';
    form.querySelector('[aria-invalid="true"]')?.focus();
    return false;
  }

  async function finish() {
    const end = new Date().toISOString();
    if (!ready(end)) return;
    stopStepTimer();
    rec.visit.ended_at = end;
    rec.visit.pain_points = rec.visit.pain_points.filter((p) => !isBlankPainPoint(p));
    await save('queue');
    draw();
    // Not "queued": the status line says where it is.
    notice.textContent = 'Visit finished and saved on this phone.';
    notice.focus();
  }

  async function discardDraft() {
    const ok = await confirmDialog('Discard this visit? It has not been sent anywhere, so it will be gone for good.', { confirm: 'Discard visit', danger: true });
    if (!ok) return;
    await chain;
    await discardLocal(rec.id);
    ctx.go('#/');
  }

  async function withdraw() {
    const ok = await confirmDialog('Withdraw this visit? It disappears from this phone and from the managers’ feed. ' +
      'Pain points that managers have already triaged stay with them. Offline, it leaves once the phone syncs.',
    { confirm: 'Withdraw visit', danger: true });
    if (!ok) return;
    await chain;
    if (await withdrawVisit(rec.id)) ctx.go('#/visits');
  }

  async function reload(message) {
    await chain;
    rec = await getVisit(id);
    if (!rec) {
      ctx.go('#/visits');
      return;
    }
    draw();
    if (message) {
      notice.textContent = message;
      notice.focus();
    }
  }

  async function resend() {
    if (!ready()) return;
    await save('queue');
    notice.textContent = 'Sent again. The status above shows whether the server accepted it.';
    notice.focus();
  }

  async function discard() {
    const never = rec.version === 0;
    const ok = await confirmDialog(never
      ? 'Discard this visit? The server never accepted it, so it will be gone for good.'
      : 'Discard your unsent changes and go back to the copy the server has?', { confirm: 'Discard', danger: true });
    if (!ok) return;
    await chain;
    await discardLocal(rec.id);
    if (never) ctx.go('#/visits');
    else reload('Your changes were discarded.');
  }

  async function keepMine() {
    await save('queue', { version: rec.conflict.version });
    reload('Your version is kept and queued to sync.');
  }

  async function keepTheirs() {
    await chain;
    await discardLocal(rec.id);
    reload('The other version is kept.');
  }

  async function both() {
    await chain;
    await keepBoth(rec.id);
    reload('Both are kept: your version is now a separate visit in My visits.');
  }

  main.append(h('h1', {}, KINDS[rec.visit.kind]), clock, saved, stateLine, notice, attention, form, actions);
  draw();
  if (kept) changed(); // into IndexedDB at once

  const interval = setInterval(tick, 1000);
  const stopWatching = on('visits', async (changedId) => {
    if (changedId && changedId !== id) return;
    await chain;
    const fresh = await getVisit(id);
    if (!fresh) return;
    if (fresh.rev !== rec.rev) {
      // Changed underneath by a pull from another device: show it, unless the user is typing.
      if (!pending) {
        rec = fresh;
        draw();
      }
      return;
    }
    const errorsChanged = JSON.stringify(fresh.errors) !== JSON.stringify(rec.errors);
    Object.assign(rec, { version: fresh.version, state: fresh.state, errors: fresh.errors, conflict: fresh.conflict });
    updateMeta();
    if (errorsChanged) drawPainPoints();
  });
  const stopLeaveHook = ctx.onLeave(() => chain);

  return async () => {
    clearInterval(interval);
    stopWatching();
    stopLeaveHook();
    await chain;
  };
}
