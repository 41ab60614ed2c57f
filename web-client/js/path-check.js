// @ts-check
/**
 * @file The connection check before a call: a short peer connection to the media relay alone
 * (`media.check`, docs/signalling.md), sending our camera and microphone as a call would, and
 * measured with the browser's own statistics. The answer is a plain verdict.
 *
 * ```js
 * const result = await checkPath(live, stream, { onProgress: (p) => … });
 * result.verdict;   // 'good' | 'weak' | 'none'
 * ```
 *
 * What is measured, and where it comes from: the round trip (the ICE candidate pair's
 * `currentRoundTripTime`, else the relay's receiver reports), loss on the way up (the relay's
 * receiver reports: `remote-inbound-rtp`), and the upload the link can carry
 * (`availableOutgoingBitrate`, the browser's estimate from the relay's transport-wide
 * feedback). The ICE servers are the ones a call uses, so a network that blocks UDP tests TURN.
 */

import * as api from './api.js';
import { SIMULCAST_LAYERS } from './call.js';

/** @typedef {import('./live.js').LiveChannel} LiveChannel */
/** @typedef {import('./types.js').IceServers} IceServers */

/**
 * @typedef {object} PathResult
 * @property {'good' | 'weak' | 'none'} verdict
 * @property {number | null} rttMs Round trip to the relay.
 * @property {number | null} uploadLoss Share of our packets lost on the way up, 0-1.
 * @property {number | null} uploadKbps What the browser estimates the link can carry up.
 * @property {string[]} reasons Why it is weak, in plain words (empty when good).
 */

/** The thresholds of a weak connection: a call's video would pause or stutter beyond them. */
export const WEAK = Object.freeze({ rttMs: 300, uploadLoss: 0.03, uploadKbps: 500 });
/** A check that has not connected in this long finds no way through. */
const CONNECT_TIMEOUT_MS = 8_000;
const MEASURE_MS = 5_000;
const SAMPLE_MS = 1_000;

/**
 * Runs the check. Never throws: anything that stops it connecting is a verdict of `none`.
 * @param {LiveChannel} live
 * @param {MediaStream | null} stream Our camera and microphone (not stopped here).
 * @param {{signal?: AbortSignal, onProgress?: (phase: 'connecting' | 'measuring', secondsLeft: number) => void}} [options]
 * @returns {Promise<PathResult>}
 */
export async function checkPath(live, stream, options = {}) {
  const none = /** @type {PathResult} */ ({ verdict: 'none', rttMs: null, uploadLoss: null, uploadKbps: null, reasons: [] });
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  /** @type {RTCPeerConnection | null} */
  let pc = null;
  /** @type {Array<() => void>} */
  const offs = [];
  try {
    options.onProgress?.('connecting', Math.ceil(MEASURE_MS / 1000));
    if (!(await liveOpen(live, deadline, options.signal))) return none;
    pc = new RTCPeerConnection({ iceServers: (await iceServers()).ice_servers, bundlePolicy: 'max-bundle' });
    addTracks(pc, stream);
    await pc.setLocalDescription(await pc.createOffer());
    const answer = awaitAnswer(live, offs);
    if (options.signal?.aborted) return none;
    if (!live.send({ type: 'media.check', sdp: pc.localDescription?.sdp ?? '' })) return none;
    const sdp = await beforeDeadline(answer, deadline, options.signal);
    if (sdp === null) return none;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    if (!(await beforeDeadline(connected(pc), deadline, options.signal))) return none;
    return await measure(pc, options);
  } catch (error) {
    if (!(error instanceof DOMException && error.name === 'AbortError')) console.warn('connection check failed', error);
    return none;
  } finally {
    for (const off of offs) off();
    pc?.close();
    live.send({ type: 'media.check_end' });
  }
}

/**
 * @param {RTCPeerConnection} pc
 * @param {{signal?: AbortSignal, onProgress?: (phase: 'connecting' | 'measuring', secondsLeft: number) => void}} options
 * @returns {Promise<PathResult>}
 */
async function measure(pc, options) {
  /** @type {Sample[]} */
  const samples = [];
  for (let left = MEASURE_MS; left > 0; left -= SAMPLE_MS) {
    options.onProgress?.('measuring', Math.ceil(left / 1000));
    await sleep(SAMPLE_MS, options.signal);
    samples.push(await sample(pc));
  }
  return verdictOf(samples);
}

/**
 * @typedef {object} Sample
 * @property {number | null} rttMs
 * @property {number | null} uploadKbps
 * @property {number} sent Packets sent so far (every outgoing stream).
 * @property {number} lost Packets the relay reports lost so far.
 * @property {number | null} fractionLost The worst of the relay's latest per-stream reports.
 */

/** @param {RTCPeerConnection} pc @returns {Promise<Sample>} */
async function sample(pc) {
  const report = await pc.getStats();
  /** @type {Sample} */
  const s = { rttMs: null, uploadKbps: null, sent: 0, lost: 0, fractionLost: null };
  /** @type {number | null} */
  let reportRtt = null;
  report.forEach((entry) => {
    if (entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded') {
      if (typeof entry.currentRoundTripTime === 'number') s.rttMs = entry.currentRoundTripTime * 1000;
      if (typeof entry.availableOutgoingBitrate === 'number') s.uploadKbps = entry.availableOutgoingBitrate / 1000;
    } else if (entry.type === 'outbound-rtp') {
      s.sent += entry.packetsSent ?? 0;
    } else if (entry.type === 'remote-inbound-rtp') {
      s.lost += Math.max(0, entry.packetsLost ?? 0);
      if (typeof entry.fractionLost === 'number') s.fractionLost = Math.max(s.fractionLost ?? 0, entry.fractionLost);
      if (typeof entry.roundTripTime === 'number') reportRtt = Math.max(reportRtt ?? 0, entry.roundTripTime * 1000);
    }
  });
  s.rttMs ??= reportRtt;
  return s;
}

