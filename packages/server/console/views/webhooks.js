/* global document */
// Webhooks: subscribe a URL to events, see each one's recent deliveries, redeliver one.
import { api } from '../api.js';
import { badge, field, form, h, viewLayout, when } from '../dom.js';

/** Renders the webhooks view into `root`. */
export function render(root) {
  const list = h('ul', { className: 'cards', 'aria-label': 'Webhooks' });
  const secretOut = h('div', { role: 'status' });

  const createForm = form(
    { 'aria-label': 'New webhook' },
    [
      h('h2', {}, 'New webhook'),
      field('URL', 'url', { type: 'url', required: true, placeholder: 'https://example.com/kirim' }),
      field('Events', 'events', {
        value: '*',
        hint: 'Comma-separated, e.g. message.received, message.status; * for all',
      }),
      field('Secret', 'secret', { autocomplete: 'off', hint: 'Optional: made for you when left empty' }),
      h('button', { type: 'submit' }, 'Add webhook'),
      secretOut,
    ],
    async ({ url, events, secret }, el) => {
      const body = {
        url,
        events: events
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
        ...(secret ? { secret } : {}),
      };
      const created = (await api('POST', '/webhooks', body)).data;
      el.reset();
      secretOut.replaceChildren(h('p', {}, 'Signing secret (shown only now): ', h('code', {}, created.secret ?? '')));
      await load();
    },
  );

  root.append(...viewLayout('Webhooks', createForm, 'Subscriptions', list));

  function card(w) {
    const titleId = `webhook-${w.id}`;
    const deliveries = h('div', {});
    const toggle = h(
      'button',
      {
        type: 'button',
        className: 'quiet',
        'aria-expanded': 'false',
        'aria-describedby': titleId,
        onclick: async () => {
          const open = toggle.getAttribute('aria-expanded') === 'true';
          toggle.setAttribute('aria-expanded', String(!open));
          if (open) deliveries.replaceChildren();
          else if (await showDeliveries(w, deliveries, toggle)) follow(w, deliveries, toggle);
        },
      },
      'Recent deliveries',
    );
    return h(
      'li',
      { className: 'card', 'aria-labelledby': titleId },
      h(
        'h3',
        { id: titleId },
        w.url,
        ' ',
        badge(w.is_active ? 'active' : 'disabled', w.is_active ? 'connected' : 'failed'),
      ),
      h('p', { className: 'muted' }, `Events: ${w.events.join(', ')}`),
      w.disabled_reason && h('p', {}, `Disabled: ${w.disabled_reason}`),
      h(
        'div',
        { className: 'actions' },
        toggle,
        h(
          'button',
          {
            type: 'button',
            className: 'danger',
            'aria-describedby': titleId,
            onclick: async () => {
              await api('DELETE', `/webhooks/${encodeURIComponent(w.id)}`);
              await load();
            },
          },
          'Delete',
        ),
      ),
      deliveries,
    );
  }

  // No event tells of a delivery's attempts: an open list with deliveries still under way is read again every few
  // seconds, but not while the keyboard is in it (its buttons would be replaced under the focus).
  function follow(w, into, toggle) {
    if (into.dataset.following) return;
    into.dataset.following = 'yes';
    const again = async () => {
      let unsettled = false;
      try {
        const open = into.isConnected && toggle.getAttribute('aria-expanded') === 'true';
        unsettled = open && (into.contains(document.activeElement) || (await showDeliveries(w, into, toggle)));
      } finally {
        // Also after a failed read: a flag left set would keep this list from ever being followed again.
        if (unsettled) setTimeout(again, 3000);
        else delete into.dataset.following;
      }
    };
    setTimeout(again, 3000);
  }

  const lastAnswer = (d) =>
    d.status_code
      ? `HTTP ${d.status_code}${d.latency_ms === null ? '' : ` in ${Math.round(d.latency_ms)} ms`}`
      : (d.last_error ?? '');

  /** Shows a webhook's recent deliveries; true while some are still to be attempted. */
  async function showDeliveries(w, into, toggle) {
    const path = `/webhooks/${encodeURIComponent(w.id)}/deliveries`;
    const page = await api('GET', `${path}?per_page=20`);
    if (page.data.length === 0) {
      into.replaceChildren(h('p', { className: 'muted' }, 'No delivery yet.'));
      return true;
    }
    into.replaceChildren(
      h(
        'div',
        { className: 'table-wrap' },
        h(
          'table',
          {},
          h('caption', { className: 'muted' }, `Recent deliveries to ${w.url}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Event', 'State', 'Attempts', 'Last answer', 'When', ''].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            ...page.data.map((d) =>
              h(
                'tr',
                {},
                h('td', {}, d.event_type),
                h('td', {}, badge(d.state, d.state === 'pending' ? 'pending' : d.state)),
                h('td', {}, String(d.attempts)),
                h('td', {}, lastAnswer(d)),
                h('td', {}, when(d.delivered_at ?? d.updated_at)),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      className: 'quiet',
                      'aria-label': `Redeliver ${d.event_type} of ${when(d.created_at)}`,
                      onclick: async (e) => {
                        const row = e.currentTarget.closest('tr');
                        await api('POST', `${path}/${encodeURIComponent(d.id)}/redeliver`);
                        row.querySelector('.badge').replaceWith(badge('pending'));
                        follow(w, into, toggle);
                      },
                    },
                    'Redeliver',
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
    return page.data.some((d) => d.state === 'pending' || d.state === 'failed');
  }

  async function load() {
    const webhooks = (await api('GET', '/webhooks')).data;
    list.replaceChildren(...webhooks.map(card));
    if (webhooks.length === 0) list.append(h('li', { className: 'muted' }, 'No webhook yet.'));
  }

  void load();
}
