// A new loan request, checked field by field as it is typed with the API's own rules (rules.js),
// then sent; the API's field errors are shown next to the fields.
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { busy, field, formMessage, showError } from './form.js';
import { humanize } from './format.js';
import { check, loanRules } from './rules.js';

// Presentation only: what each field is called on screen. The rules themselves come from the API.
const sections = {
  applicant: 'You',
  property: 'The property',
  loan: 'The loan',
};
const labels = {
  'applicant.monthly_net_income': ['Monthly net income (€)', 'After tax, all household income.'],
  'applicant.monthly_debt_payments': ['Monthly repayments of other loans (€)', 'Enter 0 if none.'],
  'applicant.employment_type': ['Employment', null],
  'applicant.employment_years': ['Years in this employment', null],
  'applicant.defaults_last_24_months': ['Payment defaults in the last 24 months', null],
  'applicant.late_payments_last_24_months': ['Late payments in the last 24 months', null],
  'applicant.age': ['Age', null],
  'property.estimated_value': ['Estimated value (€)', null],
  'property.type': ['Property type', null],
  'property.postcode': ['Postcode', 'Five digits, e.g. 69003.'],
  'property.purpose': ['Purpose', null],
  'loan.amount': ['Amount to borrow (€)', null],
  'loan.down_payment': ['Down payment (€)', null],
  'loan.term_months': ['Term (months)', 'e.g. 240 for 20 years.'],
};

function control(rule) {
  if (rule.choices) {
    return h('select', {},
      h('option', { value: '' }, 'Choose…'),
      rule.choices.map((choice) => h('option', { value: choice }, humanize(choice))));
  }
  // Text inputs rather than type=number: a number input silently empties what is not a number,
  // which would turn "12a" into "required" instead of the API's own message.
  const numeric = rule.type === 'number' || rule.type === 'integer';
  return h('input', {
    type: 'text', autocomplete: 'off', spellcheck: 'false',
    inputmode: rule.type === 'integer' || rule.pattern ? 'numeric' : numeric ? 'decimal' : null,
  });
}

export function loanFormView({ show, current, navigate }) {
  const load = async () => {
    let rules;
    try {
      rules = await loanRules();
    } catch (error) {
      if (current()) show('New loan request', h('p', { role: 'alert', class: 'form-message error' }, `The form cannot load its rules: ${error.message}`));
      return;
    }
    if (!current()) return;
    const fields = new Map();
    const message = h('div', { role: 'alert', class: 'form-message', hidden: true });
    const fieldsets = rules.map(({ section, fields: sectionRules }) => h('fieldset', { class: 'card' },
      h('legend', {}, sections[section] ?? humanize(section)),
      h('div', { class: 'grid' }, sectionRules.map((rule) => {
        const [label, hint] = labels[rule.path] ?? [humanize(rule.key), null];
        const f = field({ label, hint, name: rule.path, control: control(rule) });
        f.rule = rule;
        f.touched = false;
        fields.set(rule.path, f);
        // Checked when the field is left, then on every keystroke once it has been left.
        const validate = () => showError(f, check(rule, f.control.value).error);
        f.control.addEventListener('blur', () => { f.touched = true; validate(); });
        f.control.addEventListener('change', () => { f.touched = true; validate(); });
        f.control.addEventListener('input', () => { if (f.touched) validate(); });
        return f.wrapper;
      }))));
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Submit request');
    const form = h('form', { novalidate: true, class: 'loan-form' }, message, fieldsets, h('div', { class: 'actions' }, submit));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formMessage(message, null);
      const body = {};
      for (const [path, f] of fields) {
        const [section, key] = path.split('.');
        body[section] ??= {};
        body[section][key] = check(f.rule, f.control.value).value;
      }
      // Sent even when a field looks wrong: the API has the last word, so the messages shown
      // after submitting are always its own (they match the inline ones by construction).
      await busy(submit, 'Submitting…', async () => {
        try {
          const loan = await api('POST', '/loans', body);
          navigate(`/loans/${loan.id}`);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          if (error.status !== 422) { formMessage(message, error.message); message.focus(); return; }
          const unknown = [];
          for (const f of fields.values()) showError(f, null);
          for (const [path, text] of Object.entries(error.fields)) {
            if (fields.has(path)) showError(fields.get(path), text, 'api'); else unknown.push(`${path}: ${text}`);
          }
          const count = Object.keys(error.fields).length;
          formMessage(message, `The request was not accepted: ${count} ${count === 1 ? 'field needs' : 'fields need'} attention.`
            + (unknown.length ? ` ${unknown.join('; ')}` : ''));
          form.querySelector('[aria-invalid="true"]')?.focus();
        }
      });
    });
    show('New loan request', h('p', { class: 'lead' }, 'Tell us about you, the property and the loan. We check your request in seconds.'), form);
  };
  load();
}
