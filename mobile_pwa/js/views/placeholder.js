// Manager screens arrive later; their routes and navigation entries are already in place.
import { h } from '../ui.js';

const TEXT = {
  feed: ['Feed', 'The pain-point feed for managers is coming soon.'],
  themes: ['Themes', 'Themes ranked by impact are coming soon.'],
  dashboard: ['Dashboard', 'The dashboard is coming soon.'],
};

export function render(main, [name]) {
  const [title, body] = TEXT[name] || ['Coming soon', ''];
  main.append(h('h1', {}, title), h('p', {}, body), h('p', {}, h('a', { href: '#/' }, 'Log a visit instead')));
}
