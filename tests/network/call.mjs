// One real call under one network profile, measured from getStats() on every receiver.
//
//   node call.mjs --profile P1 --base http://10.77.0.1:8080 --emu /tmp/netlab/linkemu.sock \
//       --camera camera.y4m --out result.json [--seconds 30] [--warmup 10] [--clinician] \
//       [--home-ns chn-home] [--chromium-flag=--ignore-certificate-errors ...]
//
// Runs inside the hub namespace (run.sh starts it with `ip netns exec chn-hub`): the nurse's
// (and clinician's) Chromium runs here too; the tablet's Chromium is started through
// `ip netns exec <home-ns>`, so its traffic crosses the emulated link. The call is made the way
// people make it: carer1's call is created over the API, then the tablet page (signed in as
// carer1) shows it and nurse1 answers it on the hub page; the pages run the real web client.
// RTCPeerConnection is wrapped by an init script only to find each page's connections and the
// stream of each remote track (no behaviour changes).
//
// Figures per direction (sender -> receiver) over the measuring window, from 1 s samples:
// fps (median of framesDecoded deltas), frame size, freezes (totalFreezesDuration delta, and
// seconds with no decoded frame), audio concealment (concealedSamples / totalSamplesReceived
// deltas), packets lost, kbit/s sent by the sender and received by the receiver. P4 and P6
// also measure recovery (link back -> first new video frame and audio packet, each end) and
// whether the call left consultation; P5 the time to connect and the candidate types.

import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
// One npm install for the browser tests and this: playwright-core from tests/browser.
const { chromium } = createRequire(join(repo, 'tests', 'browser', 'package.json'))('playwright-core');

export const PROFILES = {
  P0: { what: 'clean link', shape: {} },
  P1: { what: '1 Mbit/s both ways, 40 ± 10 ms each way, 2% loss', shape: { both: { rate_kbps: 1000, delay_ms: 40, jitter_ms: 10, loss: 0.02 } } },
  P2: { what: '400 kbit/s both ways, 100 ms each way, 5% loss', shape: { both: { rate_kbps: 400, delay_ms: 100, loss: 0.05 } } },
  P3: { what: '250 kbit/s down, 150 kbit/s up, 150 ms each way', shape: { down: { rate_kbps: 250, delay_ms: 150 }, up: { rate_kbps: 150, delay_ms: 150 } } },
  P4: { what: 'clean link, 8 s total outage mid-call', shape: {}, event: 'outage', outage_s: 8 },
  P5: { what: 'UDP blocked at the home; TURN over TLS (TCP 443) in the hub', shape: { block_udp: true } },
  P6: { what: 'the tablet changes address mid-call (Wi-Fi to 4G)', shape: {}, event: 'move', new_ip: '10.77.0.66' },
};

// ---------- arguments ----------
const args = { seconds: 30, warmup: 10, homeNs: 'chn-home', chromium: process.env.CHROMIUM ?? '/usr/bin/chromium', flags: [], clinician: false, limit: 300 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  if (a === '--profile') args.profile = next();
  else if (a === '--base') args.base = next();
  else if (a === '--emu') args.emu = next();
  else if (a === '--camera') args.camera = next();
  else if (a === '--out') args.out = next();
  else if (a === '--seconds') args.seconds = Number(next());
  else if (a === '--warmup') args.warmup = Number(next());
  else if (a === '--home-ns') args.homeNs = next();
  else if (a === '--netlab') args.netlab = next();
  else if (a === '--clinician') args.clinician = true;
  else if (a === '--limit') args.limit = Number(next());
  else if (a === '--work') args.work = next();
  else if (a.startsWith('--chromium-flag=')) args.flags.push(a.slice('--chromium-flag='.length));
  else throw new Error(`unknown argument ${a}`);
}
const profile = PROFILES[args.profile];
if (!profile || !args.base || !args.emu || !args.camera || !args.out) {
  console.error('usage: node call.mjs --profile P0..P6 --base URL --emu SOCK --camera FILE.y4m --out FILE.json [--seconds N] [--warmup N] [--clinician]');
  process.exit(2);
}
args.netlab ??= join(here, 'netlab.sh');

