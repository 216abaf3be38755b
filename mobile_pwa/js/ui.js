// Small DOM helpers. Everything is built with createElement/textContent: data never becomes markup.

const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'required', 'multiple', 'readOnly']);
let uid = 0;
export const nextId = (prefix = 'f') => `${prefix}-${++uid}`;

/** h('button', { class: 'btn', onclick: fn }, 'Text', childNode, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'for') el.htmlFor = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/**
 * A labelled control: returns { wrap, control, hint }. The label is always visible.
 * make(id) builds the control; hintText (optional) is linked with aria-describedby.
 */
export function field(label, make, hintText) {
  const id = nextId();
  const control = make(id);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const hint = h('p', { class: 'hint', id: `${id}-hint` }, hintText || '');
  hint.hidden = !hintText;
  control.setAttribute('aria-describedby', hint.id);
  wrap.append(hint);
  return { wrap, control, hint };
}

export function select(id, options, value) {
  const el = h('select', { id });
  for (const [val, text] of options) {
    el.append(h('option', { value: val, selected: String(val) === String(value ?? '') }, text));
  }
  return el;
}

/** A modal question. Resolves true when the user confirms. */
export function confirmDialog(message, { confirm = 'OK', cancel = 'Cancel', danger = false } = {}) {
  return new Promise((resolve) => {
    const titleId = nextId('dlg');
    const dialog = h('dialog', { 'aria-labelledby': titleId });
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h('p', { id: titleId }, message),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: `btn ${danger ? 'danger' : 'primary'}`, onclick: () => finish(true) }, confirm),
        h('button', { type: 'button', class: 'btn', onclick: () => finish(false) }, cancel)),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

const pad = (n) => String(n).padStart(2, '0');

export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** ISO instant -> value for <input type="datetime-local"> in the phone's zone. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** datetime-local value (phone's zone) -> ISO instant with zone, or null. */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
