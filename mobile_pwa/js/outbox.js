// Visits kept on the phone and the queue of those waiting for the server.
//
// A record: { id, rev, version, state, visit, local, errors, conflict, server, saved_at }
//   visit    the user's content (the write JSON minus id/version, plus blank entries still being typed)
//   version  the server version this content is based on (0 = never confirmed by the server)
//   rev      bumped on every content change, so a sync can tell whether the content it sent is still current
//   state    draft (running, not queued) | pending (in the outbox) | synced | rejected | conflict
//            | withdrawing (its deletion is in the outbox; it leaves the phone once the server agrees)
// The outbox also holds the pulse answers waiting to be sent (kv 'pulse'), under the key PULSE.
//   server   the last server copy we know (to undo a rejected edit); conflict: the server copy that clashed
import { transact, done, getAll, get, put } from './db.js';
import { emit } from './bus.js';

export const KINDS = {
  shop_floor_shift: 'Shop-floor shift',
  listened_call: 'Listened call',
  journey_walkthrough: 'Journey walkthrough',
};

const DETAIL_KEYS = {
  shop_floor_shift: ['role_worked', 'team_lead'],
  listened_call: ['channel', 'queue', 'call_reason', 'outcome', 'handle_time_minutes'],
  journey_walkthrough: ['journey_name'],
};
const NUMERIC = new Set(['handle_time_minutes']);

export function newRecord(kind) {
  return {
    id: crypto.randomUUID(), rev: 0, version: 0, state: 'draft', errors: [], conflict: null, server: null, local: {},
    visit: {
      kind, site_id: null, started_at: new Date().toISOString(), ended_at: null, incognito: false,
      notes: '', private_notes: '', details: kind === 'journey_walkthrough' ? { steps: [] } : {}, pain_points: [],
    },
  };
}

export const newPainPoint = (journeyStep = null) => ({
  id: crypto.randomUUID(), text: '', severity: 3, felt_by: 'customer', department_id: null, journey_step: journeyStep, quote: '',
});

const blank = (v) => v === undefined || v === null || String(v).trim() === '';
const round1 = (n) => Math.round(n * 10) / 10;

/** Minutes of step i, including a timer still running on it. */
export function stepMinutes(rec, i, now = Date.now()) {
  const step = rec.visit.details.steps[i];
  const timer = rec.local && rec.local.step_timer;
  const base = blank(step.minutes) ? null : Number(step.minutes);
  if (timer && timer.index === i) return round1((base || 0) + (now - timer.since) / 60000);
  return base === null || Number.isNaN(base) ? null : base;
}

/** A pain point with neither text nor quote (nor photo or voice note) is an entry the user never filled in: it is not sent. */
export const isBlankPainPoint = (p) => blank(p.text) && blank(p.quote) && !p.has_media;

/** The JSON the server accepts: exactly the documented keys. */
export function toPayload(rec, now = Date.now()) {
  const v = rec.visit;
  const details = {};
  for (const key of DETAIL_KEYS[v.kind]) {
    const value = v.details[key];
    if (!blank(value)) details[key] = NUMERIC.has(key) ? Number(value) : value;
  }
  if (v.kind === 'journey_walkthrough') {
    details.steps = (v.details.steps || []).map((step, i) => ({
      name: blank(step.name) ? `Step ${i + 1}` : step.name,
      channel: step.channel || null,
      minutes: stepMinutes(rec, i, now),
      effort: blank(step.effort) ? null : Number(step.effort),
    }));
  }
  return {
    id: rec.id,
    kind: v.kind,
    site_id: v.site_id || null,
    started_at: v.started_at,
    ended_at: v.ended_at || null,
    incognito: Boolean(v.incognito),
    notes: v.notes || '',
    private_notes: v.private_notes || '',
    details,
    version: rec.version || 0,
    pain_points: v.pain_points.filter((p) => !isBlankPainPoint(p)).map((p) => ({
      id: p.id,
      text: p.text || '',
      severity: Number(p.severity) || 3,
      felt_by: p.felt_by || 'customer',
      department_id: p.department_id || null,
      journey_step: blank(p.journey_step) ? null : Number(p.journey_step),
      quote: blank(p.quote) ? null : p.quote,
      value_id: p.value_id || null,
    })),
    // Kept on the phone with exactly the keys the server takes (js/views/bright.js).
    bright_spots: (v.bright_spots || []).filter((b) => !blank(b.text)),
  };
}