// Everything stops by itself: the whole run has a time limit.
const hardStop = setTimeout(() => {
  console.error(`call.mjs: ${args.profile} exceeded its ${args.limit} s limit`);
  process.exit(3);
}, args.limit * 1000);
hardStop.unref();

const log = (/** @type {string} */ m) => console.error(`[${args.profile} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();

/** A control request to the link emulator (its unix socket). @param {object} req */
function emu(req) {
  return new Promise((resolve, reject) => {
    const s = connect(args.emu);
    let buf = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error('linkemu: no answer')); }, 5000);
    s.on('connect', () => s.write(`${JSON.stringify(req)}\n`));
    s.on('data', (d) => { buf += d; });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => {
      clearTimeout(timer);
      try {
        const answer = JSON.parse(buf.split('\n')[0]);
        if (!answer.ok) reject(new Error(answer.error)); else resolve(answer);
      } catch (e) { reject(e); }
    });
  });
}

// ---------- the page hook: find the peer connections and the stream of each remote track ----------
function pageHook() {
  const Orig = window.RTCPeerConnection;
  if (!Orig || /** @type {any} */ (window).__netlab) return;
  const nl = { pcs: /** @type {any[]} */ ([]), streamOfTrack: /** @type {Record<string,string>} */ ({}) };
  /** @type {any} */ (window).__netlab = nl;
  class NetlabPeerConnection extends Orig {
    constructor(/** @type {any[]} */ ...a) {
      // @ts-ignore
      super(...a);
      const rec = { pc: this, id: nl.pcs.length, created: Date.now(), connectedAt: 0, states: /** @type {any[]} */ ([]), cache: /** @type {Record<string, any>} */ ({}), pair: null };
      nl.pcs.push(rec);
      this.addEventListener('track', (/** @type {RTCTrackEvent} */ e) => {
        const s = e.streams[0];
        if (s) nl.streamOfTrack[e.track.id] = s.id;
      });
      this.addEventListener('connectionstatechange', () => {
        rec.states.push([Date.now(), this.connectionState]);
        if (this.connectionState === 'connected' && !rec.connectedAt) rec.connectedAt = Date.now();
      });
    }
  }
  window.RTCPeerConnection = /** @type {any} */ (NetlabPeerConnection);
  const IN_V = ['framesDecoded', 'framesReceived', 'framesDropped', 'frameWidth', 'frameHeight', 'totalFreezesDuration', 'freezeCount', 'totalPausesDuration', 'packetsLost', 'packetsReceived', 'bytesReceived', 'headerBytesReceived', 'nackCount', 'pliCount', 'firCount', 'jitter', 'keyFramesDecoded', 'lastPacketReceivedTimestamp'];
  const IN_A = ['concealedSamples', 'silentConcealedSamples', 'totalSamplesReceived', 'concealmentEvents', 'packetsLost', 'packetsReceived', 'bytesReceived', 'headerBytesReceived', 'jitter', 'lastPacketReceivedTimestamp'];
  const OUT = ['bytesSent', 'headerBytesSent', 'packetsSent', 'retransmittedBytesSent', 'framesEncoded', 'frameWidth', 'frameHeight', 'framesPerSecond', 'qualityLimitationReason', 'targetBitrate', 'rid', 'active', 'encoderImplementation', 'scalabilityMode', 'qpSum'];
  const pick = (/** @type {any} */ e, /** @type {string[]} */ keys) => Object.fromEntries(keys.filter((k) => e[k] !== undefined).map((k) => [k, e[k]]));
  nl.snap = async () => {
    for (const rec of nl.pcs) {
      if (rec.pc.signalingState === 'closed') continue;
      let report;
      try { report = await rec.pc.getStats(); } catch { continue; }
      /** @type {Record<string, any>} */
      const byId = {};
      report.forEach((/** @type {any} */ e) => { byId[e.id] = e; });
      for (const e of Object.values(byId)) {
        if (e.type === 'inbound-rtp') {
          rec.cache[e.id] = { dir: 'in', kind: e.kind, stream: nl.streamOfTrack[e.trackIdentifier] ?? null, ...pick(e, e.kind === 'video' ? IN_V : IN_A) };
        } else if (e.type === 'outbound-rtp') {
          rec.cache[e.id] = { dir: 'out', kind: e.kind, ...pick(e, OUT) };
        }
      }
      const transport = Object.values(byId).find((e) => e.type === 'transport');
      const pair = transport && byId[transport.selectedCandidatePairId];
      if (pair) {
        const l = byId[pair.localCandidateId] ?? {};
        const r = byId[pair.remoteCandidateId] ?? {};
        rec.pair = {
          rtt_ms: pair.currentRoundTripTime !== undefined ? Math.round(pair.currentRoundTripTime * 1000) : null,
          out_kbps: pair.availableOutgoingBitrate !== undefined ? Math.round(pair.availableOutgoingBitrate / 1000) : null,
          local: { type: l.candidateType, protocol: l.protocol, relayProtocol: l.relayProtocol, address: l.address, port: l.port },
          remote: { type: r.candidateType, protocol: r.protocol, address: r.address, port: r.port },
        };
      }
    }
    return {
      t: Date.now(),
      pcs: nl.pcs.map((/** @type {any} */ r) => ({ id: r.id, created: r.created, connectedAt: r.connectedAt, state: r.pc.connectionState, states: r.states, pair: r.pair, rtp: Object.values(r.cache) })),
    };
  };
}

// ---------- reading snapshots ----------
/** Totals of one page's snapshot: inbound per remote stream, outbound summed, the live pair. @param {any} snap */
function totals(snap) {
  /** @type {Record<string, any>} */
  const inV = {};
  /** @type {Record<string, any>} */
  const inA = {};
  const out = { video_bytes: 0, audio_bytes: 0, layers: /** @type {any[]} */ ([]), qlr: /** @type {string|null} */ (null) };
  const live = [...snap.pcs].reverse().find((p) => p.state !== 'closed') ?? snap.pcs[snap.pcs.length - 1];
  for (const pc of snap.pcs) {
    for (const e of pc.rtp) {
      if (e.dir === 'in') {
        if (!e.stream) continue;
        const into = e.kind === 'video' ? inV : inA;
        const t = (into[e.stream] ??= { frames: 0, freezes_s: 0, freeze_count: 0, lost: 0, packets: 0, bytes: 0, concealed: 0, samples: 0, width: 0, height: 0, last_rx: 0 });
        t.frames += e.framesDecoded ?? 0;
        t.freezes_s += e.totalFreezesDuration ?? 0;
        t.freeze_count += e.freezeCount ?? 0;
        t.lost += Math.max(0, e.packetsLost ?? 0);
        t.packets += e.packetsReceived ?? 0;
        t.bytes += (e.bytesReceived ?? 0) + (e.headerBytesReceived ?? 0);
        t.concealed += e.concealedSamples ?? 0;
        t.samples += e.totalSamplesReceived ?? 0;
        if (pc === live && e.kind === 'video' && (e.lastPacketReceivedTimestamp ?? 0) >= t.last_rx && e.frameWidth) {
          t.last_rx = e.lastPacketReceivedTimestamp ?? 0;
          t.width = e.frameWidth;
          t.height = e.frameHeight;
        }
      } else {
        const b = (e.bytesSent ?? 0) + (e.headerBytesSent ?? 0);
        if (e.kind === 'video') out.video_bytes += b; else out.audio_bytes += b;
        if (pc === live && e.kind === 'video') {
          out.layers.push({ rid: e.rid ?? null, active: e.active ?? null, width: e.frameWidth ?? 0, height: e.frameHeight ?? 0, fps: e.framesPerSecond ?? 0, target_kbps: e.targetBitrate ? Math.round(e.targetBitrate / 1000) : null, qp_avg: e.qpSum && e.framesEncoded ? Math.round(e.qpSum / e.framesEncoded) : null, qp_sum: e.qpSum ?? 0, frames_encoded: e.framesEncoded ?? 0 });
          if (e.qualityLimitationReason && e.qualityLimitationReason !== 'none') out.qlr = e.qualityLimitationReason;
        }
      }
    }
  }
  return { t: snap.t, inV, inA, out, pair: live?.pair ?? null, state: live?.state ?? 'none', pcs: snap.pcs.length };
}

const median = (/** @type {number[]} */ xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (/** @type {number|null} */ x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

/** Average QP of one sender layer since the previous sample. @param {any} before @param {any} layer */
function qpDelta(before, layer) {
  if (!layer) return null;
  const prev = before.out.layers.find((/** @type {any} */ l) => l.rid === layer.rid);
  const frames = layer.frames_encoded - (prev?.frames_encoded ?? 0);
  return prev && frames > 0 ? Math.round((layer.qp_sum - prev.qp_sum) / frames) : null;
}

/**
 * The figures of one direction over a window of samples.
 * @param {any[]} samples [{parties: {name: totals}}] about 1 s apart
 * @param {string} sender @param {string} receiver @param {string} stream sender's stream id
 */
function direction(samples, sender, receiver, stream) {
  const fps = [];
  let zero = 0;
  const widths = [];
  const heights = [];
  const rtts = [];
  /** Per sample: [s, fps, width received, kbit/s received, kbit/s sent, widest layer sent, sender's available out kbit/s, its QP]. */
  const timeline = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1].parties[receiver];
    const b = samples[i].parties[receiver];
    const dt = (b.t - a.t) / 1000;
    if (dt <= 0) continue;
    const df = Math.max(0, (b.inV[stream]?.frames ?? 0) - (a.inV[stream]?.frames ?? 0));
    fps.push(df / dt);
    if (df === 0) zero += dt;
    if (b.inV[stream]?.width) { widths.push(b.inV[stream].width); heights.push(b.inV[stream].height); }
    if (b.pair?.rtt_ms !== null && b.pair?.rtt_ms !== undefined) rtts.push(b.pair.rtt_ms);
    const s = samples[i].parties[sender];
    const sa = samples[i - 1].parties[sender];
    const top = s.out.layers.reduce((m, /** @type {any} */ l) => (l.width > (m?.width ?? -1) ? l : m), null);
    timeline.push([
      round((b.t - samples[0].parties[receiver].t) / 1000, 1), round(df / dt), b.inV[stream]?.width ?? 0,
      Math.round((((b.inV[stream]?.bytes ?? 0) + (b.inA[stream]?.bytes ?? 0) - (a.inV[stream]?.bytes ?? 0) - (a.inA[stream]?.bytes ?? 0)) * 8) / dt / 1000),
      Math.round(((s.out.video_bytes + s.out.audio_bytes - sa.out.video_bytes - sa.out.audio_bytes) * 8) / Math.max(0.001, (s.t - sa.t) / 1000) / 1000),
      top?.width ?? 0, s.pair?.out_kbps ?? null, qpDelta(sa, top),
    ]);
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const span = (last.parties[receiver].t - first.parties[receiver].t) / 1000;
  const d = (/** @type {string} */ party, /** @type {(t: any) => number} */ f) => f(last.parties[party]) - f(first.parties[party]);
  const v = (/** @type {string} */ k) => d(receiver, (t) => t.inV[stream]?.[k] ?? 0);
  const au = (/** @type {string} */ k) => d(receiver, (t) => t.inA[stream]?.[k] ?? 0);
  const freezes = v('freezes_s');
  const samplesRx = au('samples');
  const sentBytes = d(sender, (t) => t.out.video_bytes + t.out.audio_bytes);
  const rxBytes = v('bytes') + au('bytes');
  const senderLast = last.parties[sender];
  return {
    fps_median: round(median(fps)),
    fps_min: round(fps.length ? Math.min(...fps) : null),
    width: median(widths),
    height: median(heights),
    freeze_s: round(Math.max(freezes, zero), 2),
    freeze_total_freezes_s: round(freezes, 2),
    freeze_zero_frame_s: round(zero, 2),
    freeze_s_per_min: span > 0 ? round((Math.max(freezes, zero) * 60) / span, 2) : null,
    audio_concealment_pct: samplesRx > 0 ? round((100 * au('concealed')) / samplesRx, 2) : null,
    audio_samples_received: samplesRx,
    video_packets_lost: v('lost'),
    audio_packets_lost: au('lost'),
    video_packets_received: v('packets'),
    sent_kbps: span > 0 ? Math.round((sentBytes * 8) / span / 1000) : null,
    received_kbps: span > 0 ? Math.round((rxBytes * 8) / span / 1000) : null,
    receiver_rtt_ms: median(rtts),
    sender_layers: senderLast.out.layers.map((/** @type {any} */ { qp_sum, frames_encoded, ...l }) => l),
    sender_quality_limitation: senderLast.out.qlr,
    sender_available_out_kbps: senderLast.pair?.out_kbps ?? null,
    window_s: round(span, 1),
    timeline_columns: 's fps width rx_kbps tx_kbps tx_width avail_out_kbps tx_qp',
    timeline,
  };
}

// ---------- the run ----------
const result = {
  profile: args.profile, what: profile.what, shape: profile.shape, base: args.base,
  window_s: args.seconds, warmup_s: args.warmup, clinician: args.clinician,
  started_at: new Date(t0).toISOString(),
  loadavg_at_start: os.loadavg().map((x) => round(x, 2)),
  setup: /** @type {Record<string, any>} */ ({}),
  directions: /** @type {Record<string, any>} */ ({}),
  call: /** @type {Record<string, any>} */ ({ states: [] }),
  recovery: /** @type {any} */ (null),
  turn: /** @type {any} */ (null),
  link: /** @type {any} */ (null),
  errors: /** @type {string[]} */ ([]),
  console: /** @type {string[]} */ ([]),
};

const tmp = mkdtempSync(join(args.work ?? tmpdir(), 'netlab-call-'));
const homeWrapper = join(tmp, 'chromium-home.sh');
writeFileSync(homeWrapper, `#!/bin/sh\nexec ip netns exec ${args.homeNs} ${args.chromium} "$@"\n`);
chmodSync(homeWrapper, 0o755);

const chromeArgs = [
  '--headless=new', '--no-sandbox', '--disable-gpu',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  ...(args.camera === 'builtin' ? [] : [`--use-file-for-fake-video-capture=${args.camera}`]),
  '--disable-background-networking', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
  '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows',
  `--unsafely-treat-insecure-origin-as-secure=${args.base}`,
  ...args.flags,
];

/** @type {import('playwright-core').Browser[]} */
const browsers = [];
/** @type {Record<string, {page: import('playwright-core').Page, uid: number, token: string}>} */
const parties = {};

async function api(/** @type {string} */ token, /** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body) {
  const r = await fetch(`${args.base}${path}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10000),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

async function login(/** @type {string} */ username) {
  const r = await api('', 'POST', '/api/auth/login', { username, password: 'demo-password' });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return { token: r.json.token, uid: r.json.user.id };
}

async function openParty(/** @type {string} */ name, /** @type {string} */ username, /** @type {boolean} */ atHome) {
  const browser = await chromium.launch({ executablePath: atHome ? homeWrapper : args.chromium, args: chromeArgs, timeout: 30000 });
  browsers.push(browser);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] });
  await ctx.addInitScript(pageHook);
  const page = await ctx.newPage();
  page.setDefaultTimeout(20000);
  page.on('console', (m) => { if ((m.type() === 'error' || m.type() === 'warning') && result.console.length < 40) result.console.push(`${name}: ${m.text().slice(0, 300)}`); });
  page.on('pageerror', (e) => { if (result.console.length < 40) result.console.push(`${name}: ${e.message.slice(0, 300)}`); });
  const { token, uid } = await login(username);
  await page.goto(args.base);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(() => location.hash.length > 2 && document.querySelector('main h1'));
  parties[name] = { page, uid, token };
}

