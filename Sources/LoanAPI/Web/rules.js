// The loan request rules, read from the API's own OpenAPI document: its LoanRequest schema is
// generated from the validation rules the API runs (bounds, choices, pattern, and the exact
// message as x-error-message), so the form checks what the API checks with no number copied here.

let loaded = null;

/**
 * The rules, fetched once: [{section, fields: [{path, key, type, minimum, maximum, choices, pattern, message}]}].
 */
export function loanRules() {
  loaded ??= fetch('/openapi.json', { headers: { Accept: 'application/json' } })
    .then((response) => {
      if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`);
      return response.json();
    })
    .then((document) => parse(document.components.schemas.LoanRequest))
    .catch((error) => { loaded = null; throw error; });
  return loaded;
}

function parse(schema) {
  return schema.required.map((section) => {
    const sectionSchema = schema.properties[section];
    return {
      section,
      fields: sectionSchema.required.map((key) => {
        const rule = sectionSchema.properties[key];
        return {
          path: `${section}.${key}`, key, type: rule.type,
          minimum: rule.minimum, maximum: rule.maximum,
          choices: rule.enum ?? null, pattern: rule.pattern ? new RegExp(rule.pattern) : null,
          message: rule['x-error-message'],
        };
      }),
    };
  });
}

/**
 * Checks what was typed into a field, as the API will: returns the JSON value to send and the
 * API's message for it (null when valid). An empty field is sent as null ("required"); text
 * that is no number is sent as typed, which the API rejects with the same message.
 */
export function check(rule, raw) {
  const text = raw.trim();
  if (text === '') return { value: null, error: 'required' };
  switch (rule.type) {
    case 'number':
    case 'integer': {
      const number = Number(text);
      if (!Number.isFinite(number)) return { value: text, error: rule.message };
      const ok = (rule.type === 'number' || Number.isInteger(number))
        && (rule.minimum === undefined || number >= rule.minimum)
        && (rule.maximum === undefined || number <= rule.maximum);
      return { value: number, error: ok ? null : rule.message };
    }
    default: {
      const ok = (!rule.choices || rule.choices.includes(text)) && (!rule.pattern || rule.pattern.test(text));
      return { value: text, error: ok ? null : rule.message };
    }
  }
}
