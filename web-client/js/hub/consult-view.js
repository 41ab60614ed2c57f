// @ts-check
/**
 * @file The call a hub nurse holds: the video with the care home (and any clinician), the
 * emergency-plan banner, the assessment and the care plan beside it, the nurse's notes, and the
 * actions: invite a clinician, change the level, release the call to the queue, end the
 * consultation. At wrap-up the video gives way to the outcome form. Photos the home sends appear
 * under the video (call-photos.js), and when the video with the home stays down the screen
 * offers to phone the home (phone-offer.js).
 *
 * The nurse's notes stay in this browser tab only (sessionStorage) until the outcome is saved:
 * they are a scratch pad, not part of the record; the plan sent to the home is.
 */

import * as api from '../api.js';
import { h, replace, notice, formatTimer, confirmDialog, announce } from '../ui.js';
import { renderCarePlanSummary } from '../care-plan-summary.js';
import { renderAssessment } from './assessment-view.js';
import { callHeader } from './call-panel.js';
import { callDetail } from './data.js';
import { inviteDialog, levelDialog } from './dialogs.js';
import { mediaSession, release, endNow } from './media-session.js';
import { videoPanel } from './video-panel.js';
import { desktopCameraHelp } from './camera-help.js';
import { outcomeForm } from './outcome-form.js';
import { callPhotos } from './call-photos.js';
import { phoneOffer } from './phone-offer.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').CallDetail} CallDetail */
/** @typedef {import('../live.js').LiveChannel} LiveChannel */

const NOTES_PREFIX = 'carehub.notes.';

/** Clears every call's notes from this tab (sign-out, or after the outcome). @param {number | null} [callId] */
export function clearNotes(callId = null) {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(NOTES_PREFIX) && (callId === null || key === `${NOTES_PREFIX}${callId}`)) sessionStorage.removeItem(key);
    }
  } catch {
    /* storage unavailable: nothing kept */
  }
}

/**
 * The side column: the banner (always in view), then the assessment and the care plan.
 * @param {CallView} call
 * @param {CallDetail | null} detail
 */
export function clinicalSide(call, detail) {
  if (!detail) return h('aside', { class: 'consult-side', 'aria-label': 'Assessment and care plan' }, h('p', { class: 'loading' }, 'Loading the assessment and care plan…'));
  const cp = detail.care_plan;
  const common = { stale: cp.stale ?? null, version: cp.version ?? null, asOf: detail.arrived_at, headingLevel: /** @type {const} */ (2) };
  return h('aside', { class: 'consult-side', 'aria-label': 'Assessment and care plan' },
    h('div', { class: 'consult-banner' }, renderCarePlanSummary(cp.summary ?? null, { ...common, bannerOnly: true, title: 'Emergency plan' })),
    h('div', { class: 'consult-scroll', tabindex: '0', 'aria-label': 'Assessment and care plan details' },
      renderAssessment(call, detail),
      cp.summary ? renderCarePlanSummary(cp.summary, { ...common, withoutBanner: true, title: 'Care plan details', collapsible: false }) : null));
}

/**
 * @param {object} options
 * @param {LiveChannel} options.live
 * @param {number} options.me
 * @param {() => CallView | null} options.call The held call as the queue has it now.
 * @param {HTMLElement} options.queueStrip The compact queue, kept in view during the call.
 * @param {(closed: CallView, message: string) => void} options.onClosed The outcome was saved.
 * @returns {{element: HTMLElement, update: (event?: {kind?: string, before?: CallView | null}) => void, tick: () => void, destroy: () => void}}
 */
