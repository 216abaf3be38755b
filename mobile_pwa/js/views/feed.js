// The feed (managers) and "My pain points" (executives): filters in the URL, detail pane, bulk triage.
import * as api from '../api.js';
import { h, field, select, nextId } from '../ui.js';
import { STATUS, OPEN_STATUSES, FELT, isManager, day, lookups, send, options } from '../lists.js';
import { asOfNote, load } from '../reads.js';
import { KINDS } from '../outbox.js';
import { renderDetail, triageFields, mediaBox } from './feed-detail.js';

export const wide = true;
let active = null;
export const update = (params) => (active ? active(params) : false);

const KEYS = ['q', 'status', 'severity_min', 'theme_id', 'department_id', 'site_id', 'visit_kind', 'author_id', 'since', 'until'];
const PAGE = 30;

function parse(query) {
  const sp = new URLSearchParams(query || '');
  const filters = {};
  for (const key of KEYS) if (sp.get(key)) filters[key] = sp.get(key);
  return { filters, open: sp.get('open') || null };
}

export function feedHash(mode, filters, open) {
  const sp = new URLSearchParams();
  for (const key of KEYS) if (filters[key]) sp.set(key, filters[key]);
  if (open) sp.set('open', open);
  const q = sp.toString();
  return `#/${mode}${q ? `?${q}` : ''}`;
}

const apiFilters = (f) => ({ ...f, status: f.status === 'open' ? OPEN_STATUSES : f.status });

