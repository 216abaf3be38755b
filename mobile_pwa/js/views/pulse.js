// The monthly pulse (executives): sending again in the same month replaces its answers.
import { h, field, nextId, when } from '../ui.js';
import { asOfNote, load, send } from '../lists.js';

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
  const res = await load('/api/pulse/me');
  if (res.error) {
    body.append(h('p', { class: 'error', role: 'alert' }, res.error));
    return;
  }
  draw(res.data, res.asOf);

  function draw(data, asOf, message) {
    const answers = new Map(data.answers.map((a) => [a.question_id, a]));
    const last = data.answers.map((a) => a.updated_at).sort().pop();
    const status = h('p', { role: 'status', tabindex: '-1', class: 'notice' }, message || '');
    const error = h('p', { class: 'error', role: 'alert' });
    const items = data.questions.map((q, i) => (q.kind === 'scale' ? scaleGroup : textQuestion)(q, i + 1, answers.get(q.id)));
    const form = h('form', { 'aria-label': `Pulse for ${monthName(data.month)}` },
      h('fieldset', { class: 'plain', disabled: Boolean(asOf) }, items.map((x) => x.el), error,
        h('button', { type: 'submit', class: 'btn primary big' }, last ? 'Update my answers' : 'Send my answers')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const picked = items.map((x) => x.value()).filter(Boolean);
      if (!picked.length) { error.textContent = 'Answer at least one question first.'; return; }
      const sent = await send('/api/pulse/me', 'PUT', { answers: picked });
      if (sent.error) { error.textContent = sent.error; return; }
      const again = Boolean(last);
      draw(sent.data, null, again
        ? `Updated: your answers for ${monthName(sent.data.month)} replace the ones you sent before.`
        : `Thank you: your answers for ${monthName(sent.data.month)} are saved. Sending again this month updates them.`);
      body.querySelector('.notice').focus();
    });
    body.replaceChildren(...[
      asOfNote(asOf),
      h('p', {}, `A short reality check, once a month: ${monthName(data.month)}. Managers see only averages and anonymous comments.`),
      last ? h('p', { class: 'hint' }, `You answered this month on ${when(last)}. Sending again updates that answer.`) : null,
      status,
      data.questions.length ? form : h('p', {}, 'No questions this month.'),
    ].filter(Boolean));
  }
}
