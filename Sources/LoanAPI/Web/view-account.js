// My account: see it, change email and/or password, delete it.
import { api, ApiError, session } from './api.js';
import { h } from './dom.js';
import { busy, field, formMessage, input, showError } from './form.js';
import { when } from './format.js';

export function accountView({ show, current, navigate, flash }) {
  const details = h('dl', { class: 'facts' });
  const email = field({ label: 'Email', name: 'email', control: input({ type: 'email', autocomplete: 'email', spellcheck: 'false' }) });
  const password = field({ label: 'New password', name: 'password', hint: 'Leave empty to keep your password. 8 to 72 characters.',
    control: input({ type: 'password', autocomplete: 'new-password' }) });
  const message = h('p', { role: 'alert', class: 'form-message', hidden: true });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  const form = h('form', { class: 'card narrow', novalidate: true, 'aria-labelledby': 'account-edit' },
    h('h2', { id: 'account-edit' }, 'Change email or password'), message, email.wrapper, password.wrapper, save);

  let account = null;
  const draw = () => {
    details.replaceChildren(
      h('dt', {}, 'Email'), h('dd', { 'data-testid': 'account-email' }, account.email),
      h('dt', {}, 'Member since'), h('dd', {}, when(account.created_at)));
    email.control.value = account.email;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formMessage(message, null);
    showError(email, null);
    showError(password, null);
    const change = {};
    if (email.control.value.trim() !== account.email) change.email = email.control.value.trim();
    if (password.control.value !== '') change.password = password.control.value;
    if (Object.keys(change).length === 0) { formMessage(message, 'Nothing to change.', 'info'); return; }
    await busy(save, 'Saving…', async () => {
      try {
        account = await api('PATCH', '/accounts/me', change);
        password.control.value = '';
        draw();
        formMessage(message, 'Your account is updated.', 'success');
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.status === 409) error.fields = { email: error.message };
        const fields = { email, password };
        for (const [name, text] of Object.entries(error.fields)) if (fields[name]) showError(fields[name], text, 'api');
        if (Object.keys(error.fields).length === 0) formMessage(message, error.message);
      }
    });
  });

  // Deleting asks once more, in the page (no browser dialog), and says what happens to the loans.
  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'group', 'aria-labelledby': 'delete-question' },
    h('p', { id: 'delete-question' }, 'Delete your account for good? Your loan requests are kept, but you can no longer see them.'),
    h('button', { type: 'button', class: 'danger', onclick: remove }, 'Yes, delete my account'),
    h('button', { type: 'button', onclick: () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); } }, 'Keep it'));
  const ask = h('button', { type: 'button', class: 'danger', onclick: () => {
    ask.hidden = true; confirmBox.hidden = false; confirmBox.querySelector('button').focus();
  } }, 'Delete account…');
  async function remove() {
    try {
      await api('DELETE', '/accounts/me');
      session.clear();
      flash('Your account is deleted.');
      navigate('/signup');
    } catch (error) {
      formMessage(message, error.message);
    }
  }

  const load = async () => {
    try {
      account = await api('GET', '/accounts/me');
    } catch (error) {
      if (current()) show('Account', h('p', { role: 'alert', class: 'form-message error' }, error.message));
      return;
    }
    if (!current()) return;
    draw();
    show('Account', h('section', { class: 'card narrow' }, details), form,
      h('section', { class: 'card narrow', 'aria-labelledby': 'danger-zone' }, h('h2', { id: 'danger-zone' }, 'Delete account'), ask, confirmBox));
  };
  load();
}
