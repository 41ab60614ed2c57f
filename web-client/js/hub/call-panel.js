// @ts-check
/**
 * @file The selected call beside the queue (`#/hub/:callId`): who and where, how long it has
 * waited, the assessment and the care plan summary with its emergency-plan banner, and the
 * nurse's actions: answer (claim, then start the consultation) and change the level.
 *
 * The panel also says plainly when the call is no longer there to answer: another nurse took
 * it, the home cancelled it, or it closed.
 */

import * as api from '../api.js';
import { h, replace, levelBadge, residentNames, notice, announce } from '../ui.js';
import { renderCarePlanSummary } from '../care-plan-summary.js';
import { renderAssessment } from './assessment-view.js';
import { waitFacts } from './queue-view.js';
import { callDetail, homePhone } from './data.js';
import { viewFromDetail } from '../call-view.js';
import { levelDialog } from './dialogs.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').CallDetail} CallDetail */

/** Words for why a call left the queue (`call.ended` kinds). */
export const ENDED_WORDS = Object.freeze({
  outcome_recorded: 'This call is closed: the outcome was recorded.',
  cancelled: 'The care home cancelled this call.',
  abandoned: 'This call was closed without an answer: the care home’s tablet was offline for a long time.',
});

/**
 * The header of a call: name, level, home and phone, room, age.
 * @param {CallView} call
 * @param {{headingLevel?: 1 | 2, extra?: HTMLElement | null}} [options]
 */
export function callHeader(call, options = {}) {
  const names = residentNames(call.resident);
  const phone = h('span', { class: 'home-phone' });
  homePhone(call.care_home.id).then((p) => p && replace(phone, ` · Phone ${p}`));
  const tag = options.headingLevel === 2 ? 'h2' : 'h1';
  return h('header', { class: 'call-head' },
    h('div', { class: 'call-head-main' },
      h(tag, { class: 'call-title', tabindex: '-1' }, names.full, names.knownAs ? h('span', { class: 'call-known' }, ` (${names.knownAs})`) : null),
      h('p', { class: 'call-meta' }, `${call.care_home.name}`, phone, ` · Room ${call.resident.room} · ${call.resident.age} years`)),
    h('div', { class: 'call-head-side' }, levelBadge(call.level, { name: call.level_name, size: 'large' }), options.extra ?? null));
}

/**
 * The assessment and the care plan, side by side.
 * @param {CallView} call
 * @param {CallDetail | null} detail
 */
export function clinicalColumns(call, detail) {
  const plan = detail
    ? renderCarePlanSummary(detail.care_plan.summary ?? null, {
        stale: detail.care_plan.stale ?? null,
        version: detail.care_plan.version ?? null,
        asOf: detail.arrived_at,
        headingLevel: 2,
        note: 'As attached to the call when it was made.',
      })
    : h('p', { class: 'loading' }, 'Loading the care plan…');
  return h('div', { class: 'clinical-columns' },
    h('div', { class: 'clinical-plan' }, plan),
    h('div', { class: 'clinical-assessment' }, renderAssessment(call, detail)));
}

/**
 * @param {object} options
 * @param {number} options.callId
 * @param {number} options.me
 * @param {() => CallView | null} options.live The call as the queue has it now (null once it has left).
 * @param {() => {kind: string, call: CallView} | null} options.ended How it left, if it did.
 * @param {() => {kind: string, before: CallView | null} | null} options.change Its last change.
 * @param {boolean} options.busy The nurse already holds another call.
 * @returns {{element: HTMLElement, update: (fresh?: boolean) => void, tick: () => void, destroy: () => void}}
 */
