// Each person's own account: change the password (every other session is signed out, api/auth), and which
// messages reach them on which channel (/api/me/notification-settings). Both need a connection.
import * as api from '../api.js';
import { h, field, nextId } from '../ui.js';
import { send } from '../lists.js';
import { asOfNote, load } from '../reads.js';

// The kinds each role can receive (api/messages/dispatch.py and digest.py), in the order shown.
const KINDS = {
  assigned: ['A pain point was assigned to you', 'all'],
  due_tomorrow: ['A pain point assigned to you is due tomorrow', 'all'],
  overdue: ['A pain point assigned to you is overdue', 'all'],
  severity5: ['A severity-5 pain point was logged for your department', 'managers'],
  status_changed: ['A pain point you reported changed status', 'all'],
  resolved: ['A pain point you reported was resolved (“you said, we did”)', 'all'],
  commented: ['Someone commented on a pain point you reported', 'all'],
  digest: ['The weekly digest (Monday morning)', 'managers'],
  field_reminder: ['Reminder: not out in the field yet this month', 'executives'],
  pulse_reminder: ['Reminder: this month’s pulse is not answered yet', 'executives'],
};
const CHANNELS = { inbox: 'Inbox', email: 'E-mail' };

export async function render(main) {
  const user = api.currentUser();
  main.append(h('h1', {}, 'Account'),
    h('p', {}, `Signed in as ${user.display_name || user.email}${user.display_name && user.email ? ` (${user.email})` : ''}.`));
  const forms = []; // [form, shows a saved copy]: each disabled while offline
  const offlineNote = h('p', { class: 'hint' }, 'You are offline: changes here need a connection.');
  const settings = h('section', { 'aria-labelledby': 'choices-h' },
    h('h2', { id: 'choices-h' }, 'Notifications'), h('p', { role: 'status' }, 'Loading…'));
  main.append(offlineNote, passwordForm(), settings);
  const online = () => {
    offlineNote.hidden = api.online();
    for (const [form, stale] of forms) form.querySelector('fieldset').disabled = !api.online() || stale;
  };

  function passwordForm() {
    const current = field('Current password', (id) => h('input', { id, type: 'password', autocomplete: 'current-password', required: true }));
    const next = field('New password', (id) => h('input', { id, type: 'password', autocomplete: 'new-password', required: true }),
      '10 characters or more and hard to guess: a few unrelated words make a good password.');
    const again = field('New password again', (id) => h('input', { id, type: 'password', autocomplete: 'new-password', required: true }));
    const hints = new Map([[next, next.hint.textContent]]);
    const error = h('p', { class: 'error', role: 'alert' });
    const notice = h('p', { class: 'notice', role: 'status', tabindex: '-1' });
    const form = h('form', { 'aria-labelledby': 'password-h' }, h('fieldset', { class: 'card' },
      h('legend', { id: 'password-h' }, 'Change password'),
      // For password managers: which account the new password belongs to.
      h('input', { type: 'email', autocomplete: 'username', value: user.email || '', hidden: true, readOnly: true, tabindex: '-1' }),
      current.wrap, next.wrap, again.wrap, error,
      h('button', { type: 'submit', class: 'btn primary' }, 'Change password')), notice);
    const mark = (f, message) => {
      f.control.setAttribute('aria-invalid', 'true');
      f.hint.textContent = message;
      f.hint.classList.add('bad');
      f.hint.hidden = false;
    };
    const unmark = () => {
      for (const f of [current, next, again]) {
        f.control.removeAttribute('aria-invalid');
        f.hint.textContent = hints.get(f) || '';
        f.hint.classList.remove('bad');
        f.hint.hidden = !f.hint.textContent;
      }
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      unmark();
      error.textContent = '';
      notice.textContent = '';
      if (next.control.value !== again.control.value) {
        mark(again, 'The two new passwords differ: type the same one twice.');
        again.control.focus();
        return;
      }
      const res = await send('/api/me/password', 'POST', { current_password: current.control.value, new_password: next.control.value });
      if (res.error) {
        const byField = { current_password: current, new_password: next };
        const wrong = (Array.isArray(res.detail) ? res.detail : []).filter((d) => byField[d.loc && d.loc[d.loc.length - 1]]);
        for (const d of wrong) mark(byField[d.loc[d.loc.length - 1]], d.msg);
        if (wrong.length) byField[wrong[0].loc[wrong[0].loc.length - 1]].control.focus();
        else error.textContent = res.error;
        return;
      }
      for (const f of [current, next, again]) f.control.value = '';
      notice.textContent = 'Password changed. You stay signed in here; every other device was signed out.';
      notice.focus();
    });
    forms.push([form, false]);
    return form;
  }

  const res = await load('/api/me/notification-settings');
  if (res.error) {
    settings.replaceChildren(settings.firstChild, h('p', { class: 'error', role: 'alert' }, res.error));
  } else {
    settings.replaceChildren(settings.firstChild, ...[asOfNote(res.asOf)].filter(Boolean), choicesForm(res.data, Boolean(res.asOf)));
  }
  online();
  window.addEventListener('online', online);
  window.addEventListener('offline', online);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', online);
  };

  function choicesForm(current, stale) {
    const group = user.role === 'executive' ? 'executives' : 'managers';
    const boxes = [];
    const rows = Object.entries(KINDS).filter(([, [, who]]) => who === 'all' || who === group).map(([kind, [label]]) => {
      const legendId = nextId('kind');
      return h('fieldset', { class: 'choice', 'aria-labelledby': legendId },
        h('legend', { id: legendId }, label),
        Object.entries(CHANNELS).map(([channel, name]) => {
          const id = nextId('ch');
          const box = h('input', { id, type: 'checkbox', checked: current[kind] ? current[kind][channel] !== false : true });
          boxes.push([kind, channel, box]);
          return h('div', { class: 'check' }, box, h('label', { for: id }, name));
        }));
    });
    const error = h('p', { class: 'error', role: 'alert' });
    const notice = h('p', { class: 'notice', role: 'status', tabindex: '-1' });
    const form = h('form', { 'aria-labelledby': 'choices-h' },
      h('p', {}, 'Choose what reaches you, and where: in the inbox of this app, by e-mail, or both.'),
      h('fieldset', { class: 'plain' }, rows, error, h('button', { type: 'submit', class: 'btn primary' }, 'Save choices')), notice);
    form.addEventListener('change', () => { notice.textContent = ''; });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const body = {};
      for (const [kind, channel, box] of boxes) (body[kind] = body[kind] || {})[channel] = box.checked;
      const saved = await send('/api/me/notification-settings', 'PUT', body);
      if (saved.error) {
        error.textContent = saved.error;
        return;
      }
      notice.textContent = 'Saved: your notification choices apply from now on.';
      notice.focus();
    });
    forms.push([form, stale]);
    return form;
  }
}
