// @ts-check
/**
 * @file The connection indicator of a call, in words: one for ourselves and one for each other
 * person in the video. Shared by the tablet's call screen and the desktop video panel.
 *
 * ```js
 * const watch = new ConnectionWatch({ myUserId, onChange: () => redraw() });
 * watch.setVideo(video);                 // again whenever the VideoCall is replaced
 * setIndicator(el, watch.mine());        // "Good connection", "Reconnecting…", …
 * setIndicator(el, watch.of(participant));
 * watch.stop();
 * ```
 *
 * Three sources, because each misses something: the relay's `media.quality` samples (both
 * directions of each link, every few seconds), its `media.video_paused`/`video_resumed`
 * messages (which video it has stopped forwarding to whom), and what actually reaches this
 * browser (getStats byte counts, once a second). The byte counts catch an outage at once: the
 * last sample can say "good" for seconds after the line has gone.
 */

/** @typedef {import('./call.js').VideoCall} VideoCall */
/** @typedef {import('./types.js').MediaParticipant} MediaParticipant */
/** @typedef {import('./types.js').MediaQuality} MediaQuality */

/**
 * `good`; `back` (good again after reconnecting, for a few seconds); `weak` (video may pause);
 * `bad` (sound may break up); `paused` (the relay paused video to us); `unseen` (the relay
 * paused our video to them); `reconnecting`; `connecting` (nothing has flowed yet).
 * @typedef {'connecting' | 'good' | 'back' | 'weak' | 'bad' | 'paused' | 'unseen' | 'reconnecting'} ConnectionKind
 * @typedef {{kind: ConnectionKind, text: string}} ConnectionStatus
 */

/** Nothing from someone for this long means their media has stopped reaching us. */
export const SILENCE_MS = 2_000;
/** How long "Back" shows after a recovery. */
const BACK_MS = 4_000;
/**
 * Shortest time a verdict drawn from the samples stays up before another replaces it, so a
 * line near a threshold does not make the words flicker (or a screen reader chatter). Facts
 * (paused, reconnecting, back) show at once.
 */
const DWELL_MS = 4_000;
const SAMPLED = new Set(['good', 'weak', 'bad']);
const POLL_MS = 1_000;

const CONNECTING = /** @type {ConnectionStatus} */ ({ kind: 'connecting', text: 'Connecting…' });
const RECONNECTING = /** @type {ConnectionStatus} */ ({ kind: 'reconnecting', text: 'Reconnecting…' });
const GOOD = /** @type {ConnectionStatus} */ ({ kind: 'good', text: 'Good connection' });
const BACK = /** @type {ConnectionStatus} */ ({ kind: 'back', text: 'Back: good connection' });
// Our own indicator stands apart from the tiles, so its words say whose connection it is.
const GOOD_MINE = /** @type {ConnectionStatus} */ ({ kind: 'good', text: 'Your connection is good' });
const BACK_MINE = /** @type {ConnectionStatus} */ ({ kind: 'back', text: 'Back: your connection is good' });

/**
 * How a person is named in a sentence about their connection: the care home as a place (the
 * tablet is shared, and the resident is who matters there), everyone else by name.
 * @param {MediaParticipant} p
 */
export function callerName(p) {
  return p.role === 'care_staff' ? 'The care home' : p.name;
}

export class ConnectionWatch {
  /**
   * @param {{myUserId: number, onChange: () => void, nameOf?: (p: MediaParticipant) => string}} options
   */
  constructor(options) {
    this.myUserId = options.myUserId;
    this.onChange = options.onChange;
    this.nameOf = options.nameOf ?? callerName;
    /** @type {VideoCall | null} */
    this.video = null;
    /** Per stream id: bytes seen so far and when they last grew (ms). @type {Map<string, {bytes: number, grewAt: number}>} */
    this.arrivals = new Map();
    /** The statuses before "Back" is applied, by `me` or user id. @type {Map<string | number, ConnectionStatus>} */
    this.raw = new Map();
    /** What the screen shows, by `me` or user id. @type {Map<string | number, ConnectionStatus>} */
    this.shown = new Map();
    /** @type {Map<string | number, number>} */
    this.backUntil = new Map();
    /** When each shown status went up (ms). @type {Map<string | number, number>} */
    this.shownSince = new Map();
    /** Whether this VideoCall has had pause messages: then they, not the samples, are the truth. */
    this.pauseNews = false;
    /** @type {Array<() => void>} */
    this.offs = [];
    this.polling = false;
    this.timer = window.setInterval(() => this.poll(), POLL_MS);
  }