export function callPanel(options) {
  const element = h('article', { class: 'call-panel', 'aria-label': 'Selected call' }, h('p', { class: 'loading' }, 'Loading the call…'));
  /** @type {CallDetail | null} */
  let detail = null;
  let missing = false;
  let destroyed = false;
  let answering = false;
  const answerError = h('div', { class: 'answer-error', 'aria-live': 'assertive' });
  /** The header's waiting line, refreshed every second. */
  const waitLine = h('p', { class: 'call-wait' });
  /** @type {number | null} */
  let drawnFor = null;

  async function load(fresh = false) {
    try {
      detail = await callDetail(options.callId, { fresh });
      missing = false;
    } catch (e) {
      if (!(e instanceof api.ApiError)) throw e;
      if (e.status === 404) missing = true;
      else if (!destroyed) replace(answerError, notice('warning', 'The call’s details did not load', h('p', null, e.message)));
    }
    if (!destroyed) draw();
  }

  function current() {
    return options.live() ?? options.ended()?.call ?? (detail ? viewFromDetail(detail) : null);
  }

  function draw() {
    const call = current();
    if (missing && !call) {
      replace(element, h('h1', { tabindex: '-1' }, 'Call not found'), h('p', null, 'There is no call with this number.'), h('a', { class: 'btn btn-secondary', href: '#/hub' }, 'Back to the queue'));
      return;
    }
    if (!call) return;
    const focused = element.contains(document.activeElement) ? document.activeElement?.id : null;
    drawnFor = call.id;
    replace(element,
      callHeader(call, { extra: waitLine }),
      status(call),
      actions(call),
      answerError,
      clinicalColumns(call, detail));
    tick();
    if (focused) document.getElementById(focused)?.focus();
  }

  /** @param {CallView} call */
  function status(call) {
    const gone = options.ended();
    if (gone || !options.live()) {
      const words = gone ? ENDED_WORDS[/** @type {keyof typeof ENDED_WORDS} */ (gone.kind)] ?? 'This call has left the queue.' : 'This call is not in the live queue: it has ended.';
      return notice('info', 'Not in the queue', h('p', null, words), h('a', { href: detail ? `#/review/${call.id}` : '#/hub' }, detail ? 'Open it in the review' : 'Back to the queue'));
    }
    const last = options.change();
    const wasMine = last?.before?.holder?.id === options.me && call.state === 'queued';
    if (wasMine && last?.kind === 'claim_lapsed') {
      return notice('warning', 'This call went back to the queue', h('p', null, 'Your connection to the hub dropped for more than a minute, so the call was returned to the queue, keeping its place. Answer it again if no one else has.'));
    }
    if (wasMine && last?.kind === 'released') {
      return notice('info', 'You released this call', h('p', null, 'It is back in the queue, keeping its place by arrival.'));
    }
    if (call.holder && call.holder.id !== options.me) {
      return notice('warning', `${call.holder.name} has answered this call`, h('p', null, 'You can read it, but only the nurse holding it can act on it. It comes back to the queue if they release it.'));
    }
    if (call.dial_999) {
      return notice('danger', 'Red flag: the home was told to dial 999', h('p', null, 'Answer now to support them; never delay the ambulance.'));
    }
    return null;
  }

  /** @param {CallView} call */
  function actions(call) {
    const open = Boolean(options.live());
    const canAnswer = open && call.state === 'queued' && !options.busy;
    const answer = h('button', { type: 'button', id: 'answer-call', class: 'btn btn-call btn-large', disabled: !canAnswer || answering, onclick: () => answerCall(call) }, answering ? 'Answering…' : 'Answer');
    const level = h('button', { type: 'button', id: 'change-level', class: 'btn btn-secondary', disabled: !open || call.state === 'wrap_up' || Boolean(call.holder && call.holder.id !== options.me), onclick: () => levelDialog(call) }, 'Change level');
    return h('div', { class: 'actions call-actions' }, answer, level,
      options.busy && call.state === 'queued' ? h('p', { class: 'hint' }, 'Finish or release your current call to answer another.') : null);
  }

  /** @param {CallView} call */
  async function answerCall(call) {
    answering = true;
    answerError.replaceChildren();
    draw();
    try {
      await api.post(`/api/calls/${call.id}/claim`);
      announce('Call answered. Starting the video.');
      // The queue's call.changed (claimed, held by us) switches the screen to the consultation,
      // which starts the video.
    } catch (e) {
      answering = false;
      if (!(e instanceof api.ApiError)) throw e;
      if (destroyed) return;
      if (e.status === 409) {
        replace(answerError, notice('warning', 'Another nurse answered this call first', h('p', null, 'It is being handled. Choose another call from the queue.')));
      } else if (e.status === 404) {
        replace(answerError, notice('info', 'This call has ended', h('p', null, 'It is no longer in the queue.')));
      } else {
        replace(answerError, notice('danger', 'The call could not be answered', h('p', null, e.message)));
      }
      draw();
    }
  }

  function tick() {
    const call = current();
    if (!call) return;
    const facts = waitFacts(call, Date.now());
    replace(waitLine, facts.breached ? h('strong', { class: 'q-breached-tag' }, 'Breached') : null, ' ', facts.text);
    waitLine.classList.toggle('q-wait-breached', facts.breached);
  }

  const call = current();
  if (call) draw();
  load();

  return {
    element,
    /** @param {boolean} [fresh] read the call again (observations were added) */
    update(fresh = false) {
      if (fresh) load(true);
      else if (drawnFor !== null || current()) draw();
    },
    tick,
    destroy() {
      destroyed = true;
    },
  };
}
