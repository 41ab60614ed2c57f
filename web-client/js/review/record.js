// @ts-check
/**
 * @file The parts of a call's record as the call review shows them, each from the call in full
 * (`GET /api/calls/{id}`): the header facts, the outcome, the assessment with its NEWS2
 * breakdown, the photos the care home sent, the timeline of events with who did what, and the
 * video connection quality. Pure rendering: the screen (detail.js) owns loading, sign-off and
 * follow-up, and the photo gallery (whose image reads are audited, so it is built once).
 */

import { h, levelBadge } from '../ui.js';
import { redFlagLabel, softSignLabel, CONCERNS, ALERTNESS, NEWS2_ITEMS, BANDS } from '../labels.js';
import {
  EVENT_WORDS, ROLE_WORDS, END_STATES, REMAINED_WORDS, OUTCOMES, formatDateTime, formatTimeSeconds, formatShortDateTime,
  formatSeconds, formatTarget, plural, outcomeLabel,
} from './words.js';
import { scrollBox } from './charts.js';

/** @typedef {import('../types.js').CallDetail} BaseDetail */
/** @typedef {import('../types.js').PersonRef} PersonRef */
/** @typedef {import('../types.js').TimelineEntry} TimelineEntry */
/** @typedef {import('../ui.js').Child} Child */
/**
 * @typedef {object} QualitySample
 * @property {string} at
 * @property {number} user_id
 * @property {number | null} [rtt_ms]
 * @property {number | null} [loss]
 * @property {number} rx_kbps
 * @property {number} tx_kbps
 */
/** @typedef {{conveyed?: boolean | null, admitted?: boolean | null, died_within_72h?: boolean | null}} FollowUp */
/** @typedef {{by: PersonRef, at: string, comment: string}} SignOff */
/**
 * The call in full as the review reads it (types.js has the shared part).
 * @typedef {BaseDetail & {quality: QualitySample[], follow_up: FollowUp, sign_off?: SignOff | null}} CallDetail
 */

/** Follow-up questions, in the API's words. */
export const FOLLOW_UP = /** @type {const} */ ([
  ['conveyed', 'Conveyed to hospital?'],
  ['admitted', 'Admitted to hospital?'],
  ['died_within_72h', 'Died within 72 hours?'],
]);

/** Observation readings by NEWS2 item: the reading in words, from the assessment. */
const READINGS = {
  respiration_rate: (/** @type {any} */ o) => (o.respiration_rate == null ? null : `${o.respiration_rate} breaths a minute`),
  spo2: (/** @type {any} */ o) => (o.spo2 == null ? null : `${o.spo2}% (scale ${o.spo2_scale ?? 1})`),
  air_or_oxygen: (/** @type {any} */ o) => (o.on_oxygen == null ? null : o.on_oxygen ? 'On oxygen' : 'Breathing air'),
  systolic_bp: (/** @type {any} */ o) => (o.systolic_bp == null ? null : `${o.systolic_bp} mmHg`),
  pulse: (/** @type {any} */ o) => (o.pulse == null ? null : `${o.pulse} beats a minute`),
  consciousness: (/** @type {any} */ o) => (o.consciousness == null ? null
    : ALERTNESS.find((a) => a.code === o.consciousness || (a.code === 'confused' && o.consciousness === 'confusion'))?.label ?? o.consciousness),
  temperature: (/** @type {any} */ o) => (o.temperature_c == null ? null : `${o.temperature_c} °C`),
};

// ---- header ----

/**
 * @param {CallDetail} d
 * @param {boolean} canSign The reader signs off (clinicians): "Awaiting sign-off" then leads to the form.
 */
