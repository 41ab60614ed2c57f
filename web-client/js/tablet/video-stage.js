// @ts-check
/**
 * @file The in-call screen on the tablet: the nurse's picture as the main tile, a column (a row
 * in portrait) beside it with anyone else in the call and our own camera, so nothing covers the
 * nurse or a name; each tile says in words how that person's connection is, and ours is in the
 * top bar. Large mute and camera buttons, the call timer, and a clear "reconnecting" state.
 */

import { h, replace, formatTimer } from '../ui.js';
import { ConnectionWatch, indicator, setIndicator } from '../connection.js';
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
 * @typedef {object} Tile
 * @property {HTMLElement} tile
 * @property {HTMLVideoElement} video
 * @property {HTMLElement} label
 * @property {HTMLElement} flags
 * @property {HTMLElement} conn
 * @property {HTMLElement} paused
 */

/**
 * @param {object} options
 * @param {HTMLVideoElement} options.selfVideo Our camera (moved into the stage).
 * @param {number} options.myUserId
 * @param {(muted: boolean) => void} options.onMute
 * @param {(off: boolean) => void} options.onCamera
 * @param {() => void} options.onRetryCamera
 * @param {HTMLElement[]} [options.controls] More buttons for the control bar ("Send a photo").
 */
export function videoStage(options) {
  let muted = false;
  let cameraOff = false;
  /** @type {Map<string, Tile>} */
  const tiles = new Map();
  /** @type {StageState | null} */
  let last = null;
  const watch = new ConnectionWatch({ myUserId: options.myUserId, onChange: () => last && update(last) });

  const heading = h('h1', { class: 'stage-title', tabindex: '-1' }, 'Connecting to the hub…');
  const timer = h('p', { class: 'call-timer', 'aria-label': 'Call time' });
  const myConn = indicator('', 'stage-my-conn');
  const main = h('div', { class: 'stage-main' });
  const side = h('div', { class: 'stage-side' });
  const waitingNote = h('div', { class: 'stage-note' }, h('p', null, 'Connecting the video…'));
  const overlay = h('div', { class: 'stage-overlay', role: 'alert', hidden: true });
  const cameraNote = h('div', { class: 'stage-camera-note', hidden: true });
  const soundButton = h('button', { type: 'button', class: 'btn btn-light btn-large stage-sound', hidden: true }, 'Tap to turn on the sound');
  soundButton.addEventListener('click', () => {
    for (const t of tiles.values()) t.video.play().catch(() => {});
    soundButton.hidden = true;
  });
  const selfCorner = h('div', { class: 'self-corner' }, options.selfVideo,
    h('p', { class: 'self-off', hidden: true }, 'Your camera is off'),
    h('p', { class: 'tile-caption self-caption' }, h('span', { class: 'tile-name' }, 'You')));
  main.append(waitingNote);
  side.append(selfCorner);

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
    h('div', { class: 'stage-top' }, heading, myConn, timer),
    h('div', { class: 'stage-body' }, main, side),
    h('div', { class: 'call-controls', role: 'toolbar', 'aria-label': 'Call controls' }, muteButton, cameraButton, ...(options.controls ?? [])),
    overlay,
    cameraNote,
    soundButton);
  heading.id = 'stage-heading';

  /** @param {StageState} state */
  function update(state) {
    last = state;
    const { call, video } = state;
    watch.setVideo(video);
    const nurse = call?.holder?.name ?? 'the nurse';
    const others = (video?.participants ?? []).filter((p) => p.user_id !== options.myUserId);
    const mainStream = syncTiles(video, others);
    const connected = video?.state === 'connected';
    replace(heading, tiles.size ? `On video with ${others.map((p) => p.name).join(' and ') || nurse}` : `${capitalise(nurse)} has answered`);
    if (call?.answered_at) replace(timer, formatTimer((Date.now() - Date.parse(call.answered_at)) / 1000));
    setIndicator(myConn, video ? watch.mine() : null);
    waitingNote.hidden = Boolean(mainStream);
    replace(waitingNote, h('p', null, connected ? `Waiting for ${nurse}’s video…` : `Connecting you to ${nurse}…`),
      call?.state === 'claimed' ? h('p', { class: 'stage-sub' }, 'The nurse is opening the video. Stay with the resident.') : null);

    // The nurse's media has stopped (or ours has): say so over everything, with what to do.
    const nurseHere = others.find((p) => p.stream_id === mainStream);
    const dropped = video?.state === 'reconnecting' || (nurseHere && watch.of(nurseHere).kind === 'reconnecting');
    overlay.hidden = !dropped;
    if (dropped && !overlay.firstChild) {
      replace(overlay,
        h('p', { class: 'overlay-title' }, 'Reconnecting…'),
        h('p', null, 'The video line dropped. It reconnects by itself: stay with the resident and keep this screen open.'),
        h('p', null, 'If it has not come back in a minute, the nurse will phone the home. If the resident gets worse, dial 999.'));
    } else if (!dropped) {
      overlay.replaceChildren();
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
   * Puts each remote stream in a tile: the hub nurse's in the main area, anyone else beside it.
   * @param {VideoCall | null} video
   * @param {MediaParticipant[]} others
   * @returns {string | null} the stream id in the main area
   */
  function syncTiles(video, others) {
    const streams = video?.remoteStreams ?? new Map();
    for (const [id, t] of tiles) {
      if (!streams.has(id)) {
        t.video.srcObject = null;
        t.tile.remove();
        tiles.delete(id);
      }
    }
    const mainStream = others.find((p) => p.role === 'hub_nurse' && streams.has(p.stream_id))?.stream_id ?? null;
    for (const [id, stream] of streams) {
      // Our own stream is never sent back to us, but skip it should a relay ever do so.
      if (id === `participant-${options.myUserId}`) continue;
      const t = tiles.get(id) ?? newTile(id);
      const place = id === mainStream ? main : side;
      if (t.tile.parentElement !== place) place.insertBefore(t.tile, place === side ? selfCorner : waitingNote);
      t.tile.classList.toggle('tile-main', id === mainStream);
      if (t.video.srcObject !== stream) {
        t.video.srcObject = stream;
        t.video.play().catch(() => {
          soundButton.hidden = false;
        });
      }
      const who = others.find((p) => p.stream_id === id);
      replace(t.label, who ? who.name : 'The hub');
      replace(t.flags, [who?.muted ? 'Muted' : null, who?.camera_off ? 'Camera off' : null].filter(Boolean).join(' · ') || null);
      setIndicator(t.conn, who ? watch.of(who) : null, who?.name);
      const paused = Boolean(who && watch.pausedToMe(who));
      t.paused.hidden = !paused;
      t.tile.classList.toggle('is-paused', paused);
    }
    side.dataset.count = String(tiles.size - (mainStream ? 1 : 0));
    return mainStream;
  }

  /** @param {string} id @returns {Tile} */
  function newTile(id) {
    const video = h('video', { class: 'remote-video', autoplay: true, playsinline: true });
    const label = h('span', { class: 'tile-name' });
    const flags = h('span', { class: 'tile-flags' });
    const conn = indicator('', 'tile-conn');
    // Over the picture, not instead of it: the <video> keeps playing the sound.
    const paused = h('div', { class: 'tile-paused', hidden: true },
      h('p', { class: 'tile-paused-title' }, 'Video paused: weak connection.'),
      h('p', null, 'Sound carries on.'));
    const tile = h('div', { class: 'tile', dataset: { streamId: id } }, video, paused,
      h('div', { class: 'tile-caption' }, label, flags, conn));
    const t = { tile, video, label, flags, conn, paused };
    tiles.set(id, t);
    return t;
  }

  function destroy() {
    watch.stop();
    for (const t of tiles.values()) t.video.srcObject = null;
  }

  return { element, update, destroy };
}

/** @param {string} text */
function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
