// @ts-check
/**
 * @file The hub nurse's screen (`#/hub`, `#/hub/:callId`): the live queue with the selected
 * call beside it, or, while the nurse holds a call, the consultation with the queue kept in
 * view above it.
 *
 * Both routes mount this module; the queue lives in a store that outlives each mount
 * (queue-store.js) and the video in a media session that survives a remount (media-session.js).
 * A nurse who holds a call is always taken to it: one call at a time, and a held call is never
 * left unattended behind another screen.
 *
 * Breaches: the server's `call.breached` sounds a short alert (unless muted with the visible
 * switch) and is announced to screen readers; breached rows are marked with the word
 * "Breached" as well as colour.
 */

import * as session from '../session.js';
import { h, replace, notice, announce, levelBadge, residentNames, formatClock } from '../ui.js';
import { queueStore } from './queue-store.js';
import { queueRow, tickRows, isBreached } from './queue-view.js';
import { callPanel } from './call-panel.js';
import { consultView, clearNotes } from './consult-view.js';
import { muteSwitch, playBreachAlert, isMuted } from './alert.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('./queue-store.js').QueueStore} QueueStore */
/** @typedef {import('./queue-store.js').QueueEvent} QueueEvent */

/** How each call left the live queue, so a selected call can say why it is gone. @type {Map<number, {kind: string, call: CallView}>} */
const ended = new Map();
/** The last change to each call and who held it before, so the panel can explain a release or a lapse. @type {Map<number, {kind: string, before: CallView | null}>} */
const changes = new Map();
/** The last breach alert: when, and whether it was heard. @type {{at: number, sounded: boolean} | null} */
let lastAlert = null;
/** A message to show once on the next queue screen (after recording an outcome). @type {string | null} */
let flash = null;
/** How far the queue list was scrolled, kept across the remount that selecting a call causes. */
let queueScroll = 0;

// Notes and cached clinical details belong to one signed-in nurse.
session.onChange((current) => {
  if (!current) {
    clearNotes();
    ended.clear();
    changes.clear();
    lastAlert = null;
    flash = null;
  }
});

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const screen = new HubScreen(root, ctx);
  return () => screen.destroy();
}

