// My loans, newest first (the API's order), a page at a time, each with its status badge.
import { api } from './api.js';
import { h } from './dom.js';
import { humanize, moneyWhole, term, when } from './format.js';

const PAGE = 10;

export function badge(status) {
  return h('span', { class: `badge badge-${status.toLowerCase()}`, 'data-status': status }, status);
}

export function loanListView({ show, current }) {
  let offset = 0;
  const list = h('ol', { class: 'loan-list', 'aria-label': 'Loan requests, newest first' });
  const summary = h('p', { class: 'lead', 'aria-live': 'polite' });
  const newer = h('button', { type: 'button', onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, 'Newer');
  const older = h('button', { type: 'button', onclick: () => { offset += PAGE; load(); } }, 'Older');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' }, newer, older);
  let shown = false;

  async function load() {
    let page;
    try {
      page = await api('GET', `/loans?limit=${PAGE}&offset=${offset}`);
    } catch (error) {
      if (current()) show('My loans', h('p', { role: 'alert', class: 'form-message error' }, error.message));
      return;
    }
    if (!current()) return;
    list.replaceChildren(...page.loans.map((loan) => h('li', {},
      h('a', { href: `#/loans/${loan.id}`, class: 'loan-item', 'data-loan-id': loan.id },
        h('span', { class: 'loan-amount' }, moneyWhole(loan.request.loan.amount)),
        h('span', { class: 'loan-meta' },
          `${term(loan.request.loan.term_months)} · ${humanize(loan.request.property.type)}, ${humanize(loan.request.property.purpose).toLowerCase()} · `,
          h('time', { datetime: loan.created_at }, when(loan.created_at))),
        badge(loan.status)))));
    const last = Math.min(offset + PAGE, page.total);
    summary.replaceChildren(page.total === 0 ? 'You have no loan requests yet.'
      : `Showing ${offset + 1}–${last} of ${page.total} loan request${page.total === 1 ? '' : 's'}, newest first.`);
    newer.disabled = offset === 0;
    older.disabled = last >= page.total;
    pager.hidden = page.total <= PAGE;
    if (!shown) {
      shown = true;
      show('My loans', summary, h('p', {}, h('a', { href: '#/loans/new', class: 'button primary' }, 'New loan request')), list, pager);
    }
  }
  load();
}
