// @ts-check
/**
 * @file The app shell: who is signed in, the status bar, the idle warning, and the router.
 *
 * Routes are hash paths (`#/residents`). Each role has its own set; a path outside the role's
 * set shows a short "not for your role" notice, so care staff never see hub or review screens.
 *
 * A screen is a module exporting `mount(root, ctx)`, which renders into `root` and may return
 * a cleanup function, called before the next screen mounts (stop timers, cameras, listeners).
 */

import * as api from './api.js';
import * as session from './session.js';
import { LiveChannel } from './live.js';
import { h, replace, notice, announce, confirmDialog } from './ui.js';

/** @typedef {import('./session.js').Session} Session */
/** @typedef {import('./types.js').Role} Role */

/**
 * What every screen gets.
 * @typedef {object} ScreenContext
 * @property {Session} session The signed-in session.
 * @property {LiveChannel} live The live channel (already connecting).
 * @property {Record<string, string>} params Values of `:name` parts of the route.
 * @property {(path: string, options?: {replace?: boolean}) => void} navigate Go to `#<path>`.
 */

/**
 * @typedef {(root: HTMLElement, ctx: ScreenContext) => (void | (() => void))} MountFn
 * @typedef {{pattern: string, title: string, nav?: string, load: () => Promise<{mount: MountFn}>}} Route
 * `nav` names the route in the top navigation; routes without it are reached from other screens.
 */

/** Review and figures: clinicians and hub nurses both look back at closed calls. @type {Route[]} */
const REVIEW_ROUTES = [
  { pattern: '/review', title: 'Review', nav: 'Review', load: () => import('./review/review.js') },
  { pattern: '/review/:callId', title: 'Call review', load: () => import('./review/detail.js') },
  { pattern: '/figures', title: 'Service figures', nav: 'Figures', load: () => import('./review/figures.js') },
];

/** @type {Record<Role, Route[]>} The first route of each role is its home. */
const ROUTES = {
  care_staff: [
    { pattern: '/residents', title: 'Find a resident', load: () => import('./tablet/residents.js') },
    { pattern: '/assess/:residentId', title: 'Check the resident', load: () => import('./tablet/assess.js') },
    { pattern: '/call/:callId', title: 'Your call to the hub', load: () => import('./tablet/call-screen.js') },
    { pattern: '/check', title: 'Check the connection', load: () => import('./tablet/connection-check.js') },
    { pattern: '/check/:residentId', title: 'Check the connection', load: () => import('./tablet/connection-check.js') },
  ],
  hub_nurse: [
    { pattern: '/hub', title: 'Hub queue', nav: 'Queue', load: () => import('./hub/hub.js') },
    { pattern: '/hub/:callId', title: 'Hub call', load: () => import('./hub/hub.js') },
    ...REVIEW_ROUTES,
  ],
  clinician: [
    ...REVIEW_ROUTES,
    { pattern: '/consult/:callId', title: 'Consultation', load: () => import('./clinician/consult.js') },
  ],
  admin: [{ pattern: '/admin', title: 'Administration', load: async () => ({ mount: mountAdmin }) }],
};

const ROLE_NAMES = Object.freeze({
  care_staff: 'care staff',
  hub_nurse: 'hub nurse',
  clinician: 'clinician',
  admin: 'administrator',
});

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {LiveChannel | null} */
let live = null;
/** @type {(() => void) | void} */
let cleanup;
/** Increases with each navigation, so a slow screen load cannot mount over a newer one. */
let generation = 0;
/** Why the last session ended, for the sign-in screen. @type {string | null} */
let signedOutReason = null;

/**
 * Goes to a route.
 * @param {string} path e.g. `/call/12`
 * @param {{replace?: boolean}} [options]
 */
export function navigate(path, options = {}) {
  const hash = `#${path}`;
  if (location.hash === hash) {
    render();
  } else if (options.replace) {
    history.replaceState(null, '', hash);
    render();
  } else {
    location.hash = hash;
  }
}

