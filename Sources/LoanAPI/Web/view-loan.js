// One loan, live: the two checks side by side as they start and finish, then the decision with
// its repayment schedule (charts and table). Every state arrives over the WebSocket (live.js);
// the page never reloads.
import { api } from './api.js';
import { scheduleCharts } from './chart.js';
import { h } from './dom.js';
import { clock, humanize, money, moneyWhole, percent, term, when } from './format.js';
import { watchLoan } from './live.js';
import { badge } from './view-loan-list.js';

const events = {
  submitted: 'Submitted',
  evaluation_started: 'Evaluation started',
  credit_checked: 'Credit check finished',
  property_checked: 'Property check finished',
  denied_by_credit_check: 'Denied by the credit check',
  denied_by_property_check: 'Denied by the property check',
  decided: 'Decision recorded',
  evaluation_failed: 'Evaluation failed',
  cancelled_by_applicant: 'Cancelled by you',
};

const stateLabels = { waiting: 'Waiting', running: 'Running…', passed: 'Passed', failed: 'Failed', 'not-run': 'Not run' };

/** Where a check is: its result once recorded, else whether the evaluation has started. */
function checkState(loan, key) {
  const result = loan.checks?.[key];
  if (result) return result.approved ? 'passed' : 'failed';
  if (loan.status === 'Cancelled') return 'not-run';
  return loan.status === 'Pending' ? 'waiting' : 'running';
}

function fact(label, value, raw) {
  return [h('dt', {}, label), h('dd', { 'data-value': raw ?? null }, value)];
}

function reasonList(reasons, className) {
  return reasons?.length ? h('ul', { class: className }, reasons.map((reason) => h('li', {}, reason))) : null;
}

function checkCard(title, key, loan) {
  const state = checkState(loan, key);
  const result = loan.checks?.[key];
  let facts = [];
  if (result && key === 'credit') {
    facts = [fact('Credit score', String(result.score), result.score),
      fact('Debt-to-income', `${percent(result.debt_to_income, 1)} (at most 35 %)`, result.debt_to_income),
      fact('Payment used for it', `${money(result.reference_payment)} a month`, result.reference_payment)];
  } else if (result && key === 'property') {
    facts = [fact('Loan-to-value', percent(result.loan_to_value, 1), result.loan_to_value)];
  }
  return h('section', { class: `check-card state-${state}`, 'data-check': key, 'data-state': state, 'aria-labelledby': `check-${key}` },
    h('h2', { id: `check-${key}` }, title),
    h('p', { class: 'check-state' }, h('span', { class: 'state-dot', 'aria-hidden': 'true' }), stateLabels[state]),
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    reasonList(result?.reasons, 'reasons'));
}

function scheduleTable(schedule) {
  const total = (key) => schedule.reduce((sum, row) => sum + row[key], 0);
  return h('details', { class: 'schedule' },
    h('summary', {}, `Repayment schedule (${schedule.length} monthly payments)`),
    // Focusable so keyboard users can scroll it; a region so it is announced with its name.
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Repayment schedule table' },
      h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Repayment schedule, one row per monthly payment'),
        h('thead', {}, h('tr', {}, ['Month', 'Payment', 'Interest', 'Principal', 'Balance after'].map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, schedule.map((row) => h('tr', {},
          h('th', { scope: 'row' }, String(row.month)),
          h('td', {}, money(row.payment)), h('td', {}, money(row.interest)), h('td', {}, money(row.principal)),
          h('td', {}, money(row.remaining_balance))))),
        h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'Total'),
          h('td', {}, money(total('payment'))), h('td', {}, money(total('interest'))), h('td', {}, money(total('principal'))), h('td', {}))))));
}

