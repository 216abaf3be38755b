// Photos and voice notes on pain points, loaded when first needed (js/screens.js PARTS, never the first load):
// adding and showing them on the visit screen, the files that need the user, and the server's copies for the
// feed and the pain-point detail (fetched with the bearer token into blob: URLs, only once they scroll into view).
import { h, confirmDialog } from '../ui.js';
import { on } from '../bus.js';
import * as api from '../api.js';
import {
  mediaOfVisit, addMedia, removeMedia, removeServerMedia, retryMedia, removed, shortOfSpace, askToPersist, rejectedMedia,
} from '../media/store.js';
import { preparePhoto } from '../media/photo.js';
import { recordVoice, recordingType, micProblem, length } from '../media/record.js';
import { uploadMedia } from '../media/upload.js';

const STYLES = 'css/media.css';
if (!document.querySelector(`link[href="${STYLES}"]`)) document.head.append(h('link', { rel: 'stylesheet', href: STYLES }));

// ---- blob: URLs, revoked once their element has left the page ----
const urls = new Map();
let sweeping = 0;
function sweep() {
  sweeping = 0;
  for (const [el, url] of urls) {
    if (!el.isConnected) {
      URL.revokeObjectURL(url);
      urls.delete(el);
    }
  }
}
new MutationObserver(() => { sweeping ||= setTimeout(sweep, 1000); }).observe(document.body, { childList: true, subtree: true });

function show(el, blob) {
  const url = URL.createObjectURL(blob);
  urls.set(el, url);
  el.src = url;
  return el;
}

const isPhoto = (m) => m.content_type.startsWith('image/');
const STATE = {
  waiting: 'Saved on this phone; uploads after the visit syncs',
  synced: 'Uploaded',
  server: 'Uploaded',
  rejected: 'Needs attention: not accepted',
};

// ---- the visit screen ----

/**
 * Entry point for the visit screen (js/views/visit.js). view: { rec (the visit record, current), painBox, changed() }.
 * action: 'show' (draw every pain point's files), 'photo' (i, the files picked) or 'voice' (i).
 */
export function media(view, action, i, files) {
  if (action === 'show') return showAll(view);
  if (action === 'photo') return addPhotos(view, i, files);
  if (action === 'voice') return addVoice(view, i);
  return undefined;
}

/** The pain point's media box (drawn by js/views/visit-parts.js), with a message line, a recorder slot and the list. */
function boxOf(view, i) {
  const p = view.rec.visit.pain_points[i];
  const box = p && view.painBox.querySelector(`[data-media="${p.id}"]`);
  if (box && !box.firstChild) {
    box.append(h('p', { class: 'media-msg', role: 'status' }), h('div', { class: 'media-rec' }), h('ul', { class: 'media-list' }));
  }
  return box;
}

function say(box, text, bad = false) {
  const line = box.querySelector('.media-msg');
  line.classList.toggle('bad', bad);
  line.setAttribute('role', bad ? 'alert' : 'status');
  line.textContent = text;
}

async function showAll(view) {
  const rows = await mediaOfVisit(view.rec.id);
  view.rec.visit.pain_points.forEach((p, i) => {
    const box = boxOf(view, i);
    if (box) drawList(view, box, i, rows.filter((m) => m.pain_point_id === p.id));
  });
  if (!view.watching) {
    // Uploads and removals change the states shown: redraw while the screen is up.
    const stop = on('media', (visitId) => {
      if (!view.painBox.isConnected) stop();
      else if (!visitId || visitId === view.rec.id) showAll(view);
    });
    view.watching = true;
  }
}

/** What a pain point's server copies list (the visit as pulled, or as the server last accepted it). */
function serverList(rec, p) {
  const sent = rec.server?.pain_points.find((x) => x.id === p.id);
  const all = [...(p.media || []), ...(sent?.media || [])];
  return all.filter((m, k) => all.findIndex((x) => x.id === m.id) === k);
}

