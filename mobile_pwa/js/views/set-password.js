// The pages the e-mailed links open, signed in or not (js/screens.js marks them `open`): accept an
// invitation, choose a new password after a reset; and the form that asks for a reset link.
import { h, field } from '../ui.js';
import * as api from '../api.js';
import { fieldErrors } from '../lists.js';
import { useToken } from './signin.js';

const RULE = 'At least 10 characters and hard to guess: a few unrelated words make a good password.';

const PAGES = {
  'accept-invitation': {
    title: 'Welcome to Undercover',
    intro: 'Choose a password to finish setting up your account. You will be signed in straight away.',
    path: '/api/invitations/accept',
    button: 'Set password and sign in',
    bad: 'This invitation link does not work any more: it was used already, has expired (links last 7 days) or was withdrawn. Ask the person who invited you to send a new one.',
  },
  'reset-password': {
    title: 'Choose a new password',
    intro: 'Choose a new password. Every other device signed in as you is signed out.',
    path: '/api/auth/password-reset/confirm',
    button: 'Set new password',
    bad: 'This password-reset link does not work any more: it was used already or has expired (links last one hour). Ask for a new one.',
  },
};

export function render(main, [page, query], ctx) {
  if (page === 'forgot-password') {
    forgot(main);
    return;
  }
  const p = PAGES[page];
  const token = new URLSearchParams(query || '').get('token');
  main.append(h('h1', {}, p.title));
  if (!token) {
    main.append(badLink(p));
    return;
  }
  const password = field('New password', (id) => h('input', {
    id, type: 'password', autocomplete: 'new-password', required: true, maxlength: 256,
  }), RULE);
  const again = field('Repeat the new password', (id) => h('input', {
    id, type: 'password', autocomplete: 'new-password', required: true, maxlength: 256,
  }));
  const fields = { password, again };
  const message = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'btn primary big' }, p.button);
  const form = h('form', {}, password.wrap, again.wrap, message, button);
  main.append(h('p', {}, p.intro), form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = fieldErrors(fields);
    if (password.control.value !== again.control.value) {
      fieldErrors(fields, { detail: [{ loc: ['again'], msg: 'The two passwords are not the same' }] });
      return;
    }
    button.disabled = true;
    try {
      await submit();
    } finally {
      button.disabled = false;
    }
  });

  async function submit() {
    let res;
    try {
      res = await api.request(p.path, { method: 'POST', json: { token, password: password.control.value }, auth: false });
    } catch (err) {
      if (!(err instanceof api.NetworkError)) throw err;
      message.textContent = 'No connection: your password was not set. Try again once you are online.';
      return;
    }
    const detail = res.data && Array.isArray(res.data.detail) ? res.data.detail : [];
    if (res.status === 422 && detail.some((e) => e.loc && e.loc[0] === 'token')) {
      form.replaceWith(badLink(p));
      return;
    }
    if (res.status === 409) {
      form.replaceWith(h('div', { role: 'alert' },
        h('p', {}, 'An account with this e-mail address exists already: sign in with its password, or reset it.'),
        h('p', {}, h('a', { href: '#/signin' }, 'Sign in'))));
      return;
    }
    if (!res.ok || !res.data || !res.data.access_token) {
      message.textContent = fieldErrors(fields, { detail, error: api.describeError(res) });
      return;
    }
    form.reset();
    if (!(await useToken(res.data, ctx))) {
      form.replaceWith(h('p', { role: 'status' }, 'Your password is set. Sign in with it once this phone is ready.'));
    }
  }
}

function badLink(p) {
  const again = p === PAGES['reset-password']
    ? h('a', { href: '#/forgot-password' }, 'Ask for a new password-reset link')
    : h('a', { href: '#/signin' }, 'Sign in');
  return h('div', { role: 'alert' }, h('h2', {}, 'This link does not work any more'), h('p', {}, p.bad), h('p', {}, again));
}

function forgot(main) {
  const email = field('Email', (id) => h('input', {
    id, type: 'email', autocomplete: 'username', required: true, value: api.currentSession()?.email || '',
  }));
  const message = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'btn primary big' }, 'Send me a link');
  const form = h('form', {}, email.wrap, message, button);
  main.append(
    h('h1', {}, 'Forgot your password?'),
    h('p', {}, 'Give the e-mail address you sign in with. We send it a link to choose a new password.'),
    form,
    h('p', {}, h('a', { href: '#/signin' }, 'Back to sign in')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = fieldErrors({ email });
    button.disabled = true;
    let res;
    try {
      res = await api.request('/api/auth/password-reset', { method: 'POST', json: { email: email.control.value.trim() }, auth: false });
    } catch (err) {
      if (!(err instanceof api.NetworkError)) throw err;
      message.textContent = 'No connection: nothing was sent. Try again once you are online.';
      return;
    } finally {
      button.disabled = false;
    }
    if (res.status === 202) {
      // The same words whether or not the address is an account's: the answer never tells.
      form.replaceWith(h('div', { role: 'status' },
        h('p', {}, `If ${email.control.value.trim()} is the address of an account, it will get an e-mail with a link to choose a new password.`),
        h('p', {}, 'The link works once, for one hour. Nothing arrived? Check the spam folder, or ask your administrator.')));
      return;
    }
    if (res.status === 429) {
      message.textContent = 'Too many requests for now: wait an hour, then try again.';
      return;
    }
    message.textContent = fieldErrors({ email }, { detail: res.data && res.data.detail, error: api.describeError(res) });
  });
}
