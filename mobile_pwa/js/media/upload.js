// Uploads photos and voice notes, one at a time, oldest first, once their visit has synced (the server must
// have the pain point). Page-driven: js/sync.js calls uploadMedia() after each flush of the outbox (start-up,
// coming back online, Sync now, each save); the service worker's Background Sync sends visits only.
// The rules are the outbox's: no answer or a 5xx keeps the file and retries with backoff; a 401 keeps it and
// asks to sign in again; any other 4xx moves it to "needs attention" with the server's reason. A lost upload
// simply sends the whole file again under the same id: the server answers 200 for the same bytes.
import * as api from '../api.js';
import { get } from '../db.js';
import { refreshCounts } from '../sync.js';
import { queued, updateMedia, prune } from './store.js';

const LOCK = 'undercover-media';
const RETRY_MAX_MS = 60000;
let running = null;
let again = false;
let failures = 0;
let retryTimer = 0;

/** Runs a pass (coalesced with one already running). Resolves with its outcome: ok | offline | retry | auth. */
export function uploadMedia() {
  if (running) {
    again = true;
    return running;
  }
  clearTimeout(retryTimer);
  retryTimer = 0;
  running = (async () => {
    let outcome;
    do {
      again = false;
      // One sender across tabs too, so that a file is never sent twice at once.
      outcome = await (navigator.locks ? navigator.locks.request(LOCK, pass) : pass());
    } while (again && outcome === 'ok');
    if (outcome === 'offline' || outcome === 'retry') {
      failures += 1;
      const delay = Math.min(RETRY_MAX_MS, 1000 * 2 ** failures) * (0.75 + Math.random() / 2);
      retryTimer = setTimeout(uploadMedia, delay);
    } else {
      failures = 0;
    }
    return outcome;
  })().finally(() => {
    running = null;
    refreshCounts();
  });
  return running;
}

/** The server has this pain point: its visit was accepted with it (the last server copy we know lists it). */
const onServer = (rec, painPointId) => Boolean(rec.version && rec.server?.pain_points.some((p) => p.id === painPointId));

async function pass() {
  if (!api.tokenValid()) return 'auth';
  if (navigator.onLine === false) return 'offline';
  await prune();
  try {
    for (const m of await queued()) {
      const res = m.state === 'deleting' ? await send(m) : await upload(m);
      if (!res) continue;
      if (res.status === 401) {
        await api.tokenRejected();
        return 'auth';
      }
      if (res.status >= 500 || res.status === 408 || res.status === 429) return 'retry';
      const gone = m.state === 'deleting' && (res.ok || res.status === 404);
      const kept = await updateMedia(m.id, (cur) => {
        if (gone) return { ...cur, state: 'deleted' };
        return res.ok ? { ...cur, state: 'synced', error: null } : { ...cur, state: 'rejected', error: api.describeError(res) };
      });
      // Removed by the user while it was on its way: the server's copy goes too.
      if (!kept && res.ok && m.state !== 'deleting') await send(m);
    }
    return 'ok';
  } catch (err) {
    if (err instanceof api.NetworkError) return 'offline';
    throw err;
  }
}

const send = (m) => api.request(`/api/media/${m.id}`, { method: 'DELETE' });

/** PUTs one file; null when it is not ready (its visit has not synced) or no longer wanted. */
async function upload(m) {
  const rec = await get('visits', m.visit_id);
  if (!rec || !rec.visit.pain_points.some((p) => p.id === m.pain_point_id)) {
    // Its pain point (or visit) was removed from this phone by the user: the file goes with it.
    await updateMedia(m.id, () => null);
    return null;
  }
  if (!onServer(rec, m.pain_point_id)) return null;
  return api.request(`/api/pain-points/${m.pain_point_id}/media/${m.id}`, {
    method: 'PUT', body: m.blob, timeoutMs: 120000,
  });
}
