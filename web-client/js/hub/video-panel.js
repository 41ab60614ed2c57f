// @ts-check
/**
 * @file The video of a call on a desktop screen (hub nurse, clinician): the care home's picture
 * (the resident) as the main tile, always, with anyone else and our own camera in a column
 * beside it, so nothing ever covers the resident; each tile with the person's name, role and
 * connection in words; mute / camera buttons. Shared by the hub's consultation and the
 * clinician's in-call view.
 *
 * The main area is kept for the care home even while their video is missing (it says why), so
 * the tiles never swap places when someone joins, leaves or reconnects.
 */

import { h, replace } from '../ui.js';
import { ConnectionWatch, indicator, setIndicator } from '../connection.js';

/** @typedef {import('../call.js').VideoCall} VideoCall */
/** @typedef {import('../types.js').MediaParticipant} MediaParticipant */
/** @typedef {import('../live.js').LiveEvents} LiveEvents */
/** @typedef {LiveEvents['media.quality']} QualitySample */

const ROLE_WORDS = Object.freeze({ care_staff: 'Care home', hub_nurse: 'Hub nurse', clinician: 'Clinician', admin: 'Admin' });

/**
 * @typedef {object} Tile
 * @property {HTMLElement} tile
 * @property {HTMLVideoElement} video
 * @property {HTMLElement} name
 * @property {HTMLElement} flags
 * @property {HTMLElement} conn
 * @property {HTMLElement} paused
 */

/**
 * @param {object} options
 * @param {number} options.myUserId
 * @param {string} options.waitingFor Words for whom we wait when nobody else is in the video.
 * @returns {{element: HTMLElement, selfVideo: HTMLVideoElement, update: (video: VideoCall | null, quality?: Map<number, QualitySample>, note?: string | null) => void, destroy: () => void}}
 */
