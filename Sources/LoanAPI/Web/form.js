// Form fields with their label, hint and error message wired for assistive technology, and
// the one way errors are shown next to fields (whether found inline or by the API).
import { h, uid } from './dom.js';

/**
 * A labelled field. `control` is an <input> or <select> without id; the label, hint and error
 * paragraph are bound to it with for/aria-describedby.
 */
export function field({ label, hint, control, name }) {
  const id = uid('field');
  control.id = id;
  if (name) control.name = name;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const wrapper = h('div', { class: 'field', dataset: { field: name ?? '' } },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
    error);
  return { wrapper, control, error };
}

/** Shows (or clears, with a null message) a field's error; `source` says who found it: inline or api. */
export function showError(f, message, source = 'inline') {
  if (message) {
    f.error.replaceChildren(h('span', { class: 'visually-hidden' }, 'Error: '), h('span', { class: 'message' }, message));
    f.error.hidden = false;
    f.error.dataset.source = source;
    f.control.setAttribute('aria-invalid', 'true');
    f.wrapper.classList.add('invalid');
  } else {
    f.error.replaceChildren();
    f.error.hidden = true;
    delete f.error.dataset.source;
    f.control.removeAttribute('aria-invalid');
    f.wrapper.classList.remove('invalid');
  }
}

/** A message for the whole form (role=alert, so it is announced). Null hides it. */
export function formMessage(element, message, kind = 'error') {
  element.replaceChildren(message ?? '');
  element.hidden = !message;
  element.className = `form-message ${kind}`;
}

/** Disables a form's submit button while `work` runs, so a double click sends once. */
export async function busy(button, label, work) {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try { return await work(); } finally { button.disabled = false; button.textContent = original; }
}

export function input(attributes) { return h('input', { type: 'text', ...attributes }); }
