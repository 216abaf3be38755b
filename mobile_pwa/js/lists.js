// Shared by the managers' screens: names, picker lists, the "as of" note.
import * as api from './api.js';
import { getAll } from './db.js';
import { h, when } from './ui.js';

export const STATUS = {
  new: 'New', acknowledged: 'Acknowledged', in_progress: 'In progress', resolved: 'Resolved', wont_fix: 'Won’t fix',
};
export const OPEN_STATUSES = ['new', 'acknowledged', 'in_progress'];
export const FELT = { customer: 'Customer', employee: 'Employee', both: 'Customer and employee' };

export const isManager = (user) => Boolean(user && (user.role === 'manager' || user.role === 'admin'));

/** A day as the reader's calendar shows it. */
export function day(iso) {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  return d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

const byName = (a, b) => String(a.name || a.label).localeCompare(String(b.name || b.label));

/** Sites and departments from the API, else the copy on this device; users and themes for managers. */
export async function lookups({ users = false, themes = false } = {}) {
  const one = async (path, store) => {
    try {
      const res = await api.read(path);
      if (res.ok && Array.isArray(res.data)) return res.data;
    } catch (err) {
      if (!(err instanceof api.NetworkError)) throw err;
    }
    return store ? getAll(store) : [];
  };
  const [sites, departments, people, themeRows] = await Promise.all([
    one('/api/sites', 'sites'), one('/api/departments', 'departments'),
    users ? one('/api/users') : [], themes ? one('/api/themes') : [],
  ]);
  return {
    sites: sites.sort(byName),
    departments: departments.sort(byName),
    users: people.filter((u) => u.is_active !== false)
      .map((u) => ({ ...u, name: u.display_name || u.email })).sort(byName),
    themes: themeRows.map((t) => ({ id: t.id, name: t.label, count: t.count })).sort(byName),
  };
}

/** Large organisations get costly figures from a stored result: say how old it is when it matters. */
export function computedNote(asOf) {
  if (!asOf || Date.now() - Date.parse(asOf) < 90000) return null;
  return h('p', { class: 'muted' }, `Figures as of ${when(asOf)}; they refresh every minute or so.`);
}

/** Sends a change: { data } or { error } with a readable message (and the body's field-level `detail`). */
export async function send(path, method, json) {
  if (!api.online()) return { error: 'You are offline: this change needs a connection.' };
  try {
    const res = await api.request(path, { method, json });
    if (res.status === 401) await api.tokenRejected();
    if (!res.ok) {
      let message = api.describeError(res);
      if (res.data && Array.isArray(res.data.errors)) message += ` ${res.data.errors.map((e) => e.error).join(' ')}`;
      return { error: message, status: res.status, detail: res.data && res.data.detail };
    }
    return { data: res.data };
  } catch (err) {
    if (err instanceof api.NetworkError) return { error: 'No connection: the change was not sent. Try again.' };
    throw err;
  }
}

/**
 * Shows a refused change's field-level messages under their fields (`fields`: { name: field() of ui.js }),
 * marks those fields invalid and focuses the first; returns what no field took, as one sentence ('' when
 * every message found its field). Called without an answer, it clears the messages.
 */
export function fieldErrors(fields, res) {
  for (const f of Object.values(fields)) {
    if (!f.error) {
      f.error = h('p', { class: 'error', id: `${f.hint.id}-error` });
      f.wrap.append(f.error);
      f.control.setAttribute('aria-describedby', `${f.hint.id} ${f.error.id}`);
    }
    f.error.textContent = '';
    f.control.removeAttribute('aria-invalid');
  }
  if (!res) return '';
  const detail = Array.isArray(res.detail) ? res.detail : [];
  const rest = [];
  let first = null;
  for (const e of detail) {
    const f = fields[e.loc && e.loc[0]];
    const msg = String(e.msg || 'Not valid').replace(/^Value error, /, '').replace(/\.?$/, '.');
    if (!f) { rest.push(msg); continue; }
    f.error.textContent = `${f.error.textContent} ${msg[0].toUpperCase()}${msg.slice(1)}`.trim();
    f.control.setAttribute('aria-invalid', 'true');
    first = first || f.control;
  }
  if (first) first.focus();
  return detail.length ? rest.join(' ') : res.error;
}

/** A select with a first "any" choice, for filters and pickers. */
export function options(rows, first) {
  return [['', first], ...rows.map((r) => [r.id, r.name])];
}
