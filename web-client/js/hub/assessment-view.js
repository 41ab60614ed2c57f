// @ts-check
/**
 * @file What the care home reported, as the hub nurse and the clinician read it: the situation
 * line, red flags, the NEWS2 breakdown item by item, soft signs, how worried staff are, and why
 * the call has its level. Shared by the hub call screen and the clinician's consultation.
 */

import { h, levelBadge } from '../ui.js';
import { softSignLabel, redFlagLabel, NEWS2_ITEMS, BANDS, CONCERNS } from '../labels.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').CallDetail} CallDetail */
/** @typedef {import('../types.js').ObservationsInput} ObservationsInput */

const CONSCIOUSNESS = Object.freeze({
  alert: 'Alert',
  confusion: 'New or worse confusion (or not known)',
  voice: 'Responds to voice only',
  pain: 'Responds to pain only',
  unresponsive: 'Unresponsive',
});

/**
 * The reading behind a NEWS2 item, in words.
 * @param {string} item
 * @param {ObservationsInput} o
 * @returns {string | null}
 */
function reading(item, o) {
  switch (item) {
    case 'respiration_rate': return o.respiration_rate != null ? `${o.respiration_rate} breaths/min` : null;
    case 'spo2': return o.spo2 != null ? `${o.spo2}%` : null;
    case 'air_or_oxygen': return o.on_oxygen == null ? null : o.on_oxygen ? 'On oxygen' : 'Air';
    case 'systolic_bp': return o.systolic_bp != null ? `${o.systolic_bp} mmHg` : null;
    case 'pulse': return o.pulse != null ? `${o.pulse} beats/min` : null;
    case 'consciousness': return o.consciousness ? CONSCIOUSNESS[/** @type {keyof typeof CONSCIOUSNESS} */ (o.consciousness)] ?? o.consciousness : null;
    case 'temperature': return o.temperature_c != null ? `${o.temperature_c} °C` : null;
    default: return null;
  }
}

/**
 * "NEWS2 6 · Medium" as a compact badge, with the band in words (never colour alone).
 * @param {CallView['news2']} news2
 */
export function news2Badge(news2) {
  if (news2.recorded === 0) return h('span', { class: 'news2 news2-partial' }, h('span', { class: 'news2-band' }, 'No observations'));
  const band = news2.band ? BANDS[news2.band] : null;
  return h(
    'span',
    { class: ['news2', news2.band ? `news2-${news2.band.replace('_', '-')}` : 'news2-partial'] },
    h('span', { class: 'news2-total' }, news2.complete ? `NEWS2 ${news2.total}` : `NEWS2 ≥ ${news2.total}`),
    h('span', { class: 'news2-band' }, band ?? `${news2.recorded} of 7 recorded`),
  );
}

/**
 * The assessment as one section.
 * @param {CallView} call The live call (or a stand-in built from the detail).
 * @param {CallDetail | null} detail The full record, for the readings behind the scores.
 * @param {{headingLevel?: 2 | 3}} [options]
 * @returns {HTMLElement}
 */
export function renderAssessment(call, detail, options = {}) {
  const level = options.headingLevel ?? 2;
  const hTag = /** @type {'h2' | 'h3'} */ (`h${level}`);
  const subTag = /** @type {'h3' | 'h4'} */ (`h${level + 1}`);
  const obs = detail?.assessment.observations ?? {};
  const usual = detail?.care_plan.summary?.baseline.usual_news2;
  const concern = CONCERNS.find((c) => c.code === call.concern)?.label ?? call.concern;

  const rows = Object.entries(NEWS2_ITEMS).map(([key, label]) => {
    const points = call.news2.items[key];
    const value = reading(key, obs);
    return h(
      'tr',
      { class: points === 3 ? 'news2-row-high' : null },
      h('th', { scope: 'row' }, label),
      h('td', null, value ?? (points == null ? 'Not recorded' : '—')),
      h('td', { class: 'news2-points' }, points == null ? '—' : points === 3 ? `${points} (single 3)` : String(points)),
    );
  });

  return h(
    'section',
    { class: 'assessment', 'aria-label': 'Assessment' },
    h(hTag, { class: 'assessment-title' }, 'Assessment'),
    h('blockquote', { class: 'situation' }, h('p', null, call.situation)),
    call.red_flags.length
      ? h(
          'div',
          { class: 'notice notice-danger red-flag-notice' },
          h('p', { class: 'notice-title' }, `Red flag${call.red_flags.length > 1 ? 's' : ''}: ${call.red_flags.map(redFlagLabel).join(', ')}`),
          h('p', null, 'Staff were told to dial 999 now. Support them; do not delay the ambulance.'),
        )
      : null,
    h(
      'div',
      { class: 'assessment-grid' },
      h(
        'div',
        { class: 'assessment-news2' },
        h(subTag, null, 'NEWS2 ', news2Badge(call.news2)),
        h('p', { class: 'hint' }, call.news2.summary, `, SpO2 scale ${call.news2.spo2_scale}`, usual != null ? `. Usual NEWS2 when well: ${usual}` : ''),
        h(
          'table',
          { class: 'news2-table' },
          h('caption', { class: 'visually-hidden' }, 'NEWS2 breakdown'),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Reading'), h('th', { scope: 'col' }, 'Points'))),
          h('tbody', null, ...rows),
          h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'Total'), h('td', null, call.news2.complete ? '' : `${call.news2.recorded} of 7 recorded`), h('td', { class: 'news2-points' }, String(call.news2.total)))),
        ),
      ),
      h(
        'div',
        { class: 'assessment-signs' },
        h(subTag, null, 'Soft signs'),
        call.soft_signs.length ? h('ul', { class: 'sign-list' }, ...call.soft_signs.map((s) => h('li', null, softSignLabel(s)))) : h('p', null, 'None ticked'),
        h(subTag, null, 'How worried staff are'),
        h('p', { class: ['concern', `concern-${call.concern}`] }, concern),
        h(subTag, null, 'Why ', levelBadge(call.level, { name: call.level_name })),
        call.reasons.length
          ? h('ul', { class: 'reason-list' }, ...call.reasons.map((r) => h('li', null, r.text)))
          : h('p', null, 'No rule raised the level.'),
        call.level !== call.assigned_level
          ? h('p', { class: 'hint' }, `Moved up from ${call.assigned_level} after waiting past the target.`)
          : null,
      ),
    ),
  );
}