export function header(d, canSign) {
  const answer = d.answered_at ? (new Date(d.answered_at).getTime() - new Date(d.arrived_at).getTime()) / 1000 : null;
  const target = d.triage?.target_answer_seconds;
  return h('div', { class: 'detail-head' },
    h('p', { class: 'detail-meta' },
      `${d.care_home.name}, room ${d.resident.room} · ${d.resident.age} years · call ${d.id}`),
    h('dl', { class: 'detail-facts' },
      fact('Level at arrival', levelBadge(d.initial_level),
        d.level !== d.initial_level ? h('span', { class: 'rv-fact-sub' }, `then ${d.level} ${d.triage?.level_name && d.triage.level === d.level ? d.triage.level_name : ''}`.trim()) : null),
      fact('Arrived', formatDateTime(d.arrived_at)),
      fact('Answered in', answer === null ? 'Not answered' : formatSeconds(answer),
        target ? h('span', { class: 'rv-fact-sub' }, `target ${formatTarget(target)}`) : null,
        d.breaches > 0 ? h('span', { class: 'rv-flag rv-flag-breach' }, `Target missed${d.breaches > 1 ? ` ${d.breaches} times` : ''}`) : null),
      fact('Ended', d.ended_at ? formatDateTime(d.ended_at) : 'Still open',
        h('span', { class: 'rv-fact-sub' }, END_STATES[/** @type {keyof typeof END_STATES} */ (d.state)] ?? d.state)),
      fact('Sign-off', d.sign_off
        ? h('span', { class: 'rv-flag rv-flag-done' }, 'Signed off')
        : d.state !== 'closed' ? 'Not needed'
          : canSign ? h('button', { type: 'button', class: 'rv-flag rv-flag-todo', onclick: jumpTo('sign-off') }, 'Awaiting sign-off')
            : h('span', { class: 'rv-flag rv-flag-todo' }, 'Awaiting sign-off'))));
}

/** Moves to a section (and its first field) without changing the route. @param {string} id */
function jumpTo(id) {
  return () => {
    const target = document.getElementById(id);
    if (!target) return;
    target.scrollIntoView({ block: 'start' });
    /** @type {HTMLElement | null} */ (target.querySelector('textarea'))?.focus({ preventScroll: true });
  };
}

/**
 * @param {string} label
 * @param {...Child} value
 */
function fact(label, ...value) {
  return h('div', { class: 'detail-fact' }, h('dt', null, label), h('dd', null, ...value));
}

// ---- outcome ----

/** @param {CallDetail} d */
export function outcomeSection(d) {
  const o = d.outcome;
  /** @type {Child[]} */
  const parts = [h('h2', { id: 'outcome-title' }, 'Outcome')];
  if (!o) {
    parts.push(h('p', null, d.state === 'cancelled'
      ? 'The home cancelled the call before a nurse recorded an outcome.'
      : d.state === 'abandoned' ? 'The call was abandoned: nobody answered before the home went offline.' : 'No outcome has been recorded yet.'));
  } else {
    const rule = OUTCOMES.find((x) => x.code === o.code)?.remained;
    const remained = o.remained_at_residence === true ? REMAINED_WORDS.yes
      : o.remained_at_residence === false ? REMAINED_WORDS.no
        : rule === 'not_applicable' ? REMAINED_WORDS.not_applicable
          : rule === 'per_follow_up' ? 'Remained at residence: not known yet. After a 999 ambulance it depends on whether the resident was conveyed: record it under Follow-up.'
            : 'Remained at residence: not known yet. Record under Follow-up whether the resident was admitted.';
    parts.push(
      h('p', { class: 'rv-outcome-line' }, h('span', { class: 'rv-outcome-code' }, o.code), ' ', h('strong', null, o.label || outcomeLabel(o.code))),
      h('p', { class: ['rv-remained', `rv-remained-${o.remained_at_residence === true ? 'yes' : o.remained_at_residence === false ? 'no' : 'unknown'}`] },
        o.remained_at_residence === true ? '✓ ' : o.remained_at_residence === false ? '✕ ' : '? ', remained),
      h('h3', null, 'Plan for the home'),
      h('p', { class: 'rv-plan' }, o.plan || 'No plan written.'),
      h('dl', { class: 'rv-pairs' },
        pair('Re-observe or follow up', o.reobserve_at ? formatDateTime(o.reobserve_at) : 'No time set'),
        pair('Recorded by', `${o.recorded_by.name}, ${formatDateTime(o.recorded_at)}`),
        pair('Clinicians involved', o.clinicians.length ? o.clinicians.map((c) => c.name).join(', ') : 'None')),
    );
  }
  return h('section', { class: 'detail-card rv-outcome', 'aria-labelledby': 'outcome-title' }, parts);
}

/** @param {string} label @param {Child} value */
function pair(label, value) {
  return h('div', { class: 'rv-pair' }, h('dt', null, label), h('dd', null, value));
}

// ---- assessment ----

