// @ts-check
/**
 * @file The RESTORE2-style form: soft signs, observations, alertness and new confusion, how
 * worried staff are, and the situation line. Used on the assess screen and, without the
 * situation, in "add observations" while a call waits.
 *
 * The form edits a Draft in place and calls `onChange` after every edit; the caller scores it
 * with the server. Field errors from the server (422 with a dotted `field`) are shown next to
 * the field by `showError`.
 */

import { h, replace } from '../ui.js';
import { SOFT_SIGNS, CONCERNS, ALERTNESS } from '../labels.js';
import { parseNumber } from './draft.js';

/** @typedef {import('./draft.js').Draft} Draft */
/** @typedef {import('./draft.js').ObsKey} ObsKey */
/** @typedef {import('../types.js').CarePlanView} CarePlanView */

/**
 * @typedef {object} ObsField
 * @property {ObsKey} key
 * @property {string} label
 * @property {string} unit
 * @property {'numeric' | 'decimal'} inputmode
 * @property {string} example
 * @property {string} [usualKey]  Key in the care plan's usual_vitals.
 */

/** @type {ObsField[]} */
const OBS_FIELDS = [
  { key: 'respiration_rate', label: 'Breathing rate', unit: 'breaths a minute', inputmode: 'numeric', example: '18' },
  { key: 'spo2', label: 'Oxygen level (SpO2)', unit: '%', inputmode: 'numeric', example: '96' },
  { key: 'systolic_bp', label: 'Blood pressure, top number', unit: 'mmHg', inputmode: 'numeric', example: '128' },
  { key: 'pulse', label: 'Pulse', unit: 'beats a minute', inputmode: 'numeric', example: '80' },
  { key: 'temperature_c', label: 'Temperature', unit: '°C', inputmode: 'decimal', example: '37.2' },
];

/**
 * @typedef {object} AssessmentForm
 * @property {HTMLElement} element
 * @property {(field: string | null, message?: string) => void} showError  Shows a server error
 *   at the field it names (`observations.pulse`, `situation`); null clears every server error.
 * @property {() => boolean} hasLocalErrors  Something typed is not a number.
 * @property {(key: string) => void} focusField
 */

/**
 * @param {Draft} draft Edited in place.
 * @param {object} options
 * @param {string} options.idPrefix Keeps ids unique when two forms are on the page.
 * @param {CarePlanView | null} options.carePlan
 * @param {() => void} options.onChange
 * @param {boolean} [options.situation] Include the situation line (default true).
 * @returns {AssessmentForm}
 */
export function assessmentForm(draft, options) {
  const p = options.idPrefix;
  /** @type {Map<string, {input: HTMLElement, error: HTMLElement}>} */
  const fields = new Map();
  const changed = () => options.onChange();

  const element = h(
    'div',
    { class: 'assessment-form' },
    softSignsSection(draft, p, changed),
    observationsSection(draft, p, options.carePlan, fields, changed),
    concernSection(draft, p, changed),
    options.situation === false ? null : situationSection(draft, p, fields, changed),
  );

  return {
    element,
    showError(field, message) {
      for (const [key, f] of fields) {
        if (field === null || `observations.${key}` === field || key === field) {
          const show = field !== null && Boolean(message);
          f.input.setAttribute('aria-invalid', show ? 'true' : 'false');
          replace(f.error, show ? message : null);
          f.error.hidden = !show;
        }
      }
    },
    hasLocalErrors() {
      return OBS_FIELDS.some((f) => Number.isNaN(parseNumber(draft.obs[f.key])));
    },
    focusField(key) {
      fields.get(key.replace(/^observations\./, ''))?.input.focus();
    },
  };
}

/**
 * @param {Draft} draft
 * @param {string} p
 * @param {() => void} changed
 */
