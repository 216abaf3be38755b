// App-wide events: 'visits' (a visit record changed; detail = id or null), 'sync' (sync status changed),
// 'session' (signed in / out / needs sign-in again).
export const bus = new EventTarget();
export const emit = (type, detail = null) => bus.dispatchEvent(new CustomEvent(type, { detail }));
export const on = (type, fn) => {
  const handler = (event) => fn(event.detail);
  bus.addEventListener(type, handler);
  return () => bus.removeEventListener(type, handler);
};
