// Themes ranked by impact: trend, reach, quotes, journey steps; filters in the URL; rename, pin, merge (confirmed,
// undoable), rebuild.
import * as api from '../api.js';
import { h, field, select, nextId, when, confirmDialog } from '../ui.js';
import { isManager, day, computedNote, send, lookups, options } from '../lists.js';
import { asOfNote, load } from '../reads.js';
import { KINDS } from '../outbox.js';
import { sparkline, dataTable, figure } from '../charts.js';

export const wide = true;

const PERIODS = [['28', 'Last 4 weeks'], ['84', 'Last 12 weeks'], ['182', 'Last 6 months'], ['365', 'Last 12 months'], ['all', 'All time']];
const ENGINES = { minilm: 'MiniLM sentence embeddings', tfidf: 'TF-IDF word statistics' };
const engineName = (e) => ENGINES[e] || e;

function weekLabels(n) {
  // weekly[] holds 7-day windows, the last one ending today (UTC): label each by its last day.
  const today = Date.now();
  return Array.from({ length: n }, (_, i) => new Date(today - (n - 1 - i) * 7 * 86400000)
    .toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' }));
}

// The filters the URL holds, as the list asks the API for them (like the feed's).
const FILTERS = ['period', 'site_id', 'department_id', 'visit_kind'];

export async function render(main, [query], ctx) {
  const manager = isManager(api.currentUser());
  const sp = new URLSearchParams(query || '');
  const filters = { period: sp.get('period') || '84' };
  for (const key of FILTERS.slice(1)) if (sp.get(key)) filters[key] = sp.get(key);
  const heading = h('h1', {}, 'Themes');
  const lk = await lookups();
  const controls = {};
  const filterField = (key, label, choices) => {
    const f = field(label, (id) => select(id, choices, filters[key] || ''));
    controls[key] = f.control;
    f.control.addEventListener('change', () => {
      const next = new URLSearchParams();
      for (const k of FILTERS) if (controls[k].value) next.set(k, controls[k].value);
      ctx.go(`#/themes?${next}`);
    });
    return f.wrap;
  };
  const toolbar = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter themes' },
    filterField('period', 'Period', PERIODS),
    filterField('site_id', 'Site', options(lk.sites, 'Any site')),
    filterField('department_id', 'Department', options(lk.departments, 'Any department')),
    filterField('visit_kind', 'Visit kind', [['', 'Any kind'], ...Object.entries(KINDS)]));
  toolbar.addEventListener('submit', (event) => event.preventDefault());
  const rebuildBox = h('details', { class: 'card rebuild', open: matchMedia('(min-width: 48rem)').matches });
  const notice = h('p', { role: 'status', tabindex: '-1' });
  const listBox = h('div', { class: 'theme-list' });
  main.append(heading,
    h('p', {}, 'What executives keep running into, ranked by impact (how often, how severe, how widely). Cross-silo themes span several departments: customers fall between them. ',
      h('a', { href: '#/journeys' }, 'Journeys: where customers spend effort')),
    toolbar, rebuildBox, notice, listBox);

  let themes = [];
  let pollTimer = 0;
  let stopped = false;
  let drawn = 0;
  const labels = weekLabels(12);

  async function drawList() {
    listBox.replaceChildren(h('p', { role: 'status' }, 'Loading themes…'));
    const res = await load(`/api/themes${api.query(filters)}`);
    if (res.error) { listBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, res.error)); return; }
    themes = res.data;
    const offline = Boolean(res.asOf) || !api.online();
    const shown = themes.filter((t) => t.count > 0 || t.pinned);
    const list = h('ol', { class: 'themes' });
    listBox.replaceChildren(...[asOfNote(res.asOf), computedNote(themes[0]?.as_of),
      h('h2', {}, `${shown.length} ${shown.length === 1 ? 'theme' : 'themes'}, by impact`),
      shown.length ? list
        : h('p', {}, Object.keys(filters).length > 1 ? 'No themes match these filters.'
          : 'No themes in this period yet. Themes appear once pain points are synced and the themes are built.')].filter(Boolean));
    appendCards(list, shown, offline, ++drawn, 0);
  }

  // The cards that fill the screen at once, the rest two at a time, each pair in a task of its own: 30-odd
  // cards (each with a chart and its table) built in one go kept the page from answering a tap for a while.
  // A newer drawList stops an older one's remaining cards.
  function appendCards(list, shown, offline, run, from) {
    if (stopped || run !== drawn) return;
    const to = from + (from ? 2 : 3);
    list.append(...shown.slice(from, to).map((t, i) => h('li', {}, themeCard(t, from + i + 1, offline))));
    if (to < shown.length) setTimeout(() => appendCards(list, shown, offline, run, to));
  }

  function say(message) {
    notice.textContent = message;
    notice.focus();
  }

  function themeCard(t, rank, offline) {
    const titleId = nextId('theme');
    const flags = [];
    if (t.cross_silo) flags.push(h('span', { class: 'flag cross' }, `Cross-silo: ${t.departments} departments`));
    if (t.recurring) flags.push(h('span', { class: 'flag recurring' }, 'Recurring'));
    if (t.pinned) flags.push(h('span', { class: 'flag' }, 'Pinned'));
    const trend = figure(null,
      sparkline(t.weekly, `Pain points per week, last 12 weeks: ${t.weekly.reduce((a, b) => a + b, 0)} in all, at most ${Math.max(...t.weekly)} in a week, ${t.weekly[t.weekly.length - 1]} in the last 7 days`),
      dataTable(`Pain points per week in “${t.label}”`, ['7 days to', 'Pain points'], t.weekly.map((n, i) => [labels[i], String(n)])));
    const actions = h('div', { class: 'row' },
      h('a', { class: 'btn small', href: `#/feed?theme_id=${t.id}` }, `Open its feed (${t.count})`));
    // A problem that spans departments calls for a goal they share: the form opens pre-filled with them.
    if (manager && t.cross_silo) {
      actions.append(h('a', { class: 'btn small', href: `#/goals?theme_id=${t.id}`, 'aria-label': `Make a shared goal from “${t.label}”` }, 'Make a shared goal'));
    }
    const panel = h('div', {});
    if (manager) {
      const open = (make) => () => {
        panel.replaceChildren(make());
        const first = panel.querySelector('input, select');
        if (first) first.focus();
      };
      actions.append(
        h('button', { type: 'button', class: 'btn small', disabled: offline, onclick: open(() => renameForm(t, panel)) }, 'Rename'),
        h('button', { type: 'button', class: 'btn small', disabled: offline, 'aria-pressed': String(t.pinned), onclick: () => pin(t) }, t.pinned ? 'Unpin' : 'Pin'),
        h('button', { type: 'button', class: 'btn small', disabled: offline, onclick: open(() => mergeForm(t, panel)) }, 'Merge into…'));
    }
    const quotes = (t.quotes || []).slice(0, 3);
    // Merges into this theme that can still be undone (kept by rebuilds).
    const merges = manager && t.merged_from && t.merged_from.length ? h('div', { class: 'merged' },
      h('h4', {}, 'Merged into this theme'),
      h('ul', { class: 'list' }, t.merged_from.map((m) => h('li', {},
        `“${m.label}” (${m.count} ${m.count === 1 ? 'pain point' : 'pain points'}, ${day(m.merged_at)}) `,
        h('button', {
          type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Undo merge of “${m.label}”`, onclick: () => unmerge(m, t),
        }, 'Undo merge'))))) : null;
    const walked = t.visit_kinds && t.visit_kinds.journey_walkthrough;
    const steps = walked ? journeySteps(t) : null;
    return h('article', { class: 'card theme', 'aria-labelledby': titleId },
      h('h3', { id: titleId }, h('span', { class: 'rank' }, `${rank}. `), t.label),
      flags.length ? h('p', { class: 'flags' }, flags) : null,
      h('p', {}, `${t.count} ${t.count === 1 ? 'pain point' : 'pain points'} (${t.open} open) · severity ${t.mean_severity.toFixed(1)} on average, ${t.max_severity} at most`),
      h('p', { class: 'hint' }, `Spans ${t.sites} ${t.sites === 1 ? 'site' : 'sites'} and ${t.departments} ${t.departments === 1 ? 'department' : 'departments'} · seen by ${t.executives} ${t.executives === 1 ? 'executive' : 'executives'} · last ${day(t.last_seen)}`),
      trend,
      quotes.length ? h('ul', { class: 'quotes', 'aria-label': 'Quotes' }, quotes.map((q) => h('li', {},
        h('blockquote', {}, q.quote ? `“${q.quote}”` : q.text),
        h('p', { class: 'hint' }, [q.quote ? q.text : null, q.site, day(q.occurred_at)].filter(Boolean).join(' · '))))) : null,
      steps, metricsPart(t), merges, actions, panel);
  }

  // The metrics of the sites and departments it touches, and how they moved with its pain points (on demand).
  function metricsPart(t) {
    const [toggle, box] = onDemand('Metrics', 'Loading its metrics…', () => metricsOf(t));
    return h('section', { class: 'metrics', 'aria-label': `Metrics beside “${t.label}”` }, toggle, box);
  }

  // A button that shows and hides a box, filled by `fill()` (resolving to its nodes) the first time it opens.
  function onDemand(label, loading, fill) {
    const boxId = nextId('more');
    const box = h('div', { id: boxId, hidden: true });
    const toggle = h('button', {
      type: 'button', class: 'btn small', 'aria-expanded': 'false', 'aria-controls': boxId,
      onclick: async () => {
        box.hidden = !box.hidden;
        toggle.setAttribute('aria-expanded', String(!box.hidden));
        if (!box.hidden && !box.firstChild) {
          box.append(h('p', { role: 'status' }, loading));
          box.replaceChildren(...await fill());
        }
      },
    }, label);
    return [toggle, box];
  }

  async function metricsOf(t) {
    const res = await load(`/api/themes/${t.id}/kpis`);
    if (res.error) return [h('p', { class: 'error' }, res.error)];
    const { metrics, sites, departments } = res.data;
    const places = [...sites, ...departments].map((p) => p.name).join(', ');
    if (!metrics.length) return [asOfNote(res.asOf), h('p', { class: 'hint' }, `No metrics have values at the places it touches${places ? ` (${places})` : ''}.`)].filter(Boolean);
    return [asOfNote(res.asOf), h('h4', {}, 'Metrics'), h('p', { class: 'hint' }, `At ${places}, over the same ${metrics.some((m) => m.period === 'week') ? 'weeks' : 'months'}.`),
      ...metrics.map((m) => {
        const recent = m.points.slice(-12);
        const unit = m.unit ? ` ${m.unit}` : '';
        const chart = recent.length ? figure(m.name,
          sparkline(recent.map((p) => p.value), `${m.name}, last ${recent.length} ${m.period}s: from ${recent[0].value}${unit} to ${recent[recent.length - 1].value}${unit}`),
          dataTable(`${m.name} and the pain points of “${t.label}”`, [m.period === 'month' ? 'Month of' : 'Week of', m.name, 'Pain points'],
            recent.map((p) => [day(p.period_start), `${p.value}${unit}`, String(p.pain_points)]))) : null;
        return h('div', { class: 'metric' }, chart, h('p', { class: 'sentence' }, m.sentence));
      })].filter(Boolean);
  }

  // Where in the walkthroughs its pain points were logged: from its walkthrough pain points and their visits.
  function journeySteps(t) {
    const label = `Journey steps (${t.visit_kinds.journey_walkthrough} from walkthroughs)`;
    return h('div', {}, ...onDemand(label, 'Loading its journey steps…', async () => [await stepsTable(t)]));
  }

  async function stepsTable(t) {
    const res = await load(`/api/pain-points${api.query({ theme_id: t.id, visit_kind: 'journey_walkthrough', limit: 200 })}`);
    if (res.error) return h('p', { class: 'error' }, res.error);
    const mine = new Set(res.data.items.map((x) => x.id));
    const visitIds = [...new Set(res.data.items.map((x) => x.visit_id))].slice(0, 40);
    const visits = await Promise.all(visitIds.map((id) => load(`/api/visits/${id}`)));
    const rows = new Map();
    for (const { data: v } of visits) {
      if (!v) continue;
      const names = (v.details && v.details.steps) || [];
      const journey = (v.details && v.details.journey_name) || 'Unnamed journey';
      for (const p of v.pain_points || []) {
        if (!mine.has(p.id)) continue;
        const at = names[p.journey_step];
        const step = at ? at.name || `Step ${p.journey_step + 1}` : 'Not tied to a step';
        const key = `${journey}|${step}`.toLowerCase().replace(/\s+/g, ' ');
        const row = rows.get(key) || rows.set(key, { journey, step, n: 0 }).get(key);
        row.n += 1;
      }
    }
    const ranked = [...rows.values()].sort((a, b) => b.n - a.n);
    if (!ranked.length) return h('p', { class: 'hint' }, 'None of its pain points is tied to a journey step.');
    return h('div', { class: 'numbers' },
      dataTable(`Journey steps of “${t.label}”`, ['Step', 'Journey', 'Pain points'], ranked.map((r) => [r.step, r.journey, String(r.n)])),
      h('p', {}, h('a', { href: '#/journeys' }, 'All journeys, step by step')));
  }

  function renameForm(t, panel) {
    const f = field('New name', (id) => h('input', { id, type: 'text', value: t.label, minlength: 2, maxlength: 120 }));
    return inlineForm(f.wrap, 'Save name', panel, async (error) => {
      const label = f.control.value.trim();
      if (label.length < 2) { error.textContent = 'A name needs at least 2 characters.'; return; }
      const res = await send(`/api/themes/${t.id}`, 'PATCH', { label });
      if (res.error) { error.textContent = res.error; return; }
      await drawList();
      say(`Renamed to “${label}”. Rebuilds keep this name.`);
    });
  }

  async function pin(t) {
    const res = await send(`/api/themes/${t.id}`, 'PATCH', { pinned: !t.pinned });
    if (res.error) { say(res.error); return; }
    await drawList();
    say(t.pinned ? `“${t.label}” is no longer pinned.` : `“${t.label}” is pinned: it stays first and is never retired.`);
  }

  function mergeForm(t, panel) {
    const others = themes.filter((x) => x.id !== t.id).sort((a, b) => a.label.localeCompare(b.label));
    const f = field('Merge into', (id) => select(id, [['', 'Choose a theme'], ...others.map((x) => [x.id, `${x.label} (${x.count})`])], ''),
      `Every pain point in “${t.label}” moves to the theme you choose; “${t.label}” disappears.`);
    return inlineForm(f.wrap, 'Merge', panel, async (error) => {
      const into = themes.find((x) => x.id === f.control.value);
      if (!into) { error.textContent = 'Choose the theme to merge into.'; return; }
      const ok = await confirmDialog(`Merge “${t.label}” (${t.count}) into “${into.label}” (${into.count})? `
        + `Its pain points move to “${into.label}” and “${t.label}” disappears. You can undo this later from “${into.label}”.`,
      { confirm: 'Merge', cancel: 'Cancel' });
      if (!ok) { f.control.focus(); return; }
      const res = await send(`/api/themes/${t.id}/merge`, 'POST', { into_id: into.id });
      if (res.error) { error.textContent = res.error; return; }
      await drawList();
      say(`Merged “${t.label}” into “${res.data.label}”. To undo it, use “Undo merge” on “${res.data.label}”.`);
    });
  }

  /** A small form opened in a theme's panel: `submit(error)` runs on send, with the form's error line. */
  function inlineForm(wrap, label, panel, submit) {
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'inline-form' }, wrap, error, h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'btn small primary' }, label),
      h('button', { type: 'button', class: 'btn small', onclick: () => panel.replaceChildren() }, 'Cancel')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      await submit(error);
    });
    return form;
  }

  async function unmerge(m, into) {
    const res = await send(`/api/themes/${m.theme_id}/unmerge`, 'POST');
    if (res.error) { say(`The merge was not undone: ${res.error}`); return; }
    await drawList();
    const back = themes.find((x) => x.id === m.theme_id) || res.data;
    const now = themes.find((x) => x.id === into.id);
    say(`Merge undone: “${back.label}” is back with ${back.count} pain points${now ? `; “${now.label}” has ${now.count}` : ''}.`);
  }

  // ---- rebuild ----
  async function drawRebuild() {
    clearTimeout(pollTimer);
    const res = await load('/api/themes/rebuild');
    if (stopped) return;
    if (res.error) { rebuildBox.replaceChildren(h('p', { class: 'error' }, res.error)); return; }
    const { engine, latest } = res.data;
    const running = latest && (latest.status === 'running' || latest.status === 'queued' || latest.status === 'pending');
    // One line (the summary) on a phone; tap it for the rest and the rebuild button.
    const state = !latest ? 'The themes have not been built yet.'
      : latest.status === 'done'
        ? `Built by ${engineName(latest.embedder)} on ${when(latest.finished_at)}: ${latest.themes} themes from ${latest.pain_points} pain points (${latest.unthemed} left unthemed).`
        : latest.status === 'failed' ? `The last rebuild failed: ${latest.error || 'no reason given'}.`
          : `Rebuilding with ${engineName(latest.embedder)}…`;
    const parts = [h('summary', {}, h('span', { class: 'sr-only' }, 'How these themes were made: '), h('span', { role: 'status' }, state))];
    if (running) {
      const pct = Math.round((latest.progress || 0) * 100);
      const id = nextId('prog');
      parts.push(h('label', { for: id }, `Progress: ${latest.stage} (${pct}%)`),
        h('progress', { id, max: 100, value: pct }));
      pollTimer = setTimeout(drawRebuild, 1000);
    }
    if (manager) {
      parts.push(h('p', { class: 'hint' }, `The next rebuild uses ${engineName(engine)}. Renamed, pinned and moved items are kept.`),
        h('button', { type: 'button', class: 'btn small', disabled: running || !api.online(), onclick: startRebuild }, 'Rebuild themes'));
    }
    const wasRunning = rebuildBox.dataset.running === 'yes';
    rebuildBox.dataset.running = running ? 'yes' : 'no';
    rebuildBox.replaceChildren(...parts);
    if (wasRunning && !running) drawList();
  }

  async function startRebuild() {
    const res = await send('/api/themes/rebuild', 'POST');
    if (res.error) { say(res.error); return; }
    say('Rebuild started. The themes refresh when it is done.');
    drawRebuild();
  }

  await Promise.all([drawRebuild(), drawList()]);
  return () => {
    stopped = true;
    clearTimeout(pollTimer);
  };
}