async function snapAll() {
  /** @type {Record<string, any>} */
  const out = {};
  await Promise.all(Object.entries(parties).map(async ([name, p]) => {
    out[name] = totals(await p.page.evaluate(() => /** @type {any} */ (window).__netlab.snap()));
  }));
  return { t: Date.now(), parties: out };
}

/** Pairs of [sender, receiver] that are measured. */
function pairsOf() {
  const names = ['nurse', 'tablet', 'clinician'].filter((n) => parties[n]);
  return names.flatMap((s) => names.filter((r) => r !== s && (s === 'tablet' || r === 'tablet')).map((r) => [s, r]));
}
const stream = (/** @type {string} */ name) => `participant-${parties[name].uid}`;

/** Watches the call's state as the nurse sees it (GET /api/calls), about once a second. */
let stateTimer = /** @type {NodeJS.Timeout | null} */ (null);
function watchState(/** @type {number} */ callId) {
  const poll = async () => {
    try {
      const r = await api(parties.nurse.token, 'GET', '/api/calls');
      const all = [...(r.json?.waiting ?? []), ...(r.json?.in_progress ?? [])];
      const c = all.find((x) => x.id === callId);
      const state = c ? c.state : 'not_open';
      const states = result.call.states;
      if (!states.length || states[states.length - 1][1] !== state) states.push([Date.now() - t0, state]);
    } catch (e) {
      noteError(`state poll: ${e}`);
    }
    stateTimer = setTimeout(poll, 1000);
  };
  poll();
}

