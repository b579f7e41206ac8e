// Log in and sign up.
import { api, ApiError, logIn } from './api.js';
import { h } from './dom.js';
import { busy, field, formMessage, input, showError } from './form.js';

function credentialsForm({ submitLabel, busyLabel, passwordHint, autocomplete, onSubmit }) {
  const email = field({ label: 'Email', name: 'email',
    control: input({ type: 'email', autocomplete: 'email', required: true, spellcheck: 'false' }) });
  const password = field({ label: 'Password', name: 'password', hint: passwordHint,
    control: input({ type: 'password', autocomplete, required: true }) });
  const message = h('p', { role: 'alert', class: 'form-message', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = h('form', { class: 'card narrow', novalidate: true }, message, email.wrapper, password.wrapper, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formMessage(message, null);
    showError(email, null);
    showError(password, null);
    await busy(submit, busyLabel, async () => {
      try {
        await onSubmit(email.control.value.trim(), password.control.value);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const fields = { email, password };
        for (const [name, text] of Object.entries(error.fields)) if (fields[name]) showError(fields[name], text, 'api');
        if (Object.keys(error.fields).length === 0) formMessage(message, error.message);
        (form.querySelector('[aria-invalid="true"]') ?? message).focus?.();
      }
    });
  });
  return form;
}

export function logInView({ show, navigate }) {
  const form = credentialsForm({
    submitLabel: 'Log in', busyLabel: 'Logging in…', autocomplete: 'current-password',
    async onSubmit(email, password) {
      await logIn(email, password);
      navigate('/loans');
    },
  });
  show('Log in', form, h('p', { class: 'aside' }, 'No account yet? ', h('a', { href: '#/signup' }, 'Sign up')));
}

export function signUpView({ show, navigate, flash }) {
  const form = credentialsForm({
    submitLabel: 'Create account', busyLabel: 'Creating…', autocomplete: 'new-password',
    passwordHint: '8 to 72 characters.',
    async onSubmit(email, password) {
      try {
        await api('POST', '/accounts', { email, password });
      } catch (error) {
        // The only conflict is the email: show it there.
        if (error instanceof ApiError && error.status === 409) error.fields = { email: error.message };
        throw error;
      }
      await logIn(email, password);
      flash('Welcome! Your account is ready.');
      navigate('/loans/new');
    },
  });
  show('Sign up', form, h('p', { class: 'aside' }, 'Already have an account? ', h('a', { href: '#/login' }, 'Log in')));
}