export async function render(main, [mode, query], ctx) {
  const user = api.currentUser();
  const mine = mode === 'mine';
  const manager = !mine && isManager(user);
  let state = parse(query);
  const heading = h('h1', {}, mine ? 'My pain points' : 'Feed');
  main.append(heading);
  if (mine) main.append(h('p', {}, 'What became of the pain points you reported: their status, owner and comments.'));
  if (manager) main.append(h('p', {}, h('a', { href: '#/bright-spots' }, 'Bright spots: what went well, and who to recognise')));
  const lk = await lookups({ users: manager, themes: manager });

  // ---- filters ----
  const controls = {};
  const add = (key, label, make) => {
    const f = field(label, make);
    controls[key] = f.control;
    return f.wrap;
  };
  const value = (key) => state.filters[key] || '';
  const severities = [['', 'Any'], ...[2, 3, 4, 5].map((n) => [String(n), `${n} or more`])];
  const executives = lk.users.filter((u) => u.role === 'executive');
  const grid = h('div', { class: 'filter-grid' },
    add('status', 'Status', (id) => select(id, [['', 'Any status'], ['open', 'Open (not closed)'], ...Object.entries(STATUS)], value('status'))),
    add('severity_min', 'Minimum severity', (id) => select(id, severities, value('severity_min'))),
    manager ? add('theme_id', 'Theme', (id) => select(id, options(lk.themes, 'Any theme'), value('theme_id'))) : null,
    add('department_id', 'Department', (id) => select(id, options(lk.departments, 'Any department'), value('department_id'))),
    add('site_id', 'Site', (id) => select(id, options(lk.sites, 'Any site'), value('site_id'))),
    add('visit_kind', 'Visit kind', (id) => select(id, [['', 'Any kind'], ...Object.entries(KINDS)], value('visit_kind'))),
    manager ? add('author_id', 'Executive', (id) => select(id, options(executives, 'Any executive'), value('author_id'))) : null,
    add('since', 'From', (id) => h('input', { id, type: 'date', value: value('since') })),
    add('until', 'To', (id) => h('input', { id, type: 'date', value: value('until') })));
  // Folded into the search field and one Filters button, so that the first pain point shows on a phone.
  const panelId = nextId('filters');
  const filtersBtn = h('button', {
    type: 'button', class: 'btn', 'aria-expanded': 'false', 'aria-controls': panelId,
    onclick: () => openFilters(panel.hidden),
  }, 'Filters');
  const exportStatus = h('p', { class: 'hint', role: 'status' });
  const exportBtn = manager ? h('button', { type: 'button', class: 'btn', onclick: () => exportCsv() }, 'Export CSV') : null;
  const search = field('Search', (id) => h('input', { id, type: 'search', value: value('q'), maxlength: 200, autocomplete: 'off', enterkeyhint: 'search' }));
  controls.q = search.control;
  // Enter searches, whether or not the panel (and its Apply button) is open.
  search.control.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); form.requestSubmit(); }
  });
  const panel = h('div', { id: panelId, hidden: true },
    grid,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'btn primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'btn', onclick: () => go({}, null) }, 'Clear filters'),
      exportBtn));
  const form = h('form', { class: 'filters card', role: 'search', 'aria-label': 'Filter pain points' },
    h('div', { class: 'search-row' }, search.wrap, filtersBtn), panel, exportStatus);
  const openFilters = (open) => {
    panel.hidden = !open;
    filtersBtn.setAttribute('aria-expanded', String(open));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const filters = {};
    for (const key of KEYS) if (controls[key] && controls[key].value.trim()) filters[key] = controls[key].value.trim();
    go(filters, state.open);
  });
  const go = (filters, open) => ctx.go(feedHash(mode, filters, open));

  function showFilters() {
    for (const key of KEYS) if (controls[key]) controls[key].value = value(key);
    const on = KEYS.filter((k) => k !== 'q' && state.filters[k]).length;
    filtersBtn.textContent = on ? `Filters (${on} on)` : 'Filters';
    openFilters(false);
  }

  // ---- list ----
  const note = h('div', {});
  const countLine = h('p', { role: 'status', class: 'count' });
  const errorLine = h('p', { class: 'error', role: 'alert' });
  const list = h('ul', { class: 'cards', 'aria-label': mine ? 'My pain points' : 'Pain points' });
  const moreBtn = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => loadPage(false) }, 'Load more');
  const items = new Map();
  const selected = new Set();
  let cursor = null;
  let loading = false;
  let generation = 0;
  let asOf = null;

  function setAsOf(value) {
    asOf = value || asOf;
    note.replaceChildren(...[asOfNote(asOf)].filter(Boolean));
    if (exportBtn) exportBtn.disabled = Boolean(asOf) || !api.online();
  }

  function card(item) {
    const dept = item.department ? item.department.name : null;
    const link = h('a', { class: 'item', href: feedHash(mode, state.filters, item.id), 'aria-current': state.open === item.id ? 'true' : null },
      h('span', { class: 'title' }, item.text),
      h('span', { class: 'meta' }, [`Severity ${item.severity}`, `Felt by ${FELT[item.felt_by] || item.felt_by}`, KINDS[item.visit_kind] || item.visit_kind].join(' · ')),
      h('span', { class: 'meta' }, [item.site && item.site.name, dept, item.executive && item.executive.name, day(item.occurred_at)].filter(Boolean).join(' · ')),
      h('span', { class: 'meta' },
        h('span', { class: `badge st-${item.status}` }, STATUS[item.status] || item.status),
        ` ${item.theme ? `Theme: ${item.theme.label}` : 'No theme'}`,
        item.comment_count ? ` · ${item.comment_count} ${item.comment_count === 1 ? 'comment' : 'comments'}` : '',
        item.duplicate_of_id ? ' · Duplicate' : ''));
    const li = h('li', { class: 'pp', 'data-id': item.id });
    if (manager) {
      const id = nextId('sel');
      li.append(h('div', { class: 'pick' },
        h('input', {
          id, type: 'checkbox', checked: selected.has(item.id),
          onchange: (e) => { if (e.target.checked) selected.add(item.id); else selected.delete(item.id); showBulk(); },
        }),
        h('label', { for: id }, 'Select', h('span', { class: 'sr-only' }, ` pain point: ${item.text.split(/\s+/).slice(0, 8).join(' ')}`))));
    }
    li.append(link);
    const media = mediaBox(item, { compact: true });
    if (media) li.append(media);
    return li;
  }

  function replaceCard(item) {
    items.set(item.id, item);
    const old = list.querySelector(`li[data-id="${item.id}"]`);
    if (old) old.replaceWith(card(item));
  }

  function showCount() {
    const n = items.size;
    countLine.textContent = n
      ? `${n} ${n === 1 ? 'pain point' : 'pain points'} shown${cursor ? '; scroll or press “Load more” for more' : ''}.`
      : mine ? 'You have not reported any pain points that match.' : 'No pain points match these filters.';
  }

  async function loadPage(reset) {
    if (loading && !reset) return;
    const gen = reset ? ++generation : generation;
    loading = true;
    moreBtn.disabled = true;
    errorLine.textContent = '';
    if (reset) {
      cursor = null;
      items.clear();
      selected.clear();
      list.replaceChildren();
      countLine.textContent = 'Loading…';
      showBulk();
    }
    const path = `/api/${mine ? 'my/pain-points' : 'pain-points'}${api.query({ ...apiFilters(state.filters), cursor, limit: PAGE })}`;
    const res = await load(path);
    if (gen !== generation) return;
    loading = false;
    moreBtn.disabled = false;
    if (res.error) {
      errorLine.textContent = res.error;
      countLine.textContent = '';
      moreBtn.hidden = !cursor;
      return;
    }
    setAsOf(res.asOf);
    for (const item of res.data.items) {
      if (items.has(item.id)) continue;
      items.set(item.id, item);
      list.append(card(item));
    }
    cursor = res.data.next_cursor;
    moreBtn.hidden = !cursor;
    showCount();
    // Still in view after this page (a tall screen)? The observer says so again once re-armed.
    if (observer) {
      observer.disconnect();
      if (cursor) observer.observe(moreBtn);
    }
  }

  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && cursor && !loading) loadPage(false);
    }, { rootMargin: '400px 0px' })
    : null;

  // ---- bulk actions (managers) ----
  const bulk = manager ? bulkPanel() : null;
  const selectAllId = nextId('all');
  const selectAll = manager ? h('div', { class: 'check' },
    h('input', {
      id: selectAllId, type: 'checkbox',
      onchange: (e) => {
        for (const id of items.keys()) if (e.target.checked) selected.add(id); else selected.delete(id);
        for (const box of list.querySelectorAll('.pick input')) box.checked = e.target.checked;
        showBulk();
      },
    }),
    h('label', { for: selectAllId }, 'Select all shown')) : null;

  function bulkPanel() {
    const t = triageFields({ lk, bulk: true });
    const count = h('p', { class: 'label' });
    const message = h('p', { role: 'status', tabindex: '-1' });
    const error = h('p', { class: 'error', role: 'alert' });
    const box = h('form', { class: 'bulk card', 'aria-label': 'Change the selected pain points' },
      count, h('div', { class: 'filter-grid' }, t.wraps), error,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'btn primary' }, 'Apply to selected'),
        h('button', { type: 'button', class: 'btn', onclick: () => { selected.clear(); loadSelection(); } }, 'Clear selection')));
    t.onSubmit(box, error, async (changes) => {
      const ids = [...selected];
      const res = await send('/api/pain-points/bulk', 'POST', { ids, changes });
      if (res.error) { error.textContent = res.error; return; }
      t.reset();
      await loadPage(true);
      message.textContent = `${res.data.updated} of ${ids.length} pain points changed.`;
      message.focus();
      if (state.open && ids.includes(state.open)) showDetail(state.open, false);
    });
    const wrap = h('div', {}, message, box);
    return { wrap, box, count, message };
  }

  function loadSelection() {
    for (const b of list.querySelectorAll('.pick input')) b.checked = selected.has(b.closest('li').dataset.id);
    showBulk();
  }

  function showBulk() {
    if (!bulk) return;
    const n = selected.size;
    bulk.box.hidden = n === 0;
    bulk.count.textContent = `${n} selected`;
    const all = selectAll.querySelector('input');
    all.checked = n > 0 && n === items.size;
  }

  // ---- detail ----
  const detail = h('section', { class: 'detail-pane', 'aria-label': 'Pain point' });
  const idle = () => detail.replaceChildren(h('p', { class: 'hint' }, 'Choose a pain point to see its details, history and comments.'));
  const listPane = h('section', { class: 'list-pane', 'aria-label': mine ? 'My pain points' : 'Pain points list' },
    mine ? null : form, note, bulk ? bulk.wrap : null, selectAll, countLine, errorLine, list, moreBtn);
  const layout = h('div', { class: 'feed-layout' }, listPane, detail);
  main.append(layout);

  async function showDetail(id, focus = true) {
    layout.classList.toggle('has-open', Boolean(id));
    for (const a of list.querySelectorAll('a.item')) {
      const on = a.closest('li').dataset.id === id;
      if (on) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
    }
    if (!id) {
      idle();
      return;
    }
    await renderDetail(detail, id, {
      manager, lk, focus,
      back: () => go(state.filters, null),
      changed: replaceCard,
      hrefFor: (other) => feedHash(mode, state.filters, other),
      search: (q) => load(`/api/pain-points${api.query({ q, limit: 8 })}`),
    });
  }

  async function exportCsv() {
    exportStatus.textContent = 'Preparing the CSV…';
    exportBtn.disabled = true;
    try {
      const res = await api.request(`/api/pain-points/export.csv${api.query(apiFilters(state.filters))}`, {
        blob: true, timeoutMs: 120000,
      });
      if (res.status === 401) await api.tokenRejected();
      if (!res.ok) throw new Error(api.describeError(res));
      const url = URL.createObjectURL(res.data);
      const a = h('a', { href: url, download: 'pain-points.csv', hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
      const rows = res.headers.get('X-Row-Count');
      exportStatus.textContent = `Downloaded pain-points.csv${rows ? ` (${rows} rows)` : ''}.`;
    } catch (err) {
      exportStatus.textContent = `The CSV could not be exported: ${String(err.message).replace(/\.$/, '')}.`;
    } finally {
      exportBtn.disabled = Boolean(asOf) || !api.online();
    }
  }

  active = ([nextMode, nextQuery]) => {
    if (nextMode !== mode) return false;
    const next = parse(nextQuery);
    const filtersChanged = JSON.stringify(next.filters) !== JSON.stringify(state.filters);
    const openChanged = next.open !== state.open;
    const closing = openChanged && !next.open ? state.open : null;
    state = next;
    if (filtersChanged) {
      showFilters();
      asOf = null;
      loadPage(true);
    }
    if (openChanged || (filtersChanged && next.open)) showDetail(next.open);
    if (closing) {
      const back = list.querySelector(`li[data-id="${closing}"] a.item`);
      if (back) back.focus();
    }
    return true;
  };

  showFilters();
  await loadPage(true);
  if (state.open) showDetail(state.open, false);
  else idle();
  const refresh = () => { if (!asOf) return; asOf = null; loadPage(true); };
  window.addEventListener('online', refresh);
  return () => {
    active = null;
    if (observer) observer.disconnect();
    window.removeEventListener('online', refresh);
  };
}