/** @param {CallDetail} d */
export function assessmentSection(d) {
  const a = d.assessment ?? {};
  const obs = /** @type {Record<string, unknown>} */ (a.observations ?? {});
  const news2 = d.triage?.news2;
  const concern = CONCERNS.find((c) => c.code === a.concern)?.label ?? 'Not said';
  const redFlags = a.red_flags ?? [];
  const softSigns = a.soft_signs ?? [];
  return h('section', { class: 'detail-card rv-assessment', 'aria-labelledby': 'assessment-title' },
    h('h2', { id: 'assessment-title' }, 'Assessment'),
    h('h3', null, 'Situation, in the home’s words'),
    h('blockquote', { class: 'rv-situation' }, h('p', null, d.situation || 'Nothing written.')),
    h('dl', { class: 'rv-pairs' },
      pair('Staff concern', concern),
      pair('Red flags', redFlags.length
        ? h('ul', { class: 'rv-inline-list rv-red' }, redFlags.map((f) => h('li', null, `⚠ ${redFlagLabel(f)}`)))
        : 'None'),
      pair('Soft signs', softSigns.length
        ? h('ul', { class: 'rv-inline-list' }, softSigns.map((s) => h('li', null, softSignLabel(s))))
        : 'None ticked')),
    h('h3', null, 'Observations and NEWS2'),
    news2 ? h('p', { class: 'rv-news2-total' },
      h('strong', null, news2.summary),
      a.baseline_news2 != null ? h('span', { class: 'rv-fact-sub' }, `Usual NEWS2 when well: ${a.baseline_news2}`) : null) : null,
    scrollBox('Observations and NEWS2 scores',
      h('table', { class: 'rv-table rv-news2-table' },
        h('caption', { class: 'visually-hidden' }, 'Observations and their NEWS2 scores'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Observation'), h('th', { scope: 'col' }, 'Reading'), h('th', { scope: 'col', class: 'num' }, 'NEWS2 points'))),
        h('tbody', null, Object.entries(NEWS2_ITEMS).map(([key, label]) => {
          const reading = READINGS[/** @type {keyof typeof READINGS} */ (key)]?.(obs) ?? null;
          const points = news2?.items?.[key];
          return h('tr', null,
            h('th', { scope: 'row' }, label),
            h('td', null, reading ?? h('span', { class: 'hint' }, 'Not taken')),
            h('td', { class: ['num', typeof points === 'number' && points >= 3 && 'rv-score-high'] },
              typeof points === 'number' ? (points >= 3 ? `${points} (single 3)` : String(points)) : '—'));
        })),
        news2 ? h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'Total'), h('td', null, news2.band ? `${BANDS[news2.band]} band${news2.complete ? '' : ', incomplete'}` : 'Not banded'), h('td', { class: 'num' }, String(news2.total)))) : null)),
    d.triage?.reasons?.length ? [
      h('h3', null, `Why ${d.triage.level} ${d.triage.level_name}`),
      h('ul', { class: 'rv-reasons' }, d.triage.reasons.map((r) => h('li', null, h('span', { class: 'rv-reason-level' }, r.level), ' ', r.text))),
    ] : null);
}

// ---- timeline ----

