// Photos and voice notes on the phone: one record a file in IndexedDB's 'media' store (js/db.js), beside its visit.
//
// A record: { id, visit_id, pain_point_id, content_type, blob, bytes, width, height, duration_s, state, error, created_at }
//   state  waiting (to upload, once its visit has synced) | synced (the server has it; the blob stays for showing it
//          offline) | rejected (the server refused it: "needs attention", with error) | deleting (removed by the user
//          after upload: the DELETE waits in the queue) | deleted (the server deleted it: kept without its blob, so
//          that the visit's older server copy, which still lists it, does not bring it back on screen)
import { transact, done } from '../db.js';
import { emit } from '../bus.js';

/** Every record of one visit, oldest first, removed ones included (see 'deleted'). */
export async function mediaOfVisit(visitId) {
  const rows = await transact('media', 'readonly', (s) => done(s.media.getAll()));
  return rows.filter((m) => m.visit_id === visitId).sort(byAge);
}

export const removed = (m) => m.state === 'deleting' || m.state === 'deleted';

const byAge = (a, b) => a.created_at - b.created_at;

/** What waits for the server (uploads and deletions), oldest first; 'rejected' ones wait for the user. */
export async function queued() {
  const rows = await transact('media', 'readonly', async (s) => [
    ...await done(s.media.index('state').getAll('waiting')),
    ...await done(s.media.index('state').getAll('deleting')),
  ]);
  return rows.sort(byAge);
}

export async function rejectedMedia() {
  return (await transact('media', 'readonly', (s) => done(s.media.index('state').getAll('rejected')))).sort(byAge);
}

/** Forgets the uploaded and deleted files of visits no longer on this phone (withdrawn, or gone from the server). */
export async function prune() {
  await transact(['media', 'visits'], 'readwrite', async (s) => {
    for (const m of await done(s.media.getAll())) {
      if ((m.state === 'synced' || m.state === 'deleted') && !(await done(s.visits.count(m.visit_id)))) s.media.delete(m.id);
    }
  });
}

/** Stores a new file (waiting to upload). Rejects with the browser's error (QuotaExceededError when full). */
export async function addMedia(record) {
  const rec = { state: 'waiting', error: null, width: null, height: null, duration_s: null, created_at: Date.now(), ...record };
  await transact('media', 'readwrite', (s) => done(s.media.put(rec)));
  changed(rec);
  return rec;
}

/** Changes one record, if it is still there: fn(record) returns the new record, or null to delete it. */
export async function updateMedia(id, fn) {
  const out = await transact('media', 'readwrite', async (s) => {
    const cur = await done(s.media.get(id));
    if (!cur) return null;
    const next = fn(cur);
    if (next) s.media.put(next);
    else s.media.delete(id);
    return next || cur;
  });
  if (out) changed(out);
  return out;
}

/** The user removes a file: gone at once if the server never had it, else its DELETE is queued. */
export const removeMedia = (id) => updateMedia(id, (m) => (m.state === 'synced' ? { ...m, state: 'deleting', blob: null } : null));

/** The user removes a file this phone only knows from the server (uploaded from another device). */
export const removeServerMedia = (m, visitId, painPointId) => addMedia({
  id: m.id, visit_id: visitId, pain_point_id: painPointId, content_type: m.content_type, blob: null, bytes: m.bytes, state: 'deleting',
});

/** Sends a refused file again (the user fixed what was wrong, or wants another try). */
export const retryMedia = (id) => updateMedia(id, (m) => ({ ...m, state: 'waiting', error: null }));

function changed(rec) {
  emit('media', rec.visit_id);
  emit('visits', null); // the header's counts (js/sync.js) follow 'visits'
}

/**
 * Room for `bytes` more on this phone? Resolves with a sentence when it is short of space, else ''.
 * Browsers without the estimate: assume there is room (a full disk still fails the write, which is said).
 */
export async function shortOfSpace(bytes) {
  try {
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    if (quota && quota - usage < bytes + 5e6) {
      return 'This phone is short of storage space: free some space (or sync, then remove old files) before adding more. ' +
        'What you have already captured is kept.';
    }
  } catch { /* no estimate */ }
  return '';
}

let asked = false;

/** Asks once (a page's life) that the browser keep this app's storage even when the phone runs low. */
export function askToPersist() {
  if (asked || !navigator.storage?.persist) return;
  asked = true;
  navigator.storage.persisted().then((yes) => yes || navigator.storage.persist()).catch(() => {});
}
