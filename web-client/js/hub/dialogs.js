// @ts-check
/**
 * @file The hub nurse's two dialogs: invite a clinician into the call's video (chosen from the
 * clinicians online now, `GET /api/users?role=clinician`), and change a call's level with the
 * mandatory reason (docs/clinical-rules.md §4, rule 9; audited by the server).
 */

import * as api from '../api.js';
import { h, replace, levelBadge, LEVEL_NAMES, announce } from '../ui.js';

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../types.js').UserView & {online: boolean}} UserPresence */

/**
 * A modal dialog with a form; resolves when it closes.
 * @param {string} id
 * @param {string} title
 * @param {(close: () => void, error: HTMLElement) => {body: HTMLElement[], submitLabel: string, onSubmit: (form: HTMLFormElement, error: HTMLElement, submit: HTMLButtonElement) => Promise<boolean>}} build
 *   `onSubmit` returns true to close.
 */
function formDialog(id, title, build) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title` });
    const close = () => dialog.close();
    const spec = build(close, error);
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, spec.submitLabel);
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', { id: `${id}-title` }, title),
      ...spec.body,
      error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: close }, 'Cancel'),
        submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.replaceChildren();
      submit.disabled = true;
      try {
        if (await spec.onSubmit(form, error, submit)) close();
      } finally {
        submit.disabled = false;
      }
    });
    dialog.append(form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(undefined);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Invites a clinician into the call.
 * @param {CallView} call
 * @returns {Promise<void>}
 */
export async function inviteDialog(call) {
  const list = h('div', { class: 'invite-list' }, h('p', { class: 'loading' }, 'Finding clinicians online…'));
  /** @type {UserPresence[]} */
  let clinicians = [];
  const load = async () => {
    try {
      clinicians = /** @type {UserPresence[]} */ (await api.get('/api/users?role=clinician'));
    } catch (e) {
      replace(list, h('p', { class: 'form-error' }, e instanceof api.ApiError ? e.message : 'The list of clinicians did not load.'));
      return;
    }
    const already = new Set(call.invited.map((p) => p.id));
    clinicians.sort((a, b) => Number(b.online) - Number(a.online) || a.display_name.localeCompare(b.display_name));
    if (!clinicians.length) {
      replace(list, h('p', null, 'There are no clinician accounts.'));
      return;
    }
    replace(list, h('fieldset', null, h('legend', null, 'Clinician'),
      ...clinicians.map((c) => {
        const invited = already.has(c.id);
        return h('div', { class: 'invite-choice' },
          h('input', { type: 'radio', name: 'clinician', id: `inv-${c.id}`, value: String(c.id), disabled: !c.online || invited }),
          h('label', { for: `inv-${c.id}` }, c.display_name, ' ',
            h('span', { class: ['presence', c.online ? 'presence-online' : 'presence-offline'] }, invited ? 'Already invited' : c.online ? 'Online' : 'Offline')));
      }),
      clinicians.some((c) => c.online) ? null : h('p', { class: 'hint' }, 'No clinician is online now. Phone the on-call GP if you need one.')));
    /** @type {HTMLInputElement | null} */ (list.querySelector('input:not(:disabled)'))?.focus();
  };
  load();
  await formDialog('invite', 'Invite a clinician', () => ({
    body: [h('p', null, 'They see the invitation on their screen and can join the video. Only clinicians who are online now can be invited.'), list],
    submitLabel: 'Invite',
    onSubmit: async (form, error) => {
      const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="clinician"]:checked'));
      if (!chosen) {
        replace(error, 'Choose a clinician who is online.');
        return false;
      }
      try {
        await api.post(`/api/calls/${call.id}/invite`, { clinician_id: Number(chosen.value) });
        const name = clinicians.find((c) => c.id === Number(chosen.value))?.display_name ?? 'The clinician';
        announce(`${name} has been invited.`);
        return true;
      } catch (e) {
        if (!(e instanceof api.ApiError)) throw e;
        replace(error, e.status === 409 ? 'You can invite a clinician only while you hold the call.' : e.message);
        return false;
      }
    },
  }));
}

/**
 * Changes a call's level, with the reason.
 * @param {CallView} call
 * @returns {Promise<void>}
 */
export async function levelDialog(call) {
  const levels = /** @type {(keyof typeof LEVEL_NAMES)[]} */ (['P1', 'P2', 'P3', 'P4', 'P5']);
  const reason = h('textarea', { id: 'lvl-reason', class: 'input', rows: 3, maxlength: 500, required: true, 'aria-describedby': 'lvl-reason-hint' });
  const body = [
    h('p', null, 'Now ', levelBadge(call.level, { name: call.level_name }), '. The change and your reason are kept in the call’s record.'),
    h('fieldset', { class: 'lvl-choices' }, h('legend', null, 'New level'),
      ...levels.map((l) => h('div', { class: 'lvl-choice' },
        h('input', { type: 'radio', name: 'level', id: `lvl-${l}`, value: l, checked: l === call.level }),
        h('label', { for: `lvl-${l}` }, levelBadge(l))))),
    h('div', { class: 'field' },
      h('label', { for: 'lvl-reason' }, 'Reason'),
      h('p', { class: 'field-hint', id: 'lvl-reason-hint' }, 'Required. For example: “On video, alert and talking, breathing comfortably”.'),
      reason),
  ];
  /** @param {HTMLFormElement} form @param {HTMLElement} error */
  const onSubmit = async (form, error) => {
    const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="level"]:checked'));
    if (!chosen || chosen.value === call.level) {
      replace(error, 'Choose a different level.');
      return false;
    }
    if (!reason.value.trim()) {
      replace(error, 'Give the reason for the change.');
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
      return false;
    }
    try {
      await api.post(`/api/calls/${call.id}/level`, { level: chosen.value, reason: reason.value.trim() });
      announce(`Level changed to ${chosen.value}.`);
      return true;
    } catch (e) {
      if (!(e instanceof api.ApiError)) throw e;
      replace(error, e.status === 409 ? 'The level cannot change now: the call is closing or closed.' : e.message);
      return false;
    }
  };
  await formDialog('lvl', 'Change the level', (_close, errorBox) => {
    // The message goes as soon as a reason is typed.
    reason.addEventListener('input', () => {
      reason.removeAttribute('aria-invalid');
      errorBox.replaceChildren();
    });
    return { body, submitLabel: 'Change level', onSubmit };
  });
}