function decisionCard(loan) {
  const decision = loan.decision;
  const parts = [h('h2', { id: 'decision-title' }, 'Decision'), h('p', { class: 'decision-status' }, badge(loan.status))];
  if (loan.status === 'Approved' && decision) {
    parts.push(h('dl', { class: 'facts key-figures' },
      fact('Annual rate', percent(decision.annual_rate), decision.annual_rate),
      fact('Monthly payment', money(decision.monthly_payment), decision.monthly_payment),
      fact('Total cost of credit', money(decision.total_cost_of_credit), decision.total_cost_of_credit),
      fact('Total repaid', money(decision.total_repaid), decision.total_repaid)));
    if (decision.schedule?.length) parts.push(scheduleCharts(decision.schedule), scheduleTable(decision.schedule));
  } else if (loan.status === 'Denied') {
    parts.push(h('p', {}, 'Your request was denied for these reasons:'), reasonList(loan.reasons, 'reasons denial-reasons'));
    if (!decision) parts.push(h('p', { class: 'hint' }, 'The remaining check is finishing; the list may grow.'));
  } else if (loan.status === 'Cancelled') {
    parts.push(h('p', { class: 'denial' }, loan.error ? `The evaluation could not finish: ${loan.error}` : 'You cancelled this request.'));
  }
  return h('section', { class: 'card decision', 'data-status': loan.status, 'aria-labelledby': 'decision-title' }, parts);
}

export function loanView({ show, params, current }) {
  const [id] = params;
  const status = h('p', { class: 'status-line', 'aria-live': 'polite', 'data-updates': '0' });
  const connection = h('span', { class: 'connection', 'data-connection': 'connecting' }, 'Connecting…');
  const summary = h('p', { class: 'lead' });
  const checks = h('div', { class: 'checks' });
  const decisionSlot = h('div', {});
  const timeline = h('ol', { class: 'timeline' });
  const error = h('p', { role: 'alert', class: 'form-message error', hidden: true });
  const cancel = h('button', { type: 'button', class: 'danger', hidden: true, onclick: cancelLoan }, 'Cancel this request');
  let updates = 0;
  let decisionKey = null;
  let shown = false;

  async function cancelLoan() {
    cancel.disabled = true;
    try { await api('POST', `/loans/${id}/cancel`); } catch (failure) { error.textContent = failure.message; error.hidden = false; }
    cancel.disabled = false;
  }

  function draw(loan) {
    updates += 1;
    status.dataset.updates = String(updates);
    status.dataset.status = loan.status;
    status.replaceChildren('Status: ', badge(loan.status));
    const request = loan.request;
    summary.replaceChildren(`${moneyWhole(request.loan.amount)} over ${term(request.loan.term_months)} · `
      + `${humanize(request.property.type)} for ${humanize(request.property.purpose).toLowerCase()} in ${request.property.postcode} · submitted ${when(loan.created_at)}`);
    checks.replaceChildren(checkCard('Credit check', 'credit', loan), checkCard('Property check', 'property', loan));
    // Rebuilt only when it changes, so an open schedule stays open.
    const key = `${loan.status}|${Boolean(loan.decision)}|${(loan.reasons ?? []).length}`;
    if (key !== decisionKey && loan.status !== 'Pending' && loan.status !== 'Evaluating') {
      decisionKey = key;
      decisionSlot.replaceChildren(decisionCard(loan));
    }
    timeline.replaceChildren(...loan.history.map((entry) => h('li', { 'data-event': entry.event },
      h('time', { datetime: entry.at }, clock(entry.at)), ' ', events[entry.event] ?? humanize(entry.event),
      entry.detail ? h('span', { class: 'detail' }, ` — ${entry.detail}`) : null)));
    cancel.hidden = !(loan.status === 'Pending' || loan.status === 'Evaluating');
    if (!shown) {
      shown = true;
      show('Loan request', summary, h('div', { class: 'status-bar' }, status, connection), error, checks, decisionSlot,
        h('section', { class: 'card', 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'What happened'), timeline),
        h('p', { class: 'page-actions' }, cancel, h('a', { href: '#/loans' }, 'Back to my loans')));
    }
  }

  const labels = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Connection lost, reconnecting…', done: 'Final' };
  const stop = watchLoan(id, {
    onLoan: (loan) => { if (current()) draw(loan); },
    onConnection: (state) => { connection.dataset.connection = state; connection.textContent = labels[state]; },
    onError: (message) => {
      if (!current()) return;
      if (!shown) { shown = true; show('Loan request', error); }
      error.textContent = message;
      error.hidden = false;
    },
  });
  return stop;
}
