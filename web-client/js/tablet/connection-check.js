// @ts-check
/**
 * @file Care staff: check the tablet before a video call (`#/check`, or `#/check/:residentId`
 * from a resident's assessment, which it returns to). Four things a call needs, each tested for
 * real: the camera (a preview), the microphone (a live level), the speaker (a short tone and
 * "Did you hear it?"), and the path to the hub's video relay (`checkPath`, about five seconds).
 * The answer is one of three plain verdicts: Good, Weak, or No connection with the hub's
 * telephone number (from the server, `GET /api/service`) as a link that dials it.
 */

import * as api from '../api.js';
import { h, replace } from '../ui.js';
import { getLocalMedia, MediaAccessError } from '../call.js';
import { checkPath } from '../path-check.js';
import { cameraHelp } from './camera-help.js';

/** @typedef {import('../path-check.js').PathResult} PathResult */
/** @typedef {import('../types.js').ServiceInfo} ServiceInfo */

/** A level above this (0-1) means the microphone hears something. */
const HEARD_LEVEL = 0.06;
/** Without sound for this long, ask them to say something. */
const QUIET_HINT_MS = 8_000;

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const residentId = ctx.params.residentId ? Number(ctx.params.residentId) : null;
  const screen = new CheckScreen(root, ctx, residentId);
  return () => screen.destroy();
}

