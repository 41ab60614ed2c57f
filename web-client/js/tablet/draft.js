// @ts-check
/**
 * @file What staff have typed about a resident, kept in memory only (never in storage: it is
 * clinical information on a shared tablet), so going back to the search and returning keeps
 * it. Forgotten on sign-out and once the call is made.
 *
 * The draft holds what the screen shows (text as typed); `toAssessment()` turns it into the
 * API's AssessmentInput.
 */

import * as session from '../session.js';

/** @typedef {import('../types.js').AssessmentInput} AssessmentInput */
/** @typedef {import('../types.js').ObservationsInput} ObservationsInput */
/** @typedef {import('../types.js').Concern} Concern */
/** @typedef {import('../types.js').CallView} CallView */

/**
 * @typedef {object} Draft
 * @property {Record<string, 'yes' | 'no'>} redFlags  Answers to the red-flag questions.
 * @property {boolean} redFlagsDone  Staff have moved past the emergency questions.
 * @property {Set<string>} softSigns
 * @property {Record<ObsKey, string>} obs  Numbers as typed.
 * @property {boolean | null} onOxygen  null: not said.
 * @property {'' | 'alert' | 'confused' | 'voice' | 'pain' | 'unresponsive'} alertness
 * @property {'' | 'yes' | 'no' | 'unsure'} confusionNew  "Is this confusion new or worse than usual?"
 * @property {Concern | ''} concern
 * @property {string} situation
 */

/** @typedef {'respiration_rate' | 'spo2' | 'systolic_bp' | 'pulse' | 'temperature_c'} ObsKey */

/** @type {Map<number, Draft>} */
const drafts = new Map();
/** Calls this tablet made, as the server answered, so the call screen can show them at once. */
/** @type {Map<number, CallView>} */
const calls = new Map();

session.onChange((current) => {
  if (!current) {
    drafts.clear();
    calls.clear();
  }
});

/** @returns {Draft} */
export function emptyDraft() {
  return {
    redFlags: {},
    redFlagsDone: false,
    softSigns: new Set(),
    obs: { respiration_rate: '', spo2: '', systolic_bp: '', pulse: '', temperature_c: '' },
    onOxygen: null,
    alertness: '',
    confusionNew: '',
    concern: '',
    situation: '',
  };
}

/**
 * The draft for a resident, created when first asked for.
 * @param {number} residentId
 */
export function draftFor(residentId) {
  let draft = drafts.get(residentId);
  if (!draft) drafts.set(residentId, (draft = emptyDraft()));
  return draft;
}

/** @param {number} residentId */
export function forgetDraft(residentId) {
  drafts.delete(residentId);
}

/** @param {CallView} call */
export function rememberCall(call) {
  calls.set(call.id, call);
}

/** @param {number} id */
export function rememberedCall(id) {
  return calls.get(id) ?? null;
}

/**
 * A number as typed: null when empty, NaN when it is not a number.
 * @param {string} text
 */
export function parseNumber(text) {
  const t = text.trim().replace(',', '.');
  if (!t) return null;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
}

/**
 * The consciousness code the score needs, from the alertness answer and the "new or worse?"
 * question: confusion that is new, worse, or not known to be usual scores as new confusion.
 * @param {Draft} draft
 * @returns {import('../types.js').Consciousness | null}
 */
export function consciousnessOf(draft) {
  switch (draft.alertness) {
    case '':
      return null;
    case 'confused':
      return draft.confusionNew === 'no' ? 'alert' : 'confusion';
    default:
      return draft.alertness;
  }
}

/**
 * Builds the API's assessment. Numbers that are not numbers are left out (the form flags them).
 * @param {Draft} draft
 * @param {{spo2Scale?: number, baselineNews2?: number | null}} [context] From the care plan.
 * @returns {AssessmentInput}
 */
export function toAssessment(draft, context = {}) {
  /** @type {ObservationsInput} */
  const observations = {};
  for (const [key, text] of Object.entries(draft.obs)) {
    const value = parseNumber(text);
    if (value !== null && !Number.isNaN(value)) /** @type {any} */ (observations)[key] = value;
  }
  if (draft.onOxygen !== null) observations.on_oxygen = draft.onOxygen;
  const consciousness = consciousnessOf(draft);
  if (consciousness) observations.consciousness = consciousness;
  if (context.spo2Scale) observations.spo2_scale = context.spo2Scale;

  /** @type {AssessmentInput} */
  const input = {
    red_flags: Object.entries(draft.redFlags).filter(([, a]) => a === 'yes').map(([code]) => code),
    soft_signs: [...draft.softSigns],
    concern: draft.concern || 'none',
    observations,
  };
  if (context.baselineNews2 !== undefined && context.baselineNews2 !== null) input.baseline_news2 = context.baselineNews2;
  return input;
}
