// Templates: the saved ones, an editor, and a live preview of the text for each contact of a contact group, exactly
// as a bulk job would send it.
import { api } from '../api.js';
import { clearErrors, debounce, field, form, h, phone, select, showErrors } from '../dom.js';

/** Renders the templates view into `root`. */
export function render(root) {
  const list = h('ul', { className: 'plain', 'aria-label': 'Templates' });
  const preview = h('ol', { className: 'plain preview', 'aria-label': 'Preview per contact' });
  const groupField = select('Preview for contact group', 'group_id', []);
  let editing = null;

  const editor = form(
    { 'aria-label': 'Template' },
    [
      h('h2', { className: 'editor-title' }, 'New template'),
      field('Name', 'name', { required: true, autocomplete: 'off' }),
      field('Content', 'content', {
        multiline: true,
        rows: 5,
        required: true,
        hint: '{name}, {company}, {city}…, {{name|fallback}}, spintax {Hi|Hello}',
      }),
      h(
        'div',
        { className: 'actions' },
        h('button', { type: 'submit' }, 'Save template'),
        h('button', { type: 'button', className: 'quiet', onclick: () => edit(null) }, 'New'),
      ),
      groupField,
      h('h3', {}, 'Preview'),
      preview,
    ],
    async ({ name, content }) => {
      const saved = editing
        ? await api('PATCH', `/templates/${encodeURIComponent(editing.id)}`, { name, content })
        : await api('POST', '/templates', { name, content, message_type: 'text' });
      editing = saved.data;
      editor.querySelector('.editor-title').textContent = `Edit “${editing.name}”`;
      await loadTemplates();
    },
  );
  const content = editor.querySelector('[name=content]');
  const groupPicker = groupField.querySelector('select');

  root.append(
    h('h1', {}, 'Templates'),
    h(
      'div',
      { className: 'split' },
      h('section', { 'aria-labelledby': 'templates-title' }, h('h2', { id: 'templates-title' }, 'Saved'), list),
      editor,
    ),
  );

  function edit(template) {
    editing = template;
    editor.querySelector('.editor-title').textContent = template ? `Edit “${template.name}”` : 'New template';
    editor.querySelector('[name=name]').value = template?.name ?? '';
    content.value = template?.content ?? '';
    clearErrors(editor);
    void renderPreview();
  }

  // The preview follows the text as it is typed; only the newest answer is shown.
  let asked = 0;
  async function renderPreview() {
    const group = groupPicker.value;
    if (!group) return preview.replaceChildren(h('li', { className: 'muted' }, 'Make a contact group to preview.'));
    if (!content.value.trim()) return preview.replaceChildren(h('li', { className: 'muted' }, 'Type a template.'));
    const mine = ++asked;
    try {
      const rendered = (
        await api('POST', `/contact-groups/${encodeURIComponent(group)}/personalized-preview`, {
          template: content.value,
        })
      ).data;
      if (mine !== asked) return;
      clearErrors(editor);
      preview.replaceChildren(
        ...rendered
          .slice(0, 20)
          .map(({ contact, message }) =>
            h('li', {}, h('strong', {}, `${contact.name} (${phone(contact.phone)})`), h('div', {}, message)),
          ),
      );
      if (rendered.length === 0) preview.append(h('li', { className: 'muted' }, 'The group has no active contact.'));
    } catch (error) {
      if (mine !== asked) return;
      preview.replaceChildren(h('li', { className: 'muted' }, 'Fix the template to see the preview.'));
      // The preview checks the text as a bulk job would: its errors name `template`, which is this form's `content`.
      showErrors(editor, { ...error, message: error.message, fields: renameTemplateField(error.fields) });
    }
  }
  const renameTemplateField = (fields = {}) =>
    Object.fromEntries(
      Object.entries(fields).map(([name, reasons]) => [name === 'template' ? 'content' : name, reasons]),
    );

  content.addEventListener('input', debounce(renderPreview, 250));
  groupPicker.addEventListener('change', () => void renderPreview());

  async function loadTemplates() {
    const templates = (await api('GET', '/templates?per_page=100')).data;
    list.replaceChildren(
      ...templates.map((t) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              className: 'session-item',
              'aria-current': editing?.id === t.id ? 'true' : undefined,
              onclick: () => edit(t),
            },
            h('span', { className: 'name' }, t.name),
            h('span', { className: 'phone' }, t.content.length > 80 ? `${t.content.slice(0, 80)}…` : t.content),
          ),
        ),
      ),
    );
    if (templates.length === 0) list.append(h('li', { className: 'muted' }, 'No template yet.'));
  }

  async function loadGroups() {
    const groups = (await api('GET', '/contact-groups?per_page=100')).data;
    groupPicker.replaceChildren(
      ...groups.map((g) => h('option', { value: g.id }, `${g.name} (${g.contacts_count ?? 0})`)),
    );
    await renderPreview();
  }

  void loadTemplates();
  void loadGroups();
}