function drawList(view, box, i, rows) {
  const p = view.rec.visit.pain_points[i];
  const known = new Set(rows.map((m) => m.id));
  // This phone's files, then those only the server has (uploaded from another device).
  const files = [...rows.filter((m) => !removed(m)), ...serverList(view.rec, p).filter((m) => !known.has(m.id)).map((m) => ({ ...m, state: 'server' }))];
  const count = { photo: 0, voice: 0 };
  const items = files.map((m) => {
    const kind = isPhoto(m) ? 'photo' : 'voice';
    const n = ++count[kind];
    const name = `${kind === 'photo' ? 'Photo' : 'Voice note'} ${n} of pain point ${i + 1}`;
    const shown = m.state === 'server' ? fromServer(m, name, n) : kind === 'photo'
      ? h('button', { type: 'button', class: 'thumb', 'aria-label': `Open ${lower(name)}`, onclick: () => openPhoto(m.blob, name) },
        show(h('img', { alt: name, width: m.width, height: m.height }), m.blob))
      : voice(show(h('audio', { controls: true, preload: 'metadata', 'aria-label': `${name}, ${length(m.duration_s)}` }), m.blob), n, m);
    const state = h('span', { class: `hint st-${m.state}` }, m.state === 'rejected' ? `${STATE.rejected}: ${m.error}` : STATE[m.state]);
    const label = `${kind === 'photo' ? 'photo' : 'voice note'} ${n}`;
    const actions = [h('button', {
      type: 'button', class: 'btn small danger',
      onclick: async () => {
        const onServer = m.state === 'synced' || m.state === 'server';
        const ok = await confirmDialog(`Remove ${label} of pain point ${i + 1}?${onServer ? ' It is removed from the server too.' : ''}`,
          { confirm: 'Remove', danger: true });
        if (!ok) return;
        await (m.state === 'server' ? removeServerMedia(m, view.rec.id, p.id) : removeMedia(m.id));
        setHasMedia(view, p, files.length - 1);
        say(box, `${label[0].toUpperCase()}${label.slice(1)} removed.`);
        uploadMedia();
      },
    }, `Remove ${label}`)];
    if (m.state === 'rejected') {
      actions.unshift(h('button', { type: 'button', class: 'btn small', onclick: () => retryMedia(m.id).then(uploadMedia) }, `Send ${label} again`));
    }
    return h('li', { class: `media-item ${kind}` }, shown, state, h('div', { class: 'row' }, actions));
  });
  box.querySelector('.media-list').replaceChildren(...items);
  setHasMedia(view, p, files.length);
}

const lower = (text) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;
const voice = (audio, n, m) => h('div', { class: 'voice' }, audio, h('span', {}, `Voice note ${n} · ${length(m.duration_s)}`));

/**
 * A pain point with a file is kept even without text (js/outbox.js isBlankPainPoint), so nothing is dropped.
 * Saved at once only where it decides that (no text, no quote): elsewhere it rides with the next save, so
 * that opening a synced visit never queues it again.
 */
function setHasMedia(view, p, n) {
  if (Boolean(p.has_media) === n > 0) return;
  p.has_media = n > 0;
  if (!(p.text || '').trim() && !(p.quote || '').trim()) view.changed();
}

async function addPhotos(view, i, files) {
  const box = boxOf(view, i);
  const p = view.rec.visit.pain_points[i];
  if (!box || !files.length) return;
  askToPersist();
  const short = await shortOfSpace(files.reduce((sum, f) => sum + f.size, 0));
  if (short) return say(box, short, true);
  say(box, files.length > 1 ? `Preparing ${files.length} photos…` : 'Preparing the photo…');
  let added = 0;
  for (const file of files) {
    let photo;
    try {
      photo = await preparePhoto(file);
    } catch {
      say(box, `“${file.name}” could not be read as a photo on this phone. Try another one, or take the photo again.`, true);
      continue;
    }
    if (!(await keep(view, box, p, { content_type: 'image/jpeg', blob: photo.blob, width: photo.width, height: photo.height }))) return;
    added += 1;
  }
  if (added) say(box, added > 1 ? `${added} photos saved on this phone.` : 'Photo saved on this phone.');
}

async function addVoice(view, i) {
  const box = boxOf(view, i);
  const p = view.rec.visit.pain_points[i];
  if (!box) return;
  const slot = box.querySelector('.media-rec');
  if (slot.firstChild) {
    slot.querySelector('button').focus();
    return;
  }
  if (!navigator.mediaDevices?.getUserMedia || !recordingType()) {
    say(box, 'Voice notes cannot be recorded in this browser. Your visit works as usual: type the pain point, or use the keyboard’s dictation.', true);
    return;
  }
  const short = await shortOfSpace(2e6);
  if (short) return say(box, short, true);
  askToPersist();
  say(box, '');
  let note;
  try {
    note = await recordVoice(slot, `pain point ${i + 1}`);
  } catch (err) {
    say(box, micProblem(err), true);
    return;
  }
  if (!note) return say(box, 'Voice note discarded.');
  if (await keep(view, box, p, { content_type: note.type, blob: note.blob, duration_s: note.duration_s })) {
    say(box, `Voice note of ${length(note.duration_s)} saved on this phone.`);
  }
}

