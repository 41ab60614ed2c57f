// @ts-check
/**
 * @file The sign-in screen, for every role.
 */

import * as session from './session.js';
import { ApiError } from './api.js';
import { h, replace, notice } from './ui.js';

/**
 * @param {HTMLElement} root
 * @param {{reason: string | null}} options Why the last session ended, if it did.
 */
export function mount(root, options) {
  const error = h('div', { id: 'signin-error', class: 'form-error', 'aria-live': 'assertive' });
  const username = h('input', {
    id: 'username', name: 'username', type: 'text', autocomplete: 'username', autocapitalize: 'none',
    spellcheck: 'false', required: true, class: 'input',
  });
  const password = h('input', {
    id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, class: 'input',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');

  const form = h(
    'form',
    { class: 'signin-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error,
    submit,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.replaceChildren();
    if (!username.value.trim() || !password.value) {
      replace(error, 'Enter your username and password.');
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await session.signIn(username.value.trim(), password.value);
      // session.onChange re-renders the app on the user's first screen.
    } catch (e) {
      submit.disabled = false;
      submit.textContent = 'Sign in';
      replace(error, signInMessage(e));
      password.value = '';
      password.focus();
    }
  });

  replace(
    root,
    h(
      'section',
      { class: 'screen signin' },
      h('h1', null, 'Sign in to CareHub'),
      h('p', { class: 'lead' }, 'Video calls from care homes to the digital care hub.'),
      options.reason
        ? notice(options.reason === session.SIGNED_OUT.byUser ? 'info' : 'warning', options.reason,
          options.reason === session.SIGNED_OUT.byServer ? h('p', null, 'Your sign-in is no longer valid. Sign in again to carry on.') : null)
        : null,
      form,
      h('p', { class: 'hint' }, 'This tablet may be shared. Always sign out when you finish, and never share your password.'),
    ),
  );
  username.focus();
}

/** @param {unknown} e */
function signInMessage(e) {
  if (e instanceof ApiError) {
    if (e.status === 401) return 'That username and password do not match. Check them and try again.';
    if (e.status === 429) return e.message || 'Too many attempts. Wait a few minutes, then try again.';
    return e.message;
  }
  return 'Something went wrong. Please try again.';
}
