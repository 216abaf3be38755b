// Sign in once; afterwards the app opens without a network for as long as the token is valid.
import { h, field, confirmDialog } from '../ui.js';
import * as api from '../api.js';
import { clearAll } from '../db.js';
import { counts } from '../outbox.js';
import { withOutboxLock } from '../flush.js';

export function render(main, _params, ctx) {
  const previous = api.currentSession();
  const email = field('Email', (id) => h('input', {
    id, type: 'email', name: 'username', autocomplete: 'username', required: true, value: previous?.email || '',
  }));
  const password = field('Password', (id) => h('input', {
    id, type: 'password', name: 'password', autocomplete: 'current-password', required: true,
  }));
  const message = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'btn primary big' }, 'Sign in');
  const form = h('form', { novalidate: false }, email.wrap, password.wrap, message, button);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    button.disabled = true;
    try {
      await signIn(email.control.value.trim(), password.control.value);
    } finally {
      button.disabled = false;
    }
  });

  async function signIn(address, secret) {
    let res;
    try {
      res = await api.signIn(address, secret);
    } catch (err) {
      if (!(err instanceof api.NetworkError)) throw err;
      message.textContent = 'No connection. Signing in needs the network once; after that the app works offline.';
      return;
    }
    if (res.status === 401) {
      message.textContent = 'Wrong email or password.';
      return;
    }
    if (res.status === 429) {
      const seconds = Number(res.headers.get('Retry-After')) || 60;
      message.textContent = `Too many attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`;
      return;
    }
    if (!res.ok || !res.data || !res.data.access_token) {
      message.textContent = `Could not sign in: ${api.describeError(res)}`;
      return;
    }
    await useToken(res.data, ctx);
  }

  const intro = previous && previous.user
    ? 'Your sign-in has expired. Your visits are safe on this phone; sign in again to sync them.'
    : 'Sign in once. After that, Undercover works on this phone even without a connection.';
  main.append(h('h1', {}, 'Sign in'), h('p', {}, intro), form, h('p', {}, h('a', { href: '#/forgot-password' }, 'Forgot password?')));
}

// Signing in, and the pages of the e-mailed links: the token becomes this phone's session.
export async function useToken(data, ctx) {
  const previous = api.currentSession();
  const { user } = data;
  if (previous && previous.user && previous.user.id !== user.id) {
    // This phone holds another account's visits: never mix them, never drop them unasked.
    const { unsynced } = await counts();
    if (unsynced) {
      const ok = await confirmDialog(
        `This phone still holds ${unsynced} unsynced visit(s) of ${previous.email || 'another account'}. ` +
        'Signing in as someone else deletes them from this phone.',
        { confirm: 'Delete them and continue', cancel: 'Cancel', danger: true },
      );
      if (!ok) return false;
    }
    await withOutboxLock(clearAll);
  }
  await api.saveSession({ token: data.access_token, expires_at: data.expires_at, user, email: user.email });
  await ctx.signedIn();
  return true;
}
