// The inbox: what the messages feature told this person (masked text), newest first; opening one marks it
// read; Mark all read. Offline it shows the last copy this device saved, and says when that was.
import * as api from '../api.js';
import { emit } from '../bus.js';
import { h, when } from '../ui.js';
import { send } from '../lists.js';
import { asOfNote, load } from '../reads.js';

const PAGE = 30; // the bell (js/views/bell.js) fetches the first page at the same address, for offline use

/** The in-app part of a message's link (links carry the public address, which may not be this one). */
function target(link) {
  if (!link) return null;
  try {
    return new URL(link, location.href).hash || null;
  } catch {
    return null;
  }
}

export async function render(main, _params, ctx) {
  main.append(h('h1', {}, 'Inbox'));
  const note = h('div', {});
  const count = h('p', { class: 'count', role: 'status' });
  const notice = h('p', { class: 'notice', role: 'status', tabindex: '-1' });
  const error = h('p', { class: 'error', role: 'alert' });
  const allBtn = h('button', { type: 'button', class: 'btn', disabled: true, onclick: () => markAll() }, 'Mark all read');
  const list = h('ul', { class: 'list inbox-list', 'aria-label': 'Messages' });
  const moreBtn = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => loadPage() }, 'Load more');
  main.append(note, h('div', { class: 'row' }, allBtn), count, notice, error, list, moreBtn);

  const items = new Map();
  let unread = 0;
  let cursor = null;
  let asOf = null;

  function show() {
    count.textContent = items.size
      ? `${unread ? `${unread} unread` : 'All read'}.`
      : 'Nothing here yet. You will hear here when a pain point is assigned to you, when one you reported moves on, and more: choose what reaches you under Account.';
    allBtn.disabled = !unread || Boolean(asOf) || !api.online();
    moreBtn.hidden = !cursor;
    emit('inbox', unread);
  }

  function row(item) {
    const unseen = !item.read_at;
    const parts = [
      unseen ? h('span', { class: 'badge pending' }, 'New') : null,
      h('span', { class: 'title' }, item.title),
      h('span', { class: 'meta' }, item.body),
      h('span', { class: 'meta' }, h('time', { datetime: item.created_at }, when(item.created_at))),
    ];
    const href = target(item.link);
    const el = href
      ? h('a', {
        class: 'item', href,
        onclick: (event) => {
          if (event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return; // a new tab
          event.preventDefault();
          open(item, href);
        },
      }, parts)
      : h('div', { class: 'item' }, parts,
        unseen ? h('button', { type: 'button', class: 'btn small', onclick: () => open(item, null) }, 'Mark read') : null);
    return h('li', { class: unseen ? 'unread' : null, 'data-id': item.id }, el);
  }

  async function open(item, href) {
    // Marked read first (if the connection allows), so the bell is right on the next screen.
    if (!item.read_at && !asOf) {
      const res = await send('/api/notifications/read', 'POST', { ids: [item.id] });
      if (!res.error) {
        item.read_at = new Date().toISOString();
        unread = res.data.unread;
        const old = list.querySelector(`li[data-id="${item.id}"]`);
        if (old) old.replaceWith(row(item));
        show();
      }
    }
    if (href) ctx.go(href);
  }

  async function markAll() {
    error.textContent = '';
    allBtn.disabled = true;
    const res = await send('/api/notifications/read', 'POST', { all: true });
    if (res.error) {
      error.textContent = res.error;
      show();
      return;
    }
    const now = new Date().toISOString();
    for (const item of items.values()) item.read_at = item.read_at || now;
    list.replaceChildren(...[...items.values()].map(row));
    unread = res.data.unread;
    show();
    notice.textContent = 'All messages are marked read.';
    notice.focus();
  }

  async function loadPage() {
    error.textContent = '';
    moreBtn.disabled = true;
    const res = await load(`/api/notifications${api.query({ cursor, limit: PAGE })}`);
    moreBtn.disabled = false;
    if (res.error) {
      error.textContent = res.error;
      return;
    }
    asOf = res.asOf || asOf;
    note.replaceChildren(...[asOfNote(asOf)].filter(Boolean));
    for (const item of res.data.items) {
      if (items.has(item.id)) continue;
      items.set(item.id, item);
      list.append(row(item));
    }
    unread = res.data.unread;
    cursor = res.data.next_cursor;
    show();
  }

  await loadPage();
  // Back online after reading the saved copy: the fresh one.
  const refresh = () => {
    if (!asOf) return;
    asOf = null;
    cursor = null;
    items.clear();
    list.replaceChildren();
    loadPage();
  };
  window.addEventListener('online', refresh);
  return () => window.removeEventListener('online', refresh);
}