function softSignsSection(draft, p, changed) {
  const buttons = SOFT_SIGNS.map((sign) => {
    const button = h(
      'button',
      { type: 'button', class: 'toggle', 'aria-pressed': String(draft.softSigns.has(sign.code)), dataset: { code: sign.code } },
      h('span', { class: 'toggle-mark', 'aria-hidden': 'true' }),
      h('span', { class: 'toggle-label' }, sign.label),
    );
    button.addEventListener('click', () => {
      const on = !draft.softSigns.has(sign.code);
      if (on) draft.softSigns.add(sign.code);
      else draft.softSigns.delete(sign.code);
      button.setAttribute('aria-pressed', String(on));
      changed();
    });
    return button;
  });
  return h(
    'section',
    { class: 'form-section', 'aria-labelledby': `${p}-soft-title` },
    h('h2', { id: `${p}-soft-title` }, 'What have you noticed?'),
    h('p', { class: 'section-hint' }, 'Tap everything that is new or different today.'),
    h('div', { class: 'toggle-grid', role: 'group', 'aria-labelledby': `${p}-soft-title` }, buttons),
  );
}

/**
 * @param {Draft} draft
 * @param {string} p
 * @param {CarePlanView | null} carePlan
 * @param {Map<string, {input: HTMLElement, error: HTMLElement}>} fields
 * @param {() => void} changed
 */
function observationsSection(draft, p, carePlan, fields, changed) {
  const baseline = carePlan?.summary?.baseline;
  const usual = baseline?.usual_vitals ?? {};
  const grid = h('div', { class: 'obs-grid' });
  for (const f of OBS_FIELDS) {
    const id = `${p}-${f.key}`;
    const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
    const usualValue = usual[f.key];
    const hintText = [
      usualValue !== undefined && usualValue !== null ? `Usual for them: ${usualValue}` : null,
      f.key === 'spo2' && baseline?.spo2_scale === 2 ? `Scale 2: target ${baseline.spo2_target || '88-92%'}` : null,
    ].filter(Boolean).join('. ');
    const hint = hintText ? h('p', { id: `${id}-hint`, class: 'field-hint' }, hintText) : null;
    const input = h('input', {
      id, class: 'input input-number', type: 'text', inputmode: f.inputmode, autocomplete: 'off',
      pattern: f.inputmode === 'numeric' ? '[0-9]*' : null, placeholder: f.example, value: draft.obs[f.key],
      'aria-describedby': [hint ? `${id}-hint` : '', `${id}-unit`, `${id}-error`].filter(Boolean).join(' '),
    });
    input.addEventListener('input', () => {
      draft.obs[f.key] = input.value;
      const bad = Number.isNaN(parseNumber(input.value));
      input.setAttribute('aria-invalid', String(bad));
      replace(error, bad ? `Enter a number, like ${f.example}` : null);
      error.hidden = !bad;
      changed();
    });
    fields.set(f.key, { input, error });
    grid.append(
      h(
        'div',
        { class: ['field', 'obs-field', f.key === 'spo2' && baseline?.spo2_scale === 2 && 'obs-scale2'] },
        h('label', { for: id }, f.label),
        hint,
        h('div', { class: 'input-with-unit' }, input, h('span', { id: `${id}-unit`, class: 'unit' }, f.unit)),
        error,
      ),
    );
  }

  grid.append(
    radioCards(`${p}-oxygen`, 'Breathing', [
      { value: 'air', label: 'On air', hint: 'No oxygen' },
      { value: 'oxygen', label: 'On oxygen', hint: 'Any supplemental oxygen' },
    ], draft.onOxygen === null ? '' : draft.onOxygen ? 'oxygen' : 'air', (value) => {
      draft.onOxygen = value === 'oxygen';
      changed();
    }, 'obs-wide'),
  );

  const confusion = confusionQuestion(draft, p, baseline, changed);
  const alertness = radioCards(`${p}-alertness`, 'How alert are they?', ALERTNESS.map((a) => ({ value: a.code, label: a.label, hint: a.hint })), draft.alertness, (value) => {
    draft.alertness = /** @type {Draft['alertness']} */ (value);
    confusion.hidden = value !== 'confused';
    changed();
  }, 'obs-wide');
  confusion.hidden = draft.alertness !== 'confused';

  return h(
    'section',
    { class: 'form-section', 'aria-labelledby': `${p}-obs-title` },
    h('h2', { id: `${p}-obs-title` }, 'Observations, if you have them'),
    h('p', { class: 'section-hint' }, 'Leave blank anything you could not measure. Do not wait for observations if you are worried.'),
    grid,
    alertness,
    confusion,
  );
}

