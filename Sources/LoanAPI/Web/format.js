// How amounts, rates and dates read on screen (one place, so every view agrees).

const euros = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });
const wholeEuros = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const compactEuros = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR', notation: 'compact', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' });

export const money = (value) => euros.format(value);
export const moneyWhole = (value) => wholeEuros.format(value);
export const moneyCompact = (value) => compactEuros.format(value);
/** 0.0345 → "3.45 %". */
export const percent = (ratio, digits = 2) => `${(ratio * 100).toFixed(digits)} %`;
export const when = (iso) => dateTime.format(new Date(iso));
export const clock = (iso) => time.format(new Date(iso));

/** "fixed_term" → "Fixed term". */
export function humanize(value) {
  const text = String(value).replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A term in months as people say it: "240 months (20 years)". */
export function term(months) {
  if (months % 12 === 0) return `${months} months (${months / 12} years)`;
  return `${months} months`;
}