/** A server visit as local content. */
export function fromServer(s) {
  const details = { ...(s.details || {}) };
  if (s.kind === 'journey_walkthrough') details.steps = (details.steps || []).map((st) => ({ ...st }));
  return {
    kind: s.kind, site_id: s.site_id || null, started_at: s.started_at, ended_at: s.ended_at || null,
    incognito: Boolean(s.incognito), notes: s.notes || '', private_notes: s.private_notes || '', details,
    pain_points: (s.pain_points || []).map((p) => ({
      id: p.id, text: p.text, severity: p.severity, felt_by: p.felt_by, department_id: p.department_id || null,
      journey_step: p.journey_step ?? null, quote: p.quote || '', value_id: p.value_id || null, media: p.media || [],
    })),
    bright_spots: s.bright_spots || [],
  };
}

const recordFromServer = (s) => ({
  id: s.id, rev: 1, version: s.version, state: 'synced', errors: [], conflict: null, local: {},
  visit: fromServer(s), server: fromServer(s), saved_at: Date.now(),
});

async function outboxKey(stores, id) {
  return done(stores.outbox.index('visit_id').getKey(id));
}

async function dequeue(stores, id) {
  const key = await outboxKey(stores, id);
  if (key !== undefined) stores.outbox.delete(key);
}

async function enqueue(stores, id) {
  const key = await outboxKey(stores, id);
  if (key === undefined) stores.outbox.add({ visit_id: id, queued_at: Date.now() });
}

/**
 * Saves the editor's copy. mode: 'auto' queues a finished visit unless it waits for the user's decision
 * (rejected / conflict); 'queue' always queues (finish, resend, keep mine); 'local' never does.
 * Resolves with the stored record.
 */
export async function saveVisit(rec, { mode = 'auto', version } = {}) {
  const stored = await transact(['visits', 'outbox'], 'readwrite', async (s) => {
    const cur = await done(s.visits.get(rec.id));
    if (cur && cur.state === 'withdrawing') return cur;
    let next;
    if (!cur) {
      next = { ...rec, rev: (rec.rev || 0) + 1 };
    } else {
      next = { ...cur, visit: rec.visit, local: rec.local, rev: cur.rev + 1 };
      // Content pulled from another phone since the editor loaded it: keep the editor's (older) base
      // version, so the server answers with a conflict instead of one copy silently replacing the other.
      if (cur.rev !== rec.rev) next.version = rec.version;
    }
    if (version !== undefined) next.version = version;
    const waitsForUser = next.state === 'rejected' || next.state === 'conflict';
    const queue = mode === 'queue' || (mode === 'auto' && Boolean(next.visit.ended_at) && !waitsForUser);
    if (queue) {
      next.state = 'pending';
      next.errors = [];
      next.conflict = null;
      await enqueue(s, next.id);
    }
    next.saved_at = Date.now();
    s.visits.put(next);
    return next;
  });
  emit('visits', stored.id);
  if (stored.state === 'pending') emit('queued', stored.id);
  return stored;
}

export const getVisit = (id) => get('visits', id);

export async function listVisits() {
  const rows = await getAll('visits');
  return rows.sort((a, b) => (b.visit.started_at || '').localeCompare(a.visit.started_at || ''));
}

export async function counts() {
  return transact(['visits', 'outbox', 'kv', 'media'], 'readonly', async (s) => {
    const waiting = await done(s.outbox.count());
    const rows = await done(s.visits.getAll());
    const pulse = await done(s.kv.get(PULSE));
    const files = (state) => done(s.media.index('state').count(state));
    return {
      waiting,
      files: await files('waiting') + await files('deleting'),
      attention: rows.filter((r) => r.state === 'rejected' || r.state === 'conflict').length + (pulse?.state === 'rejected' ? 1 : 0) + await files('rejected'),
      unsynced: rows.filter((r) => r.state !== 'synced').length,
      pulse: Boolean(pulse && pulse.state !== 'sent'),
    };
  });
}

/** Up to `limit` queued visits, oldest first, with the revision each payload was built from. */
export async function takeBatch(limit) {
  const now = Date.now();
  return transact(['visits', 'outbox', 'kv'], 'readonly', async (s) => {
    const entries = await done(s.outbox.getAll(null, limit));
    const items = [];
    const withdrawals = [];
    let pulse = null;
    for (const entry of entries) {
      if (entry.visit_id === PULSE) {
        pulse = await done(s.kv.get(PULSE));
        continue;
      }
      const rec = await done(s.visits.get(entry.visit_id));
      if (rec?.state === 'withdrawing') withdrawals.push(rec.id);
      else if (rec) items.push({ id: rec.id, rev: rec.rev, payload: toPayload(rec, now) });
    }
    const cursor = (await done(s.kv.get('cursor'))) || null;
    return { items, withdrawals, pulse, cursor, full: entries.length === limit };
  });
}

