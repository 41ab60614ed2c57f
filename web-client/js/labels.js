// @ts-check
/**
 * @file The words for the codes the API uses (docs/clinical-rules.md §3, §4 and §8).
 *
 * The codes and the wording come from the triage crate (`carehub-triage/src/urgency/signs.rs`);
 * the API sends codes only, so the client keeps this one copy of the wording. Keep it in step
 * with the crate when a code is added.
 */

/** @typedef {{code: string, label: string, question: string}} RedFlag */
/** @typedef {{code: string, label: string}} SoftSign */

/** The red-flag questions, in the order the tablet asks them. @type {readonly RedFlag[]} */
export const RED_FLAGS = Object.freeze([
  { code: 'not_breathing', label: 'Not breathing normally', question: 'Is the resident not breathing, or not breathing normally?' },
  { code: 'unresponsive', label: 'Unresponsive', question: 'Is the resident unresponsive?' },
  { code: 'choking', label: 'Choking', question: 'Is the resident choking?' },
  { code: 'major_bleeding', label: 'Major bleeding', question: 'Is the resident bleeding heavily?' },
  { code: 'fitting', label: 'Fitting', question: 'Is the resident fitting now?' },
  { code: 'stroke', label: 'Suspected stroke', question: 'Could the resident be having a stroke (face drooping, arm weakness, speech problems)?' },
  { code: 'chest_pain', label: 'Chest pain', question: 'Does the resident have chest pain?' },
  { code: 'severe_allergic_reaction', label: 'Severe allergic reaction', question: 'Is the resident having a severe allergic reaction?' },
]);

/** Soft signs (RESTORE2), in tablet order. @type {readonly SoftSign[]} */
export const SOFT_SIGNS = Object.freeze([
  { code: 'not_themselves', label: 'Not themselves' },
  { code: 'breathing', label: 'More breathless, chesty, new cough' },
  { code: 'eating_drinking', label: 'Off food or drink' },
  { code: 'temperature', label: 'Shivery, feels hot or cold' },
  { code: 'confusion', label: 'New or worse confusion' },
  { code: 'drowsy', label: 'Sleepier than usual' },
  { code: 'agitated', label: 'Restless, distressed, withdrawn' },
  { code: 'mobility', label: 'Off legs, unsteady, a fall' },
  { code: 'skin', label: 'Pale, cold or mottled' },
  { code: 'bladder_bowels', label: 'Passing less urine, new incontinence, diarrhoea' },
  { code: 'tired', label: 'More tired, no energy' },
  { code: 'pain', label: 'New pain' },
  { code: 'family_concern', label: 'Family or other carers worried' },
]);

/** @param {string} code */
export function softSignLabel(code) {
  return SOFT_SIGNS.find((s) => s.code === code)?.label ?? code.replace(/_/g, ' ');
}

/** @param {string} code */
export function redFlagLabel(code) {
  return RED_FLAGS.find((f) => f.code === code)?.label ?? code.replace(/_/g, ' ');
}

/** How worried staff are. */
export const CONCERNS = Object.freeze([
  { code: 'none', label: 'Not worried', hint: 'Just checking or asking advice' },
  { code: 'worried', label: 'Worried', hint: 'Something is not right' },
  { code: 'very_worried', label: 'Very worried', hint: 'I think they are seriously unwell' },
]);

/** ACVPU, in the words used on the tablet. */
export const ALERTNESS = Object.freeze([
  { code: 'alert', label: 'Alert', hint: 'Awake, talks and responds as usual for them' },
  { code: 'confused', label: 'Confused', hint: 'More muddled than you would expect' },
  { code: 'voice', label: 'Responds to voice only', hint: 'Opens eyes or answers only when spoken to' },
  { code: 'pain', label: 'Responds to pain only', hint: 'Reacts only to a firm touch or pinch' },
  { code: 'unresponsive', label: 'Unresponsive', hint: 'No response at all' },
]);

/** NEWS2 items by API key, with units. */
export const NEWS2_ITEMS = Object.freeze({
  respiration_rate: 'Breathing rate',
  spo2: 'Oxygen level (SpO2)',
  air_or_oxygen: 'Air or oxygen',
  systolic_bp: 'Blood pressure (top number)',
  pulse: 'Pulse',
  consciousness: 'Alertness or new confusion',
  temperature: 'Temperature',
});

/** Words for the NEWS2 band. */
export const BANDS = Object.freeze({ low: 'Low', low_medium: 'Low-medium', medium: 'Medium', high: 'High' });

/** Call states in plain words, for care staff. */
export const CALL_STATES = Object.freeze({
  queued: 'Waiting for a nurse',
  claimed: 'A nurse has answered',
  in_consultation: 'On video with the hub',
  wrap_up: 'The nurse is writing up the plan',
  closed: 'Finished',
  cancelled: 'Cancelled',
  abandoned: 'Closed without an answer',
});

// ---- outcomes (docs/clinical-rules.md §8); matches carehub-triage/src/outcome.rs; keep in step

/** @typedef {'yes' | 'no' | 'pending' | 'per_follow_up' | 'not_applicable'} Remained */
/** @typedef {{code: string, label: string, remained: Remained}} OutcomeInfo */

/** Every outcome code, in the order of docs/clinical-rules.md §8. @type {readonly OutcomeInfo[]} */
export const OUTCOMES = Object.freeze([
  { code: 'ADV', label: 'Advice or reassurance only', remained: 'yes' },
  { code: 'TIH', label: 'Treatment plan delivered in the home by staff', remained: 'yes' },
  { code: 'RXH', label: 'Medicine started or changed remotely', remained: 'yes' },
  { code: 'GPV', label: 'Referred to own GP, phone or video', remained: 'yes' },
  { code: 'GPH', label: 'GP home visit requested', remained: 'yes' },
  { code: 'UCR', label: 'Urgent community response (2-hour) or community nursing', remained: 'yes' },
  { code: 'OTH', label: 'Other community service (palliative, mental health, falls)', remained: 'yes' },
  { code: 'OOH', label: 'Passed to NHS 111 or out-of-hours GP', remained: 'pending' },
  { code: 'EOL', label: 'End-of-life plan enacted, comfort care in place', remained: 'yes' },
  { code: 'AMB', label: '999 ambulance requested', remained: 'per_follow_up' },
  { code: 'EDS', label: 'Advised to attend ED by other transport', remained: 'no' },
  { code: 'ADM', label: 'Direct admission', remained: 'no' },
  { code: 'DEX', label: 'Expected death, verification arranged', remained: 'not_applicable' },
  { code: 'DUX', label: 'Unexpected death, 999 and coroner route', remained: 'not_applicable' },
  { code: 'ABN', label: 'Abandoned, technical failure or duplicate', remained: 'not_applicable' },
]);
