// @ts-check
/**
 * @file Small DOM helpers shared by every screen.
 *
 * Data never goes through innerHTML: `h()` puts strings in as text nodes. The page's
 * Content-Security-Policy forbids inline styles, so looks come from classes in css/app.css.
 * Levels always show their name as well as their colour.
 */

/** @typedef {import('./types.js').Level} Level */

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * Strings and numbers become text; null, undefined and false are skipped.
 */

/**
 * @typedef {Record<string, unknown>} Props
 * `class`: class names (string, or an array with falsy entries skipped); `on<event>`: a listener
 * (`onclick`); `dataset`: data-* values; `hidden`, `disabled`, `checked`, `value`, `required`,
 * `open`: set as properties; other keys become attributes (true → empty attribute;
 * false/null/undefined → left out).
 */

const PROPERTY_KEYS = new Set(['hidden', 'disabled', 'checked', 'value', 'required', 'open', 'selected', 'readOnly']);

/**
 * Creates an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props | null} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      if (PROPERTY_KEYS.has(key)) /** @type {any} */ (el)[key] = false;
      continue;
    }
    if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    } else if (key === 'dataset' && typeof value === 'object') {
      for (const [k, v] of Object.entries(/** @type {Record<string, unknown>} */ (value))) el.dataset[k] = String(v);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (PROPERTY_KEYS.has(key)) {
      /** @type {any} */ (el)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Appends children (strings as text).
 * @param {Element | DocumentFragment} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
}

/**
 * Replaces an element's content.
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

// ---- levels ----

/** Names of the levels (docs/clinical-rules.md §4); the server sends the same in `level_name`. */
export const LEVEL_NAMES = Object.freeze({
  P1: 'Emergency',
  P2: 'Very urgent',
  P3: 'Urgent',
  P4: 'Standard',
  P5: 'Routine / advice',
});

/**
 * A level badge: colour and name together ("P2 Very urgent"), never colour alone.
 * @param {string} level `P1`..`P5`.
 * @param {{name?: string, size?: 'small' | 'large'}} [options]
 * @returns {HTMLSpanElement}
 */
export function levelBadge(level, options = {}) {
  const known = /** @type {Record<string, string>} */ (LEVEL_NAMES);
  const name = options.name ?? known[level] ?? '';
  return h(
    'span',
    { class: ['level', `level-${level.toLowerCase()}`, options.size && `level-${options.size}`] },
    h('span', { class: 'level-code' }, level),
    h('span', { class: 'level-name' }, name),
  );
}

// ---- people ----

/**
 * A round initials avatar (residents have no photos yet).
 * @param {string} initials
 * @param {'small' | 'large'} [size]
 */
export function avatar(initials, size) {
  return h('span', { class: ['avatar', size && `avatar-${size}`], 'aria-hidden': 'true' }, initials);
}

/**
 * "Margaret Hargreaves", with "known as Peggy" when the preferred name differs.
 * @param {{given_name: string, family_name: string, preferred_name?: string}} person
 * @returns {{full: string, knownAs: string | null}}
 */
export function residentNames(person) {
  const full = `${person.given_name} ${person.family_name}`;
  const preferred = person.preferred_name?.trim();
  return { full, knownAs: preferred && preferred !== person.given_name ? preferred : null };
}

// ---- time ----

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayAndClock = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/**
 * "14:05" in the tablet's time zone.
 * @param {string | number | Date} when
 */
export function formatClock(when) {
  return clock.format(new Date(when));
}

/**
 * "today at 16:00", "tomorrow at 08:00", "yesterday at 22:10" or "Mon 23 Nov, 14:05".
 * @param {string | number | Date} when
 * @param {number} [now]
 */
export function formatDayTime(when, now = Date.now()) {
  const date = new Date(when);
  const days = Math.round((startOfDay(date) - startOfDay(new Date(now))) / 86_400_000);
  if (days === 0) return `today at ${clock.format(date)}`;
  if (days === 1) return `tomorrow at ${clock.format(date)}`;
  if (days === -1) return `yesterday at ${clock.format(date)}`;
  return dayAndClock.format(date);
}

/** @param {Date} date */
function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/**
 * "just now", "4 min ago", "2 h 5 min ago", then the day and time.
 * @param {string | number | Date} when
 * @param {number} [now]
 */
export function timeAgo(when, now = Date.now()) {
  const seconds = Math.round((now - new Date(when).getTime()) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 12) return minutes % 60 ? `${hours} h ${minutes % 60} min ago` : `${hours} h ago`;
  return formatDayTime(when, now);
}

/**
 * A duration in words, rounded: "under a minute", "5 minutes", "1 hour 10 minutes".
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const minutes = Math.round(Math.max(0, seconds) / 60);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const h1 = hours === 1 ? '1 hour' : `${hours} hours`;
  return rest ? `${h1} ${rest} min` : h1;
}

/**
 * A running timer: "0:05", "12:34", "1:02:03".
 * @param {number} seconds
 */
export function formatTimer(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

// ---- feedback ----

/**
 * Says something to screen readers (the shell has one polite live region).
 * @param {string} text
 */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes screen readers read repeated messages too.
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/**
 * A notice box. Kinds: info (blue), warning (amber), danger (red), success (green); each also
 * has a title, so the meaning never rests on colour.
 * @param {'info' | 'warning' | 'danger' | 'success'} kind
 * @param {string} title
 * @param {...(Child | Child[])} body
 */
export function notice(kind, title, ...body) {
  return h(
    'div',
    { class: ['notice', `notice-${kind}`], role: kind === 'danger' ? 'alert' : null },
    h('p', { class: 'notice-title' }, title),
    ...body,
  );
}

/**
 * Asks a yes/no question in a modal dialog.
 * @param {{title: string, body?: string, confirm: string, cancel?: string, danger?: boolean}} options
 * @returns {Promise<boolean>}
 */
export function confirmDialog(options) {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('h2', { id: 'dialog-title' }, options.title),
      options.body ? h('p', null, options.body) : null,
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => close(false) }, options.cancel ?? 'Go back'),
        h('button', { type: 'button', class: ['btn', options.danger ? 'btn-danger' : 'btn-primary'], onclick: () => close(true) }, options.confirm),
      ),
    );
    /** @param {boolean} answer */
    function close(answer) {
      dialog.close();
      dialog.remove();
      resolve(answer);
    }
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Debounces a function: it runs once, `ms` after the last call.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {((...args: A) => void) & {cancel: () => void}}
 */
export function debounce(fn, ms) {
  /** @type {number | undefined} */
  let timer;
  const debounced = /** @param {A} args */ (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => window.clearTimeout(timer);
  return debounced;
}
