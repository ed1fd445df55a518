/* global document */
// Bulk jobs: start one (recipients and a message with placeholders), follow each job's progress live, cancel it.
import { api, on } from '../api.js';
import { badge, field, form, h, progressBar, setProgress, viewLayout, when } from '../dom.js';
import { sessionPicker } from './sessions.js';

const ACTIVE = new Set(['queued', 'running']);

/** Renders the bulk jobs view into `root`; returns its cleanup. */
export function render(root) {
  const jobs = new Map();
  const sessionNames = new Map();
  const list = h('ul', { className: 'cards', 'aria-label': 'Bulk jobs' });
  const sessionField = sessionPicker();

  const startForm = form(
    { 'aria-label': 'New bulk job' },
    [
      h('h2', {}, 'New bulk job'),
      sessionField.el,
      field('Recipients', 'contacts', {
        multiline: true,
        rows: 4,
        required: true,
        hint: 'One phone number per line',
      }),
      field('Message', 'message', {
        multiline: true,
        rows: 3,
        hint: 'Placeholders such as {name} and spintax such as {Hi|Hello} are filled per recipient',
      }),
      field('Delay between messages (ms)', 'delay', { type: 'number', min: 0, step: 100, value: 3000 }),
      h('button', { type: 'submit' }, 'Start bulk job'),
    ],
    async ({ session_id, contacts, message, delay }, el) => {
      const body = {
        session_id,
        contacts: contacts
          .split(/[\n,;]+/)
          .map((c) => c.trim())
          .filter(Boolean),
        message,
        delay: delay === '' ? undefined : Number(delay),
      };
      const job = (await api('POST', '/whatsapp/messages/bulk/text', body)).data;
      el.querySelector('[name=contacts]').value = '';
      jobs.set(job.id, job);
      renderJobs();
    },
  );

  root.append(...viewLayout('Bulk jobs', startForm, 'Jobs', list));

  const done = (j) => j.sent + j.failed;
  const short = (id) => id.slice(-8);
  const counts = (j) =>
    `${j.sent} sent, ${j.delivered ?? 0} delivered, ${j.read ?? 0} read, ${j.failed} failed, ${j.pending} pending of ${j.total}` +
    (j.cancelled ? `, ${j.cancelled} cancelled` : '') +
    (j.skipped ? ` (${j.skipped} skipped)` : '');

  function card(j) {
    const title = `Bulk job ${short(j.id)}`;
    const via = j.session_id ? (sessionNames.get(j.session_id) ?? j.session_id) : `pool ${j.pool_id}`;
    const titleId = `job-${j.id}`;
    const bar = progressBar(`Progress of ${title}`, done(j), j.total);
    return h(
      'li',
      { className: 'card job', 'data-id': j.id, 'aria-labelledby': titleId },
      h('h3', { id: titleId }, title, ' ', badge(j.status)),
      h(
        'p',
        { className: 'muted' },
        `From ${via}, created ${when(j.created_at)}: `,
        j.message ?? `template ${j.template_id}`,
      ),
      bar,
      h('p', { className: 'counts' }, counts(j)),
      h(
        'p',
        { className: 'eta' },
        ACTIVE.has(j.status) && j.estimated_finish_at
          ? `Estimated finish: ${when(j.estimated_finish_at)}${j.estimated_days > 1 ? ` (about ${j.estimated_days} days)` : ''}`
          : j.completed_at
            ? `Ended ${when(j.completed_at)}`
            : '',
      ),
      ACTIVE.has(j.status) &&
        h(
          'button',
          {
            type: 'button',
            className: 'danger',
            'aria-describedby': titleId,
            onclick: async () => {
              const cancelled = (await api('DELETE', `/whatsapp/messages/bulk/${encodeURIComponent(j.id)}`)).data;
              jobs.set(j.id, cancelled);
              renderJobs();
            },
          },
          'Cancel',
        ),
    );
  }

  function renderJobs() {
    const items = [...jobs.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
    list.replaceChildren(...items.map(card));
    if (items.length === 0) list.append(h('li', { className: 'muted' }, 'No bulk job yet.'));
  }

  // A progress event moves the bar at once; the job's estimated finish is read again once events pause.
  const refetching = new Map();
  function refetch(id) {
    clearTimeout(refetching.get(id));
    refetching.set(
      id,
      setTimeout(async () => {
        refetching.delete(id);
        const job = (await api('GET', `/whatsapp/messages/bulk/${encodeURIComponent(id)}/status?skipped_per_page=1`))
          .data;
        jobs.set(id, job);
        replaceCard(job);
      }, 500),
    );
  }

  function replaceCard(j) {
    const old = list.querySelector(`[data-id="${j.id}"]`);
    if (!old) return renderJobs();
    // Keep focus on a Cancel button that stays.
    const focused = old.contains(document.activeElement);
    const fresh = card(j);
    old.replaceWith(fresh);
    if (focused) fresh.querySelector('button')?.focus();
  }

  const stops = [
    on('bulk.progress', (data) => {
      const j = jobs.get(data.job_id);
      if (!j) return refetch(data.job_id);
      Object.assign(j, data, { status: j.status === 'queued' ? 'running' : j.status });
      const row = list.querySelector(`[data-id="${j.id}"]`);
      if (row) {
        setProgress(row.querySelector('[role=progressbar]'), done(j), j.total);
        row.querySelector('.counts').textContent = counts(j);
      }
      refetch(j.id);
    }),
    on('bulk.completed', (data) => refetch(data.job_id)),
  ];

  async function load() {
    const [sessions, page] = await Promise.all([
      api('GET', '/whatsapp/sessions'),
      api('GET', '/whatsapp/messages/bulk?per_page=20'),
    ]);
    for (const s of sessions.data) sessionNames.set(s.id, s.name);
    sessionField.fill(sessions.data);
    for (const j of page.data) jobs.set(j.id, j);
    renderJobs();
  }
  void load();
  return () => {
    stops.forEach((stop) => stop());
    refetching.forEach((timer) => clearTimeout(timer));
  };
}