/** Samples every party once a second for `seconds`. */
async function measure(/** @type {number} */ seconds) {
  const samples = [await snapAll()];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await sleep(Math.max(0, samples[samples.length - 1].t + 1000 - Date.now()));
    samples.push(await snapAll());
  }
  for (const [s, r] of pairsOf()) result.directions[`${s}->${r}`] = direction(samples, s, r, stream(s));
  return samples;
}

/**
 * Time from `since` (the link back, or the address changed) to media flowing again at each end
 * of the tablet's link: the first new video frame decoded (and audio packet received) that
 * starts a sustained flow, at least 5 frames (25 audio packets) in the second after it, so a
 * frame that was already in flight when the link changed does not count.
 */
async function recovery(/** @type {number} */ since, /** @type {number} */ timeoutMs) {
  const ends = /** @type {const} */ ([['tablet', 'nurse'], ['nurse', 'tablet']]);
  /** @type {{t: number, v: Record<string, number>, a: Record<string, number>}[]} */
  const hist = [];
  const onset = (/** @type {'v'|'a'} */ k, /** @type {string} */ rx, /** @type {number} */ need) => {
    for (let i = 1; i < hist.length; i++) {
      if (hist[i][k][rx] <= hist[i - 1][k][rx]) continue;
      const later = hist.find((h) => h.t >= hist[i].t + 1000);
      if (!later) return undefined; // not decided yet
      if (later[k][rx] - hist[i - 1][k][rx] >= need) return hist[i].t - since;
    }
    return undefined;
  };
  const deadline = since + timeoutMs;
  /** @type {Record<string, {video_ms: number|null, audio_ms: number|null}>} */
  let got = {};
  while (Date.now() < deadline) {
    const s = await snapAll();
    /** @type {Record<string, number>} */ const v = {};
    /** @type {Record<string, number>} */ const a = {};
    for (const [rx, tx] of ends) {
      v[rx] = s.parties[rx].inV[stream(tx)]?.frames ?? 0;
      a[rx] = s.parties[rx].inA[stream(tx)]?.packets ?? 0;
    }
    hist.push({ t: s.t, v, a });
    got = Object.fromEntries(ends.map(([rx]) => [rx, { video_ms: onset('v', rx, 5) ?? null, audio_ms: onset('a', rx, 25) ?? null }]));
    if (Object.values(got).every((g) => g.video_ms !== null && g.audio_ms !== null)) break;
    await sleep(100);
  }
  const each = Object.fromEntries(Object.entries(got).map(([k, g]) => [k, { ...g, media_ms: g.video_ms === null || g.audio_ms === null ? null : Math.max(g.video_ms, g.audio_ms) }]));
  const all = Object.values(each).map((g) => g.media_ms);
  return { ...each, media_back_ms: all.some((x) => x === null) ? null : Math.max(...all), timeout_ms: timeoutMs };
}