/**
 * @param {Draft} draft
 * @param {string} p
 * @param {import('../types.js').Baseline | undefined} baseline
 * @param {() => void} changed
 */
function confusionQuestion(draft, p, baseline, changed) {
  const usual = baseline?.cognition
    ? h('p', { class: 'usual-box' }, h('strong', null, 'Usually: '), baseline.cognition)
    : h('p', { class: 'field-hint' }, 'There is no note of how they usually are. If you are not sure, say "Not sure".');
  return h(
    'div',
    { class: 'confusion-question' },
    usual,
    radioCards(`${p}-confusion-new`, 'Is this confusion new, or worse than usual?', [
      { value: 'yes', label: 'Yes, new or worse' },
      { value: 'no', label: 'No, this is usual for them' },
      { value: 'unsure', label: 'Not sure' },
    ], draft.confusionNew, (value) => {
      draft.confusionNew = /** @type {Draft['confusionNew']} */ (value);
      changed();
    }),
  );
}

/**
 * @param {Draft} draft
 * @param {string} p
 * @param {() => void} changed
 */
function concernSection(draft, p, changed) {
  return h(
    'section',
    { class: 'form-section', 'aria-labelledby': `${p}-concern-title` },
    h('h2', { id: `${p}-concern-title` }, 'How worried are you?'),
    h('p', { class: 'section-hint' }, 'Your worry counts, whatever the numbers say.'),
    radioCards(`${p}-concern`, 'How worried are you?', CONCERNS.map((c) => ({ value: c.code, label: c.label, hint: c.hint })), draft.concern, (value) => {
      draft.concern = /** @type {Draft['concern']} */ (value);
      changed();
    }, 'concern-cards', true),
  );
}

/**
 * @param {Draft} draft
 * @param {string} p
 * @param {Map<string, {input: HTMLElement, error: HTMLElement}>} fields
 * @param {() => void} changed
 */
function situationSection(draft, p, fields, changed) {
  const id = `${p}-situation`;
  const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  const input = h('input', {
    id, class: 'input', type: 'text', maxlength: 280, autocomplete: 'off', value: draft.situation,
    'aria-describedby': `${id}-hint ${id}-error`,
  });
  input.addEventListener('input', () => {
    draft.situation = input.value;
    changed();
  });
  fields.set('situation', { input, error });
  return h(
    'section',
    { class: 'form-section', 'aria-labelledby': `${p}-situation-title` },
    h('h2', { id: `${p}-situation-title` }, 'In one line, what is happening?'),
    h('div', { class: 'field' },
      h('label', { for: id, class: 'visually-hidden' }, 'In one line, what is happening?'),
      h('p', { id: `${id}-hint`, class: 'field-hint' }, 'For example: "Not herself since lunch, off her food and sleepier than usual."'),
      input,
      error,
    ),
  );
}

/**
 * A group of large radio buttons.
 * @param {string} name
 * @param {string} legend
 * @param {{value: string, label: string, hint?: string}[]} choices
 * @param {string} selected
 * @param {(value: string) => void} onSelect
 * @param {string} [extraClass]
 * @param {boolean} [hideLegend] The section heading already says it.
 */
export function radioCards(name, legend, choices, selected, onSelect, extraClass, hideLegend = false) {
  return h(
    'fieldset',
    { class: ['radio-cards', extraClass] },
    h('legend', { class: hideLegend ? 'visually-hidden' : null }, legend),
    h('div', { class: 'radio-card-row' }, choices.map((choice) => {
      const id = `${name}-${choice.value}`;
      const input = h('input', { type: 'radio', id, name, value: choice.value, checked: choice.value === selected, class: 'radio-card-input' });
      input.addEventListener('change', () => input.checked && onSelect(choice.value));
      return h(
        'div',
        { class: 'radio-card' },
        input,
        h('label', { for: id }, h('span', { class: 'radio-card-label' }, choice.label), choice.hint ? h('span', { class: 'radio-card-hint' }, choice.hint) : null),
      );
    })),
  );
}
