// @ts-check
/**
 * @file Who is signed in on this screen.
 *
 * The token lives in sessionStorage (never localStorage): closing the tab or the browser on a
 * shared tablet forgets it. Care staff are signed out automatically after a spell without use
 * (IDLE_SIGN_OUT_MS), with a warning IDLE_WARNING_MS before; screens that must not be
 * interrupted (an open call) hold the idle timer with `holdIdle()`.
 *
 * The server has no sign-out endpoint: signing out forgets the token here, and the token
 * itself stops working at `expiresAt`. A few minutes before then the token is renewed with
 * `POST /api/auth/refresh` (a call or a nurse's shift can outlast one token); if renewal keeps
 * failing, the session ends at expiry.
 */

import * as api from './api.js';

/** @typedef {import('./types.js').Role} Role */
/** @typedef {import('./types.js').HomeRef} HomeRef */
/** @typedef {import('./types.js').LoginResponse} LoginResponse */

/**
 * @typedef {object} User
 * @property {number} id
 * @property {string} username
 * @property {string} displayName
 * @property {Role} role
 * @property {HomeRef | null} careHome  The care home, for care staff.
 */

/**
 * @typedef {object} Session
 * @property {string} token
 * @property {number} expiresAt  Unix milliseconds.
 * @property {User} user
 */

/** Care staff are signed out after this long without a touch or key press. */
export const IDLE_SIGN_OUT_MS = 10 * 60 * 1000;
/** How long before the idle sign-out the warning shows. */
export const IDLE_WARNING_MS = 60 * 1000;

/** Renew the token this long before it expires. */
const REFRESH_BEFORE_MS = 5 * 60 * 1000;

/** Why a session ended; shown on the sign-in screen. */
export const SIGNED_OUT = Object.freeze({
  byUser: 'You have signed out.',
  byServer: 'You have been signed out',
  idle: 'You were signed out because the tablet was not used for a while.',
  expired: 'Your sign-in has ended. Please sign in again.',
});

const STORAGE_KEY = 'carehub.session';

/** @type {Session | null} */
let session = null;
/** @type {Set<(session: Session | null, reason: string | null) => void>} */
const listeners = new Set();
/** @type {Set<(secondsLeft: number | null) => void>} */
const idleListeners = new Set();

/**
 * Signs in. Rejects with an ApiError (401 wrong password, 429 too many attempts, or network).
 * @param {string} username
 * @param {string} password
 * @returns {Promise<Session>}
 */
export async function signIn(username, password) {
  /** @type {LoginResponse} */
  const body = await api.post('/api/auth/login', { username, password }, { anonymous: true });
  const next = fromLogin(body);
  start(next);
  return next;
}

/**
 * @param {LoginResponse} body
 * @returns {Session}
 */
function fromLogin(body) {
  return {
    token: body.token,
    expiresAt: Date.parse(body.expires_at) || Date.now() + body.expires_in * 1000,
    user: {
      id: body.user.id,
      username: body.user.username,
      displayName: body.user.display_name,
      role: body.role,
      careHome: body.care_home ?? null,
    },
  };
}

/**
 * Picks up a session saved in this tab (a reload), if its token has not expired.
 * @returns {Session | null}
 */
export function restore() {
  let saved = null;
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    saved = text ? /** @type {Session} */ (JSON.parse(text)) : null;
  } catch {
    saved = null;
  }
  if (!saved || !saved.token || !(saved.expiresAt > Date.now() + 5000)) {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
  start(saved);
  return saved;
}

/** @returns {Session | null} the signed-in session, if any */
export function current() {
  return session;
}

/**
 * Signs out and tells every listener why.
 * @param {string} [reason] One of SIGNED_OUT, shown on the sign-in screen.
 */
export function signOut(reason = SIGNED_OUT.byUser) {
  if (!session) return;
  session = null;
  sessionStorage.removeItem(STORAGE_KEY);
  api.setToken(null);
  stopTimers();
  for (const listener of listeners) listener(null, reason);
}

/**
 * Listens for sign-in and sign-out. The reason is null on sign-in.
 * @param {(session: Session | null, reason: string | null) => void} listener
 * @returns {() => void} unsubscribe
 */
