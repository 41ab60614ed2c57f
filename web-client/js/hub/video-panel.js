// @ts-check
/**
 * @file The video of a call on a desktop screen (hub nurse, clinician): one tile per remote
 * participant with their name, role and connection quality, our own camera small, and mute /
 * camera buttons. Shared by the hub's consultation and the clinician's in-call view.
 *
 * Connection quality comes from the relay's `media.quality` samples (round trip, packet loss,
 * bitrate), shown in words and numbers so a bad line can be told from a clinical problem.
 */

import { h, replace } from '../ui.js';

/** @typedef {import('../call.js').VideoCall} VideoCall */
/** @typedef {import('../types.js').MediaParticipant} MediaParticipant */
/** @typedef {import('../live.js').LiveEvents} LiveEvents */
/** @typedef {LiveEvents['media.quality']} QualitySample */

const ROLE_WORDS = Object.freeze({ care_staff: 'Care home', hub_nurse: 'Hub nurse', clinician: 'Clinician', admin: 'Admin' });

/**
 * "Good", "Fair" or "Poor" from a sample.
 * @param {QualitySample} q
 */
export function qualityWord(q) {
  const loss = q.loss ?? 0;
  const rtt = q.rtt_ms ?? 0;
  if (loss >= 0.08 || rtt >= 400) return 'Poor';
  if (loss >= 0.02 || rtt >= 200) return 'Fair';
  return 'Good';
}

/**
 * "Good · 24 ms · 0% loss · 950 kbit/s".
 * @param {QualitySample | undefined} q
 */
export function qualityText(q) {
  if (!q) return 'Measuring…';
  const parts = [qualityWord(q)];
  if (q.rtt_ms != null) parts.push(`${q.rtt_ms} ms`);
  if (q.loss != null) parts.push(`${Math.round(q.loss * 100)}% loss`);
  if (q.rx_kbps > 0) parts.push(`${q.rx_kbps} kbit/s`);
  return parts.join(' · ');
}

/**
 * @param {object} options
 * @param {number} options.myUserId
 * @param {string} options.waitingFor Words for whom we wait when nobody else is in the video.
 * @returns {{element: HTMLElement, selfVideo: HTMLVideoElement, update: (video: VideoCall | null, quality: Map<number, QualitySample>, note?: string | null) => void, destroy: () => void}}
 */
export function videoPanel(options) {
  /** @type {Map<string, {tile: HTMLElement, video: HTMLVideoElement, name: HTMLElement, flags: HTMLElement, quality: HTMLElement}>} */
  const tiles = new Map();
  /** @type {VideoCall | null} */
  let current = null;
  const selfVideo = h('video', { class: 'vp-self-video', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Your camera' });
  selfVideo.muted = true;
  const remote = h('div', { class: 'vp-remote', dataset: { count: '0' } });
  const note = h('div', { class: 'vp-note', role: 'status' });
  const myQuality = h('p', { class: 'vp-my-quality' });
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

  const element = h(
    'section',
    { class: 'video-panel', 'aria-label': 'Video' },
    h('div', { class: 'vp-stage' }, remote, note, soundButton, selfBox),
    h('div', { class: 'vp-bar' }, h('div', { class: 'vp-controls', role: 'group', 'aria-label': 'Your microphone and camera' }, muteButton, cameraButton), myQuality),
  );

  /**
   * @param {VideoCall | null} video
   * @param {Map<number, QualitySample>} quality
   * @param {string | null} [override] A message to show in place of the usual state note.
   */
  function update(video, quality, override = null) {
    current = video;
    const others = (video?.participants ?? []).filter((p) => p.user_id !== options.myUserId);
    syncTiles(video, others, quality);
    const state = video?.state ?? 'idle';
    let text = override;
    if (!text && video?.problem) text = video.problem;
    if (!text && (state === 'joining' || state === 'idle')) text = 'Connecting the video…';
    if (!text && state === 'reconnecting') text = 'Reconnecting the video… It comes back by itself; if it does not within a minute, phone the care home.';
    if (!text && tiles.size === 0) text = others.length ? `Connecting to ${others.map((p) => p.name).join(' and ')}…` : `Waiting for ${options.waitingFor} to join the video…`;
    note.hidden = !text;
    note.classList.toggle('vp-note-over', tiles.size > 0);
    replace(note, text ? h('p', null, text) : null);
    syncControls();
    const mine = quality.get(options.myUserId);
    replace(myQuality, mine ? `Your connection: ${qualityText(mine)}` : '');
  }

  /**
   * @param {VideoCall | null} video
   * @param {MediaParticipant[]} others
   * @param {Map<number, QualitySample>} quality
   */
  function syncTiles(video, others, quality) {
    const streams = video?.remoteStreams ?? new Map();
    for (const [id, t] of tiles) {
      if (!streams.has(id)) {
        t.video.srcObject = null;
        t.tile.remove();
        tiles.delete(id);
      }
    }
    for (const [id, stream] of streams) {
      if (id === `participant-${options.myUserId}`) continue;
      let t = tiles.get(id);
      if (!t) {
        const v = h('video', { class: 'remote-video', autoplay: true, playsinline: true });
        const name = h('p', { class: 'vp-name' });
        const flags = h('p', { class: 'vp-flags' });
        const q = h('p', { class: 'vp-quality' });
        const tile = h('figure', { class: 'vp-tile', dataset: { streamId: id } }, v, h('figcaption', { class: 'vp-caption' }, name, flags, q));
        t = { tile, video: v, name, flags, quality: q };
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
      replace(t.name, who ? who.name : 'Participant', who ? h('span', { class: 'vp-role' }, ` · ${ROLE_WORDS[who.role] ?? who.role}`) : null);
      t.video.setAttribute('aria-label', `Video of ${who?.name ?? 'a participant'}`);
      const flags = [who?.muted ? 'Microphone muted' : null, who?.camera_off ? 'Camera off' : null, who && !who.connected ? 'Connecting…' : null].filter(Boolean);
      replace(t.flags, flags.join(' · '));
      t.flags.hidden = flags.length === 0;
      replace(t.quality, who ? `Connection: ${qualityText(quality.get(who.user_id))}` : '');
    }
    remote.dataset.count = String(tiles.size);
  }

  return {
    element,
    selfVideo,
    update,
    destroy() {
      for (const t of tiles.values()) t.video.srcObject = null;
      tiles.clear();
      selfVideo.srcObject = null;
    },
  };
}
