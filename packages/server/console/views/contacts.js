/* global document */
// Contacts: search, add, import a spreadsheet (upload progress, then the report) and export.
import { api, download, upload } from '../api.js';
import { debounce, field, form, h, phone, progressBar, setProgress, viewLayout } from '../dom.js';

/** Renders the contacts view into `root`. */
export function render(root) {
  const rows = h('tbody');
  const summary = h('p', { className: 'muted', role: 'status' });
  const search = field('Search', 'search', { type: 'search', hint: 'Name, phone, email or company' });
  search.querySelector('input').addEventListener(
    'input',
    debounce(() => void load(), 250),
  );

  const addForm = form(
    { 'aria-label': 'Add a contact' },
    [
      h('h2', {}, 'Add a contact'),
      field('Name', 'name', { required: true, autocomplete: 'off' }),
      field('Phone', 'phone', { type: 'tel', required: true, autocomplete: 'off' }),
      field('Email', 'email', { type: 'email', autocomplete: 'off' }),
      field('Company', 'company', { autocomplete: 'off' }),
      h('button', { type: 'submit' }, 'Add contact'),
    ],
    async (values, el) => {
      const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
      await api('POST', '/contacts', body);
      el.reset();
      await load();
    },
  );

  const importBar = progressBar('Upload progress', 0, 100);
  importBar.hidden = true;
  const report = h('div', { role: 'status' });
  const importForm = form(
    { 'aria-label': 'Import contacts' },
    [
      h('h2', {}, 'Import'),
      field('Spreadsheet', 'file', { type: 'file', accept: '.xlsx,.csv', required: true, hint: '.xlsx or .csv' }),
      h(
        'div',
        { className: 'field' },
        h(
          'label',
          {},
          h('input', { type: 'checkbox', name: 'skip_duplicates', value: 'true' }),
          ' Skip numbers already saved',
        ),
      ),
      h(
        'div',
        { className: 'field' },
        h(
          'label',
          {},
          h('input', { type: 'checkbox', name: 'set_active', value: 'true', checked: true }),
          ' Mark imported contacts active',
        ),
      ),
      h('button', { type: 'submit' }, 'Import'),
      importBar,
      report,
    ],
    async (_values, el) => {
      const data = new FormData(el);
      // Unchecked boxes send nothing; the API wants an explicit false.
      for (const name of ['skip_duplicates', 'set_active']) if (!data.has(name)) data.set(name, 'false');
      importBar.hidden = false;
      setProgress(importBar, 0, 100);
      report.replaceChildren('Uploading…');
      try {
        const answer = await upload('/contacts/import', data, (fraction) =>
          setProgress(importBar, Math.round(fraction * 100), 100),
        );
        setProgress(importBar, 100, 100);
        report.replaceChildren(importReport(answer));
      } catch (error) {
        report.replaceChildren();
        throw error;
      }
      await load();
    },
  );

  const exportButtons = h(
    'div',
    { className: 'actions' },
    ...['xlsx', 'csv'].map((format) =>
      h('button', { type: 'button', className: 'quiet', onclick: () => void exportAs(format) }, `Export .${format}`),
    ),
  );

  root.append(
    ...viewLayout(
      'Contacts',
      h('div', { className: 'side' }, addForm, importForm),
      'Your contacts',
      search,
      exportButtons,
      summary,
      h(
        'div',
        { className: 'table-wrap' },
        h(
          'table',
          {},
          h('caption', { className: 'muted' }, 'Contacts'),
          h(
            'thead',
            {},
            h('tr', {}, ...['Name', 'Phone', 'Email', 'Company', 'City'].map((t) => h('th', { scope: 'col' }, t))),
          ),
          rows,
        ),
      ),
    ),
  );

  function importReport(answer) {
    const r = answer.data;
    const problems = r.rows.filter((row) => row.status === 'failed' || row.status === 'skipped');
    return h(
      'div',
      {},
      h('p', {}, answer.message),
      problems.length > 0 &&
        h('ul', {}, ...problems.slice(0, 50).map((row) => h('li', {}, `Row ${row.row} ${row.status}: ${row.reason}`))),
    );
  }

  async function exportAs(format) {
    const query = new URLSearchParams({ format });
    const term = search.querySelector('input').value.trim();
    if (term) query.set('search', term);
    const { blob, name } = await download(`/contacts/export?${query}`);
    const link = h('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(link.href);
  }

  async function load() {
    const query = new URLSearchParams({ per_page: '50' });
    const term = search.querySelector('input').value.trim();
    if (term) query.set('search', term);
    const page = await api('GET', `/contacts?${query}`);
    rows.replaceChildren(
      ...page.data.map((c) =>
        h(
          'tr',
          {},
          h('td', {}, c.name),
          h('td', {}, phone(c.phone)),
          h('td', {}, c.email ?? ''),
          h('td', {}, c.company ?? ''),
          h('td', {}, c.city ?? ''),
        ),
      ),
    );
    const total = page.meta.total_is_lower_bound ? `${page.meta.total}+` : page.meta.total;
    summary.textContent = `${total} contact${page.meta.total === 1 ? '' : 's'}${term ? ` matching “${term}”` : ''}${page.meta.total > page.data.length ? `, the first ${page.data.length} shown` : ''}.`;
  }

  void load();
}
