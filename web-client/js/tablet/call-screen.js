// @ts-check
/**
 * @file Care staff: one call from waiting to the nurse's plan.
 *
 * Phases follow the call's state: `queued` (waiting: place in the queue, the expected answer
 * time, a self-view, cancel, add observations), `claimed`/`in_consultation` (the video),
 * `wrap_up` (the nurse is writing the plan), then `closed` (the plan), `cancelled` or
 * `abandoned`. The state comes from the live channel (`calls.snapshot`, `call.changed`,
 * `call.position`, `call.ended`) and from `GET /api/calls/{id}` on arrival and at the end.
 *
 * The tablet stays signed in while the call is open (session.holdIdle): a signed-out tablet
 * drops the live channel, and the hub abandons calls from homes with no tablet connected.
 */

import * as api from '../api.js';
import * as session from '../session.js';
import { h, replace, avatar, residentNames, levelBadge, notice, formatClock, formatDayTime, formatDuration, formatTimer, confirmDialog, announce, timeAgo } from '../ui.js';
import { getLocalMedia, MediaAccessError, VideoCall } from '../call.js';
import { redFlagLabel } from '../labels.js';
import { viewFromDetail } from '../call-view.js';
import { rememberedCall, emptyDraft, toAssessment } from './draft.js';
import { assessmentForm } from './assessment-form.js';
import { cameraHelp } from './camera-help.js';
import { videoStage } from './video-stage.js';
import { photoControl } from './photo-control.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').CallDetail} CallDetail */
/** @typedef {import('./draft.js').Draft} Draft */
/** @typedef {'loading' | 'waiting' | 'video' | 'wrap_up' | 'closed' | 'cancelled' | 'abandoned' | 'missing'} Phase */

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const screen = new CallScreen(root, ctx, Number(ctx.params.callId));
  return () => screen.destroy();
}

/** @param {CallView['state']} state @returns {Phase} */
function phaseOf(state) {
  switch (state) {
    case 'queued': return 'waiting';
    case 'claimed':
    case 'in_consultation': return 'video';
    default: return state;
  }
}

