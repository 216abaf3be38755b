// When the page flushes the outbox (flush.js), what the header says about it, and the cached lists.
import * as api from './api.js';
import { replaceAll, put } from './db.js';
import { emit, on } from './bus.js';
import { counts } from './outbox.js';
import { flushOutbox, onFlushElsewhere, OUTBOX } from './flush.js';

const RETRY_MAX_MS = 60000;

const status = {
  offline: typeof navigator !== 'undefined' && navigator.onLine === false,
  syncing: false, waiting: 0, files: 0, attention: 0, unsynced: 0, authNeeded: false,
};
let running = null;
let again = false;
let failures = 0;
let retryTimer = 0;

export const getStatus = () => ({ ...status });

function publish() {
  emit('sync', getStatus());
}

export async function refreshCounts() {
  Object.assign(status, await counts());
  publish();
}

const files = (n) => `${n} file${n > 1 ? 's' : ''}`;

/** What the header says: one of the four documented states, plus a short aside. */
export function describe(st) {
  let main;
  if (st.attention) main = `Needs attention (${st.attention})`;
  else if (st.offline) main = 'Offline';
  else if (st.waiting || st.files) main = `${st.waiting || files(st.files)} waiting to sync`;
  else main = 'All synced';
  const aside = [];
  if ((st.attention || st.offline) && st.waiting) aside.push(`${st.waiting} waiting to sync`);
  if (st.files && (st.waiting || st.attention || st.offline)) aside.push(files(st.files));
  if (st.authNeeded) aside.push('sign in again to sync');
  else if (st.syncing) aside.push('syncing…');
  return { main, aside: aside.join(' · ') };
}

/** Flush now (coalesces with a flush already running). */
export function syncNow() {
  clearTimeout(retryTimer);
  retryTimer = 0;
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let outcome;
    do {
      again = false;
      outcome = await flushOnce();
    } while (again && outcome === 'ok');
  })()
    .catch((err) => console.warn('sync failed', err))
    .finally(() => {
      running = null;
      refreshCounts();
      // Photos and voice notes go after their visits, from the page only (js/media/upload.js).
      import('./media/upload.js').then((m) => m.uploadMedia()).catch(() => {});
    });
  return running;
}

function scheduleRetry(afterMs) {
  failures += 1;
  const backoff = Math.min(RETRY_MAX_MS, 1000 * 2 ** failures);
  const delay = afterMs ?? backoff * (0.75 + Math.random() / 2);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(syncNow, delay);
  // Let the browser replay the outbox when the network is back, even with the app closed (sw.js).
  if (status.waiting && 'serviceWorker' in navigator) {
    navigator.serviceWorker.ready
      .then((reg) => reg.sync && reg.sync.register(OUTBOX))
      .catch(() => {});
  }
}

async function flushOnce() {
  if (!api.tokenValid()) {
    status.authNeeded = Boolean(api.currentSession());
    publish();
    return 'stop';
  }
  if (navigator.onLine === false) {
    status.offline = true;
    publish();
    scheduleRetry(); // the 'online' event alone is not to be trusted
    return 'stop';
  }
  status.syncing = true;
  publish();
  try {
    const { outcome, retryAfterMs } = await flushOutbox({ onAnswer: refreshCounts });
    // An answer to a request sent before the connection dropped does not make us online.
    if (outcome !== 'offline') status.offline = navigator.onLine === false;
    if (outcome === 'auth') {
      status.authNeeded = Boolean(api.currentSession());
      return 'stop';
    }
    if (outcome === 'retry') {
      scheduleRetry(retryAfterMs);
      return 'stop';
    }
    if (outcome === 'offline') return 'stop'; // marked offline, retry scheduled: see on('offline')
    failures = 0;
    return 'ok';
  } finally {
    status.syncing = false;
    publish();
  }
}

/** Refreshes the cached lists of sites, departments and company values (used offline by the visit form). */
export async function refreshLists() {
  if (!api.tokenValid() || navigator.onLine === false) return;
  try {
    const [sites, departments, values] = await Promise.all(['sites', 'departments', 'values'].map((name) => api.request(`/api/${name}`)));
    if (sites.ok && Array.isArray(sites.data)) await replaceAll('sites', sites.data);
    if (departments.ok && Array.isArray(departments.data)) await replaceAll('departments', departments.data);
    if (values.ok) await put('kv', values.data, 'values');
    if (sites.status === 401) await api.tokenRejected();
    emit('lists');
  } catch (err) {
    if (!(err instanceof api.NetworkError)) throw err;
  }
}

export function markSignedIn() {
  status.authNeeded = false;
  failures = 0;
  publish();
}

/** Wires the triggers: each save, start-up, coming back online, Background Sync, returning to the app. */
export function startSync() {
  // Saves come in bursts while someone types: one push per pause, not per keystroke.
  let soon = 0;
  on('queued', () => {
    clearTimeout(soon);
    soon = setTimeout(syncNow, 500);
  });
  on('visits', () => refreshCounts());
  window.addEventListener('online', () => {
    status.offline = false;
    failures = 0;
    syncNow();
  });
  // Any request without an answer (any screen's) means offline until a sync gets through.
  on('offline', () => {
    status.offline = true;
    publish();
    if (!retryTimer) scheduleRetry();
  });
  window.addEventListener('offline', () => emit('offline'));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncNow();
  });
  // The service worker (Background Sync) or another tab flushed: show what it changed.
  onFlushElsewhere(async ({ outcome, refused }) => {
    if (refused && api.currentSession()?.token === refused) {
      await api.tokenRejected(refused);
      status.authNeeded = true;
    } else if (outcome === 'ok') {
      status.offline = navigator.onLine === false;
    }
    emit('visits', null);
    emit('pulse');
    refreshCounts();
  });
  setInterval(() => {
    if (document.visibilityState === 'visible' && !retryTimer) syncNow();
  }, 5 * 60000);
  refreshCounts();
  syncNow();
}
