// App-wide events: 'visits' (detail: id or null), 'pulse', 'queued', 'sync' (status), 'session', 'offline', 'lists', 'inbox' (unread count), 'media' (visit id).
export const bus = new EventTarget();
export const emit = (type, detail = null) => bus.dispatchEvent(new CustomEvent(type, { detail }));
export const on = (type, fn) => {
  const handler = (event) => fn(event.detail);
  bus.addEventListener(type, handler);
  return () => bus.removeEventListener(type, handler);
};
