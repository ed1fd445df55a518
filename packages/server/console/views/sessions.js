/* global confirm, CSS, document */
// Sessions: the list with live status badges, "New session", linking by QR code or pairing code, and the selected
// session's messages once it is connected.
import { api, on } from '../api.js';
import { badge, field, form, h, phone, select, when } from '../dom.js';
import { renderMessages } from './messages.js';

const LABELS = {
  connecting: 'connecting',
  qr: 'QR',
  pairing_code: 'pairing code',
  connected: 'connected',
  disconnected: 'disconnected',
  logged_out: 'logged out',
  failed: 'failed',
};
const LINKING = new Set(['connecting', 'qr', 'pairing_code']);

/** A session's badges: its state, and its circuit breaker while that holds its sends. */
export function sessionBadges(s) {
  const badges = [badge(LABELS[s.status] ?? s.status, s.status)];
  if (s.circuit_open_until && Date.parse(s.circuit_open_until) > Date.now())
    badges.push(badge(`breaker open until ${when(s.circuit_open_until)}`, 'breaker'));
  return badges;
}

/** A "Session" select to send from; `fill(sessions)` lists them once, the first connected one chosen. */
export function sessionPicker() {
  const el = select('Session', 'session_id', []);
  const picker = el.querySelector('select');
  const fill = (sessions) => {
    if (picker.options.length > 0) return;
    picker.replaceChildren(...sessions.map((s) => h('option', { value: s.id }, `${s.name} (${s.status})`)));
    const connected = sessions.find((s) => s.status === 'connected');
    if (connected) picker.value = connected.id;
  };
  return { el, fill };
}

