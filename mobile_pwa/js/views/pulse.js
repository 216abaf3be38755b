// The monthly pulse (executives): the answers are saved on the phone and sent through the outbox like a visit
// (js/flush.js), online or offline; sending again in the same month replaces its answers.
import { h, field, nextId, when } from '../ui.js';
import { on } from '../bus.js';
import { savePulse, getPulse } from '../outbox.js';
import { asOfNote, load } from '../reads.js';

function monthName(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function scaleGroup(q, index, answer) {
  const legendId = nextId('q');
  const hintId = nextId('hint');
  const group = h('fieldset', { class: 'card scale', 'aria-describedby': hintId },
    h('legend', { id: legendId }, `${index}. ${q.text}`),
    h('p', { class: 'hint', id: hintId }, '0 = not at all, 10 = completely'));
  const row = h('div', { class: 'scale-row' });
  for (let n = 0; n <= 10; n += 1) {
    const id = nextId('s');
    row.append(h('div', { class: 'scale-opt' },
      h('input', { id, type: 'radio', name: `q-${q.id}`, value: String(n), checked: answer && answer.score === n }),
      h('label', { for: id }, String(n))));
  }
  group.append(row);
  return { el: group, value: () => {
    const picked = group.querySelector('input:checked');
    return picked ? { question_id: q.id, score: Number(picked.value) } : null;
  } };
}

function textQuestion(q, index, answer) {
  const f = field(`${index}. ${q.text}`, (id) => h('textarea', { id, maxlength: 2000, value: (answer && answer.text) || '' }), 'Optional. Up to 2,000 characters.');
  return { el: h('div', { class: 'card' }, f.wrap), value: () => {
    const text = f.control.value.trim();
    return text ? { question_id: q.id, text } : null;
  } };
}

export async function render(main) {
  main.append(h('h1', {}, 'Pulse'));
  const body = h('div', {});
  main.append(body);
  let again = false; // the answers on their way replace earlier ones
  let waiting = false; // answers sent from this screen, not answered yet

  async function show(message) {
    const [res, local] = await Promise.all([load('/api/pulse/me'), getPulse()]);
    if (res.error) {
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, res.error));
      return;
    }
    // Answers the server has not confirmed yet (or that this device saw it take, when the copy is older).
    const mine = local && local.month === res.data.month && (local.state !== 'sent' || res.asOf) ? local : null;
    draw(res.data, res.asOf, mine, message);
  }

  function draw(data, asOf, local, message) {
    const answers = new Map([...data.answers, ...(local ? local.answers : [])].map((a) => [a.question_id, a]));
    const last = data.answers.map((a) => a.updated_at).sort().pop();
    const month = monthName(data.month);
    let note = message;
    if (!note && local?.state === 'pending') note = `Saved on this phone: your answers for ${month} are sent as soon as the phone is online.`;
    const status = h('p', { role: 'status', tabindex: '-1', class: 'notice' }, note || '');
    const error = h('p', { class: 'error', role: 'alert' },
      local?.state === 'rejected' ? `Not accepted: ${local.error} Change your answers and send them again.` : '');
    const items = data.questions.map((q, i) => (q.kind === 'scale' ? scaleGroup : textQuestion)(q, i + 1, answers.get(q.id)));
    const form = h('form', { 'aria-label': `Pulse for ${month}` },
      h('fieldset', { class: 'plain' }, items.map((x) => x.el), error,
        h('button', { type: 'submit', class: 'btn primary big' }, last || local ? 'Update my answers' : 'Send my answers')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const picked = items.map((x) => x.value()).filter(Boolean);
      if (!picked.length) { error.textContent = 'Answer at least one question first.'; return; }
      again = Boolean(last || local);
      waiting = true;
      await savePulse(picked, data.month);
      await show();
      body.querySelector('.notice').focus();
    });
    body.replaceChildren(...[
      asOfNote(asOf),
      h('p', {}, `A short reality check, once a month: ${month}. Managers see only averages and anonymous comments.`),
      last ? h('p', { class: 'hint' }, `You answered this month on ${when(last)}. Sending again updates that answer.`) : null,
      status,
      data.questions.length ? form : h('p', {}, 'No questions this month.'),
    ].filter(Boolean));
  }

  await show();
  // The outbox answered what this screen sent: say so, with the server's copy.
  return on('pulse', async () => {
    const local = await getPulse();
    if (!waiting || local?.state === 'pending') return;
    waiting = false;
    const month = monthName(local.month);
    await show(local.state !== 'sent' ? null : again
      ? `Updated: your answers for ${month} replace the ones you sent before.`
      : `Thank you: your answers for ${month} are saved. Sending again this month updates them.`);
    body.querySelector('.notice')?.focus();
  });
}