/** Adds the pain point id to errors about a pain point, so they stay attached after the list changes. */
function attachErrors(errors, payload) {
  return (errors || []).map((e) => {
    const loc = Array.isArray(e.loc) ? e.loc : [];
    const out = { loc, msg: String(e.msg || 'invalid') };
    if (loc[0] === 'pain_points' && Number.isInteger(loc[1]) && payload && payload.pain_points[loc[1]]) {
      out.pain_point_id = payload.pain_points[loc[1]].id;
    }
    return out;
  });
}

/** Applies one /api/sync answer. Resolves with the ids accepted but missing from `changes`. */
export async function applySyncResult(result, batch) {
  const sent = new Map(batch.items.map((item) => [item.id, item]));
  const missing = await transact(['visits', 'outbox', 'kv'], 'readwrite', async (s) => {
    const changes = new Map((result.changes || []).map((c) => [c.id, c]));
    const needVersion = [];
    for (const id of result.accepted || []) {
      const rec = await done(s.visits.get(id));
      const mine = sent.get(id);
      const change = changes.get(id);
      changes.delete(id);
      if (!rec) continue;
      if (change) {
        rec.version = change.version;
        rec.server = fromServer(change);
      } else {
        needVersion.push(id);
      }
      if (mine && mine.rev === rec.rev) {
        rec.state = 'synced';
        rec.errors = [];
        await dequeue(s, id);
      }
      s.visits.put(rec);
    }
    for (const item of result.rejected || []) {
      const rec = item.id ? await done(s.visits.get(item.id)) : null;
      const mine = rec && sent.get(rec.id);
      if (!rec || !mine) continue;
      changes.delete(rec.id);
      if (mine.rev !== rec.rev) continue; // edited since: the newer content gets its own try
      rec.state = 'rejected';
      rec.errors = attachErrors(item.errors, mine.payload);
      await dequeue(s, rec.id);
      s.visits.put(rec);
    }
    for (const item of result.conflicts || []) {
      const rec = await done(s.visits.get(item.id));
      changes.delete(item.id);
      if (!rec || rec.state === 'withdrawing') continue;
      rec.state = 'conflict';
      rec.conflict = item.server;
      await dequeue(s, rec.id);
      s.visits.put(rec);
    }
    for (const change of changes.values()) await mergeChange(s, change);
    if (result.cursor) s.kv.put(result.cursor, 'cursor');
    return needVersion;
  });
  emit('visits', null);
  return missing;
}

/** A visit changed on the server (another phone, or a manager's triage). Never overwrites unsent work. */
async function mergeChange(s, change) {
  const rec = await done(s.visits.get(change.id));
  if (!rec) {
    if (!change.deleted_at) s.visits.put(recordFromServer(change));
    return;
  }
  if (rec.state === 'synced') {
    if (change.deleted_at) {
      s.visits.delete(rec.id);
    } else if (change.version !== rec.version) {
      Object.assign(rec, { visit: fromServer(change), server: fromServer(change), version: change.version, rev: rec.rev + 1 });
      s.visits.put(rec);
    }
  } else if (rec.state === 'conflict' && !change.deleted_at && change.version > rec.conflict.version) {
    rec.conflict = change;
    s.visits.put(rec);
  }
  // draft / pending / rejected: the user's copy stays; pushing it tells us whether it clashes.
}

/** Learns the version of a visit the server accepted (when the answer did not list it in changes). */
export async function learnVersion(serverVisit) {
  await transact('visits', 'readwrite', async (s) => {
    const rec = await done(s.visits.get(serverVisit.id));
    if (!rec) return;
    if (rec.state === 'synced' || rec.state === 'pending') {
      rec.version = Math.max(rec.version, serverVisit.version);
      rec.server = fromServer(serverVisit);
      s.visits.put(rec);
    }
  });
}

/** The whole batch was refused (a 4xx for the request itself): every visit in it needs the user. */
export async function rejectBatch(batch, message) {
  await transact(['visits', 'outbox'], 'readwrite', async (s) => {
    for (const item of batch.items) {
      const rec = await done(s.visits.get(item.id));
      if (!rec || rec.rev !== item.rev) continue;
      rec.state = 'rejected';
      rec.errors = [{ loc: [], msg: message }];
      await dequeue(s, rec.id);
      s.visits.put(rec);
    }
  });
  emit('visits', null);
}

export const resetCursor = () => put('kv', null, 'cursor');