/** Stores one file; says so (and keeps everything captured before) when the phone has no room. */
async function keep(view, box, p, file) {
  try {
    await addMedia({ ...file, id: crypto.randomUUID(), visit_id: view.rec.id, pain_point_id: p.id, bytes: file.blob.size });
  } catch (err) {
    const full = err && err.name === 'QuotaExceededError';
    say(box, full ? 'Not kept: this phone is out of storage space. Everything captured before is kept.' : `Not kept: ${err.message}`, true);
    return false;
  }
  setHasMedia(view, p, 1);
  uploadMedia();
  return true;
}

function openPhoto(blob, name) {
  const img = show(h('img', { alt: name }), blob);
  const close = h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, 'Close');
  const dialog = h('dialog', { class: 'photo-view', 'aria-label': name }, img, h('div', { class: 'row' }, close));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

// ---- files that need the user (My visits) ----

/** The refused files, each with the server's reason and a link to its visit. Empty when there are none. */
export async function attentionItems() {
  return (await rejectedMedia()).map((m) => h('li', {}, h('a', { class: 'item', href: `#/visit/${m.visit_id}` },
    h('span', { class: 'title' }, `${isPhoto(m) ? 'Photo' : 'Voice note'} not accepted`),
    h('ul', { class: 'errors' }, h('li', {}, `Server says: ${m.error}`)))));
}

// ---- the server's copies: feed, pain-point detail ----

let watcher = null;
const lazy = (el, load) => {
  el.loadNow = load;
  watcher ||= new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      watcher.unobserve(e.target);
      e.target.loadNow();
    }
  }, { rootMargin: '200px' });
  watcher.observe(el);
  return el;
};

async function fetchBlob(id, thumb) {
  try {
    const res = await api.request(`/api/media/${id}${thumb ? '?size=thumb' : ''}`, { blob: true, timeoutMs: 120000 });
    return res.ok ? res.data : null;
  } catch {
    return null;
  }
}

/** A server copy: a thumbnail that opens full size, or a player; fetched once it scrolls into view. */
function fromServer(m, name, n) {
  if (isPhoto(m)) {
    const img = h('img', { alt: name, width: m.width, height: m.height });
    const btn = h('button', {
      type: 'button', class: 'thumb', 'aria-label': `Open ${lower(name)}`,
      onclick: async () => {
        const full = await fetchBlob(m.id, false);
        if (full) openPhoto(full, name);
      },
    }, img);
    return lazy(btn, async () => {
      const blob = await fetchBlob(m.id, true);
      if (blob) show(img, blob);
      else btn.append(h('span', { class: 'hint' }, 'Not loaded: needs a connection'));
    });
  }
  const audio = h('audio', { controls: true, preload: 'metadata', 'aria-label': `${name}, ${length(m.duration_s)}` });
  return lazy(voice(audio, n, m), async () => {
    const blob = await fetchBlob(m.id, false);
    if (blob) show(audio, blob);
  });
}

/**
 * A pain point's photos (thumbnails that open full size) and voice notes (players with their length), drawn
 * into `box` from the pain point's JSON `media` list. `what`: how the pain point is named in alt texts.
 * compact (the feed's list): photos only, and how many voice notes there are.
 */
export function gallery(box, list, what, { compact = false } = {}) {
  const count = { photo: 0, voice: 0 };
  const voices = (list || []).filter((m) => !isPhoto(m)).length;
  const items = (list || []).filter((m) => !compact || isPhoto(m)).map((m) => {
    const photo = isPhoto(m);
    const n = ++count[photo ? 'photo' : 'voice'];
    return h('li', { class: `media-item ${photo ? 'photo' : 'voice'}` }, fromServer(m, `${photo ? 'Photo' : 'Voice note'} ${n} of pain point ${what}`, n));
  });
  box.replaceChildren(...(items.length ? [h('ul', { class: 'media-list', 'aria-label': `Photos and voice notes of pain point ${what}` }, items)] : []));
  // The feed's list names its voice notes; they play in the detail.
  if (compact && voices) box.append(h('p', { class: 'hint' }, `${voices} voice ${voices > 1 ? 'notes' : 'note'}`));
  return box;
}
