// Start-up, routing, header (sync state, navigation), install and update prompts.
// Adding a screen: see "The web app" in README.md.
import * as api from './js/api.js';
import { clearAll, get, put } from './js/db.js';
import { on } from './js/bus.js';
import { h, clear, confirmDialog } from './js/ui.js';
import { counts } from './js/outbox.js';
import { startSync, syncNow, describe, getStatus, refreshLists, markSignedIn } from './js/sync.js';
import { SCREENS, screenFor } from './js/screens.js';
import { withOutboxLock } from './js/flush.js';

const main = document.getElementById('main');
const header = document.getElementById('top');
const banners = document.getElementById('banners');

// Work that must reach IndexedDB before the page goes away (e.g. the visit being typed).
const beforeLeave = new Set();
const saveEverything = () => Promise.all([...beforeLeave].map((fn) => fn()));

let cleanup = null;
let currentView = null;
let currentScreen = null;
let routeToken = 0;
let firstRender = true;
let syncStarted = false;

const ctx = {
  go: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  onLeave: (fn) => {
    beforeLeave.add(fn);
    return () => beforeLeave.delete(fn);
  },
  signedIn: async () => {
    header.hidden = false;
    renderNav();
    markSignedIn();
    hideBanner('auth');
    if (!syncStarted) {
      syncStarted = true;
      startSync();
    } else {
      syncNow();
    }
    refreshLists();
    askPersistentStorage();
    ctx.go(ctx.afterSignIn || '#/');
    ctx.afterSignIn = null;
  },
  signOut,
};

// Each screen's module, once loaded; a screen outside the first load is fetched when first opened.
const loaded = new Map();
let failedImports = 0;

async function loadScreen(screen) {
  if (loaded.has(screen.name)) return loaded.get(screen.name);
  // A failed import stays failed for this URL: the next try asks again with a query the worker ignores.
  const url = `./${screen.files[0]}${failedImports ? `?try=${failedImports}` : ''}`;
  try {
    const [view] = await Promise.all([import(url), ...screen.files.filter((f) => f.endsWith('.css')).map(linkStyles)]);
    loaded.set(screen.name, view);
    return view;
  } catch (err) {
    failedImports += 1;
    console.warn(`screen ${screen.name} not loaded`, err);
    return null;
  }
}

/** A screen's own stylesheet, linked once; resolves when it applies (or failed: the screen still works). */
function linkStyles(href) {
  if (document.querySelector(`link[href="${href}"]`)) return null;
  return new Promise((done) => document.head.append(h('link', { rel: 'stylesheet', href, onload: done, onerror: done })));
}

function needsConnection(main) {
  main.append(
    h('h1', {}, 'This screen needs a connection the first time'),
    h('p', {}, 'It has not been saved on this device yet. Open it again once you are online; after that it works offline too.'),
    h('p', {}, h('a', { href: '#/' }, 'Home')),
  );
}

