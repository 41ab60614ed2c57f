// @ts-check
/**
 * @file The hub's live queue, one row per call: level (colour and name), resident, home, time
 * waiting against the target (turning to "breached"), NEWS2 with its band, soft signs, red
 * flags and the situation line. Waiting calls come in the server's order; calls being handled
 * follow, each saying who holds it.
 */

import { h, replace, levelBadge, residentNames, formatTimer, formatDuration, formatClock } from '../ui.js';
import { softSignLabel, redFlagLabel } from '../labels.js';
import { news2Badge } from './assessment-view.js';

/** @typedef {import('../types.js').CallView} CallView */

const STATE_WORDS = Object.freeze({
  claimed: 'Answered, video starting',
  in_consultation: 'On video',
  wrap_up: 'Writing up the outcome',
});

/**
 * Whether a waiting call is past its target (by the server's count or by the clock).
 * @param {CallView} call
 * @param {number} now
 */
export function isBreached(call, now) {
  if (call.state !== 'queued') return false;
  return call.breaches > 0 || (call.next_deadline ? Date.parse(call.next_deadline) <= now : false);
}

/**
 * "Waiting 3:12 · target 10 min, answer by 14:05" or "Breached · waiting 12:10 · target 10 min".
 * @param {CallView} call
 * @param {number} now
 * @param {boolean} [short] The queue row's short form ("target 10 min", no clock time).
 * @returns {{breached: boolean, text: string}}
 */
export function waitFacts(call, now, short = false) {
  const waited = (now - Date.parse(call.arrived_at)) / 1000;
  const target = `target ${short ? shortDuration(call.target_seconds) : formatDuration(call.target_seconds)}`;
  if (call.state !== 'queued') {
    const answered = call.answered_at ? (Date.parse(call.answered_at) - Date.parse(call.arrived_at)) / 1000 : waited;
    return { breached: false, text: `Answered after ${formatTimer(answered)}` };
  }
  if (isBreached(call, now)) return { breached: true, text: `Waiting ${formatTimer(waited)} · ${target}` };
  const by = call.next_deadline && !short ? `, answer by ${formatClock(call.next_deadline)}` : '';
  return { breached: false, text: `Waiting ${formatTimer(waited)} · ${target}${by}` };
}

/**
 * "10 min", "1 h", "4 h": a target in few characters.
 * @param {number} seconds
 */
function shortDuration(seconds) {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return `${seconds} s`;
  if (minutes < 60 || minutes % 60) return `${minutes} min`;
  return `${minutes / 60} h`;
}

/**
 * The waiting-time cell; updated every second by `tickRows`.
 * @param {CallView} call
 * @param {number} now
 */
function waitCell(call, now) {
  const facts = waitFacts(call, now, true);
  return h('p', { class: ['q-wait', facts.breached && 'q-wait-breached'], dataset: { callId: call.id } },
    facts.breached ? h('strong', { class: 'q-breached-tag' }, 'Breached') : null,
    h('span', { class: 'q-wait-text' }, facts.text));
}

/**
 * One row of the queue.
 * @param {CallView} call
 * @param {{selected: boolean, me: number, now: number, linked?: boolean}} options
 *   `linked: false` draws the row without a link (while the nurse is in a call).
 */
export function queueRow(call, options) {
  const names = residentNames(call.resident);
  const breached = isBreached(call, options.now);
  const signs = call.soft_signs.map(softSignLabel);
  const shownSigns = signs.slice(0, 3).join('; ') + (signs.length > 3 ? `; and ${signs.length - 3} more` : '');
  const holder = call.holder
    ? call.holder.id === options.me ? 'You hold this call' : `With ${call.holder.name}`
    : null;
  const body = [
    h('div', { class: 'q-top' }, levelBadge(call.level, { name: call.level_name }), waitCell(call, options.now)),
    h('p', { class: 'q-name' }, names.full, names.knownAs ? h('span', { class: 'q-known' }, ` (${names.knownAs})`) : null),
    h('p', { class: 'q-meta' }, `${call.care_home.name} · Room ${call.resident.room} · ${call.resident.age} years`),
    h('div', { class: 'q-facts' },
      news2Badge(call.news2),
      call.red_flags.length ? h('span', { class: 'q-red-flag' }, `Red flag: ${call.red_flags.map(redFlagLabel).join(', ')}`) : null,
      signs.length ? h('span', { class: 'q-signs' }, `Soft signs: ${shownSigns}`) : h('span', { class: 'q-signs' }, 'No soft signs')),
    h('p', { class: 'q-situation' }, `“${call.situation}”`),
    holder || call.state !== 'queued'
      ? h('p', { class: ['q-holder', call.holder?.id === options.me && 'q-holder-me'] },
        holder ?? 'Being handled', ` · ${STATE_WORDS[/** @type {keyof typeof STATE_WORDS} */ (call.state)] ?? call.state}`,
        call.invited.length ? ` · Invited: ${call.invited.map((p) => p.name).join(', ')}` : '')
      : null,
  ];
  const cls = ['q-row', `q-${call.level.toLowerCase()}`, breached && 'q-row-breached', options.selected && 'q-row-selected'];
  const row = options.linked === false
    ? h('div', { class: cls }, ...body)
    : h('a', { class: cls, href: `#/hub/${call.id}`, 'aria-current': options.selected ? 'true' : null, dataset: { callId: call.id } }, ...body);
  return h('li', { class: 'q-item', dataset: { callId: call.id, level: call.level } }, row);
}

/**
 * Refreshes the waiting times of rows already drawn (every second), without redrawing them.
 * @param {HTMLElement} container
 * @param {(id: number) => CallView | null} lookup
 * @param {number} now
 * @returns {boolean} whether a row newly passed its target (the lists should be drawn again)
 */
export function tickRows(container, lookup, now) {
  let crossed = false;
  for (const cell of container.querySelectorAll('.q-wait')) {
    const el = /** @type {HTMLElement} */ (cell);
    const call = lookup(Number(el.dataset.callId));
    if (!call) continue;
    const facts = waitFacts(call, now, true);
    if (facts.breached !== el.classList.contains('q-wait-breached')) crossed = true;
    const text = el.querySelector('.q-wait-text');
    if (text) replace(/** @type {HTMLElement} */ (text), facts.text);
  }
  return crossed;
}