/** Renders the sessions view into `root`; returns its cleanup. */
export function render(root) {
  const sessions = new Map();
  let selected = null;
  let leaveDetail = null;

  const list = h('ul', { className: 'session-list', 'aria-label': 'Sessions' });
  const detail = h('section', { className: 'detail', 'aria-label': 'Selected session' });

  const createForm = form(
    { className: 'inline', 'aria-label': 'New session' },
    [
      h('h2', {}, 'New session'),
      field('Session name', 'session_name', { required: true, maxlength: 100, autocomplete: 'off' }),
      h('button', { type: 'submit' }, 'Create'),
    ],
    async (values, el) => {
      const created = (await api('POST', '/whatsapp/sessions', values)).data;
      el.reset();
      sessions.set(created.id, created);
      select(created.id);
    },
  );

  root.append(
    h('h1', {}, 'Sessions'),
    h(
      'div',
      { className: 'split' },
      h('div', { className: 'side' }, createForm, h('h2', {}, 'Your sessions'), list),
      detail,
    ),
  );

  function renderList() {
    const items = [...sessions.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
    // Events redraw the list: the keyboard stays on the session it was on.
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    list.replaceChildren(
      ...items.map((s) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              className: 'session-item',
              'data-id': s.id,
              'aria-current': s.id === selected ? 'true' : undefined,
              onclick: () => select(s.id),
            },
            h('span', { className: 'name' }, s.name),
            h('span', { className: 'badges' }, ...sessionBadges(s)),
            h('span', { className: 'phone' }, s.phone ? phone(s.phone) : 'no phone linked yet'),
          ),
        ),
      ),
    );
    if (items.length === 0) list.append(h('li', { className: 'muted' }, 'No session yet: create one to link a phone.'));
    if (focused) list.querySelector(`[data-id="${CSS.escape(focused)}"]`)?.focus();
  }

  function select(id) {
    selected = id;
    renderList();
    void showDetail();
  }

  // The detail is rebuilt when the session moves between linking, connected and down, not on every event: a
  // half-typed message survives a QR rotation or a receipt.
  let shownPhase = null;
  const phaseOf = (status) => (LINKING.has(status) ? 'linking' : status === 'connected' ? 'connected' : 'down');

  // Events come faster than status reads: only the latest read is shown, so an earlier one answering late cannot
  // put back a state the session has left.
  let reads = 0;
  async function showDetail() {
    const id = selected;
    const read = ++reads;
    const status = (await api('GET', `/whatsapp/sessions/${encodeURIComponent(id)}/status`)).data;
    if (read !== reads) return;
    const s = { ...sessions.get(id), ...status };
    sessions.set(id, s);
    renderList();
    const phase = phaseOf(s.status);
    if (phase === shownPhase && detail.dataset.session === id) return updateDetail(s);
    leaveDetail?.();
    leaveDetail = null;
    shownPhase = phase;
    detail.dataset.session = id;
    const statusLine = h('p', { className: 'status-line', role: 'status' });
    const body = h('div', { className: 'detail-body' });
    detail.replaceChildren(h('h2', {}, s.name), statusLine, actions(s), body);
    if (phase === 'linking') body.append(...linkPanel(s));
    else if (phase === 'connected') leaveDetail = renderMessages(body, s);
    else body.append(h('p', {}, downText(s)));
    updateDetail(s);
  }

  function updateDetail(s) {
    detail
      .querySelector('.status-line')
      .replaceChildren(
        ...sessionBadges(s),
        s.phone ? h('span', { className: 'phone' }, ` ${phone(s.phone)}`) : '',
        s.push_name ? h('span', { className: 'muted' }, ` (${s.push_name})`) : '',
      );
    const qr = detail.querySelector('.qr');
    if (qr && s.qr_image && qr.getAttribute('src') !== s.qr_image) qr.replaceWith(qrImage(s));
    // Once a pairing code is asked for, the phone is typing it: the QR code is no longer the way to link.
    const figure = detail.querySelector('.link-panel figure');
    if (figure) figure.hidden = s.status === 'pairing_code';
    const code = detail.querySelector('.pairing-code');
    if (code && s.pairing_code) code.textContent = s.pairing_code;
  }

  const qrImage = (s) =>
    s.qr_image
      ? h('img', {
          className: 'qr',
          src: s.qr_image,
          width: 264,
          height: 264,
          alt: `QR code to link ${s.name}: scan it with WhatsApp on the phone`,
        })
      : h('p', { className: 'qr' }, 'Waiting for the QR code…');

  function linkPanel(s) {
    const qr = qrImage(s);
    const codeOut = h('p', { className: 'pairing-code', 'aria-live': 'polite' }, s.pairing_code ?? '');
    const pairing = form(
      { className: 'inline', 'aria-label': 'Link with a pairing code' },
      [
        field('Phone number', 'phone', {
          type: 'tel',
          autocomplete: 'tel',
          hint: 'The number of the phone to link, to get an 8-character code instead of scanning',
        }),
        h('button', { type: 'submit' }, 'Get pairing code'),
      ],
      async (values) => {
        codeOut.textContent = (
          await api('POST', `/whatsapp/sessions/${encodeURIComponent(s.id)}/pairing-code`, values)
        ).data.pairing_code;
      },
    );
    return [
      h(
        'div',
        { className: 'link-panel' },
        h(
          'figure',
          {},
          qr,
          h('figcaption', {}, 'On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan.'),
        ),
        h(
          'div',
          {},
          h('h3', {}, 'Link with a pairing code'),
          pairing,
          codeOut,
          h(
            'p',
            { className: 'hint' },
            'On the phone: Linked devices → Link a device → Link with phone number instead.',
          ),
        ),
      ),
    ];
  }

  function downText(s) {
    if (s.status === 'disconnected')
      return s.next_retry_at
        ? `Disconnected${s.reason ? ` (${s.reason})` : ''}; trying again at ${when(s.next_retry_at)}.`
        : 'Disconnected; credentials kept. Connect to resume.';
    if (s.status === 'logged_out') return 'Logged out from the phone: connect to link it again.';
    return `Failed${s.reason ? `: ${s.reason}` : ''}. Connect to try again.`;
  }

  function actions(s) {
    const path = `/whatsapp/sessions/${encodeURIComponent(s.id)}`;
    const run = (fn) => async () => {
      await fn();
      await refresh();
    };
    return h(
      'div',
      { className: 'actions' },
      s.status === 'connected'
        ? h(
            'button',
            { type: 'button', className: 'quiet', onclick: run(() => api('DELETE', `${path}/disconnect`)) },
            'Disconnect',
          )
        : !LINKING.has(s.status) &&
            h('button', { type: 'button', onclick: run(() => api('POST', `${path}/connect`)) }, 'Connect'),
      h(
        'button',
        {
          type: 'button',
          className: 'danger',
          onclick: run(async () => {
            if (!confirm(`Log out and delete the session "${s.name}"?`)) return;
            await api('DELETE', path);
            sessions.delete(s.id);
            selected = null;
            shownPhase = null;
            leaveDetail?.();
            leaveDetail = null;
            detail.replaceChildren();
          }),
        },
        'Delete session',
      ),
    );
  }

  async function refresh() {
    const fresh = (await api('GET', '/whatsapp/sessions')).data;
    sessions.clear();
    for (const s of fresh) sessions.set(s.id, s);
    renderList();
    if (selected && sessions.has(selected)) await showDetail();
  }

  const changed = (data) => {
    const s = sessions.get(data.session_id);
    if (!s) return void refresh();
    Object.assign(s, 'state' in data ? { circuit_open_until: data.until, circuit_reason: data.reason } : data);
    renderList();
    if (data.session_id === selected) void showDetail();
  };
  const stops = [
    on('session.status', changed),
    on('session.qr', changed),
    on('session.circuit', changed),
    on('stream.open', () => void refresh()),
  ];

  renderList();
  void refresh().then(() => {
    if (!selected && sessions.size > 0) select([...sessions.keys()][0]);
  });
  return () => {
    for (const stop of stops) stop();
    leaveDetail?.();
  };
}
