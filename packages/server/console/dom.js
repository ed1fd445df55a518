/* global document, CSS */
// Small DOM helpers shared by the views. Text always goes in as text (never as HTML): nothing from the API can
// inject markup.

/**
 * An element: `h('button', {type: 'submit', onclick}, 'Send')`; `on*` attributes become listeners, and an error
 * of an async listener (an API refusal) is shown right after the element instead of being lost.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), (e) => reportFailure(el, value(e)));
    else if (name === 'className') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

function reportFailure(el, result) {
  if (el.nextElementSibling?.classList.contains('action-error')) el.nextElementSibling.remove();
  if (typeof result?.catch !== 'function') return;
  result.catch((error) => {
    if (el.isConnected) el.after(h('span', { className: 'errors action-error', role: 'alert' }, error.message));
  });
}

/** A labelled form field; `name` is the API's field name, so its errors land beside it. */
export function field(label, name, attrs = {}) {
  const id = `f-${name}-${(field.seq = (field.seq ?? 0) + 1)}`;
  const { multiline, hint, ...rest } = attrs;
  const tag = multiline ? 'textarea' : 'input';
  const hintId = hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { className: 'field' },
    h('label', { for: id }, label),
    hint && h('small', { id: hintId, className: 'hint' }, hint),
    h(tag, { id, name, 'aria-describedby': hintId, ...rest }),
  );
}

/** A labelled select of `options` (`[value, text]` pairs). */
export function select(label, name, options, attrs = {}) {
  const id = `f-${name}-${(field.seq = (field.seq ?? 0) + 1)}`;
  return h(
    'div',
    { className: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name, ...attrs }, ...options.map(([value, text]) => h('option', { value }, text))),
  );
}

/** A form whose submit calls `onsubmit(values, form)`, showing the API's errors beside it while it runs. */
export function form(attrs, children, onsubmit) {
  const errors = h('div', { className: 'errors', role: 'alert' });
  const el = h('form', { ...attrs, novalidate: true }, ...children, errors);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const submit = el.querySelector('[type=submit]');
    if (submit) submit.disabled = true;
    try {
      await onsubmit(Object.fromEntries(new FormData(el)), el);
    } catch (error) {
      showErrors(el, error);
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  return el;
}

/** Clears a form's error list and its fields' invalid marks. */
export function clearErrors(formEl) {
  formEl.querySelector('.errors')?.replaceChildren();
  for (const input of formEl.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** Shows an API error next to a form: its message and each offending field by the API's name, marking the inputs. */
export function showErrors(formEl, error) {
  const box = formEl.querySelector('.errors');
  const fields = Object.entries(error.fields ?? {});
  const list = h(
    'ul',
    {},
    ...fields.map(([name, reasons]) => h('li', {}, h('code', {}, name), `: ${[reasons].flat().join('; ')}`)),
  );
  box.replaceChildren(h('p', {}, error.message || String(error)), ...(fields.length > 0 ? [list] : []));
  for (const [name] of fields) {
    const input = formEl.querySelector(`[name="${CSS.escape(name.split('.')[0])}"]`);
    if (input) input.setAttribute('aria-invalid', 'true');
  }
}

/** A view's page: its title, then a side column (its forms) beside a titled section (what it lists). */
export function viewLayout(title, side, sectionTitle, ...section) {
  const id = `section-${(field.seq = (field.seq ?? 0) + 1)}`;
  return [
    h('h1', {}, title),
    h(
      'div',
      { className: 'split' },
      side,
      h('section', { 'aria-labelledby': id }, h('h2', { id }, sectionTitle), ...section),
    ),
  ];
}

/** A status badge: `badge('connected')`, with a class per state for its colour. */
export function badge(text, kind = text) {
  return h('span', { className: `badge badge-${kind.replace(/[^a-z_]/g, '')}` }, text);
}

/** A local date and time for an ISO timestamp; empty for null. */
export function when(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A progress bar (role="progressbar" with its value and maximum) labelled `label`. */
export function progressBar(label, value, max) {
  const fill = h('span', { className: 'fill' });
  const bar = h('div', { className: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0 }, fill);
  setProgress(bar, value, max);
  return bar;
}

/** Moves a progress bar made by {@link progressBar}. */
export function setProgress(bar, value, max) {
  bar.setAttribute('aria-valuenow', String(value));
  bar.setAttribute('aria-valuemax', String(max));
  bar.setAttribute('aria-valuetext', `${value} of ${max}`);
  // CSSOM, not a style attribute: the Content-Security-Policy allows no inline styles.
  bar.firstChild.style.width = `${max > 0 ? Math.min(100, (100 * value) / max) : 0}%`;
}

/** Calls `fn` once calls stop coming for `ms`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** `+62 812…` style for stored digits. */
export const phone = (digits) => (digits ? `+${digits}` : '');
