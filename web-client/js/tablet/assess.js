// @ts-check
/**
 * @file Care staff: the emergency questions first, then the RESTORE2-style form with the live
 * score, then "Call the hub".
 */

import * as api from '../api.js';
import { h, replace, avatar, residentNames, notice } from '../ui.js';
import { RED_FLAGS, redFlagLabel } from '../labels.js';
import { draftFor, forgetDraft, rememberCall, toAssessment } from './draft.js';
import { assessmentForm, radioCards } from './assessment-form.js';
import { scorer, triagePanel } from './triage-preview.js';

/** @typedef {import('../types.js').ResidentView} ResidentView */
/** @typedef {import('../types.js').CarePlanView} CarePlanView */
/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('./draft.js').Draft} Draft */

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const residentId = Number(ctx.params.residentId);
  const controller = new AbortController();
  /** @type {Array<() => void>} */
  const cleanups = [() => controller.abort()];

  replace(root, h('section', { class: 'screen' }, h('p', { class: 'loading' }, 'Loading the resident…')));

  Promise.all([
    api.get(`/api/residents/${residentId}`, { signal: controller.signal }),
    api.get(`/api/residents/${residentId}/care-plan`, { signal: controller.signal }),
  ]).then(
    ([resident, carePlan]) => {
      const page = new AssessPage(root, ctx, /** @type {ResidentView} */ (resident), /** @type {CarePlanView} */ (carePlan));
      cleanups.push(() => page.destroy());
    },
    (error) => {
      if (controller.signal.aborted) return;
      const missing = error instanceof api.ApiError && error.status === 404;
      replace(root, h('section', { class: 'screen narrow' },
        h('h1', null, missing ? 'Resident not found' : 'The resident did not load'),
        notice('warning', missing ? 'This resident is not on the list for your home.' : (error?.message ?? 'Please try again.')),
        h('a', { class: 'btn btn-secondary', href: '#/residents' }, 'Back to residents')));
    },
  );
  return () => cleanups.forEach((fn) => fn());
}

class AssessPage {
  /**
   * @param {HTMLElement} root
   * @param {import('../app.js').ScreenContext} ctx
   * @param {ResidentView} resident
   * @param {CarePlanView} carePlan
   */
  constructor(root, ctx, resident, carePlan) {
    this.root = root;
    this.ctx = ctx;
    this.resident = resident;
    this.carePlan = carePlan;
    this.draft = draftFor(resident.id);
    this.dial999 = h('div', { class: 'dial-999-slot' });
    this.body = h('div', { class: 'assess-body' });
    this.calling = false;
    this.scorer = scorer((result) => {
      if ('view' in result) {
        this.panel?.show(result.view);
        this.form?.showError(null);
      } else if (result.error.status === 422) {
        this.form?.showError(result.error.field ?? null, result.error.message);
        this.panel?.problem(`Check the highlighted answer: ${result.error.message}`);
      } else {
        this.panel?.problem(result.error.isNetwork ? api.UNREACHABLE_MESSAGE : result.error.message);
      }
    }, () => this.panel?.pending());
    /** @type {import('./triage-preview.js').TriagePanel | null} */
    this.panel = null;
    /** @type {import('./assessment-form.js').AssessmentForm | null} */
    this.form = null;

    replace(root, h('section', { class: 'screen assess' },
      h('a', { class: 'back-link', href: '#/residents' }, '‹ Residents'),
      residentHeader(resident, carePlan),
      this.dial999,
      this.body));
    this.renderDial999();
    if (this.draft.redFlagsDone) this.showForm();
    else this.showRedFlags();
  }

  destroy() {
    this.scorer.cancel();
  }

  get scoringContext() {
    const baseline = this.carePlan.summary?.baseline;
    return { spo2Scale: baseline?.spo2_scale ?? 1, baselineNews2: baseline?.usual_news2 ?? null };
  }

  get yesFlags() {
    return RED_FLAGS.filter((f) => this.draft.redFlags[f.code] === 'yes');
  }