export function consultView(options) {
  const first = /** @type {CallView} */ (options.call());
  const callId = first.id;
  const media = mediaSession(options.live, callId);
  const panel = videoPanel({ myUserId: options.me, waitingFor: 'the care home' });
  const photos = callPhotos({ live: options.live, callId });
  const phone = phoneOffer({ callId, me: options.me });
  /** @type {CallDetail | null} */
  let detail = null;
  let destroyed = false;
  let startTried = false;
  /** @type {'video' | 'wrap_up' | 'claimed'} */
  let phase = 'claimed';
  /** Things that happened during the call, newest last (plain words). @type {{kind: 'info' | 'warning', text: string}[]} */
  const happenings = [];
  let homeWasInVideo = false;

  const timer = h('p', { class: 'call-wait consult-timer' });
  const notices = h('div', { class: 'consult-notices', 'aria-live': 'polite' });
  const cameraNote = h('div', { class: 'consult-camera' });
  const toolbar = h('div', { class: 'consult-toolbar', role: 'group', 'aria-label': 'Call actions' });
  const invitedBox = h('div', { class: 'invited' });
  const actionError = h('div', { 'aria-live': 'assertive' });
  const notes = h('textarea', { id: 'consult-notes', class: 'input consult-notes', rows: 4, 'aria-describedby': 'consult-notes-hint' });
  try {
    notes.value = sessionStorage.getItem(`${NOTES_PREFIX}${callId}`) ?? '';
  } catch {
    /* no storage */
  }
  notes.addEventListener('input', () => {
    try {
      sessionStorage.setItem(`${NOTES_PREFIX}${callId}`, notes.value);
    } catch {
      /* no storage: kept on screen only */
    }
  });
  const notesBox = h('div', { class: 'field consult-notes-field' },
    h('label', { for: 'consult-notes' }, 'Your notes'),
    h('p', { class: 'field-hint', id: 'consult-notes-hint' }, 'A scratch pad for this call, kept in this browser tab only. You can copy it into the plan at the end.'),
    notes);
  const mainSlot = h('div', { class: 'consult-main-slot' });
  const side = h('div', { class: 'consult-side-slot' }, clinicalSide(first, null));
  const header = h('div', { class: 'consult-head' });
  const element = h('section', { class: 'screen hub hub-consult' },
    options.queueStrip,
    h('div', { class: 'consult-layout' },
      h('div', { class: 'consult-main' }, header, notices, mainSlot),
      side));

  const offMedia = media.subscribe(() => drawMedia());

  callDetail(callId).then((d) => {
    detail = d;
    if (!destroyed) drawSide();
  }).catch(() => {
    if (!destroyed) replace(side, h('aside', { class: 'consult-side' }, notice('warning', 'The assessment and care plan did not load', h('p', null, 'Reload the page to try again. The call is still yours.'))));
  });

  function drawSide() {
    const call = options.call();
    if (call) replace(side, clinicalSide(call, detail));
  }

  function drawHeader() {
    const call = options.call();
    if (!call) return;
    replace(header, callHeader(call, { extra: timer }));
  }

  /** Decides the main area from the call's state. */
  function drawMain() {
    const call = options.call();
    if (!call) return;
    /** @type {typeof phase} */
    const next = call.state === 'wrap_up' ? 'wrap_up' : call.state === 'in_consultation' ? 'video' : 'claimed';
    const changed = next !== phase || !mainSlot.firstChild;
    phase = next;
    if (phase === 'wrap_up') {
      endNow(media);
      if (changed) {
        replace(mainSlot, h('section', { class: 'consult-wrapup', 'aria-labelledby': 'wrapup-title' },
          h('h2', { id: 'wrapup-title' }, 'Record the outcome'),
          h('p', null, 'The video has ended. The care home sees “The nurse is writing up the plan” until you save.'),
          outcomeForm({ call, clinicians: clinicianChoices(call), notes: notes.value, onDone: done })),
          phone.element, photos.element);
        /** @type {HTMLElement | null} */ (mainSlot.querySelector('#wrapup-title'))?.focus();
      }
      return;
    }
    if (changed) {
      replace(mainSlot, panel.element, phone.element, photos.element, cameraNote, toolbar, actionError, invitedBox, notesBox);
      panel.selfVideo.srcObject = media.localStream;
    }
    if (phase === 'video') {
      media.start();
    } else if (!startTried) {
      startTried = true;
      startConsultation();
      media.openCamera();
    }
    drawToolbar(call);
    drawInvited(call);
    drawMedia();
  }

  async function startConsultation() {
    try {
      await api.post(`/api/calls/${callId}/start`);
    } catch (e) {
      if (!(e instanceof api.ApiError) || destroyed) return;
      replace(actionError, notice('warning', 'The video did not start', h('p', null, e.message), h('button', { type: 'button', class: 'btn btn-primary', onclick: () => startConsultation() }, 'Start the video')));
    }
  }

  /** @param {CallView} call */
  function drawToolbar(call) {
    const inVideo = call.state === 'in_consultation';
    replace(toolbar,
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'invite-clinician', onclick: () => inviteDialog(call) }, 'Invite clinician'),
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'consult-level', onclick: () => levelDialog(call) }, 'Change level'),
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'release-call', onclick: () => releaseCall() }, 'Release to the queue'),
      inVideo ? h('button', { type: 'button', class: 'btn btn-danger', id: 'end-consultation', onclick: () => endConsultation() }, 'End consultation') : null);
  }

  /** @param {CallView} call */
  function drawInvited(call) {
    const inVideo = new Set((media.video?.participants ?? []).map((p) => p.user_id));
    if (!call.invited.length) {
      invitedBox.replaceChildren();
      return;
    }
    replace(invitedBox, h('h2', { class: 'invited-title' }, 'Clinicians invited'),
      h('ul', { class: 'invited-list' }, ...call.invited.map((p) =>
        h('li', null, h('strong', null, p.name), ' · ', inVideo.has(p.id) ? 'In the video' : 'Invited, not joined yet'))));
  }

  function drawMedia() {
    if (destroyed || phase === 'wrap_up') return;
    const call = options.call();
    const participants = media.video?.participants ?? [];
    const homeHere = participants.some((p) => p.role === 'care_staff');
    if (homeHere) homeWasInVideo = true;
    let override = null;
    if (phase === 'claimed') override = 'Starting the video…';
    else if (homeWasInVideo && !homeHere) override = 'The care home has left the video. They may be reconnecting; if they do not come back within a minute, phone the home.';
    panel.update(media.video, media.quality, override);
    if (panel.selfVideo.srcObject !== media.localStream) panel.selfVideo.srcObject = media.localStream;
    if (media.cameraProblem) {
      if (cameraNote.dataset.kind !== media.cameraProblem.kind) {
        cameraNote.dataset.kind = media.cameraProblem.kind;
        replace(cameraNote, desktopCameraHelp(media.cameraProblem, () => media.retryCamera()));
      }
    } else {
      delete cameraNote.dataset.kind;
      cameraNote.replaceChildren();
    }
    if (call) drawInvited(call);
  }

  function drawNotices() {
    replace(notices, ...happenings.slice(-3).map((n) => notice(n.kind, n.text)));
  }

  async function releaseCall() {
    const ok = await confirmDialog({
      title: 'Release this call to the queue?',
      body: 'The video ends and the call goes back to the queue, keeping its place by arrival, for another nurse to answer.',
      confirm: 'Release the call',
      cancel: 'Stay on the call',
    });
    if (!ok) return;
    try {
      await api.post(`/api/calls/${callId}/release`);
      announce('The call is back in the queue.');
    } catch (e) {
      if (e instanceof api.ApiError) replace(actionError, notice('warning', 'The call was not released', h('p', null, e.message)));
    }
  }

  async function endConsultation() {
    const ok = await confirmDialog({
      title: 'End the consultation?',
      body: 'The video ends for everyone. Then record the outcome and the plan for the care home.',
      confirm: 'End consultation',
      cancel: 'Stay on the call',
    });
    if (!ok) return;
    try {
      await api.post(`/api/calls/${callId}/end`);
    } catch (e) {
      if (e instanceof api.ApiError) replace(actionError, notice('warning', 'The consultation did not end', h('p', null, e.message)));
    }
  }

  /** @param {CallView} call */
  function clinicianChoices(call) {
    /** @type {Map<number, {id: number, name: string, joined: boolean}>} */
    const out = new Map();
    for (const p of call.invited) out.set(p.id, { id: p.id, name: p.name, joined: false });
    for (const [id, p] of media.seen) if (p.role === 'clinician') out.set(id, { id, name: p.name, joined: true });
    return [...out.values()];
  }

  /** @param {CallView} closed */
  function done(closed) {
    clearNotes(callId);
    const who = closed.resident.preferred_name || closed.resident.given_name;
    options.onClosed(closed, `Outcome recorded for ${who} (${closed.care_home.name}). The care home can see the plan now.`);
  }

  function tick() {
    const call = options.call();
    if (!call) return;
    phone.tick(media.video, phase === 'video');
    const since = call.answered_at ? (Date.now() - Date.parse(call.answered_at)) / 1000 : 0;
    replace(timer, call.state === 'wrap_up' ? 'Writing up' : `On the call ${formatTimer(since)}`);
  }

  drawHeader();
  drawMain();
  tick();

  return {
    element,
    update(event = {}) {
      const call = options.call();
      if (!call) return;
      if (event.kind === 'invitation_declined' && event.before) {
        const still = new Set(call.invited.map((p) => p.id));
        for (const p of event.before.invited) if (!still.has(p.id)) happenings.push({ kind: 'info', text: `${p.name} declined the invitation.` });
        drawNotices();
      }
      if (event.kind === 'level_changed') {
        happenings.push({ kind: 'info', text: `Level changed to ${call.level} ${call.level_name}.` });
        drawNotices();
      }
      if (event.kind === 'continued_by_phone') phone.refresh();
      if (event.kind === 'observations_added') {
        callDetail(callId, { fresh: true }).then((d) => {
          detail = d;
          if (!destroyed) drawSide();
        }).catch(() => {});
      }
      drawHeader();
      drawMain();
      if (event.kind === 'level_changed' || event.kind === 'observations_added') drawSide();
    },
    tick,
    destroy() {
      destroyed = true;
      offMedia();
      panel.destroy();
      photos.destroy();
      phone.destroy();
      // The held call's media outlive this screen briefly, in case it mounts again; a call
      // no longer ours (released, lapsed, ended) ends them now.
      const call = options.call();
      if (call && call.holder?.id === options.me && call.state !== 'wrap_up') release(media);
      else endNow(media);
    },
  };
}
