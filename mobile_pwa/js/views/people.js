// People (admins): who may sign in, as what, in which departments; invitations by e-mail, or by a link the
// admin hands over when no e-mail server is set up.
import { h, field, select, nextId, confirmDialog, when } from '../ui.js';
import * as api from '../api.js';
import { send, fieldErrors } from '../lists.js';
import { asOfNote, load } from '../reads.js';

const ROLES = [['executive', 'Executive'], ['manager', 'Manager'], ['admin', 'Admin']];
const roleName = (role) => (ROLES.find(([value]) => value === role) || [role, role])[1];

export async function render(main) {
  main.append(h('h1', {}, 'People'));
  if (api.currentUser()?.role !== 'admin') {
    main.append(h('p', { class: 'error', role: 'alert' }, 'This screen is for admins.'));
    return;
  }
  const body = h('div', {}, h('p', { role: 'status' }, 'Loading people…'));
  main.append(body);
  const reads = await Promise.all(['/api/users', '/api/invitations', '/api/departments?include_inactive=true'].map(load));
  const fail = reads.find((r) => r.error);
  if (fail) {
    body.replaceChildren(h('p', { class: 'error', role: 'alert' }, fail.error));
    return;
  }
  const asOf = reads.map((r) => r.asOf).find(Boolean);
  const offline = Boolean(asOf) || !api.online();
  const departments = reads[2].data.slice().sort((a, b) => a.name.localeCompare(b.name));
  const departmentNames = (ids) => ids.map((id) => (departments.find((d) => d.id === id) || { name: 'Unknown department' }).name)
    .sort((a, b) => a.localeCompare(b)).join(', ') || 'No department';
  const me = api.currentUser();
  const notice = h('p', { role: 'status', tabindex: '-1', class: 'notice' });
  const say = (text) => { notice.textContent = text; notice.focus(); };
  const linkSlot = h('div', {});
  const lists = h('div', {});
  body.replaceChildren(...[asOfNote(asOf), notice, inviteForm(), linkSlot, lists].filter(Boolean));
  draw(reads[0].data, reads[1].data);

  async function reload(message) {
    const [users, invitations] = await Promise.all([load('/api/users'), load('/api/invitations')]);
    if (users.error || invitations.error) { say(users.error || invitations.error); return; }
    draw(users.data, invitations.data);
    if (message) say(message);
  }

  function draw(users, invitations) {
    lists.replaceChildren(
      h('section', { 'aria-labelledby': 'pending-h' }, h('h2', { id: 'pending-h' }, 'Pending invitations'),
        invitations.length
          ? h('ul', { class: 'plain-list' }, invitations.map(invitationItem))
          : h('p', { class: 'hint' }, 'No pending invitations.')),
      h('section', { 'aria-labelledby': 'people-h' }, h('h2', { id: 'people-h' }, `People (${users.length})`),
        users.length <= 1 ? h('p', {}, 'Only you so far. Invite the executives who go out in the field and the managers who act on what they find.') : null,
        h('ul', { class: 'plain-list' }, users.map((u) => h('li', {}, personCard(u))))),
    );
  }

  /** Department checkboxes, as a field of ui.js (wrap, control, hint) with the ticked ids. */
  function departmentPicker(selected = []) {
    const shown = departments.filter((d) => d.is_active || selected.includes(d.id));
    const hint = h('p', { class: 'hint', id: nextId('dep-hint') }, shown.length ? '' : 'No departments yet: add them on the Settings screen.');
    hint.hidden = Boolean(shown.length);
    const boxes = shown.map((d) => {
      const id = nextId('dep');
      return h('div', { class: 'check' },
        h('input', { id, type: 'checkbox', value: d.id, checked: selected.includes(d.id) }),
        h('label', { for: id }, d.is_active ? d.name : `${d.name} (archived)`));
    });
    const wrap = h('fieldset', { class: 'plain', 'aria-describedby': hint.id }, h('legend', { class: 'label' }, 'Departments'), boxes, hint);
    return { wrap, control: wrap, hint, ids: () => [...wrap.querySelectorAll('input:checked')].map((i) => i.value) };
  }

  function inviteForm() {
    const email = field('Email', (id) => h('input', { id, type: 'email', autocomplete: 'off', required: true, maxlength: 254 }));
    const name = field('Name', (id) => h('input', { id, autocomplete: 'off', required: true, maxlength: 120 }));
    const role = field('Role', (id) => select(id, ROLES, 'executive'));
    const picker = departmentPicker();
    const fields = { email, display_name: name, role, department_ids: picker };
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { 'aria-labelledby': 'invite-h' }, h('fieldset', { class: 'card', disabled: offline },
      h('legend', { id: 'invite-h' }, 'Invite someone'),
      h('p', { class: 'hint' }, 'They get a one-time link to choose a password; it expires in 7 days.'),
      email.wrap, name.wrap, role.wrap, picker.wrap, error,
      h('button', { type: 'submit', class: 'btn primary' }, 'Send invitation')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors(fields);
      const res = await send('/api/invitations', 'POST', {
        email: email.control.value.trim(), display_name: name.control.value.trim(), role: role.control.value, department_ids: picker.ids(),
      });
      if (res.status === 409) res.detail = [{ loc: ['email'], msg: res.error }]; // someone has this address already
      if (res.error) {
        error.textContent = [409, 422].includes(res.status) ? fieldErrors(fields, res) : res.error;
        return;
      }
      form.reset();
      await reload();
      announce(res.data, `Invitation e-mailed to ${res.data.email}. The link works for 7 days.`);
    });
    return form;
  }

  /** After an invitation is sent: its link to hand over when there is no e-mail server, else a notice. */
  function announce(inv, sent) {
    if (!inv.link) {
      linkSlot.replaceChildren();
      say(sent);
      return;
    }
    const panel = linkPanel(inv);
    linkSlot.replaceChildren(panel);
    panel.querySelector('h2').focus();
  }

  function linkPanel(inv) {
    const titleId = nextId('link');
    const link = field(`One-time link for ${inv.email}`, (id) => h('input', { id, readOnly: true, value: inv.link }));
    const status = h('p', { role: 'status', class: 'notice' });
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(inv.link);
        status.textContent = 'Link copied.';
      } catch {
        link.control.select();
        status.textContent = 'The link is selected: copy it with your device’s Copy command.';
      }
    };
    return h('section', { class: 'card', 'aria-labelledby': titleId },
      h('h2', { id: titleId, tabindex: '-1' }, `Hand this link to ${inv.display_name}`),
      h('p', {}, 'No e-mail server is set up, so nothing was e-mailed. Send this link yourself, to them only: it sets the password of their account.'),
      link.wrap,
      h('button', { type: 'button', class: 'btn primary', onclick: copy }, 'Copy link'),
      status,
      h('p', {}, `The link works once and expires in 7 days (${when(inv.expires_at)}).`));
  }

  function invitationItem(inv) {
    const who = inv.display_name || inv.email;
    const expired = Date.parse(inv.expires_at) <= Date.now();
    return h('li', { class: 'card' },
      h('h3', {}, who),
      h('p', {}, `${inv.email} · ${roleName(inv.role)} · ${departmentNames(inv.department_ids)}`),
      h('p', { class: expired ? 'error' : 'hint' },
        expired ? `The link expired ${when(inv.expires_at)}: resend it for a new one.` : `The link expires ${when(inv.expires_at)}.`),
      h('div', { class: 'row' },
        inv.link && !expired ? h('button', { type: 'button', class: 'btn small', onclick: () => announce(inv), 'aria-label': `Show the link for ${who}` }, 'Show link') : null,
        h('button', {
          type: 'button', class: 'btn small', disabled: offline, 'aria-label': `Resend the invitation to ${who}`,
          onclick: async () => {
            const res = await send(`/api/invitations/${inv.id}/resend`, 'POST');
            if (res.error) { say(res.error); return; }
            await reload();
            announce(res.data, `Invitation sent again to ${res.data.email}, with a new link; the earlier one no longer works.`);
          },
        }, 'Resend'),
        h('button', {
          type: 'button', class: 'btn small danger', disabled: offline, 'aria-label': `Withdraw the invitation to ${who}`,
          onclick: async () => {
            const ok = await confirmDialog(`Withdraw the invitation to ${inv.email}? Its link stops working.`, { confirm: 'Withdraw', danger: true });
            if (!ok) return;
            const res = await send(`/api/invitations/${inv.id}`, 'DELETE');
            if (res.error) { say(res.error); return; }
            linkSlot.replaceChildren();
            reload(`Invitation to ${inv.email} withdrawn.`);
          },
        }, 'Withdraw')));
  }

  function personCard(u) {
    const titleId = nextId('person');
    const self = me && me.id === u.id;
    const role = field('Role', (id) => select(id, ROLES, u.role), self ? 'You cannot change your own role.' : '');
    role.control.disabled = self;
    const picker = departmentPicker(u.department_ids);
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', {}, h('fieldset', { class: 'plain', disabled: offline }, role.wrap, picker.wrap, error,
      h('button', { type: 'submit', class: 'btn small primary' }, 'Save changes')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = fieldErrors({ role, department_ids: picker });
      const change = { department_ids: picker.ids() };
      if (!self) change.role = role.control.value;
      const res = await send(`/api/users/${u.id}`, 'PATCH', change);
      if (res.error) {
        error.textContent = res.status === 422 ? fieldErrors({ role, department_ids: picker }, res) : res.error;
        return;
      }
      reload(`Saved: ${u.display_name} is ${roleName(res.data.role).toLowerCase()}${res.data.department_ids.length ? '' : ', in no department'}.`);
    });
    const active = async (yes) => {
      if (!yes) {
        const ok = await confirmDialog(`Deactivate ${u.display_name}? They are signed out everywhere at once and can no longer sign in. Their visits and pain points stay.`,
          { confirm: 'Deactivate', danger: true });
        if (!ok) return;
      }
      const res = await send(`/api/users/${u.id}`, 'PATCH', { is_active: yes });
      if (res.error) { say(res.error); return; }
      reload(yes ? `${u.display_name} can sign in again.` : `${u.display_name} is deactivated.`);
    };
    return h('article', { class: 'card', 'aria-labelledby': titleId },
      h('h3', { id: titleId }, u.display_name, self ? ' (you)' : ''),
      h('p', {}, u.email),
      h('p', {}, `${roleName(u.role)} · ${departmentNames(u.department_ids)}`,
        u.is_active ? '' : [' · ', h('span', { class: 'badge rejected' }, 'Deactivated')]),
      h('details', { class: 'edit' }, h('summary', {}, 'Change role or departments'), form),
      self ? null : h('button', {
        type: 'button', class: `btn small${u.is_active ? ' danger' : ''}`, disabled: offline,
        onclick: () => active(!u.is_active),
      }, u.is_active ? 'Deactivate' : 'Reactivate'));
  }
}