class CallScreen {
  /**
   * @param {HTMLElement} root
   * @param {import('../app.js').ScreenContext} ctx
   * @param {number} callId
   */
  constructor(root, ctx, callId) {
    this.root = root;
    this.ctx = ctx;
    this.callId = callId;
    /** @type {CallView | null} */
    this.call = rememberedCall(callId);
    /** @type {CallDetail | null} */
    this.detail = null;
    /** @type {Phase} */
    this.phase = 'loading';
    /** @type {{update: () => void, destroy?: () => void} | null} */
    this.view = null;
    /** A message about the last change, shown once on the waiting screen. @type {string | null} */
    this.flash = null;
    /** @type {MediaStream | null} */
    this.localStream = null;
    /** @type {MediaAccessError | null} */
    this.cameraProblem = null;
    this.cameraStarting = false;
    /** The nurse has recorded that the call goes on by phone (the video failed). */
    this.phoned = false;
    /** @type {VideoCall | null} */
    this.video = null;
    this.destroyed = false;
    this.releaseIdle = session.holdIdle();
    this.selfVideo = h('video', { class: 'self-video', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Your camera' });
    this.selfVideo.muted = true;

    const live = ctx.live;
    this.offs = [
      live.on('calls.snapshot', (m) => {
        const mine = m.calls.find((c) => c.id === callId);
        if (mine) this.update(mine);
        // Gone from the open calls while we thought it open: it ended while we were away.
        else if (this.phase === 'waiting' || this.phase === 'video' || this.phase === 'wrap_up') this.refresh();
      }),
      live.on('call.changed', (m) => m.call.id === callId && this.changed(m.kind, m.call)),
      live.on('call.ended', (m) => m.call.id === callId && this.changed(m.kind, m.call)),
      live.on('call.position', (m) => {
        if (m.call_id !== callId || !this.call) return;
        this.update({ ...this.call, position: m.position, level: m.level });
      }),
    ];
    this.ticker = window.setInterval(() => this.view?.update(), 1000);

    if (this.call) this.update(this.call);
    else this.render();
    this.refresh();
  }

  destroy() {
    this.destroyed = true;
    window.clearInterval(this.ticker);
    for (const off of this.offs) off();
    this.view?.destroy?.();
    this.stopVideo();
    this.stopCamera();
    this.releaseIdle();
  }

  /** Reads the call from the server: the truth on arrival, after a gap, and at the end. */
  async refresh() {
    try {
      /** @type {CallDetail} */
      const detail = await api.get(`/api/calls/${this.callId}`);
      if (this.destroyed) return;
      const hadOutcome = Boolean(this.detail?.outcome);
      this.detail = detail;
      this.phoned ||= detail.timeline.some((e) => e.kind === 'continued_by_phone');
      if (detail.live) this.update(detail.live);
      else this.update(this.call ? { ...this.call, state: detail.state, holder: this.call.holder ?? detail.holder } : viewFromDetail(detail));
      // The plan arrived after the "writing up" screen was drawn: draw it again.
      if (detail.outcome && !hadOutcome && this.phase === 'closed') this.render();
    } catch (error) {
      if (this.destroyed || !(error instanceof api.ApiError)) return;
      if (error.status === 404) {
        this.phase = 'missing';
        this.render();
      }
      // Network errors: the status bar says so; the live channel brings the call back.
    }
  }

  /**
   * @param {string} kind
   * @param {CallView} call
   */
  changed(kind, call) {
    const before = this.call?.state;
    if (kind === 'released' || kind === 'claim_lapsed') {
      this.flash = 'The nurse could not stay on this call, so it is back in the queue. You keep your place.';
    } else if (kind === 'level_changed') {
      this.flash = `The hub changed the level to ${call.level} ${call.level_name}.`;
    } else if (kind === 'continued_by_phone') {
      this.phoned = true;
      announce('The nurse is phoning the home. Answer the home’s phone.');
    } else if (kind === 'breached') {
      this.flash = 'This is taking longer than it should. The hub has been alerted and your call has moved up.';
    }
    this.update(call);
    if (before === 'queued' && call.state === 'claimed') announce(`${call.holder?.name ?? 'A nurse'} has answered. Connecting the video.`);
    if (call.state === 'closed' || call.state === 'wrap_up') this.refresh();
  }

  /** @param {CallView} call */
  update(call) {
    this.call = call;
    const phase = phaseOf(call.state);
    if (phase === 'video') this.startVideo();
    else this.stopVideo();
    if (phase === 'waiting' || phase === 'video') this.startCamera();
    else this.stopCamera();
    if (phase !== 'waiting' && phase !== 'video') this.releaseIdle();
    if (phase !== this.phase) {
      this.phase = phase;
      this.render();
    } else {
      this.view?.update();
    }
  }

  render() {
    this.view?.destroy?.();
    this.view = null;
    const call = this.call;
    if (this.phase === 'missing') {
      replace(this.root, h('section', { class: 'screen narrow' },
        h('h1', null, 'Call not found'),
        h('p', null, 'This call is not one of your home’s calls.'),
        h('a', { class: 'btn btn-primary', href: '#/residents' }, 'Back to residents')));
      return;
    }
    if (!call) {
      replace(this.root, h('section', { class: 'screen' }, h('p', { class: 'loading' }, 'Loading your call…')));
      return;
    }
    switch (this.phase) {
      case 'waiting': this.view = this.waitingView(call); break;
      case 'video': this.view = this.videoView(); break;
      default: this.view = this.afterView(); break;
    }
    this.root.querySelector('h1')?.focus({ preventScroll: true });
  }

  // ---- waiting ----

  /** @param {CallView} call */
  waitingView(call) {
    const status = h('div', { class: 'waiting-status' });
    const selfPanel = h('div', { class: 'self-panel' });
    const addObs = h('button', { type: 'button', class: 'btn btn-secondary btn-large', onclick: () => this.openAddObservations() }, 'Add observations');
    const cancel = h('button', { type: 'button', class: 'btn btn-danger-quiet btn-large', onclick: () => this.cancelCall() }, 'Cancel call');
    const names = residentNames(call.resident);
    replace(this.root, h('section', { class: 'screen call-waiting' },
      call.dial_999 ? dial999Reminder(call) : null,
      h('div', { class: 'waiting-layout' },
        h('div', { class: 'waiting-main' },
          h('h1', { tabindex: '-1' }, 'Waiting for a nurse'),
          h('p', { class: 'call-about' }, avatar(call.resident.initials),
            h('span', null, h('strong', null, names.full), ` · Room ${call.resident.room}`)),
          status,
          h('div', { class: 'actions' }, addObs, cancel),
          h('p', { class: 'hint' }, 'Stay with the resident. You can keep this screen open; it updates by itself. If they get worse, dial 999.')),
        h('div', { class: 'waiting-side' },
          h('h2', { class: 'self-title' }, 'Your camera'),
          selfPanel))));

    const update = () => {
      const c = this.call;
      if (!c) return;
      replace(status, ...waitingStatus(c, this.flash));
      this.renderSelfPanel(selfPanel);
    };
    update();
    return { update };
  }

  /** @param {HTMLElement} panel */
  renderSelfPanel(panel) {
    if (this.cameraProblem) {
      if (panel.dataset.shows !== 'problem') {
        panel.dataset.shows = 'problem';
        replace(panel, cameraHelp(this.cameraProblem, () => this.retryCamera()));
      }
    } else if (panel.dataset.shows !== 'video') {
      panel.dataset.shows = 'video';
      replace(panel, h('div', { class: 'self-frame' }, this.selfVideo),
        h('p', { class: 'field-hint' }, 'This is what the nurse will see. Point the camera at the resident, with good light on their face.'));
    }
  }

  async cancelCall() {
    const ok = await confirmDialog({
      title: 'Cancel this call?',
      body: 'Only cancel if the resident no longer needs the hub. If you are unsure, keep waiting: a nurse will answer.',
      confirm: 'Yes, cancel the call',
      cancel: 'Keep waiting',
      danger: true,
    });
    if (!ok) return;
    try {
      /** @type {CallView} */
      const call = await api.post(`/api/calls/${this.callId}/cancel`);
      this.update(call);
    } catch (error) {
      if (error instanceof api.ApiError) {
        this.flash = error.status === 409 ? 'The call could not be cancelled: a nurse has already answered.' : error.message;
        this.view?.update();
      }
    }
  }

  openAddObservations() {
    const draft = this.detail ? draftFromDetail(this.detail) : emptyDraft();
    const error = h('p', { class: 'form-error', 'aria-live': 'assertive' });
    const snapshot = this.detail?.care_plan;
    const carePlan = snapshot ? { resident_id: this.detail?.resident.id ?? 0, version: snapshot.version, summary: snapshot.summary, stale: snapshot.stale } : null;
    const form = assessmentForm(draft, { idPrefix: 'more', carePlan, onChange: () => error.replaceChildren(), situation: false });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-large' }, 'Send to the hub');
    const dialog = h('dialog', { class: 'dialog dialog-wide', 'aria-labelledby': 'more-title' },
      h('form', { method: 'dialog', class: 'dialog-form' },
        h('h2', { id: 'more-title' }, 'Add observations'),
        h('p', { class: 'section-hint' }, 'The hub sees them at once. The level can go up, never down.'),
        form.element,
        error,
        h('div', { class: 'dialog-actions' },
          h('button', { type: 'button', class: 'btn btn-secondary btn-large', onclick: () => dialog.close() }, 'Close'),
          save)));
    dialog.addEventListener('close', () => dialog.remove());
    dialog.querySelector('form')?.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (form.hasLocalErrors()) {
        replace(error, 'Some numbers need checking (highlighted).');
        return;
      }
      save.disabled = true;
      try {
        const spo2Scale = this.detail?.care_plan.summary?.baseline.spo2_scale ?? 1;
        /** @type {CallView} */
        const call = await api.post(`/api/calls/${this.callId}/observations`, toAssessment(draft, { spo2Scale }));
        dialog.close();
        this.flash = `Observations sent. ${call.news2.summary}.`;
        this.update(call);
        this.refresh();
      } catch (e) {
        save.disabled = false;
        if (!(e instanceof api.ApiError)) throw e;
        if (e.status === 422) form.showError(e.field ?? null, e.message);
        replace(error, e.status === 409 ? 'A nurse has already answered: tell them on the video.' : e.message);
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  }

  // ---- video ----

  videoView() {
    const photo = photoControl({ callId: this.callId, stream: () => this.localStream });
    const stage = videoStage({
      controls: [photo.button],
      selfVideo: this.selfVideo,
      myUserId: this.ctx.session.user.id,
      onMute: (muted) => this.video?.setMuted(muted),
      onCamera: (off) => this.video?.setCameraOff(off),
      onRetryCamera: () => this.retryCamera(),
    });
    replace(this.root, stage.element);
    stage.element.append(photo.panel);
    const update = () => {
      stage.update({ call: this.call, video: this.video, cameraProblem: this.cameraProblem, liveStatus: this.ctx.live.status });
      photo.update({ phoned: this.phoned });
    };
    const offs = [this.ctx.live.on('status', () => update())];
    update();
    return {
      update,
      destroy: () => {
        offs.forEach((off) => off());
        stage.destroy();
      },
    };
  }

  startVideo() {
    if (this.video || this.cameraStarting) return;
    // Join once the camera has had its chance; without one we join to see and hear the nurse.
    const video = new VideoCall(this.ctx.live, this.callId, { localStream: this.localStream });
    this.video = video;
    video.on('state', () => {
      this.view?.update();
      if (video.state === 'ended' && this.video === video) {
        this.video = null;
        // Still in consultation: the relay dropped us; join again shortly.
        window.setTimeout(() => this.call && phaseOf(this.call.state) === 'video' && !this.destroyed && this.startVideo(), 2000);
      }
    });
    video.on('streams', () => this.view?.update());
    video.on('participants', () => this.view?.update());
    video.on('error', () => this.view?.update());
    video.join();
  }

  stopVideo() {
    const video = this.video;
    this.video = null;
    video?.leave();
  }

  // ---- camera ----

  async startCamera() {
    if (this.localStream || this.cameraStarting || this.cameraProblem) return;
    this.cameraStarting = true;
    try {
      const stream = await getLocalMedia();
      if (this.destroyed || (this.phase !== 'waiting' && this.phase !== 'video' && this.phase !== 'loading')) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.localStream = stream;
      this.selfVideo.srcObject = stream;
      this.cameraProblem = null;
    } catch (error) {
      this.cameraProblem = error instanceof MediaAccessError ? error : new MediaAccessError('other', String(error));
    } finally {
      this.cameraStarting = false;
    }
    if (this.destroyed) return;
    // A video that started without the camera restarts with it.
    if (this.video && this.localStream && !this.video.localStream) {
      this.stopVideo();
    }
    if (this.call && phaseOf(this.call.state) === 'video') this.startVideo();
    this.view?.update();
  }

  retryCamera() {
    this.cameraProblem = null;
    this.view?.update();
    this.startCamera();
  }

  stopCamera() {
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.localStream = null;
    this.selfVideo.srcObject = null;
  }

  // ---- after ----

  afterView() {
    const call = /** @type {CallView} */ (this.call);
    const detail = this.detail;
    const names = residentNames(call.resident);
    const who = names.knownAs ?? call.resident.given_name;
    /** @type {HTMLElement} */
    let body;
    if (this.phase === 'wrap_up' || (this.phase === 'closed' && !detail?.outcome)) {
      body = h('div', { class: 'after' },
        h('h1', { tabindex: '-1' }, 'The video has ended'),
        h('p', { class: 'lead' }, `${call.holder?.name ?? 'The nurse'} is writing up the plan for ${who}. It will appear here in a moment.`),
        h('p', { class: 'loading' }, 'Waiting for the plan…'));
    } else if (this.phase === 'closed' && detail?.outcome) {
      const o = detail.outcome;
      body = h('div', { class: 'after' },
        h('h1', { tabindex: '-1' }, `The plan for ${who}`),
        h('p', { class: 'plan-from' }, `From ${o.recorded_by.name}, ${formatDayTime(o.recorded_at)}`),
        h('div', { class: 'plan-card' },
          h('p', { class: 'plan-outcome' }, o.label),
          h('p', { class: 'plan-text' }, o.plan)),
        o.reobserve_at
          ? h('div', { class: 'reobserve' },
            h('p', { class: 'reobserve-title' }, `Check on ${who} again`),
            h('p', { class: 'reobserve-time' }, capitalise(formatDayTime(o.reobserve_at))),
            h('p', null, `${untilText(o.reobserve_at)}. Take a new set of observations then, and call the hub again if you are worried.`))
          : h('p', null, 'Call the hub again if anything changes or you are worried.'),
        h('p', { class: 'hint' }, 'Write the plan in the care notes. If the resident gets worse, dial 999.'));
    } else if (this.phase === 'cancelled') {
      body = h('div', { class: 'after' },
        h('h1', { tabindex: '-1' }, 'Call cancelled'),
        h('p', { class: 'lead' }, `The call about ${names.full} was cancelled. Call the hub again if you are worried.`));
    } else {
      body = h('div', { class: 'after' },
        h('h1', { tabindex: '-1' }, 'This call was closed without an answer'),
        h('p', { class: 'lead' }, 'The hub closes calls when the tablet has been offline for a long time. If you still need help, call again now.'),
        h('a', { class: 'btn btn-primary btn-large', href: `#/assess/${call.resident.id}` }, `Call again about ${who}`));
    }
    replace(this.root, h('section', { class: 'screen narrow call-after' },
      h('p', { class: 'call-about' }, avatar(call.resident.initials), h('span', null, h('strong', null, names.full), ` · Room ${call.resident.room}`)),
      body,
      h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary btn-large', href: '#/residents' }, 'Done: back to residents'))));
    return { update: () => {} };
  }
}

/**
 * The status lines of a waiting call.
 * @param {CallView} call
 * @param {string | null} flash
 */
function waitingStatus(call, flash) {
  const now = Date.now();
  const deadline = call.next_deadline ? Date.parse(call.next_deadline) : null;
  const late = deadline !== null && deadline < now;
  const waited = (now - Date.parse(call.arrived_at)) / 1000;
  return [
    flash ? notice('info', flash) : null,
    h('div', { class: 'queue-facts' },
      h('div', { class: 'queue-fact' }, h('p', { class: 'queue-fact-label' }, 'Level'), levelBadge(call.level, { name: call.level_name, size: 'large' })),
      h('div', { class: 'queue-fact' }, h('p', { class: 'queue-fact-label' }, 'Place in the queue'),
        h('p', { class: 'queue-position', dataset: { position: call.position ?? '' } },
          call.position === 1 ? 'You are next' : call.position ? `Number ${call.position}` : '—')),
      h('div', { class: 'queue-fact' }, h('p', { class: 'queue-fact-label' }, 'Waiting'),
        h('p', { class: 'queue-waited' }, formatTimer(waited)))),
    deadline === null
      ? null
      : late
        ? notice('warning', 'This is taking longer than the target', h('p', null, 'The hub has been alerted. Stay with the resident; if they get worse, dial 999.'))
        : h('p', { class: 'expected' }, 'A nurse should answer by ', h('strong', null, formatClock(deadline)), ` (within ${formatDuration((deadline - now) / 1000)}).`),
    h('p', { class: 'news2-line' }, call.news2.summary),
  ];
}

/** @param {CallView} call */
function dial999Reminder(call) {
  return h('div', { class: 'dial-999 dial-999-compact', role: 'alert' },
    h('p', { class: 'dial-999-title' }, 'Dial 999 if you have not already'),
    h('p', { class: 'dial-999-text' }, `You said: ${call.red_flags.map((c) => redFlagLabel(c).toLowerCase()).join(', ')}. The hub will support you, but do not wait for the nurse.`));
}

/** @param {string} text */
function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** @param {string} iso */
function untilText(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  if (seconds < -60) return `That was ${timeAgo(iso)}: do it now`;
  if (seconds < 60) return 'That is now';
  return `In ${formatDuration(seconds)}`;
}


/**
 * The form prefilled with what the hub already has, so staff add to it.
 * @param {CallDetail} detail
 * @returns {Draft}
 */
function draftFromDetail(detail) {
  const draft = emptyDraft();
  const a = detail.assessment;
  for (const code of a.soft_signs ?? []) draft.softSigns.add(code);
  for (const code of a.red_flags ?? []) draft.redFlags[code] = 'yes';
  draft.redFlagsDone = true;
  draft.concern = a.concern ?? '';
  const o = a.observations ?? {};
  for (const key of /** @type {const} */ (['respiration_rate', 'spo2', 'systolic_bp', 'pulse', 'temperature_c'])) {
    const value = o[key];
    if (value !== null && value !== undefined) draft.obs[key] = String(value);
  }
  draft.onOxygen = o.on_oxygen ?? null;
  if (o.consciousness === 'confusion') {
    draft.alertness = 'confused';
    draft.confusionNew = 'yes';
  } else if (o.consciousness) {
    draft.alertness = o.consciousness;
  }
  return draft;
}
