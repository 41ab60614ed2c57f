// @ts-check
/**
 * @file Call review (clinicians and hub nurses): one ended call in full, from
 * `GET /api/calls/{id}`: the outcome, the assessment with its NEWS2 breakdown, every event of
 * the timeline, the video connection quality (to tell a bad line from a clinical problem), the
 * care plan as it was attached to the call, follow-up flags and the clinician's sign-off.
 *
 * Only clinicians sign off (the API refuses anyone else), so hub nurses see the sign-off status
 * but no form. Both may add follow-up (conveyed, admitted, died within 72 hours). The record's
 * parts are drawn by record.js.
 */

import * as api from '../api.js';
import { h, replace, notice, announce, residentNames } from '../ui.js';
import { renderCarePlanSummary } from '../care-plan-summary.js';
import { END_STATES, formatDateTime } from './words.js';
import { cameFromList } from './list-state.js';
import { FOLLOW_UP, header, outcomeSection, assessmentSection, timelineSection, qualitySection, photosSection } from './record.js';
import { listPhotos, photoGallery } from '../photos.js';

/** @typedef {import('./record.js').CallDetail} CallDetail */
/** @typedef {import('../ui.js').Child} Child */

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const callId = Number(ctx.params.callId);
  const fromList = cameFromList(callId);
  const isClinician = ctx.session.user.role === 'clinician';
  /** @type {AbortController | null} */
  let inFlight = null;
  /** @type {CallDetail | null} */
  let detail = null;
  /** Built once per load and kept across re-renders: each image it fetches is an audited read. @type {ReturnType<typeof photoGallery> | null} */
  let gallery = null;
  let photosFailed = false;

  const back = h('a', {
    class: 'back-link', href: '#/review',
    onclick: (/** @type {MouseEvent} */ event) => {
      // Back to the same filtered list when we came from it (its filters live in that entry).
      if (fromList) {
        event.preventDefault();
        history.back();
      }
    },
  }, '‹ Back to the list');
  const body = h('div', { class: 'review-detail', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading the call…'));
  replace(root, h('section', { class: 'screen review-call' }, back, h('h1', null, `Call ${Number.isFinite(callId) ? callId : ''}`), body));

  async function load() {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    try {
      detail = /** @type {CallDetail} */ (await api.get(`/api/calls/${encodeURIComponent(ctx.params.callId)}`, { signal: controller.signal }));
      if (inFlight !== controller) return;
      const photos = await listPhotos(detail.id, { signal: controller.signal }).then((list) => list.photos, (error) => {
        if (error instanceof api.ApiError && error.code === 'aborted') throw error;
        return null;
      });
      if (inFlight !== controller) return;
      gallery?.destroy();
      photosFailed = photos === null;
      gallery = photoGallery({ callId: detail.id, photos: photos ?? [], empty: '' });
      render(detail);
    } catch (error) {
      if (inFlight !== controller || !(error instanceof api.ApiError) || error.code === 'aborted') return;
      const missing = error.status === 404 || error.status === 400;
      replace(body, notice('warning', missing ? 'There is no call with this number' : error.isNetwork ? api.UNREACHABLE_MESSAGE : 'The call did not load',
        h('p', null, missing ? 'Go back to the list and choose a call.' : error.message),
        missing ? null : h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => load() }, 'Try again')));
    } finally {
      if (inFlight === controller) {
        body.setAttribute('aria-busy', 'false');
        inFlight = null;
      }
    }
  }

  /** @param {CallDetail} d */
  function render(d) {
    const names = residentNames(d.resident);
    document.title = `Call review: ${names.full} · CareHub`;
    const heading = /** @type {HTMLElement} */ (root.querySelector('h1'));
    replace(heading, names.full, names.knownAs ? h('span', { class: 'rv-known-as' }, ` (known as ${names.knownAs})`) : null);
    replace(body,
      header(d, isClinician),
      h('div', { class: 'detail-layout' },
        h('div', { class: 'detail-main' },
          outcomeSection(d),
          assessmentSection(d),
          gallery ? photosSection(gallery, photosFailed) : null,
          timelineSection(d),
          qualitySection(d)),
        h('div', { class: 'detail-side' },
          signOffSection(d),
          followUpSection(d),
          h('div', { class: 'detail-card rv-snapshot' },
            renderCarePlanSummary(d.care_plan?.summary ?? null, {
              stale: d.care_plan?.stale ?? null,
              version: d.care_plan?.version ?? null,
              title: 'Care plan as attached to the call',
              headingLevel: 2,
              asOf: d.arrived_at,
              note: `The summary the hub saw, as it was on ${formatDateTime(d.arrived_at)}.`,
            })))));
  }

  // ---- sign-off ----

  /** @param {CallDetail} d */
  function signOffSection(d) {
    /** @type {Child[]} */
    const parts = [h('h2', { id: 'sign-off-title' }, 'Sign-off')];
    if (d.sign_off) {
      parts.push(h('div', { class: 'rv-signed', id: 'signed-off', tabindex: '-1' },
        h('p', { class: 'rv-signed-title' }, `Signed off by ${d.sign_off.by.name} on ${formatDateTime(d.sign_off.at)}`),
        d.sign_off.comment
          ? h('blockquote', { class: 'rv-signed-comment' }, h('p', null, d.sign_off.comment))
          : h('p', { class: 'hint' }, 'No comment.')));
    } else if (!['closed', 'cancelled', 'abandoned'].includes(d.state)) {
      parts.push(h('p', null, 'The call is still open. It can be signed off once the nurse has recorded the outcome.'));
    } else if (d.state !== 'closed') {
      parts.push(h('p', null, `Only closed calls are signed off. This call ended as “${END_STATES[/** @type {keyof typeof END_STATES} */ (d.state)] ?? d.state}”.`));
    } else if (!isClinician) {
      parts.push(h('p', { class: 'rv-flag rv-flag-todo' }, 'Awaiting sign-off'), h('p', null, 'A clinician signs off closed calls.'));
    } else {
      parts.push(signOffForm(d));
    }
    return h('section', { class: 'detail-card rv-sign-off', id: 'sign-off', 'aria-labelledby': 'sign-off-title' }, parts);
  }

  /** @param {CallDetail} d */
  function signOffForm(d) {
    const comment = h('textarea', { id: 'so-comment', class: 'input', rows: '4', maxlength: '2000', 'aria-describedby': 'so-comment-hint so-error' });
    const error = h('p', { id: 'so-error', class: 'form-error', role: 'alert' });
    const button = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign off');
    const form = h('form', { class: 'rv-sign-off-form', novalidate: true },
      h('p', null, 'Read the call, then sign it off. Your name and the time are recorded with it.'),
      h('div', { class: 'field' },
        h('label', { for: 'so-comment' }, 'Comment'),
        h('p', { id: 'so-comment-hint', class: 'field-hint' }, 'Optional: what you agree with, or what should be done differently. Up to 2,000 characters.'),
        comment),
      error,
      button);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      if (comment.value.length > 2000) {
        error.textContent = 'The comment is too long: keep it to 2,000 characters.';
        comment.focus();
        return;
      }
      button.disabled = true;
      error.textContent = '';
      try {
        const signed = /** @type {CallDetail} */ (await api.post(`/api/calls/${d.id}/sign-off`, { comment: comment.value }));
        detail = signed;
        render(signed);
        announce('Signed off');
        /** @type {HTMLElement | null} */ (root.querySelector('#signed-off'))?.focus();
      } catch (e) {
        button.disabled = false;
        if (!(e instanceof api.ApiError)) throw e;
        if (e.status === 409) {
          // Someone signed it off first, or it changed: show the call as it is now.
          await load();
          announce('This call was already signed off.');
          return;
        }
        error.textContent = e.isNetwork ? `${api.UNREACHABLE_MESSAGE}. Your comment is kept: try again.` : e.message;
      }
    });
    return form;
  }

  // ---- follow-up ----

  /** @param {CallDetail} d */
  function followUpSection(d) {
    const ended = ['closed', 'cancelled', 'abandoned'].includes(d.state);
    const title = h('h2', { id: 'follow-up-title' }, 'Follow-up');
    if (!ended) {
      return h('section', { class: 'detail-card', 'aria-labelledby': 'follow-up-title' }, title, h('p', null, 'Follow-up is recorded once the call has ended.'));
    }
    const status = h('p', { class: 'form-error', role: 'alert' });
    const saved = h('p', { class: 'rv-saved', role: 'status' });
    const button = h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Save follow-up');
    const form = h('form', { class: 'rv-follow-up-form', novalidate: true },
      h('p', { class: 'hint' }, 'What happened after the call. An answer, once given, can be changed but not cleared.'),
      FOLLOW_UP.map(([key, question]) => {
        const value = d.follow_up?.[key];
        return h('fieldset', { class: 'rv-yes-no' },
          h('legend', null, question),
          h('div', { class: 'rv-yes-no-row' },
            radio(key, 'yes', 'Yes', value === true),
            radio(key, 'no', 'No', value === false),
            value == null ? h('span', { class: 'hint' }, 'Not known yet') : null));
      }),
      status, saved, button);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      /** @type {Record<string, boolean>} */
      const change = {};
      for (const [key] of FOLLOW_UP) {
        const picked = /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="fu-${key}"]:checked`));
        if (picked && (picked.value === 'yes') !== d.follow_up?.[key]) change[key] = picked.value === 'yes';
      }
      if (!Object.keys(change).length) {
        status.textContent = 'Nothing has changed: choose an answer first.';
        return;
      }
      button.disabled = true;
      status.textContent = '';
      try {
        const updated = /** @type {CallDetail} */ (await api.post(`/api/calls/${d.id}/follow-up`, change));
        detail = updated;
        render(updated);
        const again = /** @type {HTMLElement | null} */ (root.querySelector('.rv-follow-up-form .rv-saved'));
        if (again) {
          again.textContent = 'Follow-up saved.';
          // The form was drawn afresh: keep the keyboard where the person was.
          again.setAttribute('tabindex', '-1');
          again.focus();
        }
        announce('Follow-up saved.');
      } catch (e) {
        button.disabled = false;
        if (!(e instanceof api.ApiError)) throw e;
        status.textContent = e.isNetwork ? api.UNREACHABLE_MESSAGE : e.message;
      }
    });
    return h('section', { class: 'detail-card', 'aria-labelledby': 'follow-up-title' }, title, form);
  }

  load();
  return () => {
    inFlight?.abort();
    gallery?.destroy();
  };
}

/**
 * @param {string} key
 * @param {string} value
 * @param {string} text
 * @param {boolean} checked
 */
function radio(key, value, text, checked) {
  const id = `fu-${key}-${value}`;
  return h('span', { class: 'rv-check' },
    h('input', { type: 'radio', id, name: `fu-${key}`, value, checked, class: 'rv-check-input' }),
    h('label', { for: id }, text));
}
