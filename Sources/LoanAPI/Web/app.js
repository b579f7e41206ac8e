// The single-page app: hash routes (the server only ever serves "/"), the navigation, and one
// view at a time in <main>.
import { session } from './api.js';
import { h } from './dom.js';
import { logInView, signUpView } from './view-auth.js';
import { accountView } from './view-account.js';
import { loanFormView } from './view-loan-form.js';
import { loanListView } from './view-loan-list.js';
import { loanView } from './view-loan.js';

const routes = [
  { pattern: /^\/login$/, view: logInView, public: true },
  { pattern: /^\/signup$/, view: signUpView, public: true },
  { pattern: /^\/loans$/, view: loanListView },
  { pattern: /^\/loans\/new$/, view: loanFormView },
  { pattern: /^\/loans\/([0-9a-f]{24})$/, view: loanView },
  { pattern: /^\/account$/, view: accountView },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const flashBox = document.getElementById('flash');
let pendingFlash = null;
let cleanup = null;
let generation = 0;

/** A message shown at the top of the next view ("You are logged out."). */
export function flash(text) { pendingFlash = text; }

/** Goes to a route; the hashchange listener renders it. */
export function navigate(path) {
  if (location.hash === `#${path}`) render(); else location.hash = path;
}

function render() {
  const path = location.hash.replace(/^#/, '') || '/';
  const loggedIn = session.token() !== null;
  const route = routes.find((candidate) => candidate.pattern.test(path));
  if (!route || (!route.public && !loggedIn) || (route.public && loggedIn)) {
    location.replace(loggedIn ? '#/loans' : '#/login');
    return;
  }
  cleanup?.();
  cleanup = null;
  generation += 1;
  const mine = generation;
  nav.hidden = !loggedIn;
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#${path}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  flashBox.replaceChildren(pendingFlash ?? '');
  flashBox.hidden = !pendingFlash;
  pendingFlash = null;
  main.replaceChildren();
  const context = {
    main,
    params: path.match(route.pattern).slice(1),
    navigate,
    flash,
    /** False once the user has moved on: late answers must not draw over the next view. */
    current: () => mine === generation,
    /** Sets the page title and heading, and moves focus there so screen readers announce the new page. */
    show(title, ...nodes) {
      if (mine !== generation) return;
      document.title = `${title} – Celeriac home loans`;
      const heading = h('h1', { tabindex: '-1' }, title);
      main.replaceChildren(heading, ...nodes);
      heading.focus({ preventScroll: true });
    },
  };
  cleanup = route.view(context) ?? null;
}

document.getElementById('logout').addEventListener('click', () => {
  session.clear();
  flash('You are logged out.');
  navigate('/login');
});
window.addEventListener('session-ended', () => {
  flash('Your session has ended. Please log in again.');
  navigate('/login');
});
window.addEventListener('hashchange', render);
render();
