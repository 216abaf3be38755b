// Reading a screen's data: from the API, else the copy this device saved, and saying which.
import * as api from './api.js';
import { h, when } from './ui.js';

/** The note that a screen shows what this device saved earlier (null when everything is fresh). */
export function asOfNote(asOf) {
  if (!asOf) return null;
  return h('p', { class: 'banner asof', role: 'status' },
    `Offline: showing what this device saved as of ${when(asOf)}. Changes need a connection.`);
}

/** A readable message for a failed read. */
export function failure(err, res) {
  if (err instanceof api.NetworkError || (!res && !navigator.onLine)) {
    return 'No connection, and this screen has not been saved on this device yet. Try again once you are online.';
  }
  if (res && res.status === 403) return 'This screen is for managers and admins.';
  if (res && res.status === 401) return 'Your sign-in has expired: sign in again.';
  return res ? api.describeError(res) : String(err && err.message ? err.message : err);
}

/** Reads a JSON resource: { data, asOf } or { error } with a readable message. */
export async function load(path) {
  try {
    const res = await api.read(path);
    if (res.status === 401) await api.tokenRejected();
    if (!res.ok) return { error: failure(null, res), status: res.status };
    return { data: res.data, asOf: res.asOf };
  } catch (err) {
    if (err instanceof api.NetworkError) return { error: failure(err) };
    throw err;
  }
}
