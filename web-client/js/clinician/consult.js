// @ts-check
/**
 * @file A clinician in a call they were invited to (`#/consult/:callId`): the video with the
 * care home and the hub nurse (every remote participant named), the emergency-plan banner, the
 * assessment and the care plan beside it, and "Leave the call".
 *
 * The clinician joins the video only while the invitation stands (the call answered or in
 * consultation, the clinician in its `invited` list); the live queue says when the nurse ends
 * the consultation, and the screen says so plainly.
 */

import { h, replace, notice, formatTimer } from '../ui.js';
import { queueStore } from '../hub/queue-store.js';
import { callDetail } from '../hub/data.js';
import { viewFromDetail } from '../call-view.js';
import { callHeader } from '../hub/call-panel.js';
import { clinicalSide } from '../hub/consult-view.js';
import { mediaSession, release, endNow } from '../hub/media-session.js';
import { videoPanel } from '../hub/video-panel.js';
import { callPhotos } from '../hub/call-photos.js';
import { desktopCameraHelp } from '../hub/camera-help.js';
import { noteLeft } from './invitations.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').CallDetail} CallDetail */

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const screen = new ConsultScreen(root, ctx, Number(ctx.params.callId));
  return () => screen.destroy();
}

/** @typedef {'loading' | 'invited' | 'not_invited' | 'over' | 'missing'} Phase */

class ConsultScreen {
  /**
   * @param {HTMLElement} root
   * @param {import('../app.js').ScreenContext} ctx
   * @param {number} callId
   */
  constructor(root, ctx, callId) {
    this.root = root;
    this.ctx = ctx;
    this.callId = callId;
    this.me = ctx.session.user.id;
    this.store = queueStore(ctx.live);
    /** @type {CallDetail | null} */
    this.detail = null;
    /** @type {Phase} */
    this.phase = 'loading';
    this.destroyed = false;
    /** Whether this clinician was ever in the video here (so "over" can say the nurse ended it). */
    this.wasIn = false;
    /** @type {import('../hub/media-session.js').MediaSession | null} */
    this.media = null;
    this.panel = videoPanel({ myUserId: this.me, waitingFor: 'the others' });
    this.cameraNote = h('div', { class: 'consult-camera' });
    this.timer = h('p', { class: 'call-wait consult-timer' });
    this.side = h('div', { class: 'consult-side-slot' });
    this.header = h('div', { class: 'consult-head' });
    this.main = h('div', { class: 'consult-main-slot' });
    /** @type {(() => void) | null} */
    this.offMedia = null;
    /** The home's photos, made on first joining the video (each image fetched is an audited read). @type {ReturnType<typeof callPhotos> | null} */
    this.photos = null;
    this.offStore = this.store.subscribe((event) => {
      if (event.type === 'snapshot' || event.call.id === callId) this.decide();
    });
    this.ticker = window.setInterval(() => this.tick(), 1000);
    replace(root, h('section', { class: 'screen hub hub-consult clinician-consult' },
      h('div', { class: 'consult-layout' },
        h('div', { class: 'consult-main' }, this.header, this.main),
        this.side)));
    replace(this.header, h('h1', { tabindex: '-1' }, 'Joining the call…'));
    this.load();
    this.decide();
  }

  destroy() {
    this.destroyed = true;
    window.clearInterval(this.ticker);
    this.offStore();
    this.offMedia?.();
    this.panel.destroy();
    this.photos?.destroy();
    if (this.media) {
      if (this.phase === 'invited') release(this.media);
      else endNow(this.media);
    }
  }

  async load() {
    try {
      this.detail = await callDetail(this.callId);
    } catch (e) {
      if (this.destroyed) return;
      if (/** @type {any} */ (e)?.status === 404) {
        this.phase = 'missing';
        this.render();
      } else {
        replace(this.side, h('aside', { class: 'consult-side' }, notice('warning', 'The assessment and care plan did not load', h('p', null, 'Reload the page to try again.'))));
      }
      return;
    }
    if (this.destroyed) return;
    this.drawHeader();
    this.drawSide();
    this.decide();
  }

  /** @returns {CallView | null} */
  call() {
    return this.store.get(this.callId) ?? (this.detail ? viewFromDetail(this.detail) : null);
  }

