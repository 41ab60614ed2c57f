// @ts-check
/**
 * @file The end of a call: the hub nurse records one outcome (docs/clinical-rules.md §8), the plan
 * in plain words for the care home, when to re-observe, and the clinicians involved
 * (`POST /api/calls/{id}/outcome`). The home's tablet shows the plan as soon as it is saved.
 */

import * as api from '../api.js';
import { h, replace } from '../ui.js';
import { OUTCOMES } from '../labels.js';

/** @typedef {import('../types.js').CallView} CallView */


/**
 * The value of a datetime-local input for a time, in the browser's zone.
 * @param {Date} date
 */
function localInputValue(date) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * @param {object} options
 * @param {CallView} options.call
 * @param {{id: number, name: string, joined: boolean}[]} options.clinicians Clinicians invited to or seen in the call.
 * @param {string} options.notes The nurse's notes, offered as a start for the plan.
 * @param {(call: CallView) => void} options.onDone Called with the closed call.
 * @returns {HTMLElement}
 */
export function outcomeForm(options) {
  const { call } = options;
  const who = call.resident.preferred_name || call.resident.given_name;
  const error = h('p', { class: 'form-error', role: 'alert' });
  const outcomeError = h('p', { class: 'field-error', id: 'oc-outcome-error', hidden: true });
  const planError = h('p', { class: 'field-error', id: 'oc-plan-error', hidden: true });
  const timeError = h('p', { class: 'field-error', id: 'oc-reobserve-error', hidden: true });

  const radios = OUTCOMES.map((o) =>
    h(
      'div',
      { class: 'oc-choice' },
      h('input', { type: 'radio', name: 'outcome', id: `oc-${o.code}`, value: o.code, class: 'oc-radio' }),
      h('label', { for: `oc-${o.code}` }, h('span', { class: 'oc-code' }, o.code), ' ', o.label),
    ),
  );
  const plan = h('textarea', { id: 'oc-plan', class: 'input oc-plan', rows: 6, maxlength: 4000, required: true, 'aria-describedby': 'oc-plan-hint oc-plan-error' });
  const copyNotes = options.notes.trim()
    ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { plan.value = plan.value ? `${plan.value}\n${options.notes.trim()}` : options.notes.trim(); plan.focus(); } }, 'Copy my notes into the plan')
    : null;
  const when = h('input', { type: 'datetime-local', id: 'oc-reobserve', class: 'input oc-when', 'aria-describedby': 'oc-reobserve-hint oc-reobserve-error' });
  /** @param {number} hours */
  const inHours = (hours) => () => {
    when.value = localInputValue(new Date(Date.now() + hours * 3600_000));
  };
  const tomorrow8 = () => {
    const d = new Date();
    d.setDate(d.getDate() + 1);
    d.setHours(8, 0, 0, 0);
    when.value = localInputValue(d);
  };
  const clinicianBoxes = options.clinicians.map((c) =>
    h('div', { class: 'oc-check' },
      h('input', { type: 'checkbox', id: `oc-clin-${c.id}`, value: String(c.id), checked: c.joined }),
      h('label', { for: `oc-clin-${c.id}` }, c.name, c.joined ? '' : ' (invited, did not join)')),
  );
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large' }, 'Record outcome and close the call');

  const form = h(
    'form',
    { class: 'outcome-form', novalidate: true },
    h('fieldset', { class: 'oc-outcomes', 'aria-describedby': 'oc-outcome-error' }, h('legend', null, 'Outcome'), h('div', { class: 'oc-grid' }, ...radios), outcomeError),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'oc-plan' }, `The plan for the care home`),
      h('p', { class: 'field-hint', id: 'oc-plan-hint' }, `In plain words for care staff: what to do for ${who}, what to watch for, and when to call again. They see it on the tablet as soon as you save.`),
      plan,
      copyNotes,
      planError,
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'oc-reobserve' }, 'Re-observe or follow up at'),
      h('p', { class: 'field-hint', id: 'oc-reobserve-hint' }, 'When staff should take a new set of observations. Leave empty if there is nothing to re-check.'),
      h('div', { class: 'oc-when-row' },
        when,
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: inHours(1) }, 'In 1 hour'),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: inHours(4) }, 'In 4 hours'),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: tomorrow8 }, 'Tomorrow 08:00'),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { when.value = ''; } }, 'Clear')),
      timeError,
    ),
    clinicianBoxes.length
      ? h('fieldset', { class: 'oc-clinicians' }, h('legend', null, 'Clinicians involved in the decision'), ...clinicianBoxes)
      : null,
    error,
    h('div', { class: 'actions' }, submit),
  );

  /**
   * @param {HTMLElement} target
   * @param {HTMLElement | null} input
   * @param {string} message
   */
  function showField(target, input, message) {
    target.hidden = false;
    replace(target, message);
    input?.setAttribute('aria-invalid', 'true');
  }

  function clearErrors() {
    for (const e of [outcomeError, planError, timeError]) {
      e.hidden = true;
      e.replaceChildren();
    }
    plan.removeAttribute('aria-invalid');
    when.removeAttribute('aria-invalid');
    error.replaceChildren();
  }

  // An error goes as soon as the person fixes its field.
  form.addEventListener('change', (event) => {
    if (/** @type {HTMLElement} */ (event.target).matches('.oc-radio')) outcomeError.hidden = true;
  });
  plan.addEventListener('input', () => {
    planError.hidden = true;
    plan.removeAttribute('aria-invalid');
  });
  when.addEventListener('input', () => {
    timeError.hidden = true;
    when.removeAttribute('aria-invalid');
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="outcome"]:checked'));
    const text = plan.value.trim();
    let reobserve = null;
    if (when.value) {
      const at = new Date(when.value);
      if (Number.isNaN(at.getTime())) {
        showField(timeError, when, 'Enter a date and time, or clear the field.');
      } else {
        reobserve = at.toISOString();
      }
    }
    if (!chosen) showField(outcomeError, null, 'Choose the outcome of the call.');
    if (!text) showField(planError, plan, 'Write the plan for the care home.');
    if (!chosen || !text || !timeError.hidden) {
      const first = !chosen ? form.querySelector('.oc-radio') : !text ? plan : when;
      /** @type {HTMLElement | null} */ (first)?.focus();
      return;
    }
    const clinicians = [...form.querySelectorAll('.oc-clinicians input:checked')].map((i) => Number(/** @type {HTMLInputElement} */ (i).value));
    submit.disabled = true;
    replace(submit, 'Saving…');
    try {
      /** @type {CallView} */
      const closed = await api.post(`/api/calls/${call.id}/outcome`, { outcome: chosen.value, plan: text, reobserve_at: reobserve, clinicians });
      options.onDone(closed);
    } catch (e) {
      submit.disabled = false;
      replace(submit, 'Record outcome and close the call');
      if (!(e instanceof api.ApiError)) throw e;
      if (e.status === 422 && e.field === 'plan') showField(planError, plan, e.message);
      else if (e.status === 422 && e.field === 'reobserve_at') showField(timeError, when, e.message);
      else if (e.status === 422 && e.field === 'outcome') showField(outcomeError, null, e.message);
      replace(error, e.status === 409 ? 'This call is no longer yours to close: another nurse or the care home changed it. Go back to the queue.' : e.message);
    }
  });
  return form;
}
