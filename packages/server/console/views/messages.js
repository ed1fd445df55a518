// A connected session's messages: the send form (text, or media by URL) and the history, each message's status
// moving live (sent → delivered → read).
import { api, on } from '../api.js';
import { badge, field, form, h, phone, select, when } from '../dom.js';

const MEDIA_TYPES = ['image', 'video', 'audio', 'document'].map((t) => [t, t]);

/** Renders the send form and history of session `s` into `root`; returns its cleanup. */
export function renderMessages(root, s) {
  const notice = h('p', { className: 'notice', role: 'status' });
  const history = h('ol', { className: 'history', 'aria-label': 'Message history' });

  const sendForm = form(
    { 'aria-label': 'Send a message' },
    [
      h('h3', {}, 'Send a message'),
      field('To', 'to', { type: 'tel', required: true, autocomplete: 'off', hint: 'A phone number, e.g. +62 812…' }),
      field('Message', 'message', { multiline: true, rows: 3 }),
      h(
        'details',
        {},
        h('summary', {}, 'Media by URL'),
        field('Media URL', 'media_url', { type: 'url', hint: 'The message above becomes its caption' }),
        select('Media type', 'type', MEDIA_TYPES),
      ),
      h('button', { type: 'submit' }, 'Send'),
    ],
    async ({ to, message, media_url, type }, el) => {
      notice.textContent = 'Sending…';
      try {
        const body = media_url
          ? { session_id: s.id, to, media_url, type, ...(message ? { caption: message } : {}) }
          : { session_id: s.id, to, message };
        notice.textContent = (await api('POST', `/whatsapp/messages/${media_url ? 'media' : 'text'}`, body)).message;
      } catch (error) {
        notice.textContent = '';
        throw error;
      }
      el.querySelector('[name=message]').value = '';
      await load();
    },
  );

  // The newest messages first; "Show older messages" reads a longer page (the API gives at most 100).
  let perPage = 20;
  const more = h('button', { type: 'button', className: 'quiet', hidden: true }, 'Show older messages');
  more.addEventListener('click', () => {
    perPage = Math.min(100, perPage + 20);
    void load();
  });

  root.append(h('div', { className: 'messages' }, sendForm, notice, h('h3', {}, 'History'), history, more));

  function item(m) {
    const peer = m.peer_phone ? phone(m.peer_phone) : m.chat;
    return h(
      'li',
      { 'data-id': m.id, className: `msg msg-${m.direction}` },
      h('span', { className: 'peer' }, m.direction === 'out' ? `To ${peer}` : `From ${m.push_name ?? peer}`),
      h('span', { className: 'text' }, m.text ?? (m.media ? `[${m.type}] ${m.media.url ?? ''}` : `[${m.type}]`)),
      h('span', { className: 'meta' }, statusBadge(m), h('time', { datetime: m.created_at }, when(m.created_at))),
    );
  }

  function statusBadge(m) {
    return m.direction === 'in' ? badge('received') : badge(m.status);
  }

  let loading = null;
  async function load() {
    // One reload at a time; events arriving meanwhile ask for one more after it.
    if (loading) return (loading.again = true);
    loading = { again: false };
    try {
      const path = `/whatsapp/sessions/${encodeURIComponent(s.id)}/messages?per_page=${perPage}`;
      const page = await api('GET', path);
      history.replaceChildren(...page.data.map(item));
      more.hidden = page.meta.total <= page.data.length || perPage >= 100;
      if (page.data.length === 0) history.append(h('li', { className: 'muted' }, 'No messages yet.'));
    } finally {
      const again = loading.again;
      loading = null;
      if (again) await load();
    }
  }

  const stops = [
    on('message.status', (data) => {
      if (data.session_id !== s.id) return;
      const row = history.querySelector(`[data-id="${data.id}"]`);
      // A reload in flight may have read the list before this status: one more reload after it shows it.
      if (!row || loading) return void load();
      row.querySelector('.badge').replaceWith(badge(data.status));
      if (data.error) row.title = data.error;
    }),
    on('message.received', (data) => data.session_id === s.id && void load()),
  ];
  void load();
  return () => stops.forEach((stop) => stop());
}
