// Pushes the outbox (FIFO) and pulls the user's changes via POST /api/sync; an item leaves once answered.
import * as api from './api.js';
import { replaceAll } from './db.js';
import { emit, on } from './bus.js';
import {
  takeBatch, applySyncResult, rejectBatch, learnVersion, counts, resetCursor,
} from './outbox.js';

const BATCH_MAX = 200;
const RETRY_MAX_MS = 60000;

const status = {
  offline: typeof navigator !== 'undefined' && navigator.onLine === false,
  syncing: false, waiting: 0, attention: 0, unsynced: 0, authNeeded: false,
};
let running = null;
let again = false;
let failures = 0;
let retryTimer = 0;
let batchSize = BATCH_MAX;

export const getStatus = () => ({ ...status });

function publish() {
  emit('sync', getStatus());
}

export async function refreshCounts() {
  Object.assign(status, await counts());
  publish();
}

/** What the header says: one of the four documented states, plus a short aside. */
export function describe(st) {
  let main;
  if (st.attention) main = `Needs attention (${st.attention})`;
  else if (st.offline) main = 'Offline';
  else if (st.waiting) main = `${st.waiting} waiting to sync`;
  else main = 'All synced';
  const aside = [];
  if ((st.attention || st.offline) && st.waiting) aside.push(`${st.waiting} waiting to sync`);
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
    });
  return running;
}

function scheduleRetry(afterMs) {
  failures += 1;
  const backoff = Math.min(RETRY_MAX_MS, 1000 * 2 ** failures);
  const delay = afterMs ?? backoff * (0.75 + Math.random() / 2);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(syncNow, delay);
  // Let the browser wake us when the network is back, even if this tab is in the background.
  if (status.waiting && 'serviceWorker' in navigator) {
    navigator.serviceWorker.ready
      .then((reg) => reg.sync && reg.sync.register('undercover-outbox'))
      .catch(() => {});
  }
}

function retryAfter(res) {
  const seconds = Number(res.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

const cursorRefused = (res) =>
  res.status === 422 && Array.isArray(res.data?.detail) && res.data.detail.some((e) => e.loc && e.loc[0] === 'cursor');

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
    for (let round = 0; round < 100; round += 1) {
      const batch = await takeBatch(batchSize);
      const res = await api.request('/api/sync', {
        method: 'POST',
        json: { visits: batch.items.map((item) => item.payload), cursor: batch.cursor },
      });
      // An answer to a request sent before the connection dropped does not make us online.
      status.offline = navigator.onLine === false;
      if (res.status === 401) {
        status.authNeeded = true;
        await api.tokenRejected();
        return 'stop';
      }
      if (res.status === 413 && batch.items.length > 1) {
        batchSize = Math.max(1, Math.floor(batch.items.length / 2));
        continue;
      }
      if (res.status >= 500 || res.status === 429 || res.status === 408 || !res.data && res.ok) {
        scheduleRetry(retryAfter(res));
        return 'stop';
      }
      if (cursorRefused(res)) {
        await resetCursor();
        continue;
      }
      if (!res.ok) {
        // The request itself was refused: show it on each visit instead of retrying forever.
        await rejectBatch(batch, api.describeError(res));
        continue;
      }
      failures = 0;
      batchSize = BATCH_MAX;
      const missing = await applySyncResult(res.data, batch);
      for (const id of missing) {
        const one = await api.request(`/api/visits/${encodeURIComponent(id)}`);
        if (one.ok && one.data) await learnVersion(one.data);
      }
      await refreshCounts();
      if (!res.data.more && !batch.full) break;
    }
    return 'ok';
  } catch (err) {
    if (err instanceof api.NetworkError) return 'stop'; // marked offline, retry scheduled: see on('offline')
    throw err;
  } finally {
    status.syncing = false;
    publish();
  }
}

/** Refreshes the cached lists of sites and departments (used offline by the visit form). */
export async function refreshLists() {
  if (!api.tokenValid() || navigator.onLine === false) return;
  try {
    const [sites, departments] = await Promise.all([api.request('/api/sites'), api.request('/api/departments')]);
    if (sites.ok && Array.isArray(sites.data)) await replaceAll('sites', sites.data);
    if (departments.ok && Array.isArray(departments.data)) await replaceAll('departments', departments.data);
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
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'sync-outbox') syncNow();
    });
  }
  setInterval(() => {
    if (document.visibilityState === 'visible' && !retryTimer) syncNow();
  }, 5 * 60000);
  refreshCounts();
  syncNow();
}
