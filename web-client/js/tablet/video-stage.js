// @ts-check
/**
 * @file The in-call screen on the tablet: the nurse full screen, the self-view in a corner,
 * large mute and camera buttons, the call timer, and a clear "reconnecting" state.
 */

import { h, replace, formatTimer } from '../ui.js';
import { cameraHelp } from './camera-help.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').MediaParticipant} MediaParticipant */
/** @typedef {import('../call.js').VideoCall} VideoCall */
/** @typedef {import('../call.js').MediaAccessError} MediaAccessError */

/**
 * @typedef {object} StageState
 * @property {CallView | null} call
 * @property {VideoCall | null} video
 * @property {MediaAccessError | null} cameraProblem
 * @property {import('../live.js').LiveStatus} liveStatus
 */

/**
 * @param {object} options
 * @param {HTMLVideoElement} options.selfVideo Our camera (moved into the stage).
 * @param {number} options.myUserId
 * @param {(muted: boolean) => void} options.onMute
 * @param {(off: boolean) => void} options.onCamera
 * @param {() => void} options.onRetryCamera
 */
export function videoStage(options) {
  let muted = false;
  let cameraOff = false;
  /** @type {Map<string, {tile: HTMLElement, video: HTMLVideoElement, label: HTMLElement, flags: HTMLElement}>} */
  const tiles = new Map();

  const heading = h('h1', { class: 'stage-title', tabindex: '-1' }, 'Connecting to the hub…');
  const timer = h('p', { class: 'call-timer', 'aria-label': 'Call time' });
  const remote = h('div', { class: 'remote-area' });
  const waitingNote = h('div', { class: 'stage-note' }, h('p', null, 'Connecting the video…'));
  const overlay = h('div', { class: 'stage-overlay', role: 'alert', hidden: true });
  const cameraNote = h('div', { class: 'stage-camera-note', hidden: true });
  const soundButton = h('button', { type: 'button', class: 'btn btn-light btn-large stage-sound', hidden: true }, 'Tap to turn on the sound');
  soundButton.addEventListener('click', () => {
    for (const t of tiles.values()) t.video.play().catch(() => {});
    soundButton.hidden = true;
  });
  const selfCorner = h('div', { class: 'self-corner' }, options.selfVideo, h('p', { class: 'self-off', hidden: true }, 'Your camera is off'));

  const muteButton = h('button', { type: 'button', class: 'ctl', 'aria-pressed': 'false' },
    h('span', { class: 'ctl-icon ctl-mic', 'aria-hidden': 'true' }), h('span', { class: 'ctl-label' }, 'Mute'));
  const cameraButton = h('button', { type: 'button', class: 'ctl', 'aria-pressed': 'false' },
    h('span', { class: 'ctl-icon ctl-cam', 'aria-hidden': 'true' }), h('span', { class: 'ctl-label' }, 'Camera off'));
  muteButton.addEventListener('click', () => {
    muted = !muted;
    options.onMute(muted);
    muteButton.setAttribute('aria-pressed', String(muted));
    replace(/** @type {HTMLElement} */ (muteButton.querySelector('.ctl-label')), muted ? 'Unmute' : 'Mute');
  });
  cameraButton.addEventListener('click', () => {
    cameraOff = !cameraOff;
    options.onCamera(cameraOff);
    cameraButton.setAttribute('aria-pressed', String(cameraOff));
    replace(/** @type {HTMLElement} */ (cameraButton.querySelector('.ctl-label')), cameraOff ? 'Camera on' : 'Camera off');
    selfCorner.classList.toggle('is-off', cameraOff);
    /** @type {HTMLElement} */ (selfCorner.querySelector('.self-off')).hidden = !cameraOff;
  });

  const element = h('section', { class: 'call-stage', 'aria-labelledby': 'stage-heading' },
    remote, waitingNote,
    h('div', { class: 'stage-top' }, heading, timer),
    selfCorner,
    overlay,
    cameraNote,
    soundButton,
    h('div', { class: 'call-controls', role: 'toolbar', 'aria-label': 'Call controls' }, muteButton, cameraButton));
  heading.id = 'stage-heading';

  /** @param {StageState} state */
  function update(state) {
    const { call, video } = state;
    const nurse = call?.holder?.name ?? 'the nurse';
    const others = (video?.participants ?? []).filter((p) => p.user_id !== options.myUserId);
    syncTiles(video, others);
    const connected = video?.state === 'connected';
    replace(heading, tiles.size ? `On video with ${others.map((p) => p.name).join(' and ') || nurse}` : `${capitalise(nurse)} has answered`);
    if (call?.answered_at) replace(timer, formatTimer((Date.now() - Date.parse(call.answered_at)) / 1000));
    waitingNote.hidden = tiles.size > 0;
    replace(waitingNote, h('p', null, connected ? `Waiting for ${nurse}’s video…` : `Connecting you to ${nurse}…`),
      call?.state === 'claimed' ? h('p', { class: 'stage-sub' }, 'The nurse is opening the video. Stay with the resident.') : null);

    const dropped = video?.state === 'reconnecting' || state.liveStatus === 'reconnecting';
    overlay.hidden = !dropped;
    if (dropped) {
      replace(overlay,
        h('p', { class: 'overlay-title' }, 'Reconnecting…'),
        h('p', null, 'The video line dropped. It reconnects by itself: stay with the resident and keep this screen open.'),
        h('p', null, 'If it has not come back in a minute, the nurse will phone the home. If the resident gets worse, dial 999.'));
    }
    cameraNote.hidden = !state.cameraProblem;
    if (state.cameraProblem && cameraNote.dataset.kind !== state.cameraProblem.kind) {
      cameraNote.dataset.kind = state.cameraProblem.kind;
      replace(cameraNote, cameraHelp(state.cameraProblem, options.onRetryCamera));
    } else if (!state.cameraProblem) {
      delete cameraNote.dataset.kind;
    }
    cameraButton.disabled = Boolean(state.cameraProblem);
    muteButton.disabled = Boolean(state.cameraProblem);
    if (video?.problem) replace(waitingNote, h('p', null, video.problem));
  }

  /**
   * @param {VideoCall | null} video
   * @param {MediaParticipant[]} others
   */
  function syncTiles(video, others) {
    const streams = video?.remoteStreams ?? new Map();
    for (const [id, t] of tiles) {
      if (!streams.has(id)) {
        t.tile.remove();
        tiles.delete(id);
      }
    }
    for (const [id, stream] of streams) {
      // Our own stream is never sent back to us, but skip it should a relay ever do so.
      if (id === `participant-${options.myUserId}`) continue;
      let t = tiles.get(id);
      if (!t) {
        const v = h('video', { class: 'remote-video', autoplay: true, playsinline: true });
        const label = h('p', { class: 'tile-name' });
        const flags = h('p', { class: 'tile-flags' });
        const tile = h('div', { class: 'tile', dataset: { streamId: id } }, v, label, flags);
        t = { tile, video: v, label, flags };
        tiles.set(id, t);
        remote.append(tile);
      }
      if (t.video.srcObject !== stream) {
        t.video.srcObject = stream;
        t.video.play().catch(() => {
          soundButton.hidden = false;
        });
      }
      const who = others.find((p) => p.stream_id === id);
      replace(t.label, who ? who.name : 'The hub');
      replace(t.flags, [who?.muted ? 'Muted' : null, who?.camera_off ? 'Camera off' : null, who && !who.connected ? 'Connecting…' : null].filter(Boolean).join(' · ') || null);
    }
    remote.dataset.count = String(tiles.size);
  }

  return { element, update };
}

/** @param {string} text */
function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
