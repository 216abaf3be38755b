// The bell in the header (#inbox): a link to the inbox with the unread count, on every screen once signed in.
// app.js imports it after the first screen has drawn, so it costs the first load nothing (js/screens.js, PARTS).
// The count is asked again on navigation, on returning to the app (visible or focused), after each sync and
// once a minute while the app is visible; triggers that come together make one request.
import * as api from '../api.js';
import { on } from '../bus.js';
import { h } from '../ui.js';

const POLL_MS = 60000;
const GAP_MS = 5000;
const INBOX_PAGE = '/api/notifications?limit=30';
const slot = document.getElementById('inbox');
let unread = 0;
let known = null; // the count the server last gave
let last = 0;
let timer = 0;
let poll = 0;
let syncing = false;

const SVG = 'http://www.w3.org/2000/svg';

/** A bell drawn with the DOM (no markup from strings, as everywhere in the app). */
function icon() {
  const svg = document.createElementNS(SVG, 'svg');
  const path = document.createElementNS(SVG, 'path');
  for (const [k, v] of [['viewBox', '0 0 24 24'], ['width', '20'], ['height', '20'], ['aria-hidden', 'true'], ['focusable', 'false']]) {
    svg.setAttribute(k, v);
  }
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z');
  svg.append(path);
  return svg;
}

let link = null;

/** Updated in place, so that a refresh never takes the focus away from the link. */
function draw() {
  if (!api.currentUser()) {
    slot.replaceChildren();
    return;
  }
  if (!link) link = h('a', { href: '#/inbox', class: 'btn small', title: 'Inbox' }, icon(), h('span', { class: 'badge', 'aria-hidden': 'true' }));
  if (!link.isConnected) slot.replaceChildren(link);
  if ((location.hash || '').split('?')[0] === '#/inbox') link.setAttribute('aria-current', 'page');
  else link.removeAttribute('aria-current');
  link.setAttribute('aria-label', unread ? `Inbox, ${unread} unread` : 'Inbox');
  link.lastChild.textContent = unread > 99 ? '99+' : String(unread);
  link.lastChild.hidden = !unread;
}

async function refresh() {
  clearTimeout(timer);
  clearTimeout(poll);
  timer = 0;
  last = Date.now();
  if (document.visibilityState === 'hidden') return;
  poll = setTimeout(refresh, POLL_MS);
  if (api.currentUser() && api.tokenValid()) {
    try {
      const res = await api.request('/api/notifications?limit=1');
      if (res.ok && res.data) {
        // Something new (or a new start): the inbox's first page is fetched too, so that the service worker
        // holds a copy the inbox can show offline (js/views/inbox.js asks for the same address).
        if (res.data.unread !== known && !res.headers.get('X-Cached-At')) api.request(INBOX_PAGE).catch(() => {});
        unread = known = res.data.unread;
      } else if (res.status === 401) {
        await api.tokenRejected();
      }
    } catch (err) {
      if (!(err instanceof api.NetworkError)) throw err;
    }
  }
  draw();
}

/** Soon, but not more often than every GAP_MS. */
function soon() {
  if (!timer) timer = setTimeout(refresh, Math.max(0, last + GAP_MS - Date.now()));
}

window.addEventListener('hashchange', () => { draw(); soon(); });
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') soon(); });
window.addEventListener('focus', soon);
on('session', (what) => {
  if (what !== 'signed-in') return;
  unread = 0;
  known = null;
  refresh();
});
on('sync', (status) => {
  if (syncing && !status.syncing) soon();
  syncing = status.syncing;
});
// The inbox screen read or marked messages: it says how many are left.
on('inbox', (count) => {
  unread = count;
  draw();
});

draw();
refresh();
