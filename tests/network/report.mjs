// Gathers the per-profile results of run.sh into one JSON, prints a table (and writes it as
// markdown), and with --assert checks the targets, printing "N passed, M failed".
//
//   node report.mjs --meta meta.json --results DIR --profiles P0,P1 [--json out] [--md out] [--assert] [--short]

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const a = { profiles: 'P0,P1,P2,P3,P4,P5,P6', assert: false, short: false };
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i];
  if (k === '--assert') a.assert = true;
  else if (k === '--short') a.short = true;
  else a[k.replace(/^--/, '')] = process.argv[++i];
}
const meta = a.meta ? JSON.parse(readFileSync(a.meta, 'utf8')) : {};
const profiles = {};
for (const p of a.profiles.split(',')) {
  const f = join(a.results, `${p}.json`);
  profiles[p] = existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : { profile: p, errors: ['no result: the call driver did not write one'] };
}
const all = { meta, profiles };
if (a.json) writeFileSync(a.json, `${JSON.stringify(all, null, 1)}\n`);

// ---------- the table ----------
const fmt = (/** @type {any} */ x, unit = '') => (x === null || x === undefined ? '–' : `${x}${unit}`);
const ms = (/** @type {any} */ x) => (x === null || x === undefined ? 'never' : `${(x / 1000).toFixed(1)} s`);
const rows = [];
for (const [p, r] of Object.entries(profiles)) {
  const notes = [];
  if (r.recovery) notes.push(`media back: tablet ${ms(r.recovery.tablet?.media_ms)} (video ${ms(r.recovery.tablet?.video_ms)}, audio ${ms(r.recovery.tablet?.audio_ms)}), nurse ${ms(r.recovery.nurse?.media_ms)} (video ${ms(r.recovery.nurse?.video_ms)}, audio ${ms(r.recovery.nurse?.audio_ms)})`);
  if (r.call?.states?.length) notes.push(`call ${r.call.left_consultation ? 'LEFT consultation' : 'stayed in consultation'} (${r.call.states.map((/** @type {any[]} */ s) => s[1]).join(' → ')})`);
  if (r.turn) notes.push(`tablet candidate ${r.turn.tablet_local_candidate?.type ?? '–'}/${r.turn.tablet_local_candidate?.relayProtocol ?? r.turn.tablet_local_candidate?.protocol ?? '–'}, connected ${ms(r.turn.join_to_connected_ms)} after joining`);
  if (r.loadavg_at_start) notes.push(`load ${r.loadavg_at_start[0]}`);
  if (r.errors?.length) notes.push(`errors: ${r.errors.map((/** @type {string} */ e) => e.split('\n')[0]).join('; ')}`);
  const dirs = Object.entries(r.directions ?? {});
  if (!dirs.length) rows.push([p, '–', '–', '–', '–', '–', '–', '–', '–', notes.join('; ')]);
  dirs.forEach(([d, f], i) => {
    rows.push([
      i === 0 ? p : '', d, fmt(f.fps_median), f.width ? `${f.width}x${f.height}` : '–',
      `${fmt(f.freeze_s)} (${fmt(f.freeze_s_per_min)}/min)`, fmt(f.audio_concealment_pct, '%'),
      `${fmt(f.video_packets_lost)} / ${fmt(f.audio_packets_lost)}`, fmt(f.sent_kbps), fmt(f.received_kbps),
      i === 0 ? notes.join('; ') : (f.sender_quality_limitation ? `sender limited by ${f.sender_quality_limitation}` : ''),
    ]);
  });
}
const head = ['profile', 'direction', 'fps (median)', 'size', 'freezes s (per min)', 'audio concealed', 'lost video / audio pkts', 'sent kbit/s', 'received kbit/s', 'notes'];
const md = [
  `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const what = Object.entries(profiles).map(([p, r]) => `- **${p}**: ${r.what ?? ''}`).join('\n');
if (a.md) {
  writeFileSync(a.md, `# Network lab figures\n\nCommand: \`${meta.command ?? ''}\`  \nServer: \`${meta.binary ?? ''}\` (git ${meta.git_head ?? '?'}), adaptation requested ${meta.adaptation?.requested ?? '?'}, applied: ${meta.adaptation?.applied ?? '?'}  \n${meta.chromium ?? ''}; ${meta.cores ?? '?'} cores; window ${meta.window_s ?? '?'} s after ${meta.warmup_s ?? '?'} s warm-up; took ${meta.elapsed_s ?? '?'} s.\n\n${what}\n\nDirections are sender->receiver; "down" (towards the tablet) is nurse->tablet. Sent = everything the sender's page sent (video and audio, with RTP headers); received = what the receiver got from that sender.\n\n${md}\n`);
}
console.log(md);