/**
 * The user gives up local changes. A visit the server never had is deleted from the phone;
 * otherwise the last server copy comes back (or, without one, the next pull brings it).
 */
export async function discardLocal(id) {
  await transact(['visits', 'outbox', 'kv'], 'readwrite', async (s) => {
    const rec = await done(s.visits.get(id));
    await dequeue(s, id);
    if (!rec) return;
    const serverCopy = rec.conflict ? fromServer(rec.conflict) : rec.server;
    if (rec.version === 0 && !rec.conflict) {
      s.visits.delete(id);
    } else if (serverCopy) {
      Object.assign(rec, {
        visit: serverCopy, server: serverCopy, state: 'synced', errors: [], conflict: null, local: {}, rev: rec.rev + 1,
        version: rec.conflict ? rec.conflict.version : rec.version,
      });
      s.visits.put(rec);
    } else {
      s.visits.delete(id);
      s.kv.put(null, 'cursor');
    }
  });
  emit('visits', id);
}

/** Conflict: keep this phone's copy as a new, separate visit and take the server's for the original. */
export async function keepBoth(id) {
  const copyId = crypto.randomUUID();
  await transact(['visits', 'outbox'], 'readwrite', async (s) => {
    const rec = await done(s.visits.get(id));
    if (!rec || !rec.conflict) return;
    const mine = structuredClone(rec.visit);
    for (const p of [...mine.pain_points, ...mine.bright_spots || []]) p.id = crypto.randomUUID();
    s.visits.put({
      id: copyId, rev: 1, version: 0, state: 'pending', errors: [], conflict: null, server: null,
      local: {}, visit: mine, saved_at: Date.now(),
    });
    await enqueue(s, copyId);
    const theirs = fromServer(rec.conflict);
    Object.assign(rec, {
      visit: theirs, server: theirs, version: rec.conflict.version, state: 'synced', conflict: null,
      errors: [], local: {}, rev: rec.rev + 1,
    });
    s.visits.put(rec);
  });
  emit('visits', null);
  emit('queued', copyId);
  return copyId;
}

/** The author withdraws a visit the server has: queued like any write, shown as withdrawing until sent. */
export async function withdrawVisit(id) {
  const ok = await transact(['visits', 'outbox'], 'readwrite', async (s) => {
    const rec = await done(s.visits.get(id));
    if (!rec || !rec.version || !['synced', 'pending'].includes(rec.state)) return false;
    // A new revision: an answer to an edit already on its way no longer settles this record.
    Object.assign(rec, { state: 'withdrawing', rev: rec.rev + 1, saved_at: Date.now() });
    await enqueue(s, id);
    s.visits.put(rec);
    return true;
  });
  if (ok) {
    emit('visits', id);
    emit('queued', id);
  }
  return ok;
}

/** The server answered a withdrawal: the visit leaves the phone, or (refused) needs the user. */
export async function withdrawn(id, refusal) {
  await transact(['visits', 'outbox'], 'readwrite', async (s) => {
    const rec = await done(s.visits.get(id));
    await dequeue(s, id);
    if (!refusal) s.visits.delete(id);
    else if (rec) s.visits.put({ ...rec, state: 'rejected', errors: [{ loc: [], msg: `Not withdrawn: ${refusal}` }] });
  });
  emit('visits', id);
}

// ---- the pulse: one set of answers at a time, kept in kv until the server has it ----
export const PULSE = 'pulse';

/** Queues this month's answers; answering again before they are sent replaces them. */
export async function savePulse(answers, month) {
  const saved = await transact(['kv', 'outbox'], 'readwrite', async (s) => {
    const cur = await done(s.kv.get(PULSE));
    const next = { answers, month, state: 'pending', error: null, rev: (cur?.rev || 0) + 1 };
    s.kv.put(next, PULSE);
    await enqueue(s, PULSE);
    return next;
  });
  emit('pulse');
  emit('queued', PULSE);
  return saved;
}

export const getPulse = () => get('kv', PULSE);

/** The server answered the answers of revision sent.rev: sent, or refused with a reason (other 4xx). */
export async function pulseAnswered(sent, refusal) {
  await transact(['kv', 'outbox'], 'readwrite', async (s) => {
    const cur = await done(s.kv.get(PULSE));
    if (!cur || cur.rev !== sent.rev) return; // answered again meanwhile: those go next
    await dequeue(s, PULSE);
    s.kv.put({ ...cur, state: refusal ? 'rejected' : 'sent', error: refusal || null }, PULSE);
  });
  emit('pulse');
}