async function render() {
  const mine = ++generation;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const current = session.current();
  renderWho(current);
  renderNav(current);
  if (!current) {
    const { mount } = await import('./signin.js');
    if (mine !== generation) return;
    document.title = 'Sign in · CareHub';
    cleanup = mount(root, { reason: signedOutReason });
    return;
  }
  const routes = ROUTES[current.user.role] ?? [];
  const path = location.hash.replace(/^#/, '') || '/';
  const found = match(routes, path);
  if (!found) {
    if (isOtherRolesPath(path)) showNotForRole(routes[0]);
    else if (routes[0]) navigate(routes[0].pattern, { replace: true });
    return;
  }
  const { route, params } = found;
  document.title = `${route.title} · CareHub`;
  try {
    const screen = await route.load();
    if (mine !== generation || !live) return;
    root.replaceChildren();
    cleanup = screen.mount(root, { session: current, live, params, navigate });
    focusMain();
  } catch (error) {
    console.error('screen failed to load', error);
    replace(root, notice('danger', 'This screen did not load', h('p', null, 'Check the Wi-Fi, then reload the page.')));
  }
}

/**
 * @param {Route[]} routes
 * @param {string} path
 * @returns {{route: Route, params: Record<string, string>} | null}
 */
function match(routes, path) {
  for (const route of routes) {
    const names = /** @type {string[]} */ ([]);
    const source = route.pattern.replace(/:([a-zA-Z]+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    });
    const m = new RegExp(`^${source}/?$`).exec(path);
    if (m) {
      /** @type {Record<string, string>} */
      const params = {};
      names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
      return { route, params };
    }
  }
  return null;
}

/** @param {string} path */
function isOtherRolesPath(path) {
  return Object.values(ROUTES).some((routes) => match(routes, path));
}

/** @param {Route | undefined} home */
function showNotForRole(home) {
  document.title = 'Not available · CareHub';
  replace(
    root,
    h(
      'section',
      { class: 'screen narrow' },
      h('h1', null, 'This screen is not for your role'),
      h('p', null, 'You are signed in with an account that cannot open this page.'),
      home ? h('a', { class: 'btn btn-primary', href: `#${home.pattern}` }, `Go to ${home.title.toLowerCase()}`) : null,
    ),
  );
  focusMain();
}

function focusMain() {
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

/** @type {MountFn} */
function mountAdmin(el) {
  replace(
    el,
    h(
      'section',
      { class: 'screen narrow' },
      h('h1', null, 'Administration'),
      h('p', null, 'Administrators manage care homes, users and resident identity through the CareHub API; there is no admin screen in the browser yet.'),
      h('p', null, 'Administrators do not see care plans or calls: that clinical information is for care staff, hub nurses and clinicians.'),
    ),
  );
}

// ---- the bar at the top ----

/** Top navigation for roles with more than one place to go; marks the current one. @param {Session | null} current */
function renderNav(current) {
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  const items = current ? (ROUTES[current.user.role] ?? []).filter((r) => r.nav) : [];
  nav.hidden = items.length < 2;
  if (nav.hidden) {
    nav.replaceChildren();
    return;
  }
  const path = location.hash.replace(/^#/, '');
  replace(
    nav,
    h(
      'ul',
      null,
      ...items.map((r) => {
        const here = path === r.pattern || path.startsWith(`${r.pattern}/`);
        return h('li', null, h('a', { href: `#${r.pattern}`, 'aria-current': here ? 'page' : null }, r.nav ?? r.title));
      }),
    ),
  );
}

/** @param {Session | null} current */
function renderWho(current) {
  const who = /** @type {HTMLElement} */ (document.getElementById('who'));
  if (!current) {
    who.replaceChildren();
    return;
  }
  const { user } = current;
  const roleName = ROLE_NAMES[user.role] ?? user.role;
  replace(
    who,
    h(
      'p',
      { class: 'who-text' },
      h('span', { class: 'who-label' }, 'Signed in as '),
      h('strong', { class: 'who-name' }, user.displayName),
      h('span', { class: 'who-role' }, user.careHome ? `${roleName}, ${user.careHome.name}` : roleName),
    ),
    h('button', { type: 'button', class: 'btn btn-quiet', onclick: confirmSignOut }, 'Sign out'),
  );
}

/** Signing out with a call open drops the live channel; the hub abandons calls from homes with no tablet connected. */
async function confirmSignOut() {
  if (session.isHeld()) {
    const ok = await confirmDialog({
      title: 'Sign out with a call open?',
      body: 'Keep this tablet signed in until the call is finished, so the nurse can reach you. If you sign out, someone must sign in again straight away.',
      confirm: 'Sign out anyway',
      cancel: 'Stay signed in',
      danger: true,
    });
    if (!ok) return;
  }
  session.signOut();
}

// ---- connection status ----

let hubReachable = true;
/** @type {import('./live.js').LiveStatus} */
let liveStatus = 'closed';
/** @type {number | undefined} */
let reconnectingNoticeTimer;

function renderStatus() {
  const bar = /** @type {HTMLElement} */ (document.getElementById('status'));
  const signedIn = Boolean(session.current());
  if (!hubReachable) {
    bar.hidden = false;
    bar.className = 'status-bar status-offline';
    replace(bar, h('strong', null, api.UNREACHABLE_MESSAGE), ' We will keep trying. Your work on this screen is kept.');
  } else if (signedIn && liveStatus === 'reconnecting' && reconnectingNoticeTimer === undefined) {
    // Show "reconnecting" only if it lasts: a blip that heals in a second is not news.
    reconnectingNoticeTimer = window.setTimeout(() => {
      if (liveStatus === 'reconnecting') {
        bar.hidden = false;
        bar.className = 'status-bar status-reconnecting';
        replace(bar, h('strong', null, 'Reconnecting to the hub…'), ' Updates will appear again in a moment.');
      }
    }, 3000);
  } else if (liveStatus !== 'reconnecting') {
    window.clearTimeout(reconnectingNoticeTimer);
    reconnectingNoticeTimer = undefined;
    bar.hidden = true;
    bar.replaceChildren();
  }
}

// ---- idle warning (care staff) ----

function setUpIdleWarning() {
  const box = /** @type {HTMLElement} */ (document.getElementById('idle'));
  const text = /** @type {HTMLElement} */ (document.getElementById('idle-text'));
  const stay = /** @type {HTMLButtonElement} */ (document.getElementById('idle-stay'));
  stay.addEventListener('click', () => session.stillHere());
  session.onIdleWarning((secondsLeft) => {
    if (secondsLeft === null) {
      box.hidden = true;
      return;
    }
    const first = box.hidden;
    box.hidden = false;
    text.textContent = `For privacy, this tablet signs you out in ${secondsLeft} second${secondsLeft === 1 ? '' : 's'}.`;
    if (first) {
      stay.focus();
      announce('This tablet will sign you out in one minute. Touch the screen to stay signed in.');
    }
  });
}

// ---- clinicians: invitations to join a call, on every screen ----

/** @type {(() => void) | void} */
let stopInvitations;

/** @param {Session} current @param {LiveChannel} channel */
async function startInvitations(current, channel) {
  const region = /** @type {HTMLElement} */ (document.getElementById('invitations'));
  const { mountInvitations } = await import('./clinician/invitations.js');
  if (live !== channel) return;
  stopInvitations = mountInvitations(region, { session: current, live: channel, params: {}, navigate });
}

// ---- start ----

/** @param {Session | null} current */
function onSession(current) {
  if (typeof stopInvitations === 'function') stopInvitations();
  stopInvitations = undefined;
  if (live) {
    live.close();
    live = null;
  }
  liveStatus = 'closed';
  if (current && current.user.role !== 'admin') {
    live = new LiveChannel(() => session.current()?.token ?? null, {
      onAuthFailed: () => session.signOut(session.SIGNED_OUT.byServer),
    });
    live.on('status', (m) => {
      liveStatus = m.status;
      renderStatus();
    });
    live.connect();
    if (current.user.role === 'clinician') startInvitations(current, live);
  } else if (current) {
    // Admins have no live channel; a placeholder keeps the screen context uniform.
    live = new LiveChannel(() => null);
  }
  renderStatus();
}

function start() {
  setUpIdleWarning();
  api.onReachability((value) => {
    hubReachable = value;
    renderStatus();
  });
  session.onChange((current, reason) => {
    signedOutReason = reason;
    onSession(current);
    // A shared tablet: the next person to sign in starts from their own first screen.
    if (!current) history.replaceState(null, '', location.pathname);
    render();
  });
  window.addEventListener('hashchange', () => render());
  const restored = session.restore();
  if (!restored) render();
}

start();