  renderDial999() {
    const flags = this.yesFlags;
    if (!flags.length) {
      this.dial999.replaceChildren();
      return;
    }
    // Compact once they have moved on to the form, so it stays in view without hiding it.
    replace(this.dial999, h('div', { class: ['dial-999', this.draft.redFlagsDone && 'dial-999-compact'], role: 'alert' },
      h('p', { class: 'dial-999-title' }, 'Dial 999 now'),
      h('p', { class: 'dial-999-text' }, `Tell them: ${flags.map((f) => f.label.toLowerCase()).join(', ')}. Stay with the resident and follow the call handler.`),
      h('p', { class: 'dial-999-text' }, 'Then call the hub as well: a nurse will support you while the ambulance comes.'),
      h('button', { type: 'button', class: 'btn btn-light btn-large', onclick: () => this.callHub(true) }, 'Call the hub now')));
  }

  showRedFlags() {
    const error = h('p', { class: 'form-error', 'aria-live': 'assertive' });
    const questions = RED_FLAGS.map((flag) => radioCards(`rf-${flag.code}`, flag.question, [
      { value: 'yes', label: 'Yes' },
      { value: 'no', label: 'No' },
    ], this.draft.redFlags[flag.code] ?? '', (value) => {
      this.draft.redFlags[flag.code] = /** @type {'yes' | 'no'} */ (value);
      error.replaceChildren();
      this.renderDial999();
    }, 'red-flag-question'));

    const next = () => {
      if (RED_FLAGS.some((f) => !this.draft.redFlags[f.code])) {
        replace(error, 'Answer every question, or tap “No to all of these”.');
        return;
      }
      this.draft.redFlagsDone = true;
      this.renderDial999();
      this.showForm();
    };
    replace(this.body, h('section', { class: 'red-flags', 'aria-labelledby': 'rf-title' },
      h('h2', { id: 'rf-title' }, 'Is there an emergency?'),
      h('p', { class: 'section-hint' }, 'Answer these first. If any answer is yes, dial 999 straight away.'),
      h('div', { class: 'red-flag-list' }, questions),
      error,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-secondary btn-large', onclick: () => {
          for (const f of RED_FLAGS) if (!this.draft.redFlags[f.code]) this.draft.redFlags[f.code] = 'no';
          next();
        } }, 'No to all of these'),
        h('button', { type: 'button', class: 'btn btn-primary btn-large', onclick: next }, 'Continue'))));
  }

  showForm() {
    const callButton = h('button', { type: 'button', class: 'btn btn-call btn-large btn-block', onclick: () => this.callHub(false) }, 'Call the hub');
    this.callError = h('p', { class: 'form-error', 'aria-live': 'assertive' });
    // Offered, never in the way: a worried carer should not have to test anything first.
    const check = h('a', { class: 'preview-check', href: `#/check/${this.resident.id}` }, 'Not sure the video will work? Check the connection first');
    this.panel = triagePanel({ actions: h('div', { class: 'preview-actions' }, this.callError, callButton, check) });
    this.form = assessmentForm(this.draft, {
      idPrefix: 'a',
      carePlan: this.carePlan,
      onChange: () => this.rescore(),
    });
    const flags = this.yesFlags;
    const summary = h('div', { class: 'red-flag-summary' },
      h('p', null, h('strong', null, 'Emergency questions: '),
        flags.length ? `yes to ${flags.map((f) => f.label.toLowerCase()).join(', ')}` : 'no to all'),
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
        this.draft.redFlagsDone = false;
        this.renderDial999();
        this.scorer.cancel();
        this.showRedFlags();
      } }, 'Change answers'));
    replace(this.body, h('div', { class: 'assess-layout' },
      h('div', { class: 'assess-main' }, summary, this.form.element),
      this.panel.element));
    this.rescore();
    window.scrollTo(0, 0);
  }

  rescore() {
    if (!this.form) return;
    if (this.form.hasLocalErrors()) {
      this.panel?.problem('Some numbers need checking (highlighted).');
    }
    this.scorer.schedule(toAssessment(this.draft, this.scoringContext));
  }

  /**
   * Creates the call. In an emergency the situation line may be empty: it is filled in for them.
   * @param {boolean} emergency
   */
  async callHub(emergency) {
    if (this.calling) return;
    const draft = this.draft;
    let situation = draft.situation.trim();
    if (!situation && (emergency || this.yesFlags.length)) {
      situation = `Emergency: ${this.yesFlags.map((f) => redFlagLabel(f.code).toLowerCase()).join(', ')}. Staff told to dial 999.`;
    }
    if (!emergency) {
      if (this.form?.hasLocalErrors()) {
        this.showCallError('Some numbers need checking before you call (highlighted).');
        return;
      }
      if (!situation) {
        this.form?.showError('situation', 'Say in one line what you are seeing.');
        this.form?.focusField('situation');
        this.showCallError('Say in one line what you are seeing, then call.');
        return;
      }
    }
    this.calling = true;
    this.showCallError('');
    try {
      /** @type {CallView} */
      const call = await api.post('/api/calls', {
        resident_id: this.resident.id,
        situation: situation.slice(0, 280),
        assessment: toAssessment(draft, this.scoringContext),
      });
      rememberCall(call);
      forgetDraft(this.resident.id);
      this.ctx.navigate(`/call/${call.id}`);
    } catch (error) {
      this.calling = false;
      if (!(error instanceof api.ApiError)) throw error;
      if (error.status === 422 && error.field) {
        if (!this.form) this.showForm();
        this.form?.showError(error.field, error.message);
        this.form?.focusField(error.field);
      }
      this.showCallError(error.isNetwork ? `${api.UNREACHABLE_MESSAGE}. If the resident is getting worse, dial 999.` : error.message);
    }
  }

  /** @param {string} message */
  showCallError(message) {
    if (this.callError) replace(this.callError, message || null);
    else if (message) replace(this.dial999, notice('danger', 'The call did not go through', h('p', null, message)));
  }
}