/** @param {CallDetail} d */
export function timelineSection(d) {
  const people = peopleOf(d);
  const day = new Date(d.arrived_at).toDateString();
  return h('section', { class: 'detail-card', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title' }, 'Timeline'),
    d.timeline.length
      ? h('ol', { class: 'rv-timeline' }, d.timeline.map((e) => h('li', { class: ['rv-event', `rv-event-${e.kind}`] },
        h('time', { datetime: e.at, class: 'rv-event-time' }, new Date(e.at).toDateString() === day ? formatTimeSeconds(e.at) : formatShortDateTime(e.at)),
        h('div', { class: 'rv-event-body' },
          h('p', { class: 'rv-event-what' }, EVENT_WORDS[/** @type {keyof typeof EVENT_WORDS} */ (e.kind)] ?? e.kind.replace(/_/g, ' ')),
          h('p', { class: 'rv-event-who' }, e.actor
            ? `${e.actor.name}${e.role ? `, ${ROLE_WORDS[/** @type {keyof typeof ROLE_WORDS} */ (e.role)] ?? e.role}` : ''}`
            : 'CareHub (automatic)'),
          eventDetail(e, d, people)))))
      : h('p', null, 'No events recorded.'));
}

/**
 * Everyone named in the record, by user id.
 * @param {CallDetail} d
 * @returns {Map<number, {name: string, role?: string | null}>}
 */
function peopleOf(d) {
  /** @type {Map<number, {name: string, role?: string | null}>} */
  const map = new Map();
  for (const e of d.timeline) if (e.actor) map.set(e.actor.id, { name: e.actor.name, role: e.role });
  for (const c of d.outcome?.clinicians ?? []) if (!map.has(c.id)) map.set(c.id, { name: c.name, role: 'clinician' });
  if (d.outcome && !map.has(d.outcome.recorded_by.id)) map.set(d.outcome.recorded_by.id, { name: d.outcome.recorded_by.name, role: 'hub_nurse' });
  return map;
}

/**
 * The detail line of an event, in words.
 * @param {TimelineEntry} e
 * @param {CallDetail} d
 * @param {Map<number, {name: string}>} people
 */
function eventDetail(e, d, people) {
  const x = /** @type {Record<string, any>} */ (e.detail ?? {});
  /** @param {unknown} id */
  const who = (id) => people.get(Number(id))?.name ?? 'a colleague';
  /** @type {string | null} */
  let text = null;
  switch (e.kind) {
    case 'created': text = `Queued at ${d.initial_level}`; break;
    case 'breached': text = x.from && x.to ? `Moved up from ${x.from} to ${x.to}` : null; break;
    case 'level_changed': text = `${x.from ?? '?'} to ${x.to ?? '?'}${x.reason ? `. Reason: ${x.reason}` : ''}`; break;
    case 'observations_added': text = [x.news2, x.from && x.to && x.from !== x.to ? `level ${x.from} to ${x.to}` : null].filter(Boolean).join('; ') || null; break;
    case 'outcome_recorded': text = x.outcome ? `${x.outcome} ${outcomeLabel(String(x.outcome))}` : null; break;
    case 'clinician_invited': text = x.clinician ? `Invited ${who(x.clinician)}` : null; break;
    case 'claim_lapsed': text = x.nurse ? `${who(x.nurse)} did not start the video in time` : null; break;
    case 'photo_added': text = x.photo ? `Photo ${photoNumber(d, Number(x.photo))} of the call${x.bytes ? ` (${Math.max(1, Math.round(Number(x.bytes) / 1000))} kB)` : ''}` : null; break;
    case 'continued_by_phone': text = x.phone ? `The nurse phoned the home on ${x.phone}` : 'The nurse phoned the home'; break;
    case 'follow_up': text = FOLLOW_UP.map(([key, q]) => `${q.replace('?', '')}: ${x[key] === true ? 'yes' : x[key] === false ? 'no' : 'not known'}`).join('; '); break;
    default: text = null;
  }
  return text ? h('p', { class: 'rv-event-detail' }, text) : null;
}

/**
 * A photo's number within the call (1 for the first sent), as the photos section shows it.
 * @param {CallDetail} d
 * @param {number} id
 */
function photoNumber(d, id) {
  const ids = d.timeline.filter((e) => e.kind === 'photo_added').map((e) => Number(/** @type {Record<string, unknown>} */ (e.detail ?? {}).photo));
  const at = ids.indexOf(id);
  return at < 0 ? '' : String(at + 1);
}

// ---- photos ----

/**
 * The photos the care home sent during the call, as thumbnails that open full size.
 * @param {{element: HTMLElement, count: () => number}} gallery Built by the screen (photos.js).
 * @param {boolean} failed The list could not be read.
 */
export function photosSection(gallery, failed) {
  return h('section', { class: 'detail-card rv-photos', 'aria-labelledby': 'photos-title' },
    h('h2', { id: 'photos-title' }, 'Photos from the care home'),
    failed
      ? h('p', null, 'The photos could not be loaded. Reload the page to try again.')
      : h('p', { class: 'hint' }, gallery.count()
        ? `${plural(gallery.count(), 'photo')} sent from the tablet during the call. Select one to see it full size. Opening photos is recorded in the audit log.`
        : 'No photos were sent during this call.'),
    failed ? null : gallery.element);
}

// ---- connection quality ----

/** @param {number[]} values */
function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * A plain-words judgement of one person's connection. Samples before their video first arrives
 * are set-up, not quality, and are left out. Thresholds are where video calls noticeably
 * suffer: lost packets freeze the picture, long round trips make people talk over each other,
 * a low bitrate blurs it.
 * @param {QualitySample[]} samples oldest first
 */
export function judgeQuality(samples) {
  const start = samples.findIndex((q) => q.rx_kbps > 0);
  const used = start < 0 ? [] : samples.slice(start);
  const rtt = median(used.flatMap((q) => (q.rtt_ms == null ? [] : [q.rtt_ms])));
  const worstLoss = Math.max(0, ...used.map((q) => q.loss ?? 0));
  const rx = median(used.map((q) => q.rx_kbps));
  /** @type {string[]} */
  const problems = [];
  if (!used.length) problems.push('no video arrived from them');
  if (worstLoss > 0.05) problems.push(`up to ${Math.round(worstLoss * 100)}% of packets lost`);
  if (rtt !== null && rtt > 300) problems.push(`slow round trip (${rtt} ms)`);
  if (rx !== null && rx < 150) problems.push(`low video bitrate (${rx} kbit/s)`);
  const fair = problems.length === 0 && (worstLoss > 0.02 || (rtt !== null && rtt > 150));
  return { rating: problems.length ? 'Poor' : fair ? 'Fair' : 'Good', problems, rtt, worstLoss, rx, setUp: start < 0 ? samples.length : start };
}

/** @param {CallDetail} d */
export function qualitySection(d) {
  const samples = d.quality ?? [];
  const people = peopleOf(d);
  const byUser = new Map();
  for (const q of samples) byUser.set(q.user_id, [...(byUser.get(q.user_id) ?? []), q]);
  const name = (/** @type {number} */ id) => people.get(id)?.name ?? `User ${id}`;
  return h('section', { class: 'detail-card rv-quality', 'aria-labelledby': 'quality-title' },
    h('h2', { id: 'quality-title' }, 'Connection quality'),
    !samples.length
      ? h('p', null, 'No connection quality samples were stored for this call (no video, or the video ended before the first sample).')
      : [
        h('p', { class: 'hint' }, `${plural(samples.length, 'sample')} of each person’s video connection through the hub, ${formatTimeSeconds(samples[0].at)} to ${formatTimeSeconds(samples[samples.length - 1].at)}.`),
        h('ul', { class: 'rv-quality-list' }, [...byUser.entries()].map(([id, list]) => {
          const j = judgeQuality(list);
          return h('li', { class: ['rv-quality-person', `rv-quality-${j.rating.toLowerCase()}`] },
            h('p', { class: 'rv-quality-who' }, h('strong', null, name(id)), ' ', h('span', { class: 'rv-quality-rating' }, `${j.rating === 'Good' ? '✓' : '⚠'} ${j.rating} connection`)),
            h('p', { class: 'rv-quality-figures' },
              `Round trip ${j.rtt === null ? 'not measured' : `${j.rtt} ms`} (median) · worst packet loss ${(j.worstLoss * 100).toFixed(1)}% · ` +
              `video from them ${j.rx ?? 0} kbit/s (median) · ${plural(list.length, 'sample')}` +
              (j.setUp ? ` (${j.setUp} while the video was starting, left out)` : '')),
            j.problems.length ? h('p', { class: 'rv-quality-problem' }, `Problems: ${j.problems.join('; ')}.`) : null);
        })),
        h('details', { class: 'chart-data' },
          h('summary', null, 'Show every sample'),
          scrollBox('Connection quality samples',
            h('table', { class: 'rv-table' },
              h('caption', { class: 'visually-hidden' }, 'Connection quality samples'),
              h('thead', null, h('tr', null, ['Time', 'Who', 'Round trip', 'Packets lost', 'Video from them', 'Video to them'].map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', null, samples.map((q) => h('tr', null,
                h('th', { scope: 'row' }, formatTimeSeconds(q.at)),
                h('td', null, name(q.user_id)),
                h('td', { class: 'num' }, q.rtt_ms == null ? '—' : `${q.rtt_ms} ms`),
                h('td', { class: 'num' }, q.loss == null ? '—' : `${(q.loss * 100).toFixed(1)}%`),
                h('td', { class: 'num' }, `${q.rx_kbps} kbit/s`),
                h('td', { class: 'num' }, `${q.tx_kbps} kbit/s`))))))),
      ]);
}