class CheckScreen {
  /**
   * @param {HTMLElement} root
   * @param {import('../app.js').ScreenContext} ctx
   * @param {number | null} residentId
   */
  constructor(root, ctx, residentId) {
    this.ctx = ctx;
    this.destroyed = false;
    /** @type {MediaStream | null} */
    this.stream = null;
    /** @type {AudioContext | null} */
    this.audio = null;
    /** @type {AbortController | null} */
    this.checking = null;
    /** @type {string | null} */
    this.hubPhone = null;
    this.micHeard = false;
    this.meterTimer = 0;

    const back = residentId ? { href: `#/assess/${residentId}`, text: 'Back to the assessment' } : { href: '#/residents', text: 'Back to residents' };
    this.preview = h('video', { class: 'check-video', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Your camera' });
    this.preview.muted = true;
    this.cameraBox = h('div', { class: 'check-camera-box' }, h('div', { class: 'self-frame' }, this.preview));
    this.cameraStatus = h('p', { class: 'check-result', 'aria-live': 'polite' }, 'Starting the camera…');
    this.meter = h('meter', { id: 'mic-level', class: 'check-meter', min: '0', max: '1', value: '0' });
    this.micStatus = h('p', { class: 'check-result', 'aria-live': 'polite' }, 'Waiting for the microphone…');
    this.speakerBody = h('div', { class: 'check-speaker' });
    this.pathStatus = h('p', { class: 'check-figures' }, 'Waiting for the camera…');
    this.verdict = h('div', { class: 'check-verdict-body', role: 'status' });
    this.again = h('button', { type: 'button', class: 'btn btn-secondary btn-large', disabled: true, onclick: () => this.runPath() }, 'Check again');

    replace(root, h('section', { class: 'screen check' },
      h('a', { class: 'back-link', href: back.href }, `‹ ${back.text}`),
      h('div', { class: 'screen-head' },
        h('h1', null, 'Check the connection'),
        h('p', { class: 'lead' }, 'Before a video call, check that the nurse will see and hear you. It takes about 15 seconds.')),
      h('div', { class: 'check-layout' },
        h('section', { class: 'check-step check-camera', 'aria-labelledby': 'check-camera-title' },
          h('h2', { id: 'check-camera-title' }, 'Camera'),
          this.cameraBox,
          this.cameraStatus),
        h('div', { class: 'check-steps' },
          // The answer comes first: it is what staff came for.
          h('section', { class: 'check-step check-verdict', 'aria-labelledby': 'check-path-title' },
            h('h2', { id: 'check-path-title' }, 'Connection to the hub'),
            this.verdict,
            this.pathStatus),
          h('section', { class: 'check-step', 'aria-labelledby': 'check-mic-title' },
            h('h2', { id: 'check-mic-title' }, 'Microphone'),
            h('label', { for: 'mic-level', class: 'field-hint' }, 'Say a few words: the bar moves when the microphone hears you.'),
            this.meter,
            this.micStatus),
          h('section', { class: 'check-step', 'aria-labelledby': 'check-speaker-title' },
            h('h2', { id: 'check-speaker-title' }, 'Speaker'),
            this.speakerBody))),
      h('div', { class: 'actions' },
        this.again,
        h('a', { class: 'btn btn-primary btn-large', href: back.href }, back.text))));

    this.drawSpeaker('ready');
    this.loadHubPhone();
    this.start();
  }

  destroy() {
    this.destroyed = true;
    this.checking?.abort();
    window.clearInterval(this.meterTimer);
    this.audio?.close().catch(() => {});
    this.stream?.getTracks().forEach((t) => t.stop());
    this.preview.srcObject = null;
  }

  async loadHubPhone() {
    try {
      /** @type {ServiceInfo} */
      const info = await api.get('/api/service');
      this.hubPhone = info.hub_phone;
    } catch {
      // Shown without the number: the verdict still says to phone the hub.
    }
  }

  /** Opens the camera and microphone, then tests the microphone and the path together. */
  async start() {
    try {
      this.stream = await getLocalMedia();
    } catch (error) {
      const problem = error instanceof MediaAccessError ? error : new MediaAccessError('other', String(error));
      if (this.destroyed) return;
      replace(this.cameraBox, cameraHelp(problem, () => this.retryCamera(), 'check'));
      replace(this.cameraStatus, 'The camera is not working, so the nurse would not see the resident.');
      replace(this.micStatus, 'The microphone could not be tested.');
    }
    if (this.destroyed) {
      this.stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    if (this.stream) this.showCamera(this.stream);
    this.runPath();
  }

  retryCamera() {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    replace(this.cameraBox, h('div', { class: 'self-frame' }, this.preview));
    replace(this.cameraStatus, 'Starting the camera…');
    this.start();
  }

  /** @param {MediaStream} stream */
  showCamera(stream) {
    this.preview.srcObject = stream;
    const hasVideo = stream.getVideoTracks().length > 0;
    if (!hasVideo) {
      replace(this.cameraStatus, 'No camera found: the nurse would hear you but not see the resident.');
    } else {
      this.preview.addEventListener('playing', () => replace(this.cameraStatus, '✓ Camera working. This is what the nurse will see.'), { once: true });
    }
    this.startMeter(stream);
  }

  /**
   * A live level from the microphone, read ten times a second (smooth enough to see speech,
   * slow enough not to flicker).
   * @param {MediaStream} stream
   */
  startMeter(stream) {
    if (!stream.getAudioTracks().length) {
      replace(this.micStatus, 'No microphone found: the nurse would not hear you.');
      return;
    }
    const audio = this.ensureAudio();
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    const data = new Float32Array(analyser.fftSize);
    const started = Date.now();
    replace(this.micStatus, 'Listening…');
    window.clearInterval(this.meterTimer);
    this.meterTimer = window.setInterval(() => {
      analyser.getFloatTimeDomainData(data);
      let sum = 0;
      for (const v of data) sum += v * v;
      // RMS scaled so ordinary speech fills about half the bar.
      const level = Math.min(1, Math.sqrt(sum / data.length) * 4);
      this.meter.value = level;
      if (level > HEARD_LEVEL && !this.micHeard) {
        this.micHeard = true;
        replace(this.micStatus, '✓ Microphone working: it hears you.');
      } else if (!this.micHeard && Date.now() - started > QUIET_HINT_MS && this.micStatus.dataset.quiet !== 'yes') {
        this.micStatus.dataset.quiet = 'yes';
        replace(this.micStatus, 'No sound heard yet. Say something close to the tablet. If the bar still does not move, check the microphone is not switched off.');
      }
    }, 100);
  }

  /** @returns {AudioContext} */
  ensureAudio() {
    if (!this.audio) this.audio = new AudioContext();
    // Opened from a tap, so the browser lets it run; resume in case it started paused.
    this.audio.resume().catch(() => {});
    return this.audio;
  }

  /** @param {'ready' | 'asked' | 'heard' | 'not_heard'} step */
  drawSpeaker(step) {
    const play = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => this.playTone() }, step === 'ready' ? 'Play a test sound' : 'Play it again');
    if (step === 'ready') {
      replace(this.speakerBody, h('p', { class: 'field-hint' }, 'Turn the volume up, then play a short sound.'), play);
    } else if (step === 'asked') {
      replace(this.speakerBody,
        h('p', { class: 'check-question' }, 'Did you hear it?'),
        h('div', { class: 'check-answers' },
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => this.drawSpeaker('heard') }, 'Yes, I heard it'),
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => this.drawSpeaker('not_heard') }, 'No'),
          play));
    } else if (step === 'heard') {
      replace(this.speakerBody, h('p', { class: 'check-result', 'aria-live': 'polite' }, '✓ Speaker working.'), play);
    } else {
      replace(this.speakerBody,
        h('p', { class: 'check-result', 'aria-live': 'polite' }, 'Turn the volume up with the buttons on the side of the tablet, and check it is not on silent. Then play the sound again.'),
        h('p', { class: 'field-hint' }, 'If you still hear nothing, you would not hear the nurse either: use a phone to call the hub.'),
        play);
    }
  }

  /** A soft one-second tone, faded in and out so it does not click. */
  playTone() {
    const audio = this.ensureAudio();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 660;
    const t = audio.currentTime;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(0.3, t + 0.05);
    gain.gain.setValueAtTime(0.3, t + 0.9);
    gain.gain.linearRampToValueAtTime(0, t + 1);
    tone.connect(gain).connect(audio.destination);
    tone.start(t);
    tone.stop(t + 1);
    tone.addEventListener('ended', () => {
      if (!this.destroyed) this.drawSpeaker('asked');
    });
  }

  /** Tests the path to the relay and shows the verdict. */
  async runPath() {
    this.checking?.abort();
    const controller = new AbortController();
    this.checking = controller;
    this.again.disabled = true;
    delete this.verdict.dataset.verdict;
    /** @type {HTMLElement} */ (this.verdict.parentElement).dataset.verdict = 'checking';
    replace(this.verdict, h('p', { class: 'check-verdict-text' }, 'Checking…'));
    this.pathStatus.replaceChildren();
    const result = await checkPath(this.ctx.live, this.stream, {
      signal: controller.signal,
      onProgress: (phase, left) => {
        // Progress goes in the figures line, which is not announced: one announcement, the verdict.
        if (controller === this.checking) replace(this.pathStatus, phase === 'connecting' ? 'Connecting to the hub…' : `Measuring the connection: ${left} second${left === 1 ? '' : 's'} left`);
      },
    });
    if (this.destroyed || controller !== this.checking) return;
    this.checking = null;
    this.again.disabled = false;
    replace(this.pathStatus, pathWords(result));
    this.showVerdict(result);
  }

  /** @param {PathResult} result */
  showVerdict(result) {
    /** @type {HTMLElement} */ (this.verdict.parentElement).dataset.verdict = result.verdict;
    const phone = this.hubPhone
      ? h('a', { class: 'check-phone', href: `tel:${this.hubPhone.replace(/[^\d+]/g, '')}` }, this.hubPhone)
      : null;
    if (result.verdict === 'good') {
      replace(this.verdict, h('p', { class: 'check-verdict-title' }, 'Good'), h('p', { class: 'check-verdict-text' }, 'Video calls should work well.'));
    } else if (result.verdict === 'weak') {
      replace(this.verdict, h('p', { class: 'check-verdict-title' }, 'Weak'),
        h('p', { class: 'check-verdict-text' }, 'Video may pause; sound will carry on.'),
        h('ul', { class: 'check-reasons' }, result.reasons.map((r) => h('li', null, r))),
        h('p', null, 'You can still call the hub. If the picture stops, keep talking: the nurse can still hear you. Moving closer to the Wi-Fi box may help.'));
    } else {
      replace(this.verdict, h('p', { class: 'check-verdict-title' }, 'No connection'),
        h('p', { class: 'check-verdict-text' }, phone ? ['Phone the hub on ', phone, '.'] : 'Phone the hub.'),
        h('p', null, 'Video cannot reach the hub from this tablet at the moment. Check the Wi-Fi is on, then check again.'));
    }
  }
}

/**
 * The measured figures, for whoever looks after the Wi-Fi.
 * @param {PathResult} r
 */
function pathWords(r) {
  if (r.verdict === 'none') return 'The tablet could not reach the hub’s video service within 8 seconds.';
  const parts = [];
  if (r.rttMs !== null) parts.push(`reply time ${r.rttMs} ms`);
  if (r.uploadLoss !== null) parts.push(`${(r.uploadLoss * 100).toFixed(r.uploadLoss < 0.1 ? 1 : 0)}% lost on the way up`);
  if (r.uploadKbps !== null) parts.push(`upload ${r.uploadKbps >= 1000 ? `${(r.uploadKbps / 1000).toFixed(1)} Mbit/s` : `${r.uploadKbps} kbit/s`}`);
  return parts.map((p) => `${p.charAt(0).toUpperCase()}${p.slice(1)}.`).join(' ');
}
