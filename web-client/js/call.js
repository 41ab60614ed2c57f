// @ts-check
/**
 * @file The video side of a call: one RTCPeerConnection to CareHub's media relay, signalled
 * over the live channel (docs/signalling.md, "Video").
 *
 * ```js
 * const local = await getLocalMedia();              // throws MediaAccessError
 * const video = new VideoCall(live, callId, { localStream: local });
 * video.on('state', () => video.state);             // joining, connected, reconnecting, ended
 * video.on('streams', () => …video.remoteStreams);   // Map stream_id → MediaStream
 * video.on('participants', () => …video.participants);
 * video.on('quality', () => …video.quality, video.isVideoPaused(receiver, sender));
 * await video.join();
 * video.setMuted(true); video.setCameraOff(true);
 * video.leave();
 * ```
 *
 * Rules from the protocol: the client makes the first offer (`media.join`); then the relay
 * makes the offers (`media.offer`, answered with `media.answer`) except for ICE restarts, which
 * the client offers.
 *
 * Ordering: the relay can send its first offer *before* the answer to our join reaches us (the
 * server sends them on two paths), so a relay offer that arrives while our offer is outstanding
 * is held and applied once our answer is in, unless a newer relay offer has arrived by then.
 * If the relay had in fact abandoned that offer (a true crossing, where the client offer wins),
 * it answers `media_no_pending_offer` and we rejoin.
 *
 * Missing media: the relay's offer of a newcomer's tracks can be lost when it is made before
 * the server has tied our leg to our live connection (seen with two quick joins). When someone
 * is in the video, connected, but their stream has not reached us for a few seconds, we send a
 * plain re-offer: the relay answers it and makes its outstanding offer again. Twice at most per
 * gap, then a fresh join.
 *
 * Only streams named `participant-<user id>` are shown: the relay's answer also carries a
 * receive side for our own sending transceivers, which never brings media.
 *
 * Recovery, in order: ICE restart when the connection fails (or stays disconnected for 4 s);
 * a fresh `media.join` (which replaces our leg) if that has not connected within 10 s. When the
 * live channel reconnects while our media is still up, we only reattach (any media message
 * does; we send our state): the server keeps a connected leg for 30 s after its channel closes,
 * so a WebSocket that drops with the link does not tear down a healthy call. Fresh joins back
 * off from 1 s to 15 s and continue until the call ends.
 *
 * Sending: our camera goes out as three simulcast layers (quarter, half and full resolution,
 * each with a bitrate cap); the relay forwards to each receiver the layer its downlink can take,
 * and pauses video to a receiver whose link cannot carry even the lowest (`media.video_paused`),
 * while sound carries on. `media.quality` reports each participant's link both ways.
 */

import * as api from './api.js';

/** @typedef {import('./live.js').LiveChannel} LiveChannel */
/** @typedef {import('./types.js').MediaParticipant} MediaParticipant */
/** @typedef {import('./types.js').IceServers} IceServers */
/** @typedef {'idle' | 'joining' | 'connected' | 'reconnecting' | 'ended'} VideoState */
/** @typedef {import('./types.js').MediaQuality} MediaQuality */
/** @typedef {'state' | 'streams' | 'participants' | 'error' | 'quality'} VideoEvent */

const DISCONNECTED_GRACE_MS = 4_000;
const ICE_RESTART_TIMEOUT_MS = 10_000;
const ANSWER_TIMEOUT_MS = 10_000;
const MAX_REJOIN_DELAY_MS = 15_000;
const MISSING_CHECK_MS = 1_500;
const MISSING_GRACE_MS = 3_000;
/**
 * Our camera's simulcast layers, lowest first: the relay picks one per receiver. The caps keep
 * the lowest layer within a poor care-home link's reach (120 kbit/s, with room for sound), the
 * middle one within a 1 Mbit/s link's, and the top one a clear picture of a resident's face and
 * skin on a good link.
 * @type {RTCRtpEncodingParameters[]}
 */
export const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 120_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 350_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_000_000 },
];
/** Relay errors after which a fresh join is worth trying. */
const REJOINABLE = new Set(['media_not_joined', 'media_bad_sdp', 'media_no_pending_offer', 'media_closed']);

