// The one IndexedDB of the app. Upgrade steps are cumulative: never edit an old step, add a new one.
// Rule: never await a network request inside a transaction — read, let it end, fetch, then write anew.

const DB_NAME = 'undercover';
const DB_VERSION = 2;
export const STORES = ['kv', 'visits', 'outbox', 'sites', 'departments', 'media'];

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = (event) => {
        const db = req.result;
        if (event.oldVersion < 1) {
          db.createObjectStore('kv');
          db.createObjectStore('visits', { keyPath: 'id' });
          const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
          outbox.createIndex('visit_id', 'visit_id', { unique: true });
          db.createObjectStore('sites', { keyPath: 'id' });
          db.createObjectStore('departments', { keyPath: 'id' });
        }
        // Photos and voice notes (js/media/store.js): their blobs, waiting to upload or kept after.
        if (event.oldVersion < 2) db.createObjectStore('media', { keyPath: 'id' }).createIndex('state', 'state');
      };
      req.onsuccess = () => {
        const db = req.result;
        // A newer tab wants to upgrade: step aside so it is not blocked.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

/** Promise for one IDBRequest. */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Runs fn(stores) in one transaction; resolves with fn's result once the transaction has committed.
 * fn may await IDB requests (via done()) but nothing else.
 */
export async function transact(names, mode, fn) {
  const db = await openDb();
  const list = Array.isArray(names) ? names : [names];
  return new Promise((resolve, reject) => {
    const tx = db.transaction(list, mode);
    const stores = {};
    for (const name of list) stores[name] = tx.objectStore(name);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException('Transaction aborted', 'AbortError'));
    let out;
    try {
      out = fn(stores);
    } catch (err) {
      tx.abort();
      reject(err);
      return;
    }
    Promise.resolve(out).then((value) => { result = value; }, (err) => {
      try { tx.abort(); } catch { /* already finished */ }
      reject(err);
    });
  });
}

export const get = (store, key) => transact(store, 'readonly', (s) => done(s[store].get(key)));
export const getAll = (store) => transact(store, 'readonly', (s) => done(s[store].getAll()));
export const put = (store, value, key) =>
  transact(store, 'readwrite', (s) => done(key === undefined ? s[store].put(value) : s[store].put(value, key)));

/** Replaces a whole cached list (sites, departments). */
export const replaceAll = (store, rows) =>
  transact(store, 'readwrite', (s) => {
    s[store].clear();
    for (const row of rows) s[store].put(row);
  });

// An open visit's unsaved keystrokes, written synchronously on every change: a write to IndexedDB may not
// land before the app closes (js/views/visit.js). Removed once IndexedDB holds them.
const DRAFT = 'undercover-draft:';

export function keepDraft(id, rec) {
  try { localStorage.setItem(DRAFT + id, JSON.stringify({ rev: rec.rev, version: rec.version, visit: rec.visit, local: rec.local })); } catch { /* full or blocked: IndexedDB still saves */ }
}

export function takeDraft(id) {
  try { return JSON.parse(localStorage.getItem(DRAFT + id) || 'null'); } catch { return null; }
}

export function dropDraft(id) {
  try { localStorage.removeItem(DRAFT + id); } catch { /* nothing kept */ }
}

/** Forgets everything on this phone (sign-out). */
export const clearAll = () => {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith(DRAFT)) localStorage.removeItem(key);
  } catch { /* nothing kept */ }
  return transact(STORES, 'readwrite', (s) => {
    for (const name of STORES) s[name].clear();
  });
};
