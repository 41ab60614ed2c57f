// @ts-check
/**
 * @file A call as the live queue shows it (CallView), rebuilt from its full record: screens that
 * open a call no longer in the live queue (a tablet after a reload, a nurse after the outcome, a
 * clinician joining late) show it the same way as a live one.
 */

import { LEVEL_NAMES } from './ui.js';

/** @typedef {import('./types.js').CallView} CallView */
/** @typedef {import('./types.js').CallDetail} CallDetail */

/**
 * A CallView-shaped stand-in built from the full record, for a call no longer in the live queue.
 * @param {CallDetail} d
 * @returns {CallView}
 */
export function viewFromDetail(d) {
  return {
    id: d.id, state: d.state, level: d.level, level_name: LEVEL_NAMES[/** @type {keyof typeof LEVEL_NAMES} */ (d.level)] ?? d.triage.level_name, assigned_level: d.level,
    breaches: d.breaches, target_seconds: d.triage.target_answer_seconds, next_deadline: null,
    arrived_at: d.arrived_at, answered_at: d.answered_at ?? null, position: null, resident: d.resident,
    care_home: d.care_home, news2: d.triage.news2, reasons: d.triage.reasons,
    soft_signs: d.assessment.soft_signs ?? [], red_flags: d.assessment.red_flags ?? [],
    concern: d.assessment.concern ?? 'none', situation: d.situation, dial_999: d.triage.dial_999,
    holder: d.holder ?? null, invited: [], care_plan_version: d.care_plan.version ?? null,
  };
}