/** Why the camera or microphone could not be used. */
export class MediaAccessError extends Error {
  /**
   * @param {'blocked' | 'no_device' | 'in_use' | 'insecure' | 'other'} kind
   *   blocked: permission refused; no_device: no camera or microphone; in_use: another app has
   *   it; insecure: the page is not on https (browsers only allow cameras on secure pages).
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.name = 'MediaAccessError';
    this.kind = kind;
  }
}

/**
 * Opens the camera and microphone. Falls back to a plain camera, then to audio only, when the
 * preferred settings are not available.
 * @returns {Promise<MediaStream>}
 */
export async function getLocalMedia() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new MediaAccessError('insecure', 'This page cannot use the camera (it must be opened over https).');
  }
  /** @type {MediaStreamConstraints[]} */
  const attempts = [
    {
      audio: { echoCancellation: true, noiseSuppression: true },
      video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } },
    },
    { audio: true, video: true },
    { audio: true, video: false },
  ];
  /** @type {unknown} */
  let last = null;
  for (const constraints of attempts) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      last = error;
      const name = error instanceof DOMException ? error.name : '';
      if (name !== 'NotFoundError' && name !== 'OverconstrainedError') break;
    }
  }
  throw toMediaAccessError(last);
}

/** @param {unknown} error */
function toMediaAccessError(error) {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new MediaAccessError('blocked', 'The camera or microphone is blocked for this page.');
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return new MediaAccessError('no_device', 'No camera or microphone was found.');
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return new MediaAccessError('in_use', 'Another app is using the camera or microphone.');
  }
  return new MediaAccessError('other', 'The camera or microphone could not be started.');
}

export class VideoCall {
  /**
   * @param {LiveChannel} live The signed-in live channel.
   * @param {number} callId
   * @param {{localStream?: MediaStream | null}} [options] Our camera and microphone; without
   *   one we only receive (a clinician with no camera).
   */
  constructor(live, callId, options = {}) {
    this.live = live;
    this.callId = callId;
    this.localStream = options.localStream ?? null;
    /** @type {VideoState} */
    this.state = 'idle';
    /** Set when an `error` event fired or the video ended on a refusal: plain English. @type {string | null} */
    this.problem = null;
    /** @type {RTCPeerConnection | null} */
    this.pc = null;
    /** Remote media by stream id (`participant-<user id>`). @type {Map<string, MediaStream>} */
    this.remoteStreams = new Map();
    /** @type {MediaParticipant[]} */
    this.participants = [];
    /** The latest connection sample of each participant, by user id. @type {Map<number, MediaQuality>} */
    this.quality = new Map();
    /** Videos the relay has paused, as `receiver:sender` user ids. @type {Set<string>} */
    this.pausedVideo = new Set();
    this.muted = false;
    this.cameraOff = false;
    /** @type {Map<VideoEvent, Set<() => void>>} */
    this.handlers = new Map();
    /** Signalling steps run one at a time, in order. @type {Promise<void>} */
    this.chain = Promise.resolve();
    this.rejoins = 0;
    this.joined = false;
    /** Relay offers received, to tell a held offer that has been superseded. */
    this.offerSeq = 0;
    /** A relay offer that arrived while ours was outstanding. @type {{sdp: string, seq: number} | null} */
    this.heldOffer = null;
    /** Since when someone's stream has been missing (ms), and re-offers sent for it. */
    this.missingSince = 0;
    this.nudges = 0;
    this.watchdog = window.setInterval(() => this.checkMissing(), MISSING_CHECK_MS);
    /** @type {number | undefined} */ this.recoveryTimer = undefined;
    /** @type {Array<() => void>} */
    this.unsubscribe = [
      live.on('media.answer', (m) => m.call_id === callId && this.step(() => this.onAnswer(m.sdp))),
      live.on('media.offer', (m) => {
        if (m.call_id !== callId) return;
        const seq = ++this.offerSeq;
        this.step(() => this.onOffer(m.sdp, seq));
      }),
      live.on('media.participants', (m) => m.call_id === callId && this.onParticipants(m.participants)),
      live.on('media.quality', (m) => {
        if (m.call_id !== callId) return;
        this.quality.set(m.user_id, m);
        this.emit('quality');
      }),
      live.on('media.video_paused', (m) => {
        if (m.call_id !== callId) return;
        this.pausedVideo.add(`${m.receiver}:${m.sender}`);
        this.emit('quality');
      }),
      live.on('media.video_resumed', (m) => {
        if (m.call_id !== callId) return;
        this.pausedVideo.delete(`${m.receiver}:${m.sender}`);
        this.emit('quality');
      }),
      live.on('media.ended', (m) => m.call_id === callId && this.finish('ended')),
      live.on('error', (m) => m.call_id === callId && m.in_reply_to?.startsWith('media.') && this.onError(m.code, m.message)),
      live.on('status', (m) => this.onLiveStatus(m.status)),
    ];
  }

