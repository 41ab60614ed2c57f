// @ts-check
/**
 * @file The live score panel: NEWS2, the level and the reasons, from `POST /api/triage/score`.
 * The client never scores anything itself; it shows what the server says, a moment after
 * staff stop typing.
 */

import * as api from '../api.js';
import { h, replace, levelBadge, formatDuration } from '../ui.js';

/** @typedef {import('../types.js').TriageView} TriageView */
/** @typedef {import('../types.js').AssessmentInput} AssessmentInput */

const DEBOUNCE_MS = 250;

/**
 * @typedef {object} Scorer
 * @property {(input: AssessmentInput) => void} schedule  Scores after a short pause in typing.
 * @property {() => void} cancel
 */

/**
 * Debounced scoring. Only the newest answer is reported: older requests are aborted.
 * @param {(result: {view: TriageView} | {error: api.ApiError}) => void} onResult
 * @param {() => void} [onPending] Called when a new score is on its way.
 * @returns {Scorer}
 */
export function scorer(onResult, onPending) {
  /** @type {AbortController | null} */
  let inFlight = null;
  /** @type {number | undefined} */
  let timer;
  return {
    schedule(input) {
      window.clearTimeout(timer);
      onPending?.();
      timer = window.setTimeout(async () => {
        inFlight?.abort();
        const controller = new AbortController();
        inFlight = controller;
        try {
          /** @type {TriageView} */
          const view = await api.post('/api/triage/score', input, { signal: controller.signal });
          if (inFlight === controller) onResult({ view });
        } catch (error) {
          if (inFlight !== controller) return;
          if (error instanceof api.ApiError && error.code !== 'aborted') onResult({ error });
        }
      }, DEBOUNCE_MS);
    },
    cancel() {
      window.clearTimeout(timer);
      inFlight?.abort();
      inFlight = null;
    },
  };
}

/**
 * @typedef {object} TriagePanel
 * @property {HTMLElement} element
 * @property {(view: TriageView) => void} show
 * @property {() => void} pending
 * @property {(message: string) => void} problem
 */

/**
 * The panel. `actions` (the call button) sit at its foot.
 * @param {{heading?: string, actions?: HTMLElement | null}} [options]
 * @returns {TriagePanel}
 */
export function triagePanel(options = {}) {
  const level = h('div', { class: 'preview-level' }, h('p', { class: 'preview-empty' }, 'The level appears here as you fill in the form.'));
  const news2 = h('p', { class: 'preview-news2' });
  const target = h('p', { class: 'preview-target' });
  const reasons = h('ul', { class: 'preview-reasons' });
  const status = h('p', { class: 'preview-status', 'aria-live': 'polite' });
  const element = h(
    'aside',
    { class: 'preview', 'aria-labelledby': 'preview-title' },
    h('h2', { id: 'preview-title', class: 'preview-title' }, options.heading ?? 'Urgency'),
    level,
    news2,
    target,
    h('div', { class: 'preview-reasons-wrap' }, h('p', { class: 'preview-why' }, 'Why:'), reasons),
    status,
    options.actions ?? null,
  );
  element.dataset.state = 'empty';

  return {
    element,
    show(view) {
      delete element.dataset.pending;
      element.dataset.state = 'ok';
      element.dataset.level = view.level;
      replace(level, levelBadge(view.level, { name: view.level_name, size: 'large' }));
      // The server's own words: "NEWS2 6 (Medium)" or "NEWS2 at least 3 (5 of 7 recorded)".
      replace(news2, h('span', { class: 'news2-label' }, view.news2.summary));
      news2.dataset.band = view.news2.band ?? 'partial';
      news2.dataset.summary = view.news2.summary;
      replace(target, `A nurse aims to answer within ${formatDuration(view.target_answer_seconds)}.`);
      replace(reasons, view.reasons.map((r) => h('li', null, r.text)));
      replace(status, null);
    },
    pending() {
      element.dataset.pending = 'true';
    },
    problem(message) {
      delete element.dataset.pending;
      element.dataset.state = 'problem';
      replace(status, message);
    },
  };
}
