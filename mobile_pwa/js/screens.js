// The one list of screens. The router and the navigation (app.js), the service worker's precache (sw.js)
// and the page's module preloads (index.html, checked by tests/e2e/test_pwa_shell.py) are all made from it.
//
// The first load is what a new phone downloads before it can log a visit offline: CORE plus the files of
// every screen marked `first`. The other screens load when first opened; the service worker fetches them
// in the background once the first load has settled, so that they open offline later.
// Read by the service worker too: plain data, no window or document.

/** Files every start needs, whatever the screen. */
export const CORE = [
  './', 'app.js', 'manifest.webmanifest', 'css/app.css', 'icons/icon.svg',
  'js/screens.js', 'js/api.js', 'js/bus.js', 'js/db.js', 'js/ui.js', 'js/outbox.js', 'js/flush.js', 'js/sync.js',
];

const EVERYONE = ['executive', 'manager', 'admin'];
const MANAGERS = ['manager', 'admin'];

// One screen a line: `files` starts with the screen's module, then what it imports beyond CORE, and the
// stylesheets it needs beyond css/app.css (app.js links them before the screen first draws).
// `nav` is its entry in the navigation, for `roles`; `hash` is where that entry leads. The order is the
// navigation's: on a phone's bottom bar, a role's entries past the fourth go into a More menu (app.js).
// `open`: shown signed out too.
export const SCREENS = [
  { name: 'signin', route: /^#\/signin$/, files: ['js/views/signin.js'], first: true },
  { name: 'home', route: /^#?\/?$/, files: ['js/views/home.js'], first: true, nav: 'Home', hash: '#/', roles: EVERYONE },
  { name: 'feed', route: /^#\/(feed)(?:\?(.*))?$/, files: ['js/views/feed.js', 'js/views/feed-detail.js', 'js/lists.js', 'js/reads.js', 'css/managers.css'], nav: 'Feed', hash: '#/feed', roles: MANAGERS },
  { name: 'themes', route: /^#\/themes(?:\?(.*))?$/, files: ['js/views/themes.js', 'js/lists.js', 'js/reads.js', 'js/charts.js', 'css/managers.css'], nav: 'Themes', hash: '#/themes', roles: MANAGERS },
  { name: 'dashboard', route: /^#\/dashboard(?:\?(.*))?$/, files: ['js/views/dashboard.js', 'js/lists.js', 'js/reads.js', 'js/charts.js', 'css/managers.css'], nav: 'Dashboard', hash: '#/dashboard', roles: MANAGERS },
  { name: 'goals', route: /^#\/goals(?:\?(.*))?$/, files: ['js/views/goals.js', 'js/lists.js', 'js/reads.js', 'js/charts.js', 'css/managers.css'], nav: 'Goals', hash: '#/goals', roles: MANAGERS },
  { name: 'kpis', route: /^#\/kpis$/, files: ['js/views/kpis.js', 'js/lists.js', 'js/reads.js', 'css/managers.css'], nav: 'Metrics', hash: '#/kpis', roles: MANAGERS },
  { name: 'visits', route: /^#\/visits$/, files: ['js/views/visits.js', 'js/views/visit-parts.js'], first: true, nav: 'My visits', hash: '#/visits', roles: EVERYONE },
  { name: 'visit', route: /^#\/visit\/([0-9a-f-]{36})$/, files: ['js/views/visit.js', 'js/views/visit-parts.js', 'js/views/visits.js'], first: true },
  { name: 'mine', route: /^#\/(mine)(?:\?(.*))?$/, files: ['js/views/feed.js', 'js/views/feed-detail.js', 'js/lists.js', 'js/reads.js', 'css/managers.css'], nav: 'My pain points', hash: '#/mine', roles: ['executive'] },
  { name: 'pulse', route: /^#\/pulse$/, files: ['js/views/pulse.js', 'js/reads.js'], first: true, nav: 'Pulse', hash: '#/pulse', roles: ['executive'] },
  { name: 'people', route: /^#\/people$/, files: ['js/views/people.js', 'js/lists.js', 'js/reads.js', 'css/managers.css'], nav: 'People', hash: '#/people', roles: ['admin'] },
  { name: 'settings', route: /^#\/settings$/, files: ['js/views/settings.js', 'js/views/settings-org.js', 'js/views/settings-values.js', 'js/lists.js', 'js/reads.js', 'css/managers.css'], nav: 'Settings', hash: '#/settings', roles: ['admin'] },
  { name: 'bright-spots', route: /^#\/bright-spots(?:\?(.*))?$/, files: ['js/views/bright-spots.js', 'js/lists.js', 'js/reads.js', 'css/managers.css'] },
  { name: 'journeys', route: /^#\/journeys(?:\?(.*))?$/, files: ['js/views/journeys.js', 'js/lists.js', 'js/reads.js', 'js/charts.js', 'css/managers.css'] },
  { name: 'inbox', route: /^#\/inbox$/, files: ['js/views/inbox.js', 'js/lists.js', 'js/reads.js', 'css/messages.css'] },
  { name: 'pain-point', route: /^#\/pain-points\/([0-9a-f-]{36})$/, files: ['js/views/pain-point-link.js'] },
  { name: 'account', route: /^#\/account$/, files: ['js/views/account.js', 'js/lists.js', 'js/reads.js', 'css/messages.css'], nav: 'Account', hash: '#/account', roles: EVERYONE },
  { name: 'password', route: /^#\/(accept-invitation|reset-password|forgot-password)(?:\?(.*))?$/, files: ['js/views/set-password.js', 'js/views/signin.js', 'js/lists.js'], open: true },
];

/** Parts imported only when needed: the panel of a visit the server refused or holds otherwise; a visit's
 * bright spots; photos and voice notes; the inbox bell; the home's dashboard (drawn after the home itself). */
export const PARTS = [
  { name: 'resolve', files: ['js/views/resolve.js', 'js/views/visit-parts.js'] },
  { name: 'bright', files: ['js/views/bright.js', 'js/views/visit-parts.js'] },
  { name: 'bell', files: ['js/views/bell.js'] },
  { name: 'media', files: ['js/views/media.js', 'js/media/store.js', 'js/media/photo.js', 'js/media/record.js', 'js/media/upload.js', 'css/media.css'] },
  { name: 'my-dashboard', files: ['js/views/my-dashboard.js', 'js/reads.js', 'js/charts.js', 'js/lists.js', 'css/managers.css', 'css/my-dashboard.css'] },
];

/** The home-screen icons: installing the app needs them, logging a visit does not. */
export const INSTALL = ['icons/icon-192.png', 'icons/icon-512.png'];

const unique = (names) => [...new Set(names)];

/** What the service worker's install precaches. */
export const FIRST_LOAD = unique([...CORE, ...SCREENS.filter((s) => s.first).flatMap((s) => s.files)]);

/** Everything else, cached in the background after the first load. */
export const LATER = unique([...SCREENS, ...PARTS].flatMap((s) => s.files).concat(INSTALL)).filter((name) => !FIRST_LOAD.includes(name));

/** The screen a location hash shows, with the route's captured parameters. */
export function screenFor(hash) {
  for (const screen of SCREENS) {
    const match = hash.match(screen.route);
    if (match) return { screen, params: match.slice(1) };
  }
  return { screen: SCREENS.find((s) => s.name === 'home'), params: [] };
}