  /**
   * Listens for changes; read the new values from the VideoCall itself.
   * @param {VideoEvent} type
   * @param {() => void} handler
   * @returns {() => void} unsubscribe
   */
  on(type, handler) {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Joins the call's video (or rejoins, replacing our earlier leg). */
  async join() {
    if (this.state === 'ended') return;
    this.joined = true;
    this.setState(this.state === 'idle' ? 'joining' : 'reconnecting');
    await this.step(() => this.freshJoin());
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    this.muted = muted;
    for (const track of this.localStream?.getAudioTracks() ?? []) track.enabled = !muted;
    this.sendState();
  }

  /** @param {boolean} off */
  setCameraOff(off) {
    this.cameraOff = off;
    for (const track of this.localStream?.getVideoTracks() ?? []) track.enabled = !off;
    this.sendState();
  }

  /**
   * Whether the relay has paused `sender`'s video to `receiver` for a weak downlink.
   * @param {number} receiver
   * @param {number} sender
   */
  isVideoPaused(receiver, sender) {
    return this.pausedVideo.has(`${receiver}:${sender}`);
  }

  /** Leaves the video. Does not stop the local camera: whoever opened it stops it. */
  leave() {
    if (this.state !== 'ended') this.live.send({ type: 'media.leave', call_id: this.callId });
    this.finish('ended');
  }

  /**
   * Video frames decoded so far, summed over every incoming video (for tests and diagnostics).
   * @returns {Promise<number>}
   */
  async framesDecoded() {
    if (!this.pc) return 0;
    let frames = 0;
    const report = await this.pc.getStats();
    report.forEach((entry) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'video') frames += entry.framesDecoded ?? 0;
    });
    return frames;
  }

  /**
   * What has arrived so far from each participant, audio and video together, by stream id:
   * a count that stops growing means nothing is reaching us from them, whatever the relay's
   * last sample said (a screen shows "Reconnecting…" then).
   * @returns {Promise<Map<string, {bytes: number, packets: number}>>}
   */
  async inboundByStream() {
    /** @type {Map<string, {bytes: number, packets: number}>} */
    const out = new Map();
    const pc = this.pc;
    if (!pc) return out;
    await Promise.all([...this.remoteStreams].map(async ([id, stream]) => {
      const total = { bytes: 0, packets: 0 };
      for (const receiver of pc.getReceivers()) {
        if (!stream.getTracks().includes(receiver.track)) continue;
        (await receiver.getStats()).forEach((entry) => {
          if (entry.type !== 'inbound-rtp') return;
          total.bytes += entry.bytesReceived ?? 0;
          total.packets += entry.packetsReceived ?? 0;
        });
      }
      out.set(id, total);
    }));
    return out;
  }

  // ---- signalling ----

  /**
   * @private
   * @param {() => Promise<void> | void} fn
   */
  step(fn) {
    const next = this.chain.then(fn).catch((error) => {
      console.warn('video signalling step failed', error);
      this.scheduleRejoin();
    });
    this.chain = next;
    return next;
  }

  /** @private */
  async freshJoin() {
    if (this.state === 'ended') return;
    window.clearTimeout(this.recoveryTimer);
    this.closePeer();
    this.heldOffer = null;
    this.emit('streams');
    /** @type {IceServers} */
    let ice = { ice_servers: [], ttl_seconds: 0 };
    try {
      ice = await api.get('/api/media/ice-servers');
    } catch (error) {
      // No TURN servers is fine on networks that pass UDP; the relay is reachable directly.
      if (!(error instanceof api.ApiError) || error.isNetwork) throw error;
    }
    const pc = new RTCPeerConnection({ iceServers: ice.ice_servers, bundlePolicy: 'max-bundle' });
    this.pc = pc;
    this.addLocalTracks(pc);
    pc.addEventListener('track', (event) => this.onTrack(event));
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate?.candidate && pc === this.pc) {
        this.live.send({ type: 'media.candidate', call_id: this.callId, candidate: event.candidate.candidate });
      }
    });
    pc.addEventListener('connectionstatechange', () => pc === this.pc && this.onConnectionState(pc.connectionState));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (!this.live.send({ type: 'media.join', call_id: this.callId, sdp: pc.localDescription?.sdp ?? '' })) {
      // The live channel is down; onLiveStatus('open') joins again.
      this.setState('reconnecting');
      return;
    }
    this.recoveryTimer = window.setTimeout(() => {
      if (pc === this.pc && pc.signalingState === 'have-local-offer') this.scheduleRejoin();
    }, ANSWER_TIMEOUT_MS);
  }

  /**
   * @private
   * @param {RTCPeerConnection} pc
   */
  addLocalTracks(pc) {
    const stream = this.localStream;
    const audio = stream?.getAudioTracks()[0];
    const video = stream?.getVideoTracks()[0];
    if (stream && audio) pc.addTrack(audio, stream);
    else pc.addTransceiver('audio', { direction: 'recvonly' });
    if (stream && video) {
      pc.addTransceiver(video, { direction: 'sendrecv', streams: [stream], sendEncodings: SIMULCAST_LAYERS });
    } else {
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
  }

  /**
   * @private
   * @param {string} sdp
   */
  async onAnswer(sdp) {
    const pc = this.pc;
    if (!pc || pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    this.sendState();
    const held = this.heldOffer;
    this.heldOffer = null;
    if (held) this.step(() => this.onOffer(held.sdp, held.seq));
  }

  /**
   * @private
   * @param {string} sdp
   * @param {number} seq
   */
  async onOffer(sdp, seq) {
    const pc = this.pc;
    if (!pc || seq !== this.offerSeq) return;
    if (pc.signalingState === 'have-local-offer') {
      this.heldOffer = { sdp, seq };
      return;
    }
    if (pc.signalingState !== 'stable') return;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.live.send({ type: 'media.answer', call_id: this.callId, sdp: pc.localDescription?.sdp ?? '' });
  }

  /**
   * @private
   * @param {RTCTrackEvent} event
   */
  onTrack(event) {
    const stream = event.streams[0];
    if (!stream || !stream.id.startsWith('participant-')) return;
    const id = stream.id;
    if (!this.remoteStreams.has(id)) {
      this.remoteStreams.set(id, stream);
      stream.addEventListener('removetrack', () => {
        if (stream.getTracks().length === 0) this.remoteStreams.delete(id);
        this.emit('streams');
      });
    }
    event.track.addEventListener('ended', () => this.emit('streams'));
    this.emit('streams');
  }

  /**
   * @private
   * @param {MediaParticipant[]} participants
   */
  onParticipants(participants) {
    this.participants = participants;
    // Pauses involving someone who left end with them (the relay also says so, but a notice
    // sent while our live channel was down is lost).
    const people = new Set(participants.map((p) => p.user_id));
    for (const key of [...this.pausedVideo]) {
      const [receiver, sender] = key.split(':').map(Number);
      if (!people.has(receiver) || !people.has(sender)) this.pausedVideo.delete(key);
    }
    // Forget the streams of people who left, so their tile goes.
    const present = new Set(participants.map((p) => p.stream_id));
    for (const id of [...this.remoteStreams.keys()]) {
      if (id.startsWith('participant-') && !present.has(id)) this.remoteStreams.delete(id);
    }
    this.emit('participants');
    this.emit('streams');
  }

  /**
   * @private
   * @param {string} code
   * @param {string} message
   */
  onError(code, message) {
    if (code === 'not_in_call') {
      this.problem = 'This call is no longer open for video.';
      this.finish('ended');
    } else if (code === 'media_full') {
      this.problem = 'The video service is full at the moment. The nurse can still phone the home.';
      this.emit('error');
      this.scheduleRejoin();
    } else if (REJOINABLE.has(code)) {
      this.scheduleRejoin();
    } else {
      this.problem = message;
      this.emit('error');
    }
  }

  // ---- recovery ----

  /**
   * @private
   * @param {RTCPeerConnectionState} state
   */
  onConnectionState(state) {
    if (state === 'connected') {
      window.clearTimeout(this.recoveryTimer);
      this.rejoins = 0;
      this.problem = null;
      this.setState('connected');
    } else if (state === 'disconnected') {
      this.setState('reconnecting');
      // The link that dropped media may have taken the live channel with it, and an ICE restart
      // needs that channel: find out now rather than at the next 20 s ping.
      this.live.checkNow();
      window.clearTimeout(this.recoveryTimer);
      this.recoveryTimer = window.setTimeout(() => this.step(() => this.iceRestart()), DISCONNECTED_GRACE_MS);
    } else if (state === 'failed') {
      this.setState('reconnecting');
      this.step(() => this.iceRestart());
    }
  }

  /** @private */
  async iceRestart() {
    const pc = this.pc;
    if (!pc || this.state === 'ended' || pc.connectionState === 'connected') return;
    window.clearTimeout(this.recoveryTimer);
    if (pc.signalingState !== 'stable') {
      this.scheduleRejoin();
      return;
    }
    const offer = await pc.createOffer({ iceRestart: true });
    await pc.setLocalDescription(offer);
    this.live.send({ type: 'media.offer', call_id: this.callId, sdp: pc.localDescription?.sdp ?? '' });
    this.recoveryTimer = window.setTimeout(() => {
      if (pc === this.pc && pc.connectionState !== 'connected') this.scheduleRejoin();
    }, ICE_RESTART_TIMEOUT_MS);
  }

  /** @private */
  checkMissing() {
    const pc = this.pc;
    if (this.state !== 'connected' || !pc) return;
    const me = this.live.me?.user_id;
    const missing = this.participants.some((p) => p.user_id !== me && p.connected && !this.remoteStreams.has(p.stream_id));
    if (!missing) {
      this.missingSince = 0;
      this.nudges = 0;
      return;
    }
    const now = Date.now();
    if (!this.missingSince) this.missingSince = now;
    if (now - this.missingSince < MISSING_GRACE_MS || pc.signalingState !== 'stable') return;
    this.missingSince = now;
    this.nudges += 1;
    if (this.nudges > 2) {
      this.nudges = 0;
      this.scheduleRejoin();
      return;
    }
    this.step(async () => {
      if (pc !== this.pc || pc.signalingState !== 'stable') return;
      await pc.setLocalDescription(await pc.createOffer());
      this.live.send({ type: 'media.offer', call_id: this.callId, sdp: pc.localDescription?.sdp ?? '' });
    });
  }

  /** @private */
  scheduleRejoin() {
    if (this.state === 'ended' || !this.joined) return;
    this.setState('reconnecting');
    window.clearTimeout(this.recoveryTimer);
    const delay = Math.min(MAX_REJOIN_DELAY_MS, 1000 * 2 ** this.rejoins);
    this.rejoins += 1;
    this.recoveryTimer = window.setTimeout(() => this.step(() => this.freshJoin()), delay);
  }

  /**
   * @private
   * @param {import('./live.js').LiveStatus} status
   */
  onLiveStatus(status) {
    if (!this.joined || this.state === 'ended') return;
    const mediaUp = this.pc?.connectionState === 'connected';
    if (status === 'reconnecting') {
      // Media that is up carries on without the live channel; only signalling waits.
      if (!mediaUp) {
        window.clearTimeout(this.recoveryTimer);
        this.setState('reconnecting');
      }
    } else if (status === 'open') {
      this.rejoins = 0;
      if (mediaUp) {
        // Reattach our leg to the new channel (any media message does).
        this.sendState();
      } else {
        this.step(() => this.freshJoin());
      }
    }
  }

  // ---- plumbing ----

  /** @private */
  sendState() {
    if (!this.pc) return;
    this.live.send({ type: 'media.state', call_id: this.callId, muted: this.muted, camera_off: this.cameraOff });
  }

  /**
   * @private
   * @param {VideoState} state
   */
  finish(state) {
    window.clearTimeout(this.recoveryTimer);
    window.clearInterval(this.watchdog);
    this.closePeer();
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.remoteStreams.clear();
    this.setState(state);
    this.emit('streams');
  }

  /** @private */
  closePeer() {
    const pc = this.pc;
    this.pc = null;
    if (pc) pc.close();
    this.remoteStreams.clear();
  }

  /**
   * @private
   * @param {VideoState} state
   */
  setState(state) {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state');
  }

  /**
   * @private
   * @param {VideoEvent} type
   */
  emit(type) {
    for (const handler of [...(this.handlers.get(type) ?? [])]) {
      try {
        handler();
      } catch (error) {
        console.error('video handler failed', type, error);
      }
    }
  }
}