/**
 * Who this is about, with what the hub will need from the care plan.
 * @param {ResidentView} resident
 * @param {CarePlanView} carePlan
 */
function residentHeader(resident, carePlan) {
  const names = residentNames(resident);
  const plan = carePlan.summary;
  /** @type {HTMLElement[]} */
  const facts = [];
  if (!plan) {
    facts.push(h('li', { class: 'fact fact-warning' }, 'No care plan: CPR status unknown'));
  } else {
    const ep = plan.emergency_plan;
    const cpr = { recommended: 'CPR: recommended', not_recommended: 'CPR: not recommended', unknown: 'CPR status unknown' }[ep.cpr];
    facts.push(h('li', { class: ['fact', ep.cpr === 'unknown' && 'fact-warning'] }, cpr));
    if (ep.end_of_life) facts.push(h('li', { class: 'fact' }, 'Recognised as end of life'));
    if (plan.baseline.spo2_scale === 2) facts.push(h('li', { class: 'fact' }, `Oxygen target ${plan.baseline.spo2_target || '88-92%'} (scale 2)`));
    if (plan.baseline.dementia) facts.push(h('li', { class: 'fact' }, 'Has dementia'));
    if (carePlan.stale?.emergency_plan) facts.push(h('li', { class: 'fact fact-warning' }, 'Emergency plan review overdue'));
  }
  return h('header', { class: 'resident-header' },
    avatar(resident.initials, 'large'),
    h('div', { class: 'resident-header-text' },
      h('h1', null, names.full),
      h('p', { class: 'resident-meta' }, [names.knownAs ? `Known as ${names.knownAs}` : null, `Room ${resident.room}`, `${resident.age} years`].filter(Boolean).join(' · ')),
      h('ul', { class: 'facts', 'aria-label': 'From the care plan' }, facts)));
}