class HubScreen {
  /**
   * @param {HTMLElement} root
   * @param {import('../app.js').ScreenContext} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.me = ctx.session.user.id;
    this.store = queueStore(ctx.live);
    this.selectedId = ctx.params.callId ? Number(ctx.params.callId) : null;
    /** @type {'loading' | 'queue' | 'consult' | null} */
    this.mode = null;
    /** @type {{element: HTMLElement, update: (event?: any) => void, tick: () => void, destroy: () => void} | null} */
    this.view = null;
    this.mute = muteSwitch('alert-sound');
    this.mute2 = muteSwitch('alert-sound-consult');
    this.destroyed = false;
    this.offStore = this.store.subscribe((event) => this.onStore(event));
    this.ticker = window.setInterval(() => this.tick(), 1000);
    this.decide();
  }

  destroy() {
    this.destroyed = true;
    window.clearInterval(this.ticker);
    this.offStore();
    this.mute.destroy();
    this.mute2.destroy();
    this.view?.destroy();
    this.view = null;
  }

  /** Picks the queue or the consultation, from what the nurse holds. */
  decide() {
    if (!this.store.ready) {
      if (this.mode !== 'loading') {
        this.mode = 'loading';
        replace(this.root, h('section', { class: 'screen hub' }, h('h1', null, 'Hub queue'), h('p', { class: 'loading' }, 'Connecting to the live queue…')));
      }
      return;
    }
    const held = this.store.heldBy(this.me);
    if (held && held.id !== this.selectedId) {
      this.ctx.navigate(`/hub/${held.id}`, { replace: true });
      return;
    }
    const mode = held ? 'consult' : 'queue';
    if (mode === this.mode) return;
    this.view?.destroy();
    this.mode = mode;
    this.view = mode === 'consult' ? this.consultMode(/** @type {CallView} */ (held)) : this.queueMode();
    replace(this.root, this.view.element);
    /** @type {HTMLElement | null} */ (this.root.querySelector('h1'))?.focus({ preventScroll: true });
  }

  /** @param {QueueEvent} event */
  onStore(event) {
    if (event.type === 'ended') ended.set(event.call.id, { kind: event.kind, call: event.call });
    if (event.type === 'changed') changes.set(event.call.id, { kind: event.kind, before: event.before });
    if (event.type === 'breached') this.alert(event.call);
    if (event.type === 'changed' && event.kind === 'created') {
      const c = event.call;
      announce(`New call: ${c.level} ${c.level_name}, ${residentNames(c.resident).full}, ${c.care_home.name}.`);
    }
    const before = this.mode;
    this.decide();
    if (this.destroyed || this.mode !== before || !this.view) return;
    this.view.update(event);
  }

  /** @param {CallView} call */
  alert(call) {
    const sounded = playBreachAlert();
    lastAlert = { at: Date.now(), sounded };
    const names = residentNames(call.resident);
    announce(`Breach: ${names.full} at ${call.care_home.name} has waited past the target and is now ${call.level} ${call.level_name}.`);
  }

  tick() {
    this.view?.tick();
  }

  // ---- the queue and the selected call ----

  queueMode() {
    const selected = this.selectedId;
    const waitingList = h('ol', { class: 'queue-list', 'aria-labelledby': 'waiting-title' });
    const handledList = h('ul', { class: 'queue-list queue-handled', 'aria-labelledby': 'handled-title' });
    const waitingTitle = h('h2', { id: 'waiting-title', class: 'queue-section-title' });
    const handledTitle = h('h2', { id: 'handled-title', class: 'queue-section-title' });
    const banner = h('div', { class: 'breach-slot' });
    const flashBox = h('div', { class: 'flash-slot' });
    if (flash) {
      replace(flashBox, notice('success', flash));
      flash = null;
    }
    const title = selected === null ? h('h1', { class: 'queue-title' }, 'Hub queue') : h('h2', { class: 'queue-title' }, 'Hub queue');
    const queuePane = h('section', { class: 'hub-queue', 'aria-label': 'Live queue' },
      h('div', { class: 'queue-head' }, title, this.mute.element),
      flashBox,
      banner,
      waitingTitle, waitingList,
      handledTitle, handledList);
    const panel = selected === null
      ? null
      : callPanel({
          callId: selected,
          me: this.me,
          live: () => this.store.get(selected),
          ended: () => ended.get(selected) ?? null,
          change: () => changes.get(selected) ?? null,
          busy: this.store.heldBy(this.me) !== null,
        });
    const detail = h('div', { class: 'hub-detail' },
      panel ? panel.element : h('div', { class: 'hub-empty' },
        h('p', { class: 'lead' }, 'Select a call to see the assessment and the care plan.'),
        h('p', { class: 'hint' }, 'The most urgent call is first. New calls appear by themselves.')));
    const element = h('section', { class: 'screen hub hub-queue-mode' }, h('div', { class: 'hub-layout' }, queuePane, detail));

    const drawLists = () => {
      const focusedId = /** @type {HTMLElement | null} */ (document.activeElement)?.closest?.('.q-row')?.getAttribute('data-call-id');
      const now = Date.now();
      const waiting = this.store.waiting();
      const handled = this.store.inProgress();
      replace(waitingTitle, `Waiting (${waiting.length})`);
      replace(handledTitle, `Being handled (${handled.length})`);
      replace(waitingList, ...waiting.map((c) => queueRow(c, { selected: c.id === selected, me: this.me, now })));
      if (!waiting.length) replace(waitingList, h('li', { class: 'queue-empty' }, 'No calls waiting.'));
      replace(handledList, ...handled.map((c) => queueRow(c, { selected: c.id === selected, me: this.me, now })));
      if (!handled.length) replace(handledList, h('li', { class: 'queue-empty' }, 'No calls being handled.'));
      if (focusedId) /** @type {HTMLElement | null} */ (element.querySelector(`.q-row[data-call-id="${focusedId}"]`))?.focus();
      replace(banner, breachBanner(waiting, now));
    };
    drawLists();
    // Restored once the pane is in the page (a detached element cannot scroll).
    window.requestAnimationFrame(() => {
      queuePane.scrollTop = queueScroll;
    });

    return {
      element,
      /** @param {QueueEvent} [event] */
      update: (event) => {
        drawLists();
        if (!panel || !event) return;
        if (event.type === 'snapshot' || event.call.id === selected) {
          panel.update(event.type === 'changed' && event.kind === 'observations_added');
        }
      },
      tick: () => {
        if (tickRows(element, (id) => this.store.get(id), Date.now())) drawLists();
        panel?.tick();
      },
      destroy: () => {
        queueScroll = queuePane.scrollTop;
        panel?.destroy();
      },
    };
  }

  // ---- the consultation ----

  /** @param {CallView} held */
  consultMode(held) {
    const strip = h('section', { class: 'queue-strip', 'aria-label': 'Live queue' });
    const callId = held.id;
    const view = consultView({
      live: this.ctx.live,
      me: this.me,
      call: () => this.store.get(callId),
      queueStrip: strip,
      onClosed: (closed, message) => {
        // Settle first: it redraws the queue at once, and the message is for the next screen.
        this.store.settle(closed);
        flash = message;
        announce(message);
        this.ctx.navigate('/hub');
      },
    });
    /** The strip's list stays open across redraws if the nurse opened it. */
    let open = false;
    const drawStrip = () => {
      const now = Date.now();
      const waiting = this.store.waiting();
      const breached = waiting.filter((c) => isBreached(c, now));
      const list = h('details', { class: 'strip-details', open },
        h('summary', null, waiting.length ? 'Show the waiting calls' : 'No calls waiting'),
        h('ol', { class: 'queue-list queue-compact' }, ...waiting.map((c) => queueRow(c, { selected: false, me: this.me, now, linked: false }))));
      list.addEventListener('toggle', () => {
        open = list.open;
      });
      replace(strip,
        h('div', { class: 'strip-line' },
          h('p', { class: 'strip-count' }, h('strong', null, `${waiting.length} waiting`),
            breached.length ? h('span', { class: 'q-breached-tag strip-breached' }, `${breached.length} breached`) : null,
            waiting[0] ? h('span', { class: 'strip-next' }, ' · Next: ', levelBadge(waiting[0].level, { name: waiting[0].level_name }), ` ${residentNames(waiting[0].resident).full}`) : null),
          this.mute2.element),
        waiting.length ? list : null,
        breached.length ? h('p', { class: 'strip-hint' }, 'Release or finish this call to answer another, or ask a colleague.') : null);
    };
    drawStrip();
    return {
      element: view.element,
      /** @param {QueueEvent} [event] */
      update: (event) => {
        drawStrip();
        if (event && event.type !== 'snapshot' && event.call.id === callId) {
          view.update(event.type === 'changed' ? { kind: event.kind, before: event.before } : {});
        } else if (event?.type === 'snapshot') {
          view.update({});
        }
      },
      tick: () => {
        view.tick();
        const breachedNow = this.store.waiting().some((c) => isBreached(c, Date.now()));
        if (breachedNow !== Boolean(strip.querySelector('.strip-breached'))) drawStrip();
      },
      destroy: () => view.destroy(),
    };
  }
}

/**
 * The banner over the queue while calls wait past their target.
 * @param {CallView[]} waiting
 * @param {number} now
 */
function breachBanner(waiting, now) {
  const breached = waiting.filter((c) => isBreached(c, now));
  if (!breached.length) return null;
  const heard = lastAlert
    ? lastAlert.sounded ? `Alert sounded at ${formatClock(lastAlert.at)}.` : isMuted() ? 'The alert sound is muted.' : 'Click anywhere on the page to allow the alert sound.'
    : '';
  return h('div', { class: 'breach-banner' },
    h('p', { class: 'breach-title' }, breached.length === 1 ? '1 call has waited past its target' : `${breached.length} calls have waited past their target`),
    h('ul', { class: 'breach-list' }, ...breached.map((c) => h('li', null, levelBadge(c.level, { name: c.level_name }), ' ', h('a', { href: `#/hub/${c.id}` }, residentNames(c.resident).full), ` · ${c.care_home.name}`))),
    heard ? h('p', { class: 'breach-heard' }, heard) : null);
}

