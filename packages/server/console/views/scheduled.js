// Scheduled messages: schedule one, see each one's state (live as they fire), cancel a pending one.
import { api, on } from '../api.js';
import { badge, field, form, h, phone, viewLayout, when } from '../dom.js';
import { sessionPicker } from './sessions.js';

/** Renders the scheduled messages view into `root`; returns its cleanup. */
export function render(root) {
  const list = h('ul', { className: 'cards', 'aria-label': 'Scheduled messages' });
  const sessionField = sessionPicker();

  const scheduleForm = form(
    { 'aria-label': 'Schedule a message' },
    [
      h('h2', {}, 'Schedule a message'),
      sessionField.el,
      field('To', 'to', { type: 'tel', required: true, autocomplete: 'off' }),
      field('Message', 'message', { multiline: true, rows: 3, required: true }),
      field('Send at', 'scheduled_at', { type: 'datetime-local', required: true, hint: 'In your time zone' }),
      h('button', { type: 'submit' }, 'Schedule'),
    ],
    async ({ session_id, to, message, scheduled_at }, el) => {
      // datetime-local has no offset: send the instant it means here, so the server's time zone does not matter.
      const at = scheduled_at ? new Date(scheduled_at).toISOString() : scheduled_at;
      await api('POST', '/whatsapp/messages/schedule/text', { session_id, to, message, scheduled_at: at });
      el.reset();
      await load();
    },
  );

  root.append(...viewLayout('Scheduled messages', scheduleForm, 'Scheduled', list));

  function card(m) {
    const titleId = `scheduled-${m.id}`;
    return h(
      'li',
      { className: 'card', 'aria-labelledby': titleId },
      h(
        'h3',
        { id: titleId },
        `To ${phone(m.peer_phone) || m.chat} at ${when(m.scheduled_at)}`,
        ' ',
        badge(m.schedule_status),
      ),
      h('p', {}, m.text ?? `[${m.type}]`),
      m.error && h('p', { className: 'muted' }, m.error),
      m.schedule_status === 'pending' &&
        h(
          'button',
          {
            type: 'button',
            className: 'danger',
            'aria-describedby': titleId,
            onclick: async () => {
              await api('DELETE', `/whatsapp/messages/schedule/${encodeURIComponent(m.id)}`);
              await load();
            },
          },
          'Cancel',
        ),
    );
  }

  async function load() {
    const [sessions, page] = await Promise.all([
      api('GET', '/whatsapp/sessions'),
      api('GET', '/whatsapp/messages/schedule?per_page=50'),
    ]);
    sessionField.fill(sessions.data);
    list.replaceChildren(...page.data.map(card));
    if (page.data.length === 0) list.append(h('li', { className: 'muted' }, 'Nothing scheduled.'));
  }

  const stops = [on('scheduled.sent', () => void load()), on('scheduled.failed', () => void load())];
  void load();
  return () => stops.forEach((stop) => stop());
}
