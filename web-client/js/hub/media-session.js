// @ts-check
/**
 * @file The camera, the video and the connection quality of the one call a hub nurse or a
 * clinician is in, kept apart from the screen that shows them.
 *
 * The router mounts a screen again whenever the address changes, and `#/hub` and
 * `#/hub/:callId` are the same screen: so the media outlive a screen by a short grace period
 * (`release()`), and a screen that mounts again within it picks them up (`mediaSession()`)
 * instead of dropping and rejoining the video. Only one session exists at a time.
 */

import { getLocalMedia, MediaAccessError, VideoCall } from '../call.js';

/** @typedef {import('../live.js').LiveChannel} LiveChannel */
/** @typedef {import('../live.js').LiveEvents} LiveEvents */

/** How long the media survive their screen, for a remount to pick them up. */
const GRACE_MS = 1500;
/** A video the relay dropped while the call is still on is joined again after this. */
const REJOIN_MS = 2000;

/** @type {MediaSession | null} */
let active = null;
/** @type {number | undefined} */
let teardown;

/**
 * The media for this call: the running session if it is this call's, else a new one (ending
 * any other).
 * @param {LiveChannel} live
 * @param {number} callId
 * @returns {MediaSession}
 */
export function mediaSession(live, callId) {
  window.clearTimeout(teardown);
  teardown = undefined;
  if (active && active.callId === callId && active.live === live && !active.stopped) return active;
  active?.stop();
  active = new MediaSession(live, callId);
  return active;
}

/**
 * Ends the session after the grace period unless a screen picks it up again.
 * @param {MediaSession} session
 */
export function release(session) {
  window.clearTimeout(teardown);
  teardown = window.setTimeout(() => {
    teardown = undefined;
    session.stop();
    if (active === session) active = null;
  }, GRACE_MS);
}

/** Ends the session now (the call ended, or the nurse left it). @param {MediaSession} session */
export function endNow(session) {
  session.stop();
  if (active === session) {
    window.clearTimeout(teardown);
    active = null;
  }
}

export class MediaSession {
  /**
   * @param {LiveChannel} live
   * @param {number} callId
   */
  constructor(live, callId) {
    this.live = live;
    this.callId = callId;
    /** @type {MediaStream | null} */
    this.localStream = null;
    /** @type {MediaAccessError | null} */
    this.cameraProblem = null;
    /** The camera being opened, if it is. @type {Promise<void> | null} */
    this.cameraOpening = null;
    /** @type {VideoCall | null} */
    this.video = null;
    /** Latest `media.quality` sample per participant. @type {Map<number, LiveEvents['media.quality']>} */
    this.quality = new Map();
    /** Whether the screen wants to be in the video. */
    this.wanted = false;
    this.stopped = false;
    /** Everyone seen in the video during the call (for the outcome's clinicians). @type {Map<number, {name: string, role: string}>} */
    this.seen = new Map();
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    /** @type {number | undefined} */
    this.rejoinTimer = undefined;
    /** Why the video was refused, if it was (plain English). @type {string | null} */
    this.lastProblem = null;
    this.offQuality = live.on('media.quality', (m) => {
      if (m.call_id !== callId) return;
      this.quality.set(m.user_id, m);
      this.emit();
    });
  }

  /** @param {() => void} listener @returns {() => void} */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the camera (if not yet), then joins the video. */
  async start() {
    if (this.stopped) return;
    this.wanted = true;
    await this.openCamera();
    this.join();
  }

  /** Tries the camera again after the person fixed a permission. */
  async retryCamera() {
    this.cameraProblem = null;
    this.emit();
    await this.openCamera();
    // A video that started without the camera starts again with it.
    if (this.localStream && this.video && !this.video.localStream) {
      const old = this.video;
      this.video = null;
      old.leave();
      this.join();
    }
  }

  /** Leaves the video, keeping the camera (the call is still held). */
  leaveVideo() {
    this.wanted = false;
    window.clearTimeout(this.rejoinTimer);
    const video = this.video;
    this.video = null;
    video?.leave();
    this.emit();
  }

  /** Leaves the video and closes the camera. */
  stop() {
    if (this.stopped) return;
    this.leaveVideo();
    this.stopped = true;
    this.offQuality();
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.localStream = null;
    this.emit();
    this.listeners.clear();
  }

  /**
   * Opens the camera and microphone (if not yet), without joining the video. Calls while it is
   * opening wait for the same attempt.
   * @returns {Promise<void>}
   */
  openCamera() {
    if (this.localStream || this.stopped) return Promise.resolve();
    if (!this.cameraOpening) {
      this.cameraOpening = this.tryCamera().finally(() => {
        this.cameraOpening = null;
      });
    }
    return this.cameraOpening;
  }

  /** @private */
  async tryCamera() {
    try {
      const stream = await getLocalMedia();
      if (this.stopped) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.localStream = stream;
      this.cameraProblem = null;
    } catch (error) {
      this.cameraProblem = error instanceof MediaAccessError ? error : new MediaAccessError('other', String(error));
    } finally {
      this.emit();
    }
  }

  /** @private */
  join() {
    if (this.video || !this.wanted || this.stopped) return;
    const video = new VideoCall(this.live, this.callId, { localStream: this.localStream });
    this.video = video;
    video.on('state', () => {
      if (video.state === 'ended' && this.video === video) {
        this.video = null;
        // Refused (not_in_call): the call has left consultation; the screen decides what next.
        if (!video.problem && this.wanted) {
          window.clearTimeout(this.rejoinTimer);
          this.rejoinTimer = window.setTimeout(() => this.join(), REJOIN_MS);
        } else {
          this.lastProblem = video.problem;
        }
      }
      this.emit();
    });
    video.on('streams', () => this.emit());
    video.on('participants', () => {
      for (const p of video.participants) this.seen.set(p.user_id, { name: p.name, role: p.role });
      this.emit();
    });
    video.on('error', () => this.emit());
    this.lastProblem = null;
    video.join();
    this.emit();
  }

  /** @private */
  emit() {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        console.error('media listener failed', error);
      }
    }
  }
}
