// HTTP to the Undercover API and the signed-in session (kept in IndexedDB so the app opens offline).
import { get, put, transact, done } from './db.js';
import { emit } from './bus.js';

export class NetworkError extends Error {}

let session = null; // { token, expires_at, user, email }

export async function loadSession() {
  session = (await get('kv', 'session')) || null;
  return session;
}

export const currentSession = () => session;
export const currentUser = () => (session ? session.user : null);

export function tokenValid(s = session) {
  return Boolean(s && s.token && (!s.expires_at || Date.parse(s.expires_at) > Date.now()));
}

export async function saveSession(value) {
  await put('kv', value, 'session'); // stored first: a flush meanwhile must not find the new token missing
  session = value;
  emit('session', 'signed-in');
}

/**
 * The server refused this token (by default the one in use): keep the user (and every queued visit),
 * forget the token, here and in storage — unless either already holds another one (the user signed in
 * again meanwhile, in this page or another).
 */
export async function tokenRejected(refused = session && session.token) {
  if (!refused) return;
  await transact('kv', 'readwrite', async (s) => {
    const cur = await done(s.kv.get('session'));
    if (cur && cur.token === refused) s.kv.put({ ...cur, token: null }, 'session');
  });
  if (session && session.token === refused) {
    session = { ...session, token: null };
    emit('session', 'expired');
  }
}

/**
 * A page keeps its own copy of the session; the service worker or another tab may have forgotten a refused
 * token meanwhile. Checked before each flush, so a page never pushes with a token the server already refused.
 */
export async function checkStoredToken() {
  const stored = await get('kv', 'session');
  if (session && session.token && !(stored && stored.token)) await tokenRejected(session.token);
}

export function forgetSession() {
  session = null;
}

/**
 * Every call to the API goes through here. Resolves with { status, ok, data, headers } (data: the parsed
 * JSON, or a Blob with `blob: true`); rejects with NetworkError when no answer came. `body`: a Blob, sent
 * as is with its type.
 */
export async function request(path, { method = 'GET', json, form, body, auth = true, blob = false, timeoutMs = 30000 } = {}) {
  const headers = { Accept: blob ? '*/*' : 'application/json' };
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  }
  if (auth && session && session.token) headers.Authorization = `Bearer ${session.token}`;
  // A request that never answers (a dead mobile link) counts as a network error, so the outbox retries.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let res;
  let raw;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit', signal: abort.signal });
    raw = blob && res.ok ? await res.blob() : await res.text();
  } catch (err) {
    emit('offline');
    throw new NetworkError(err && err.message ? err.message : 'No connection');
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if (raw instanceof Blob) {
    data = raw;
  } else if (raw) {
    try { data = JSON.parse(raw); } catch { data = null; }
  }
  return { status: res.status, ok: res.ok, data, headers: res.headers };
}

export const signIn = (email, password) =>
  request('/api/auth/token', { method: 'POST', form: { username: email, password }, auth: false });

export const signOutOnServer = () => request('/api/auth/logout', { method: 'POST' });

/** Turns an error body into one readable sentence. */
export function describeError(res) {
  const d = res && res.data;
  if (d && typeof d.detail === 'string' && d.detail) return d.detail;
  if (d && Array.isArray(d.detail)) return d.detail.map((e) => e.msg).join('; ');
  if (d && d.error) return d.error;
  return `The server answered ${res ? res.status : 'nothing'}.`;
}

/** Query string from an object; arrays repeat the key, empty values are left out. */
export function query(params) {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== '') out.append(key, String(one));
    }
  }
  const text = out.toString();
  return text ? `?${text}` : '';
}

/** A read, maybe the service worker's offline copy: { ...response, asOf (when saved; null if fresh) }. */
export async function read(path) {
  const res = await request(path);
  return { ...res, asOf: res.headers.get('X-Cached-At') || null };
}

/** Whether writes can be tried now: online, and the last read was fresh. */
export const online = () => navigator.onLine !== false;
