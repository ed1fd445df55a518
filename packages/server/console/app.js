/* global document, window, location */
// The console's shell: sign-in, the navigation between views, and the one live event stream they all listen to.
import { api, onUnauthorized, signIn, signOut, streamEvents, token } from './api.js';
import { field, form, h } from './dom.js';
import * as bulk from './views/bulk.js';
import * as contacts from './views/contacts.js';
import * as scheduled from './views/scheduled.js';
import * as sessions from './views/sessions.js';
import * as templates from './views/templates.js';
import * as webhooks from './views/webhooks.js';

const VIEWS = { sessions, bulk, scheduled, contacts, templates, webhooks };

const main = document.getElementById('main');
const nav = document.querySelector('nav');
const signOutButton = document.getElementById('sign-out');

let stream = null;
let leaveView = null;

function showSignIn(message) {
  stream?.abort();
  stream = null;
  leaveView?.();
  leaveView = null;
  nav.hidden = true;
  signOutButton.hidden = true;
  const signInForm = form(
    { className: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    [
      h('h1', { id: 'sign-in-title' }, 'Sign in'),
      h(
        'p',
        { className: 'muted' },
        'Paste an API token. It is kept in this tab only and forgotten when the tab closes.',
      ),
      field('API token', 'token', { type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' }),
      h('button', { type: 'submit' }, 'Sign in'),
    ],
    async ({ token: value }) => {
      signIn(value.trim());
      try {
        await start();
      } catch (error) {
        signOut();
        throw error.status === 401 ? Object.assign(error, { message: 'That token was refused.' }) : error;
      }
    },
  );
  main.replaceChildren(signInForm);
  if (message) signInForm.querySelector('.errors').append(h('p', {}, message));
  signInForm.querySelector('input').focus();
}

async function start() {
  const me = (await api('GET', '/me')).data;
  nav.hidden = false;
  signOutButton.hidden = false;
  signOutButton.title = `Signed in as ${me.email}`;
  stream = new AbortController();
  void streamEvents(stream.signal);
  route();
}

function route() {
  if (!stream) return;
  const name = location.hash.slice(1).split('/')[0] || 'sessions';
  // Own keys only: `#constructor` or `#toString` would find the object's prototype members.
  const view = Object.hasOwn(VIEWS, name) ? VIEWS[name] : sessions;
  for (const link of nav.querySelectorAll('a'))
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  leaveView?.();
  main.replaceChildren();
  leaveView = view.render(main) ?? null;
  document.title = `${nav.querySelector('[aria-current]')?.textContent ?? 'Sessions'} · Kirim console`;
}

window.addEventListener('hashchange', () => {
  route();
  main.focus();
});
signOutButton.addEventListener('click', () => {
  signOut();
  showSignIn();
});
onUnauthorized(() => {
  if (!stream) return; // signing in: the sign-in form says it
  signOut();
  showSignIn('The token was refused (revoked or expired?): sign in again.');
});

if (token()) start().catch(() => showSignIn());
else showSignIn();
