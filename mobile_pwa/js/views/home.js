// Start a visit in two taps: New visit, then its kind. The clock starts at once.
import { h, nextId, duration } from '../ui.js';
import { KINDS, newRecord, saveVisit, listVisits } from '../outbox.js';
import { currentUser } from '../api.js';

const HINTS = {
  shop_floor_shift: 'You work a shift on the floor.',
  listened_call: 'You listen in on a customer call, chat or email.',
  journey_walkthrough: 'You walk a customer journey step by step.',
};

export async function render(main, _params, ctx) {
  const user = currentUser();
  const chooserId = nextId('kinds');
  const chooser = h('div', { id: chooserId, class: 'kinds', hidden: true, role: 'group', 'aria-label': 'Kind of visit' });
  for (const [kind, label] of Object.entries(KINDS)) {
    const hintId = nextId('hint');
    chooser.append(h('div', {},
      h('button', {
        type: 'button', class: 'btn', 'aria-describedby': hintId,
        onclick: async () => {
          const rec = await saveVisit(newRecord(kind), { mode: 'local' });
          ctx.go(`#/visit/${rec.id}`);
        },
      }, label),
      h('p', { class: 'hint', id: hintId }, HINTS[kind])));
  }
  const newButton = h('button', {
    type: 'button', class: 'btn primary big', 'aria-expanded': 'false', 'aria-controls': chooserId,
    onclick: () => {
      const open = chooser.hidden;
      chooser.hidden = !open;
      newButton.setAttribute('aria-expanded', String(open));
      if (open) chooser.querySelector('button').focus();
    },
  }, 'New visit');

  main.append(
    h('h1', {}, user && user.display_name ? `Hello, ${user.display_name}` : 'Log a visit'),
    h('p', {}, 'Start the clock the moment your visit begins; fill in the details as you go.'),
    // Within thumb reach on a phone: the kinds open above the button.
    h('div', { class: 'bottom-actions' }, chooser, newButton),
  );

  const running = (await listVisits()).filter((r) => r.state === 'draft' && !r.visit.ended_at);
  if (running.length) {
    const list = h('ul', { class: 'list' });
    for (const rec of running) {
      const since = Date.now() - Date.parse(rec.visit.started_at);
      list.append(h('li', {}, h('a', { class: 'item', href: `#/visit/${rec.id}` },
        h('span', { class: 'title' }, `Continue: ${KINDS[rec.visit.kind]}`),
        `Running for ${duration(since)} · ${rec.visit.pain_points.length} pain points`)));
    }
    main.append(h('h2', {}, 'In progress'), list);
  }
  // Their own dashboard: loaded after the home, not in the first load.
  const dash = main.appendChild(h('div'));
  import('./my-dashboard.js').then((m) => m.show(dash)).catch(() => {});
}
