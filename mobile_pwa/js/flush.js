// Sends the outbox (first in, first out: each round its withdrawals and pulse answers, then its visits in one
// POST /api/sync that also pulls the user's changes): the page calls it (sync.js) and so does the service
// worker when Background Sync fires (sw.js), under one Web Lock, so that two senders (tabs, or a tab and the
// worker) never push the same write at once. The rules are the same
// in both: no answer or a 5xx keeps the item for a retry; a 401 keeps it and asks to sign in again; any
// other 4xx moves it to "needs attention"; an item leaves the queue only once answered.
// Runs in the service worker too: no window or document here.
import * as api from './api.js';
import {
  takeBatch, applySyncResult, rejectBatch, learnVersion, resetCursor, withdrawn, pulseAnswered,
} from './outbox.js';

/** The lock's name, the Background Sync tag and the channel that tells open pages a flush ended. */
export const OUTBOX = 'undercover-outbox';
const BATCH_MAX = 200;
let batchSize = BATCH_MAX;

const retryAfter = (res) => {
  const seconds = Number(res.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
};

const cursorRefused = (res) =>
  res.status === 422 && Array.isArray(res.data?.detail) && res.data.detail.some((e) => e.loc && e.loc[0] === 'cursor');

/**
 * Runs fn while no one else flushes: every flush, and the sign-out that empties the phone (a flush
 * finishing after it would write the old account's visits back). Browsers without Web Locks (before
 * Safari 15.4) have no Background Sync either: the page is then the only sender.
 */
export const withOutboxLock = (fn) => (navigator.locks ? navigator.locks.request(OUTBOX, fn) : fn());

/**
 * One flush, holding the outbox lock. Resolves with { outcome, retryAfterMs, refused }:
 *   ok       every batch answered (the queue keeps only what was edited meanwhile)
 *   auth     no valid sign-in: everything kept until the user signs in again (refused: the token the server refused)
 *   offline  no answer: everything kept, try again later
 *   retry    the server is in trouble (5xx, 408, 429): everything kept, try again (after retryAfterMs if given)
 * onAnswer() runs after each answered batch (the page refreshes its counts). storedSession: read the
 * session from storage first (the service worker, which has no other copy; a page keeps its own).
 */
export function flushOutbox({ onAnswer, storedSession = false } = {}) {
  return withOutboxLock(async () => {
    await (storedSession ? api.loadSession() : api.checkStoredToken());
    const result = await pushAndPull(onAnswer);
    announce(result);
    return result;
  });
}

/** An answer that keeps the write for later: 401 (sign in again) or trouble on the server's side (retry). */
async function kept(res) {
  if (res.status === 401) {
    const refused = api.currentSession().token;
    await api.tokenRejected(refused);
    return { outcome: 'auth', refused };
  }
  if (res.status >= 500 || res.status === 429 || res.status === 408) return { outcome: 'retry', retryAfterMs: retryAfter(res) };
  return null;
}

async function pushAndPull(onAnswer) {
  if (!api.tokenValid()) return { outcome: 'auth' };
  if (navigator.onLine === false) return { outcome: 'offline' };
  try {
    for (let round = 0; round < 100; round += 1) {
      const batch = await takeBatch(batchSize);
      for (const id of batch.withdrawals) {
        const res = await api.request(`/api/visits/${id}`, { method: 'DELETE' });
        const stop = await kept(res);
        if (stop) return stop;
        // 404: already gone from the server, which is what the user asked for.
        await withdrawn(id, res.ok || res.status === 404 ? null : api.describeError(res));
      }
      if (batch.pulse) {
        // The server replaces the month's answers: sending them again after a lost answer is safe.
        const res = await api.request('/api/pulse/me', { method: 'PUT', json: { answers: batch.pulse.answers } });
        const stop = await kept(res);
        if (stop) return stop;
        await pulseAnswered(batch.pulse, res.ok ? null : api.describeError(res));
      }
      const res = await api.request('/api/sync', {
        method: 'POST',
        json: { visits: batch.items.map((item) => item.payload), cursor: batch.cursor },
      });
      if (res.status === 413 && batch.items.length > 1) {
        batchSize = Math.max(1, Math.floor(batch.items.length / 2));
        continue;
      }
      const stop = await kept(res);
      if (stop) return stop;
      if (!res.data && res.ok) return { outcome: 'retry' };
      if (cursorRefused(res)) {
        await resetCursor();
        continue;
      }
      if (!res.ok) {
        // The request itself was refused: show it on each visit instead of retrying forever.
        await rejectBatch(batch, api.describeError(res));
        continue;
      }
      batchSize = BATCH_MAX;
      const missing = await applySyncResult(res.data, batch);
      for (const id of missing) {
        const one = await api.request(`/api/visits/${encodeURIComponent(id)}`);
        if (one.ok && one.data) await learnVersion(one.data);
      }
      if (onAnswer) await onAnswer();
      if (!res.data.more && !batch.full) break;
    }
    return { outcome: 'ok' };
  } catch (err) {
    if (err instanceof api.NetworkError) return { outcome: 'offline' };
    throw err;
  }
}

// One channel per page or worker: a message reaches every other one, never its sender.
let channel = null;
const outboxChannel = () => {
  if (!channel && typeof BroadcastChannel !== 'undefined') channel = new BroadcastChannel(OUTBOX);
  return channel;
};

/** Tells the other open pages (tabs, or the pages of the service worker) that the visits may have changed. */
function announce(result) {
  const ch = outboxChannel();
  if (ch) ch.postMessage({ type: 'flushed', ...result });
}

/** fn({ outcome, refused }) runs after each flush made elsewhere (another tab, the service worker). */
export function onFlushElsewhere(fn) {
  const ch = outboxChannel();
  if (ch) ch.addEventListener('message', (event) => { if (event.data && event.data.type === 'flushed') fn(event.data); });
}

/**
 * The service worker's Background Sync: one flush; rejects while items wait for a retry, so that the
 * browser fires the sync again later (with its own backoff), even with no page open.
 */
export async function backgroundSync() {
  const { outcome } = await flushOutbox({ storedSession: true });
  if (outcome === 'offline' || outcome === 'retry') throw new Error(`outbox kept for a retry (${outcome})`);
}