export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Listens for the idle warning: called with the seconds left (every second while the warning
 * is up), then with null when the warning is dismissed by any touch or key press.
 * @param {(secondsLeft: number | null) => void} listener
 * @returns {() => void} unsubscribe
 */
export function onIdleWarning(listener) {
  idleListeners.add(listener);
  return () => idleListeners.delete(listener);
}

/**
 * Keeps the tablet signed in while something important is open (a waiting or live call:
 * signing out would close the live channel, and the hub abandons calls from homes with no
 * tablet connected). Call the returned function to release the hold.
 * @returns {() => void}
 */
export function holdIdle() {
  holds += 1;
  touch();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds -= 1;
    touch();
  };
}

/** @returns {boolean} whether something important is open (see holdIdle) */
export function isHeld() {
  return holds > 0;
}

/** Counts as activity: resets the idle timer (the "I'm still here" button). */
export function stillHere() {
  touch();
}

// ---- internals ----

let holds = 0;
let lastActivity = Date.now();
let warning = false;
/** @type {number | undefined} */
let idleTick;
/** @type {number | undefined} */
let expiryTimer;
/** @type {number | undefined} */
let refreshTimer;

/** @param {Session} next */
function start(next) {
  session = next;
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  api.setToken(next.token);
  api.setUnauthorizedHandler(() => signOut(SIGNED_OUT.byServer));
  stopTimers();
  scheduleExpiry(next);
  if (next.user.role === 'care_staff') {
    lastActivity = Date.now();
    idleTick = window.setInterval(checkIdle, 1000);
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, touch, { passive: true, capture: true });
  }
  for (const listener of listeners) listener(next, null);
}

const ACTIVITY_EVENTS = /** @type {const} */ (['pointerdown', 'keydown', 'input', 'wheel']);

/** @param {Session} current */
function scheduleExpiry(current) {
  window.clearTimeout(expiryTimer);
  window.clearTimeout(refreshTimer);
  const left = current.expiresAt - Date.now();
  expiryTimer = window.setTimeout(() => signOut(SIGNED_OUT.expired), Math.max(0, left));
  const refreshIn = left > 2 * REFRESH_BEFORE_MS ? left - REFRESH_BEFORE_MS : left / 2;
  refreshTimer = window.setTimeout(renew, Math.max(1000, refreshIn));
}

/** Swaps in a fresh token without signing anyone out (screens read the token when they need it). */
async function renew() {
  const before = session;
  if (!before) return;
  try {
    /** @type {LoginResponse} */
    const body = await api.post('/api/auth/refresh');
    if (session !== before) return;
    const next = { ...before, token: body.token, expiresAt: fromLogin(body).expiresAt };
    session = next;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    api.setToken(next.token);
    scheduleExpiry(next);
  } catch (error) {
    // No network or a server error: try again in a minute while the token lasts; a 401 has
    // already signed out through the unauthorized handler.
    if (session === before && error instanceof api.ApiError && error.status !== 401 && before.expiresAt - Date.now() > 60_000) {
      refreshTimer = window.setTimeout(renew, 60_000);
    }
  }
}

function stopTimers() {
  window.clearInterval(idleTick);
  window.clearTimeout(expiryTimer);
  window.clearTimeout(refreshTimer);
  refreshTimer = undefined;
  idleTick = undefined;
  expiryTimer = undefined;
  for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, touch, { capture: true });
  setWarning(null);
}

function touch() {
  lastActivity = Date.now();
  if (warning) setWarning(null);
}

function checkIdle() {
  if (!session || holds > 0) return;
  const left = IDLE_SIGN_OUT_MS - (Date.now() - lastActivity);
  if (left <= 0) {
    signOut(SIGNED_OUT.idle);
  } else if (left <= IDLE_WARNING_MS) {
    setWarning(Math.ceil(left / 1000));
  }
}

/** @param {number | null} secondsLeft */
function setWarning(secondsLeft) {
  const was = warning;
  warning = secondsLeft !== null;
  if (!was && !warning) return;
  for (const listener of idleListeners) listener(secondsLeft);
}