async function route() {
  const token = ++routeToken;
  const session = api.currentSession();
  let hash = location.hash || '#/';
  if ((!session || !session.user) && !screenFor(hash).screen.open) hash = '#/signin';
  // A link opened signed out (an e-mail's): it opens once signed in.
  if (hash === '#/signin' && location.hash.length > 2 && location.hash !== hash) ctx.afterSignIn = location.hash;
  const { screen, params } = screenFor(hash);
  let view = loaded.get(screen.name);
  if (view && view === currentView && cleanup && typeof view.update === 'function' && view.update(params) === true) {
    currentScreen = screen;
    renderNav();
    return;
  }
  if (cleanup) {
    try { await cleanup(); } catch (err) { console.warn(err); }
    cleanup = null;
  }
  if (token !== routeToken) return;
  clear(main);
  currentScreen = screen;
  renderNav();
  if (screen.name === 'signin') hideBanner('auth');
  else if (getStatus().authNeeded) showAuthBanner();
  if (!view) {
    main.setAttribute('aria-busy', 'true');
    // Said only when the module takes a moment (from the network): no flash when the worker has it.
    const slow = setTimeout(() => {
      if (token === routeToken) main.append(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    }, 150);
    view = await loadScreen(screen);
    clearTimeout(slow);
    main.removeAttribute('aria-busy');
    if (token !== routeToken) return;
    clear(main);
  }
  currentView = view;
  main.classList.toggle('wide', Boolean(view && view.wide));
  const result = view ? await view.render(main, params, ctx) : needsConnection(main);
  if (token !== routeToken) {
    if (typeof result === 'function') result();
    return;
  }
  cleanup = typeof result === 'function' ? result : null;
  offerInstall();
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} – Undercover` : 'Undercover';
  if (!firstRender && heading && !main.contains(document.activeElement)) {
    heading.tabIndex = -1;
    heading.focus();
  }
  if (firstRender) {
    cacheLaterScreens();
    import('./js/views/bell.js').catch(() => {});
  }
  firstRender = false;
}

// A phone's bottom bar holds five targets: with more, the first four and a More menu for the rest.
const BAR = 5;

function renderNav() {
  const user = api.currentUser();
  const nav = document.getElementById('nav');
  const bar = clear(document.getElementById('nav-list'));
  const more = clear(document.getElementById('nav-more'));
  nav.classList.remove('open');
  if (!user) return;
  const here = (location.hash || '#/').split('?')[0];
  const items = SCREENS.filter((s) => s.nav && s.roles.includes(user.role))
    .map((s) => h('li', {}, h('a', { href: s.hash, 'aria-current': s.hash === here ? 'page' : null }, s.nav)));
  items.push(h('li', {}, h('button', { type: 'button', onclick: () => signOut() }, 'Sign out')));
  const spare = items.length > BAR ? items.splice(BAR - 1) : [];
  bar.append(...items);
  if (!spare.length) return;
  more.append(...spare);
  const toggle = h('button', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': more.id,
    onclick: () => toggle.setAttribute('aria-expanded', String(nav.classList.toggle('open'))),
  }, 'More');
  bar.append(h('li', { class: 'more' }, toggle));
}

function renderSync(status) {
  const { main: text, aside } = describe(status);
  const textEl = document.getElementById('sync-text');
  if (textEl.textContent !== text) textEl.textContent = text;
  document.getElementById('sync-sub').textContent = aside ? `· ${aside}` : '';
  header.dataset.state = status.attention ? 'attention' : status.offline ? 'offline' : 'ok';
  document.getElementById('sync-now').disabled = status.syncing;
  if (status.authNeeded) showAuthBanner();
  if (!status.offline) hideBanner('offline');
}

async function signOut() {
  if (navigator.onLine !== false) await Promise.race([syncNow(), new Promise((r) => setTimeout(r, 5000))]);
  const { unsynced, pulse, files } = await counts();
  const lost = unsynced || pulse || files;
  const message = lost
    ? `${unsynced ? `${unsynced} ${unsynced === 1 ? 'visit on this phone is' : 'visits on this phone are'} not synced yet. ` : ''}` +
      `${pulse ? 'Your pulse answers are not sent yet. ' : ''}${files ? `${files} photos or voice notes are not uploaded yet. ` : ''}` +
      'Signing out deletes them from this phone for good.'
    : 'Sign out? Your visits are safe on the server; this phone forgets them.';
  const ok = await confirmDialog(message, {
    confirm: lost ? 'Delete and sign out' : 'Sign out', cancel: 'Stay signed in', danger: lost,
  });
  if (!ok) return;
  await saveEverything();
  if (api.tokenValid()) api.signOutOnServer().catch(() => {});
  await withOutboxLock(clearAll);
  if ('caches' in window) {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('undercover-api-')).map((n) => caches.delete(n)));
  }
  api.forgetSession();
  header.hidden = true;
  for (const el of [...banners.children]) el.remove();
  ctx.go('#/signin');
}

// ---- banners: update, install, iOS, sign in again ----

function showBanner(key, children, { bad = false } = {}) {
  hideBanner(key);
  const el = h('div', { class: `banner${bad ? ' bad' : ''}`, 'data-key': key }, children);
  banners.append(el);
  return el;
}

function hideBanner(key) {
  const el = banners.querySelector(`[data-key="${key}"]`);
  if (el) el.remove();
}

function showAuthBanner() {
  if (banners.querySelector('[data-key="auth"]') || currentScreen?.name === 'signin') return;
  showBanner('auth', [
    h('p', {}, 'Your sign-in has expired. Your visits are safe on this phone; sign in again to sync them.'),
    h('button', {
      type: 'button', class: 'btn small primary',
      onclick: () => { ctx.afterSignIn = location.hash === '#/signin' ? '#/' : location.hash; ctx.go('#/signin'); },
    }, 'Sign in again'),
  ], { bad: true });
}

let updateRequested = false;

function offerUpdate(worker) {
  // A banner, never a reload: whatever is being typed stays put until the user taps Update.
  showBanner('update', [
    h('p', {}, 'A new version of Undercover is ready.'),
    h('button', {
      type: 'button', class: 'btn small primary',
      onclick: async () => {
        updateRequested = true;
        await saveEverything();
        worker.postMessage({ type: 'skip-waiting' });
      },
    }, 'Update'),
  ]);
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updateRequested) location.reload();
  });
  navigator.serviceWorker.register('sw.js', { type: 'module' }).then((reg) => {
    const watch = (worker) => {
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker);
      });
    };
    if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
    watch(reg.installing);
    reg.addEventListener('updatefound', () => watch(reg.installing));
    const check = () => reg.update().catch(() => {});
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
    window.addEventListener('online', check);
    setInterval(check, 30 * 60000);
  }).catch((err) => console.warn('service worker not registered', err));
}

// Phones only, never on the sign-in screen; "Not now" is remembered.
let installEvent = null;

function offerInstall() {
  const phone = navigator.maxTouchPoints > 0 && matchMedia('(max-width: 48rem)').matches;
  if (!installEvent || !phone || currentScreen?.name === 'signin' || localStorage.getItem('install-declined')) {
    hideBanner('install');
  } else if (!banners.querySelector('[data-key="install"]')) {
    showBanner('install', [
      h('p', {}, 'Install Undercover on this phone: it opens faster and works without a connection.'),
      h('div', { class: 'row' },
        h('button', {
          type: 'button', class: 'btn small primary',
          onclick: () => { hideBanner('install'); installEvent.prompt(); installEvent = null; },
        }, 'Install app'),
        h('button', {
          type: 'button', class: 'btn small', onclick: () => { localStorage.setItem('install-declined', '1'); offerInstall(); },
        }, 'Not now')),
    ]).classList.add('float');
  }
}

function setUpInstall() {
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    installEvent = event;
    offerInstall();
  });
  window.addEventListener('appinstalled', () => { installEvent = null; hideBanner('install'); });
  const iOS = /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  if (iOS && !navigator.standalone) {
    get('kv', 'ios-note-dismissed').then((dismissed) => {
      if (dismissed) return;
      showBanner('ios', [
        h('p', {}, 'On iPhone and iPad, tap Share, then “Add to Home Screen”. Your visits are kept most safely there.'),
        h('button', {
          type: 'button', class: 'btn small',
          onclick: () => { hideBanner('ios'); put('kv', true, 'ios-note-dismissed'); },
        }, 'Got it'),
      ]);
    });
  }
}

/** Once the first screen is up, the worker fetches the other screens in the background (js/screens.js). */
function cacheLaterScreens() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({ type: 'cache-later' })).catch(() => {});
}

function askPersistentStorage() {
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then((yes) => yes || navigator.storage.persist()).catch(() => {});
  }
}

async function start() {
  registerServiceWorker();
  setUpInstall();
  on('sync', renderSync);
  // The More menu closes with Escape (back to its button) or a tap elsewhere.
  const nav = document.getElementById('nav');
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('open')) {
      renderNav();
      nav.querySelector('.more button').focus();
    }
  });
  document.addEventListener('click', (event) => { if (nav.classList.contains('open') && !nav.contains(event.target)) renderNav(); });
  on('session', (what) => { if (what === 'expired') showAuthBanner(); });
  document.getElementById('sync-now').addEventListener('click', async () => {
    refreshLists();
    await syncNow();
    if (getStatus().offline) showBanner('offline', h('p', {}, 'You are offline: your visits are kept here and sync when the connection is back.'));
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('pagehide', saveEverything);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') saveEverything(); });
  renderSync(getStatus());

  const session = await api.loadSession();
  if (session && session.user) {
    header.hidden = false;
    syncStarted = true;
    startSync();
    refreshLists();
    if (!api.tokenValid()) showAuthBanner();
  }
  await route();
}

start();