  /** @param {VideoCall | null} video */
  setVideo(video) {
    if (video === this.video) return;
    for (const off of this.offs) off();
    this.video = video;
    this.arrivals.clear();
    this.pauseNews = false;
    this.offs = video
      ? [
        video.on('quality', () => this.recompute()),
        video.on('state', () => this.recompute()),
        video.on('participants', () => this.recompute()),
        video.live.on('media.video_paused', (m) => { if (m.call_id === video.callId) this.pauseNews = true; }),
        video.live.on('media.video_resumed', (m) => { if (m.call_id === video.callId) this.pauseNews = true; }),
      ]
      : [];
    this.recompute();
  }

  /** Our own connection. @returns {ConnectionStatus} */
  mine() {
    return this.shown.get('me') ?? CONNECTING;
  }

  /** @param {MediaParticipant} p @returns {ConnectionStatus} */
  of(p) {
    return this.shown.get(p.user_id) ?? CONNECTING;
  }

  /**
   * Whether the relay has paused `p`'s video to us (their tile shows a still card instead).
   * Without pause messages yet (the screen opened after the pause), our own sample saying that
   * nothing is forwarded and something is paused means every video to us is paused.
   * @param {MediaParticipant} p
   */
  pausedToMe(p) {
    const video = this.video;
    if (!video) return false;
    if (video.isVideoPaused(this.myUserId, p.user_id)) return true;
    const sample = video.quality.get(this.myUserId);
    return !this.pauseNews && !p.camera_off && Boolean(sample && sample.videos_paused > 0 && sample.videos_paused === sample.videos_forwarded);
  }

  stop() {
    window.clearInterval(this.timer);
    for (const off of this.offs) off();
    this.offs = [];
    this.video = null;
  }

  /** @private */
  async poll() {
    const video = this.video;
    if (!video || this.polling) return;
    this.polling = true;
    try {
      const counts = await video.inboundByStream();
      if (video !== this.video) return;
      const now = Date.now();
      for (const [id, { bytes }] of counts) {
        const seen = this.arrivals.get(id);
        if (!seen) {
          if (bytes > 0) this.arrivals.set(id, { bytes, grewAt: now });
        } else if (bytes !== seen.bytes) {
          // A smaller count is not silence: when someone rejoins, the relay's new tracks come
          // in on fresh receivers whose counts start again from zero.
          if (bytes > 0) seen.grewAt = now;
          seen.bytes = bytes;
        }
      }
      for (const id of [...this.arrivals.keys()]) if (!counts.has(id)) this.arrivals.delete(id);
    } catch {
      // The peer connection closed under us: the next VideoCall brings a new one.
    } finally {
      this.polling = false;
    }
    this.recompute();
  }

  /** @private */
  recompute() {
    const video = this.video;
    const now = Date.now();
    /** @type {Map<string | number, ConnectionStatus>} */
    const raw = new Map();
    const others = (video?.participants ?? []).filter((p) => p.user_id !== this.myUserId);
    for (const p of others) raw.set(p.user_id, this.statusOf(p, now));
    raw.set('me', this.myStatus(others, raw));
    /** @type {Map<string | number, ConnectionStatus>} */
    const shown = new Map();
    for (const [key, status] of raw) {
      if (status.kind === 'good' && this.raw.get(key)?.kind === 'reconnecting') this.backUntil.set(key, now + BACK_MS);
      const back = status.kind === 'good' && (this.backUntil.get(key) ?? 0) > now;
      let next = back ? (key === 'me' ? BACK_MINE : BACK) : status;
      const before = this.shown.get(key);
      if (before && before.text !== next.text && SAMPLED.has(before.kind) && SAMPLED.has(next.kind)
        && now - (this.shownSince.get(key) ?? 0) < DWELL_MS) next = before;
      if (before?.text !== next.text) this.shownSince.set(key, now);
      shown.set(key, next);
    }
    this.raw = raw;
    const changed = shown.size !== this.shown.size || [...shown].some(([key, s]) => this.shown.get(key)?.text !== s.text);
    this.shown = shown;
    if (changed) this.onChange();
  }