async function waitMedia(/** @type {number} */ timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  /** @type {Record<string, number>} */
  const first = {};
  while (Date.now() < deadline) {
    const s = await snapAll();
    for (const [snd, rx] of pairsOf()) {
      const key = `${snd}->${rx}`;
      if (!first[key] && (s.parties[rx].inV[stream(snd)]?.frames ?? 0) > 0) first[key] = s.t;
    }
    if (pairsOf().every(([snd, rx]) => first[`${snd}->${rx}`])) break;
    await sleep(250);
  }
  return first;
}

/** Records an error once, with a count if it repeats. @param {string} m */
function noteError(m) {
  const i = result.errors.findIndex((e) => e === m || e.startsWith(`${m} (×`));
  if (i < 0) { result.errors.push(m); return; }
  const n = Number(/\(×(\d+)\)$/.exec(result.errors[i])?.[1] ?? 1) + 1;
  result.errors[i] = `${m} (×${n})`;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    console.error(`call.mjs: ${sig}, stopping`);
    Promise.all(browsers.map((b) => b.close().catch(() => {}))).finally(() => process.exit(130));
    setTimeout(() => process.exit(130), 3000).unref();
  });
}

let exitCode = 0;
try {
  log(`profile ${args.profile}: ${profile.what}`);
  await emu({ cmd: 'set', outage: false, block_udp: false, both: { rate_kbps: 0, delay_ms: 0, jitter_ms: 0, loss: 0, queue_ms: 150 } });
  // Pages load over a clean link; the profile applies from before the call is answered.
  const carer = await login('carer1');
  const residents = await api(carer.token, 'GET', '/api/residents?search=Peggy');
  const created = await api(carer.token, 'POST', '/api/calls', {
    resident_id: residents.json[0].id, situation: 'Network lab: not herself since lunch',
    assessment: { observations: { respiration_rate: 12, spo2: 96, on_oxygen: false, systolic_bp: 120, pulse: 70, consciousness: 'alert', temperature_c: 36.8 }, soft_signs: ['eating_drinking'], concern: 'worried', red_flags: [] },
  });
  if (created.status !== 201) throw new Error(`create call: ${created.status} ${JSON.stringify(created.json)}`);
  const callId = created.json.id;
  result.call.id = callId;
  await Promise.all([openParty('tablet', 'carer1', true), openParty('nurse', 'nurse1', false)]);
  if (args.clinician) await openParty('clinician', 'clinician1', false);
  log('signed in');
  await parties.tablet.page.goto(`${args.base}/#/call/${callId}`);
  await parties.nurse.page.goto(`${args.base}/#/hub/${callId}`);
  const answer = parties.nurse.page.getByRole('button', { name: 'Answer', exact: true });
  await answer.waitFor();
  await emu({ cmd: 'set', ...profile.shape });
  await emu({ cmd: 'reset_stats' });
  const tAnswer = Date.now();
  await answer.click();
  await parties.nurse.page.getByRole('button', { name: 'End consultation' }).waitFor({ timeout: 20000 });
  watchState(callId);
  if (args.clinician) {
    const clin = await login('clinician1');
    const inv = await api(parties.nurse.token, 'POST', `/api/calls/${callId}/invite`, { clinician_id: clin.uid });
    if (inv.status >= 300) noteError(`invite: ${inv.status}`);
    await parties.clinician.page.goto(`${args.base}/#/consult/${callId}`);
  }
  log('answered; waiting for video both ways');
  const first = await waitMedia(profile.event ? 30000 : 45000);
  const setupSnap = await snapAll();
  for (const name of Object.keys(parties)) {
    const pcs = (await parties[name].page.evaluate(() => /** @type {any} */ (window).__netlab.snap())).pcs;
    const firstPc = pcs[0];
    const connected = pcs.find((/** @type {any} */ p) => p.connectedAt);
    result.setup[name] = {
      peer_connections: pcs.length,
      join_to_connected_ms: firstPc && connected ? connected.connectedAt - firstPc.created : null,
      answer_to_connected_ms: connected ? connected.connectedAt - tAnswer : null,
      pair: setupSnap.parties[name].pair,
    };
  }
  for (const [k, t] of Object.entries(first)) result.setup[`first_frame_${k}_ms`] = t - tAnswer;
  log(`media: ${JSON.stringify(first ? Object.fromEntries(Object.entries(first).map(([k, t]) => [k, t - tAnswer])) : {})}`);
  if (args.profile === 'P5') {
    const tab = result.setup.tablet;
    result.turn = {
      tablet_local_candidate: tab.pair?.local ?? null,
      tablet_remote_candidate: tab.pair?.remote ?? null,
      relayed: tab.pair?.local?.type === 'relay',
      join_to_connected_ms: tab.join_to_connected_ms,
      answer_to_connected_ms: tab.answer_to_connected_ms,
    };
  }

  await sleep(args.warmup * 1000);
  if (profile.event === 'outage') {
    log(`outage for ${profile.outage_s} s`);
    await emu({ cmd: 'set', outage: true });
    await sleep(profile.outage_s * 1000);
    await emu({ cmd: 'set', outage: false });
    const restored = Date.now();
    log('link restored; waiting for media');
    result.recovery = { event: `total outage ${profile.outage_s} s`, ...(await recovery(restored, 45000)) };
  } else if (profile.event === 'move') {
    log(`the tablet moves to ${profile.new_ip}`);
    const r = spawnSync(args.netlab, ['move-home', profile.new_ip], { timeout: 10000, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`move-home: ${r.stderr}`);
    const moved = Date.now();
    result.recovery = { event: `address change to ${profile.new_ip}`, ...(await recovery(moved, 60000)) };
  }
  if (result.recovery) log(`recovery: ${JSON.stringify(result.recovery)}`);
  log(`measuring for ${args.seconds} s`);
  await measure(args.seconds);
  const states = result.call.states.map((/** @type {any[]} */ s) => s[1]);
  result.call.left_consultation = states.some((/** @type {string} */ s) => s !== 'in_consultation' && s !== 'claimed');
  result.call.final_state = states[states.length - 1] ?? null;
  result.link = await emu({ cmd: 'stats' });
  delete result.link.ok;
  for (const name of Object.keys(parties)) {
    const pcs = (await parties[name].page.evaluate(() => /** @type {any} */ (window).__netlab.snap())).pcs;
    result.setup[name].peer_connections_at_end = pcs.length;
    result.setup[name].connection_states = pcs.map((/** @type {any} */ p) => p.states.map((/** @type {any[]} */ [t, s]) => `${t - t0}:${s}`).join(' '));
  }
} catch (error) {
  exitCode = 1;
  result.errors.push(String(error instanceof Error ? error.stack : error).slice(0, 2000));
  log(`error: ${error}`);
  for (const [name, p] of Object.entries(parties)) {
    await p.page.screenshot({ path: `${args.out.replace(/\.json$/, '')}-${name}.png` }).catch(() => {});
  }
} finally {
  if (stateTimer) clearTimeout(stateTimer);
  result.elapsed_s = round((Date.now() - t0) / 1000, 1);
  result.loadavg_at_end = os.loadavg().map((x) => round(x, 2));
  writeFileSync(args.out, `${JSON.stringify(result, null, 1)}\n`);
  await emu({ cmd: 'set', outage: false, block_udp: false }).catch(() => {});
  await Promise.all(browsers.map((b) => b.close().catch(() => {})));
  rmSync(tmp, { recursive: true, force: true });
  log(`done in ${result.elapsed_s} s`);
}
process.exit(exitCode);
