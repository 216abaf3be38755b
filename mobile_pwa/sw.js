// The app shell and a fallback copy of API reads; no business logic. VERSION: see README.md.
// A module worker: it shares the page's list of screens and its outbox code (registered with type 'module').
import { FIRST_LOAD, LATER } from './js/screens.js';
import { backgroundSync, OUTBOX } from './js/flush.js';

const VERSION = 'cfa8bc15cf';
const PREFIX = 'undercover-';
const SHELL_CACHE = `${PREFIX}shell-${VERSION}`;
const API_CACHE = `${PREFIX}api-v1`;
const OWN_CACHES = [SHELL_CACHE, API_CACHE];
const ROOT = new URL('./', self.location).pathname;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // Only the first load (js/screens.js). Through the HTTP cache the page filled: a 304 per file, not a second download.
    await cache.addAll(FIRST_LOAD);
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && !OWN_CACHES.includes(name))
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  // The page decides when a waiting version takes over (never while someone types).
  if (type === 'skip-waiting') self.skipWaiting();
  // The first load has settled: fetch the other screens, so that they open offline later.
  if (type === 'cache-later') event.waitUntil(cacheLater());
});

// Background Sync: the worker replays the outbox itself, under the same lock and rules as the page.
self.addEventListener('sync', (event) => {
  if (event.tag === OUTBOX) event.waitUntil(backgroundSync());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (url.pathname.startsWith('/api/')) {
    if (!url.pathname.endsWith('.csv')) event.respondWith(networkFirst(request));
  } else if (request.mode === 'navigate') {
    if (url.pathname === ROOT || url.pathname === `${ROOT}index.html`) event.respondWith(shell(request));
  } else {
    event.respondWith(cacheFirst(request));
  }
});

/** Each file on its own: one that fails (offline, a deploy under way) is tried again at the next start. */
async function cacheLater() {
  const cache = await caches.open(SHELL_CACHE);
  for (const name of LATER) {
    if (!(await cache.match(name))) await cache.add(name).catch(() => {});
  }
}

async function shell(request) {
  const cached = await caches.match('./', { cacheName: SHELL_CACHE });
  return cached || fetch(request);
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  // A screen opened before the background caching reached it is kept at once.
  const name = new URL(request.url).pathname.slice(ROOT.length);
  if (response.ok && LATER.includes(name)) await cache.put(name, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.status === 200) { // not a part of a file (206): the cache refuses those
      // The copy says when it was saved: the page shows "as of" that time.
      const headers = new Headers(response.headers);
      headers.set('X-Cached-At', new Date().toISOString());
      const body = await response.clone().arrayBuffer();
      await cache.put(request, new Response(body, { status: response.status, statusText: response.statusText, headers }));
    }
    return response;
  } catch (err) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw err;
  }
}