// ---------- assertions ----------
if (a.assert) {
  const T = a.short
    ? { p0fps: 12, p0w: 640, p1fps: 10, p1freeze: 4, p1conceal: 6, p4back: 6000, p5conn: 10000 }
    : { p0fps: 15, p0w: 640, p1fps: 15, p1freeze: 2, p1conceal: 3, p4back: 3000, p5conn: 5000 };
  let passed = 0;
  let failed = 0;
  const check = (/** @type {boolean} */ ok, /** @type {string} */ what) => {
    if (ok) passed++; else failed++;
    console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`);
  };
  const DIRS = ['nurse->tablet', 'tablet->nurse'];
  const P = profiles;
  if (P.P0) for (const d of DIRS) {
    const f = P.P0.directions?.[d] ?? {};
    check((f.fps_median ?? 0) >= T.p0fps && (f.width ?? 0) >= T.p0w, `P0 ${d}: ≥ ${T.p0fps} fps and ≥ ${T.p0w} wide (${fmt(f.fps_median)} fps, ${fmt(f.width)} wide)`);
  }
  if (P.P1) for (const d of DIRS) {
    const f = P.P1.directions?.[d] ?? {};
    check((f.fps_median ?? 0) >= T.p1fps, `P1 ${d}: median ≥ ${T.p1fps} fps (${fmt(f.fps_median)})`);
    check(f.freeze_s_per_min !== null && f.freeze_s_per_min !== undefined && f.freeze_s_per_min < T.p1freeze, `P1 ${d}: freezes under ${T.p1freeze} s per minute (${fmt(f.freeze_s_per_min)})`);
    check(f.audio_concealment_pct !== null && f.audio_concealment_pct !== undefined && f.audio_concealment_pct < T.p1conceal, `P1 ${d}: audio concealment under ${T.p1conceal}% (${fmt(f.audio_concealment_pct, '%')})`);
  }
  if (P.P4) {
    const r = P.P4;
    check(Boolean(r.call?.states?.length) && !r.call.left_consultation, `P4: the call never leaves consultation (${(r.call?.states ?? []).map((/** @type {any[]} */ s) => s[1]).join(' → ') || 'no state read'})`);
    for (const end of ['tablet', 'nurse']) {
      const back = r.recovery?.[end]?.media_ms;
      check(back !== null && back !== undefined && back <= T.p4back, `P4: media back on the ${end} within ${T.p4back / 1000} s of the link returning (${ms(back)})`);
    }
  }
  if (P.P5) {
    const t = P.P5.turn ?? {};
    check(Boolean(t.relayed) && t.join_to_connected_ms !== null && t.join_to_connected_ms <= T.p5conn, `P5: connected through TURN within ${T.p5conn / 1000} s (candidate ${t.tablet_local_candidate?.type ?? '–'}, ${ms(t.join_to_connected_ms)})`);
    const flows = DIRS.map((d) => P.P5.directions?.[d] ?? {});
    check(flows.every((f) => (f.fps_median ?? 0) > 0 && (f.audio_samples_received ?? 0) > 0), `P5: media flows both ways (${flows.map((f, i) => `${DIRS[i]} ${fmt(f.fps_median)} fps`).join(', ')})`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
