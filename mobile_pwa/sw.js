// The app shell and a fallback copy of API reads; no business logic. VERSION: see README.md.
const VERSION = '58e9c874e5';
const PREFIX = 'undercover-';
const SHELL_CACHE = `${PREFIX}shell-${VERSION}`;
const API_CACHE = `${PREFIX}api-v1`;
const OWN_CACHES = [SHELL_CACHE, API_CACHE];
const ROOT = new URL('./', self.location).pathname;

const SHELL = [
  './',
  'app.js',
  'manifest.webmanifest',
  'css/app.css',
  'icons/icon.svg',
  'icons/icon-192.png',
  'icons/icon-512.png',
  'js/api.js',
  'js/bus.js',
  'js/db.js',
  'js/outbox.js',
  'js/sync.js',
  'js/ui.js',
  'js/views/home.js',
  'js/views/feed.js',
  'js/views/feed-detail.js',
  'js/views/themes.js',
  'js/views/dashboard.js',
  'js/views/pulse.js',
  'js/views/settings.js',
  'js/charts.js',
  'js/lists.js',
  'js/views/signin.js',
  'js/views/visit.js',
  'js/views/visit-parts.js',
  'js/views/resolve.js',
  'js/views/visits.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // Through the HTTP cache the page filled: a 304 per file, not a second download.
    await cache.addAll(SHELL);
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

// The page decides when a waiting version takes over (never while someone types).
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

// Background Sync: wake an open page to flush its outbox.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'undercover-outbox') return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window' });
    for (const client of windows) client.postMessage({ type: 'sync-outbox' });
  })());
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

async function shell(request) {
  const cached = await caches.match('./', { cacheName: SHELL_CACHE });
  return cached || fetch(request);
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE, ignoreSearch: true });
  return cached || fetch(request);
}

async function networkFirst(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
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
