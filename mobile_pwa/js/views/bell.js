// The bell in the header (#inbox): a link to the inbox with the unread count, on every screen once signed in.
// app.js imports it after the first screen has drawn, so it costs the first load nothing (js/screens.js, PARTS).
// The count is asked again on navigation, on returning to the app, after each sync and once a minute while
// the app is visible; triggers that come together make one request.
import * as api from '../api.js';
import { on } from '../bus.js';
import { h } from '../ui.js';

const POLL_MS = 60000;
const GAP_MS = 5000;
const slot = document.getElementById('inbox');
let unread = 0;
let last = 0;
let timer = 0;
let poll = 0;
let syncing = false;

function draw() {
  if (!api.currentUser()) {
    slot.replaceChildren();
    return;
  }
  const here = (location.hash || '').split('?')[0] === '#/inbox';
  slot.replaceChildren(h('a', {
    href: '#/inbox', class: 'btn small', 'aria-current': here ? 'page' : null,
    'aria-label': unread ? `Inbox, ${unread} unread` : 'Inbox',
  }, 'Inbox', unread ? h('span', { class: 'badge', 'aria-hidden': 'true' }, unread > 99 ? '99+' : String(unread)) : null));
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
      if (res.ok && res.data) unread = res.data.unread;
      else if (res.status === 401) await api.tokenRejected();
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
on('session', (what) => {
  if (what === 'signed-in') unread = 0;
  draw();
  soon();
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