  /**
   * @private
   * @param {MediaParticipant[]} others
   * @param {Map<string | number, ConnectionStatus>} theirs
   * @returns {ConnectionStatus}
   */
  myStatus(others, theirs) {
    const video = this.video;
    if (!video || video.state === 'idle' || video.state === 'joining' || video.state === 'ended') return CONNECTING;
    if (video.state === 'reconnecting') return RECONNECTING;
    // Nothing from anyone, though media had been flowing: most likely it is our own line.
    const flowed = others.filter((p) => this.arrivals.has(p.stream_id));
    if (flowed.length && flowed.every((p) => theirs.get(p.user_id)?.kind === 'reconnecting')) return RECONNECTING;
    const sample = video.quality.get(this.myUserId);
    const pausedToUs = others.some((p) => video.isVideoPaused(this.myUserId, p.user_id))
      || (!this.pauseNews && (sample?.videos_paused ?? 0) > 0);
    if (pausedToUs) return { kind: 'paused', text: 'Your connection is weak: video paused, sound carries on' };
    if (sample?.level === 'bad') return { kind: 'bad', text: 'Your connection is poor: sound may break up' };
    if (sample?.level === 'weak') return { kind: 'weak', text: 'Your connection is weak: video may pause, sound carries on' };
    return GOOD_MINE;
  }

  /**
   * @private
   * @param {MediaParticipant} p
   * @param {number} now
   * @returns {ConnectionStatus}
   */
  statusOf(p, now) {
    const video = /** @type {VideoCall} */ (this.video);
    if (video.state === 'reconnecting') return RECONNECTING;
    if (!p.connected) return video.remoteStreams.has(p.stream_id) ? RECONNECTING : CONNECTING;
    const arrived = this.arrivals.get(p.stream_id);
    if (!arrived) return CONNECTING;
    if (now - arrived.grewAt > SILENCE_MS) return RECONNECTING;
    const name = this.nameOf(p);
    const sample = video.quality.get(p.user_id);
    if (this.unseenBy(p, sample)) return { kind: 'unseen', text: `${name}’s connection is weak: they can’t see you, sound carries on` };
    if (sample?.level === 'bad') return { kind: 'bad', text: `${name}’s connection is poor: sound may break up` };
    if (sample?.level === 'weak') return { kind: 'weak', text: `${name}’s connection is weak: video may pause, sound carries on` };
    return GOOD;
  }

  /**
   * Whether the relay has stopped sending our video to `p`. The pause messages say so exactly;
   * a screen that has not had any (opened after the pause) reads `p`'s sample, where nothing
   * forwarded and something paused means ours too.
   * @private
   * @param {MediaParticipant} p
   * @param {MediaQuality | undefined} sample
   */
  unseenBy(p, sample) {
    const video = /** @type {VideoCall} */ (this.video);
    if (!video.localStream?.getVideoTracks().length || video.cameraOff) return false;
    if (video.isVideoPaused(p.user_id, this.myUserId)) return true;
    return !this.pauseNews && Boolean(sample && sample.videos_paused > 0 && sample.videos_paused === sample.videos_forwarded);
  }
}

/**
 * A connection indicator: a mark and words, never colour alone. Screen readers hear changes
 * politely, with whose connection it is (`label`; our own says so in its words).
 * @param {string} label e.g. "Nurse Priya Shah", or "" for our own
 * @param {string} [className]
 */
export function indicator(label, className = '') {
  const el = document.createElement('p');
  el.className = `conn ${className}`.trim();
  el.setAttribute('aria-live', 'polite');
  el.setAttribute('aria-atomic', 'true');
  const who = document.createElement('span');
  who.className = 'visually-hidden conn-who';
  who.textContent = label ? `${label}: ` : '';
  const mark = document.createElement('span');
  mark.className = 'conn-mark';
  mark.setAttribute('aria-hidden', 'true');
  const text = document.createElement('span');
  text.className = 'conn-text';
  el.append(who, mark, text);
  return el;
}

/**
 * Shows a status in an indicator, touching the page only when the words change (so a screen
 * reader hears each change once).
 * @param {HTMLElement} el From `indicator()`.
 * @param {ConnectionStatus | null} status null hides it.
 * @param {string} [label] A new "whose connection" label.
 */
export function setIndicator(el, status, label) {
  el.hidden = !status;
  const who = /** @type {HTMLElement} */ (el.querySelector('.conn-who'));
  if (label && who.textContent !== `${label}: `) who.textContent = `${label}: `;
  if (!status || el.dataset.text === status.text) return;
  el.dataset.kind = status.kind;
  el.dataset.text = status.text;
  /** @type {HTMLElement} */ (el.querySelector('.conn-text')).textContent = status.text;
}