  /** Works out whether we may be in the video, from the live queue. */
  decide() {
    if (this.destroyed || this.phase === 'missing') return;
    const live = this.store.get(this.callId);
    if (!this.store.ready) return;
    /** @type {Phase} */
    let next;
    if (live && (live.state === 'claimed' || live.state === 'in_consultation') && live.invited.some((p) => p.id === this.me)) next = 'invited';
    else if (this.wasIn || (live && live.state === 'wrap_up') || (!live && this.detail)) next = 'over';
    else if (!live && !this.detail) return;
    else next = 'not_invited';
    if (next !== this.phase) {
      this.phase = next;
      this.render();
    } else {
      this.drawHeader();
      this.drawMedia();
    }
  }

  render() {
    this.drawHeader();
    this.drawSide();
    if (this.phase === 'missing') {
      this.endMedia();
      replace(this.header, h('h1', { tabindex: '-1' }, 'Call not found'));
      replace(this.main, h('p', null, 'There is no call with this number.'), h('a', { class: 'btn btn-primary', href: '#/review' }, 'Back to the review'));
      return;
    }
    if (this.phase === 'invited') {
      this.wasIn = true;
      if (!this.media) {
        this.media = mediaSession(this.ctx.live, this.callId);
        this.offMedia = this.media.subscribe(() => this.drawMedia());
      }
      const leave = h('button', { type: 'button', class: 'btn btn-danger', id: 'leave-call', onclick: () => this.leave() }, 'Leave the call');
      this.photos ??= callPhotos({ live: this.ctx.live, callId: this.callId });
      replace(this.main, this.panel.element, this.photos.element, this.cameraNote, h('div', { class: 'consult-toolbar' }, leave),
        h('p', { class: 'hint' }, 'The hub nurse leads the call and records the outcome. Leaving does not end the call for the others.'));
      this.media.start();
      this.drawMedia();
      return;
    }
    this.endMedia();
    if (this.phase === 'over') {
      const live = this.store.get(this.callId);
      const words = live?.state === 'wrap_up' ? 'The nurse has ended the consultation and is recording the outcome.'
        : live ? 'The call is not in consultation now: the nurse has released it or it is waiting again.'
          : 'This call has ended.';
      replace(this.main, notice('info', 'The video has ended', h('p', null, words)),
        h('div', { class: 'actions' },
          h('a', { class: 'btn btn-primary', href: `#/review/${this.callId}` }, 'Open the call in the review'),
          h('a', { class: 'btn btn-secondary', href: '#/review' }, 'Back to the review list')));
    } else if (this.phase === 'not_invited') {
      replace(this.main, notice('warning', 'You are not invited to this call', h('p', null, 'A hub nurse invites clinicians into a call; the invitation appears at the top of your screen. It ends when the consultation ends.')),
        h('a', { class: 'btn btn-secondary', href: '#/review' }, 'Back to the review list'));
    }
  }

  endMedia() {
    this.offMedia?.();
    this.offMedia = null;
    if (this.media) endNow(this.media);
    this.media = null;
  }

  leave() {
    noteLeft(this.callId);
    this.endMedia();
    this.ctx.navigate('/review');
  }

  drawHeader() {
    const call = this.call();
    if (!call) return;
    replace(this.header, callHeader(call, { extra: this.timer }));
    this.tick();
  }

  drawSide() {
    const call = this.call();
    if (call) replace(this.side, clinicalSide(call, this.detail));
  }

  drawMedia() {
    const media = this.media;
    if (!media || this.phase !== 'invited') return;
    this.panel.update(media.video, media.quality, media.lastProblem);
    if (this.panel.selfVideo.srcObject !== media.localStream) this.panel.selfVideo.srcObject = media.localStream;
    if (media.cameraProblem) {
      if (this.cameraNote.dataset.kind !== media.cameraProblem.kind) {
        this.cameraNote.dataset.kind = media.cameraProblem.kind;
        replace(this.cameraNote, desktopCameraHelp(media.cameraProblem, () => media.retryCamera()));
      }
    } else {
      delete this.cameraNote.dataset.kind;
      this.cameraNote.replaceChildren();
    }
  }

  tick() {
    const call = this.store.get(this.callId);
    if (!call || !call.answered_at) {
      this.timer.replaceChildren();
      return;
    }
    replace(this.timer, call.state === 'wrap_up' ? 'Video ended' : `Call time ${formatTimer((Date.now() - Date.parse(call.answered_at)) / 1000)}`);
  }
}