export function videoPanel(options) {
  /** @type {Map<string, Tile>} */
  const tiles = new Map();
  /** @type {VideoCall | null} */
  let current = null;
  /** The note last asked for, so a connection change can draw the panel again alone. @type {string | null} */
  let lastOverride = null;
  const watch = new ConnectionWatch({ myUserId: options.myUserId, onChange: () => update(current, undefined, lastOverride) });
  const selfVideo = h('video', { class: 'vp-self-video', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Your camera' });
  selfVideo.muted = true;
  const main = h('div', { class: 'vp-main' });
  const side = h('div', { class: 'vp-side' });
  const note = h('div', { class: 'vp-note', role: 'status' });
  const myConn = indicator('', 'vp-my-conn');
  const soundButton = h('button', { type: 'button', class: 'btn btn-primary vp-sound', hidden: true }, 'Turn on the sound');
  soundButton.addEventListener('click', () => {
    for (const t of tiles.values()) t.video.play().catch(() => {});
    soundButton.hidden = true;
  });
  const muteButton = h('button', { type: 'button', class: 'btn btn-secondary vp-ctl', 'aria-pressed': 'false' }, 'Mute microphone');
  const cameraButton = h('button', { type: 'button', class: 'btn btn-secondary vp-ctl', 'aria-pressed': 'false' }, 'Turn camera off');
  muteButton.addEventListener('click', () => {
    current?.setMuted(!current.muted);
    syncControls();
  });
  cameraButton.addEventListener('click', () => {
    current?.setCameraOff(!current.cameraOff);
    syncControls();
  });
  /** The buttons follow the call's own state, so they are right after the screen is drawn again. */
  function syncControls() {
    const muted = Boolean(current?.muted);
    const off = Boolean(current?.cameraOff);
    muteButton.setAttribute('aria-pressed', String(muted));
    replace(muteButton, muted ? 'Unmute microphone' : 'Mute microphone');
    cameraButton.setAttribute('aria-pressed', String(off));
    replace(cameraButton, off ? 'Turn camera on' : 'Turn camera off');
    selfBox.classList.toggle('is-off', off);
    muteButton.disabled = !current || !current.localStream?.getAudioTracks().length;
    cameraButton.disabled = !current || !current.localStream?.getVideoTracks().length;
  }
  const selfBox = h('div', { class: 'vp-self' }, selfVideo, h('p', { class: 'vp-self-label' }, 'You'));
  main.append(note, soundButton);
  side.append(selfBox);

  const element = h(
    'section',
    { class: 'video-panel', 'aria-label': 'Video' },
    h('div', { class: 'vp-stage' }, main, side),
    h('div', { class: 'vp-bar' }, h('div', { class: 'vp-controls', role: 'group', 'aria-label': 'Your microphone and camera' }, muteButton, cameraButton), myConn),
  );

  /**
   * @param {VideoCall | null} video
   * @param {Map<number, QualitySample>} [_quality] Unused: the samples come from the VideoCall
   *   (kept so screens that pass their own map need not change).
   * @param {string | null} [override] A message to show in place of the usual state note.
   */
  function update(video, _quality, override = null) {
    current = video;
    lastOverride = override;
    watch.setVideo(video);
    const others = (video?.participants ?? []).filter((p) => p.user_id !== options.myUserId);
    const homeShown = syncTiles(video, others);
    const state = video?.state ?? 'idle';
    const home = others.find((p) => p.role === 'care_staff');
    let text = override;
    if (!text && video?.problem) text = video.problem;
    if (!text && (state === 'joining' || state === 'idle')) text = 'Connecting the video…';
    if (!text && state === 'reconnecting') text = 'Reconnecting the video… It comes back by itself; if it does not within a minute, phone the care home.';
    if (!text && !homeShown) {
      text = home ? 'Connecting to the care home…'
        : tiles.size ? 'Waiting for the care home’s video…'
          : others.length ? `Connecting to ${others.map((p) => p.name).join(' and ')}…` : `Waiting for ${options.waitingFor} to join the video…`;
    }
    note.hidden = !text;
    note.classList.toggle('vp-note-over', homeShown);
    replace(note, text ? h('p', null, text) : null);
    syncControls();
    setIndicator(myConn, video ? watch.mine() : null);
  }

  /**
   * @param {VideoCall | null} video
   * @param {MediaParticipant[]} others
   * @returns {boolean} whether the care home's picture is in the main area
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
    let homeShown = false;
    for (const [id, stream] of streams) {
      if (id === `participant-${options.myUserId}`) continue;
      const t = tiles.get(id) ?? newTile(id);
      const who = others.find((p) => p.stream_id === id);
      // The resident is who the call is about: the care home's picture is the main tile.
      const isHome = who?.role === 'care_staff';
      homeShown ||= isHome;
      const place = isHome ? main : side;
      if (t.tile.parentElement !== place) place.insertBefore(t.tile, isHome ? note : selfBox);
      t.tile.classList.toggle('vp-tile-main', isHome);
      t.tile.dataset.role = who?.role ?? '';
      if (t.video.srcObject !== stream) {
        t.video.srcObject = stream;
        t.video.play().catch(() => {
          soundButton.hidden = false;
        });
      }
      replace(t.name, who ? who.name : 'Participant', who ? h('span', { class: 'vp-role' }, ` · ${ROLE_WORDS[who.role] ?? who.role}`) : null);
      t.video.setAttribute('aria-label', `Video of ${who?.name ?? 'a participant'}`);
      const flags = [who?.muted ? 'Microphone muted' : null, who?.camera_off ? 'Camera off' : null].filter(Boolean);
      replace(t.flags, flags.join(' · '));
      t.flags.hidden = flags.length === 0;
      setIndicator(t.conn, who ? watch.of(who) : null, who?.name);
      const paused = Boolean(who && watch.pausedToMe(who));
      t.paused.hidden = !paused;
      t.tile.classList.toggle('is-paused', paused);
    }
    side.dataset.count = String(tiles.size - (homeShown ? 1 : 0));
    return homeShown;
  }

  /** @param {string} id @returns {Tile} */
  function newTile(id) {
    const v = h('video', { class: 'remote-video', autoplay: true, playsinline: true });
    const name = h('p', { class: 'vp-name' });
    const flags = h('p', { class: 'vp-flags' });
    const conn = indicator('', 'vp-conn');
    // Over the picture, not instead of it: the <video> keeps playing the sound.
    const paused = h('div', { class: 'vp-paused', hidden: true },
      h('p', { class: 'vp-paused-title' }, 'Video paused: weak connection.'),
      h('p', null, 'Sound carries on.'));
    const tile = h('figure', { class: 'vp-tile', dataset: { streamId: id } }, v, paused, h('figcaption', { class: 'vp-caption' }, name, flags, conn));
    const t = { tile, video: v, name, flags, conn, paused };
    tiles.set(id, t);
    return t;
  }

  return {
    element,
    selfVideo,
    update,
    destroy() {
      watch.stop();
      for (const t of tiles.values()) t.video.srcObject = null;
      tiles.clear();
      selfVideo.srcObject = null;
    },
  };
}