/**
 * The verdict from the samples of the measuring window. The upload estimate starts low and
 * climbs as the browser probes the link, so it is judged on the best of the last two seconds;
 * loss over the whole window; the round trip on its median, so one slow answer does not
 * condemn a good line.
 * @param {Sample[]} samples
 * @returns {PathResult}
 */
export function verdictOf(samples) {
  const rtts = samples.map((s) => s.rttMs).filter((v) => v !== null).sort((a, b) => a - b);
  const rttMs = rtts.length ? Math.round(rtts[Math.floor(rtts.length / 2)]) : null;
  const uploads = samples.slice(-2).map((s) => s.uploadKbps).filter((v) => v !== null);
  const uploadKbps = uploads.length ? Math.round(Math.max(...uploads)) : null;
  const first = samples[0];
  const last = samples[samples.length - 1];
  /** @type {number | null} */
  let uploadLoss = null;
  if (last && last.sent > 0 && (last.lost > 0 || last.fractionLost !== null)) {
    const sent = last.sent - (samples.length > 1 ? first.sent : 0);
    const lost = last.lost - (samples.length > 1 ? first.lost : 0);
    uploadLoss = sent > 0 ? Math.min(1, Math.max(0, lost / sent)) : last.fractionLost;
  }
  /** @type {string[]} */
  const reasons = [];
  if (rttMs !== null && rttMs > WEAK.rttMs) reasons.push('The hub is slow to answer, so speech may lag.');
  if (uploadLoss !== null && uploadLoss > WEAK.uploadLoss) reasons.push('Some of your picture and sound is lost on the way to the hub.');
  if (uploadKbps !== null && uploadKbps < WEAK.uploadKbps) reasons.push('The connection is too slow to send a clear picture.');
  return { verdict: reasons.length ? 'weak' : 'good', rttMs, uploadLoss, uploadKbps, reasons };
}

/**
 * Sends what a call would: the microphone, and the camera in the same simulcast layers, so the
 * upload estimate is for a call's load. Without a camera or microphone the check still measures
 * the path (round trip), receiving only.
 * @param {RTCPeerConnection} pc
 * @param {MediaStream | null} stream
 */
function addTracks(pc, stream) {
  const audio = stream?.getAudioTracks()[0];
  const video = stream?.getVideoTracks()[0];
  if (stream && audio) pc.addTrack(audio, stream);
  else pc.addTransceiver('audio', { direction: 'recvonly' });
  if (stream && video) pc.addTransceiver(video, { direction: 'sendonly', streams: [stream], sendEncodings: SIMULCAST_LAYERS });
  else pc.addTransceiver('video', { direction: 'recvonly' });
}

/** @returns {Promise<IceServers>} */
async function iceServers() {
  try {
    return await api.get('/api/media/ice-servers');
  } catch (error) {
    // No TURN is fine where UDP passes; a hub that cannot be reached at all fails later.
    if (!(error instanceof api.ApiError) || error.isNetwork) throw error;
    return { ice_servers: [], ttl_seconds: 0 };
  }
}

/**
 * The relay's answer, or null if it refused the check.
 * @param {LiveChannel} live
 * @param {Array<() => void>} offs
 * @returns {Promise<string | null>}
 */
function awaitAnswer(live, offs) {
  return new Promise((resolve) => {
    offs.push(
      live.on('media.check_answer', (m) => resolve(m.sdp)),
      live.on('error', (m) => m.in_reply_to === 'media.check' && resolve(null)),
    );
  });
}

/**
 * Whether the live channel is open (waiting for it until the deadline).
 * @param {LiveChannel} live
 * @param {number} deadline
 * @param {AbortSignal} [signal]
 */
async function liveOpen(live, deadline, signal) {
  if (live.status === 'open') return true;
  /** @type {() => void} */
  let off = () => {};
  const opened = new Promise((resolve) => {
    off = live.on('status', (m) => m.status === 'open' && resolve(true));
  });
  try {
    return Boolean(await beforeDeadline(opened, deadline, signal));
  } finally {
    off();
  }
}

/** @param {RTCPeerConnection} pc @returns {Promise<boolean>} */
function connected(pc) {
  return new Promise((resolve) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve(true);
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') resolve(false);
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

/**
 * The promise's value, or null if the deadline passes first. Rejects if aborted.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} deadline
 * @param {AbortSignal} [signal]
 * @returns {Promise<T | null>}
 */
function beforeDeadline(promise, deadline, signal) {
  return Promise.race([promise, sleep(Math.max(0, deadline - Date.now()), signal).then(() => null)]);
}

/**
 * @param {number} ms
 * @param {AbortSignal} [signal]
 * @returns {Promise<void>}
 */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const timer = window.setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      window.clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });
}
