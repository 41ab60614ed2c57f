// @ts-check
/**
 * @file A clinician's live invitations to join a call, shown on every clinician screen (the
 * `#invitations` region of index.html, under the top bar).
 *
 * The nurse invites with `POST /api/calls/{id}/invite`; the call's `invited` list, in every
 * `call.changed` (and in the queue snapshot), then names the clinician. An invitation lasts while
 * the call is answered or in consultation (docs/signalling.md, "Invitations"). Accepting opens
 * `#/consult/:callId`, which joins the video; declining is `POST /api/calls/{id}/decline`.
 * A short chime (muted with the hub's alert switch) marks a new invitation; the region is a
 * polite live region, so screen readers hear it too.
 */

import * as api from '../api.js';
import { h, replace, levelBadge, residentNames } from '../ui.js';
import { news2Badge } from '../hub/assessment-view.js';
import { playInvitationChime } from '../hub/alert.js';

/** @typedef {import('../types.js').CallView} CallView */

/** Calls this clinician joined and then left: their invitation still stands, worded as such. @type {Set<number>} */
const left = new Set();

/**
 * Notes that the clinician left a call's video (the consultation screen calls this).
 * @param {number} callId
 */
export function noteLeft(callId) {
  left.add(callId);
}

/**
 * @param {HTMLElement} region
 * @param {import('../app.js').ScreenContext} ctx
 * @returns {() => void} stop
 */
export function mountInvitations(region, ctx) {
  const me = ctx.session.user.id;
  /** Calls inviting us, by id. @type {Map<number, CallView>} */
  const invitations = new Map();
  /** Calls whose invitation was seen already (no second chime). @type {Set<number>} */
  const seen = new Set();
  /** Per-call messages (a failed decline). @type {Map<number, string>} */
  const problems = new Map();

  /** @param {CallView} call */
  const invitesMe = (call) => (call.state === 'claimed' || call.state === 'in_consultation') && call.invited.some((p) => p.id === me);

  /** @param {CallView} call */
  function take(call) {
    if (invitesMe(call)) invitations.set(call.id, call);
    else invitations.delete(call.id);
  }

  function render() {
    const here = /^#\/consult\/(\d+)/.exec(location.hash);
    const shown = [...invitations.values()].filter((c) => !here || Number(here[1]) !== c.id);
    let fresh = false;
    for (const id of [...left]) if (!invitations.has(id)) left.delete(id);
    for (const c of shown) {
      if (!seen.has(c.id) && !left.has(c.id)) {
        seen.add(c.id);
        fresh = true;
      }
    }
    for (const id of [...seen]) if (!invitations.has(id)) seen.delete(id);
    region.hidden = shown.length === 0;
    if (!shown.length) {
      region.replaceChildren();
      return;
    }
    replace(region, h('div', { class: 'invitations-inner' }, ...shown.map(card)));
    if (fresh) playInvitationChime();
  }

  /** @param {CallView} call */
  function card(call) {
    const names = residentNames(call.resident);
    const nurse = call.holder?.name ?? 'A hub nurse';
    const titleId = `invitation-${call.id}-title`;
    const again = left.has(call.id);
    return h('article', { class: 'invitation', 'aria-labelledby': titleId },
      h('div', { class: 'invitation-text' },
        h('h2', { id: titleId, class: 'invitation-title' }, again ? `You left the video call with ${nurse}` : `${nurse} invites you to a video call`),
        h('p', { class: 'invitation-about' },
          levelBadge(call.level, { name: call.level_name }), ' ',
          h('strong', null, names.full), names.knownAs ? ` (${names.knownAs})` : '', `, ${call.resident.age} · ${call.care_home.name} · `,
          news2Badge(call.news2)),
        h('p', { class: 'invitation-situation' }, `“${call.situation}”`),
        problems.has(call.id) ? h('p', { class: 'form-error' }, problems.get(call.id) ?? '') : null),
      h('div', { class: 'invitation-actions' },
        h('a', { class: 'btn btn-call', href: `#/consult/${call.id}`, 'aria-describedby': titleId }, again ? 'Rejoin the call' : 'Join the call'),
        h('button', { type: 'button', class: 'btn btn-secondary', 'aria-describedby': titleId, onclick: () => decline(call) }, 'Decline')));
  }

  /** @param {CallView} call */
  async function decline(call) {
    try {
      /** @type {CallView} */
      const updated = await api.post(`/api/calls/${call.id}/decline`);
      problems.delete(call.id);
      take(updated);
    } catch (e) {
      if (!(e instanceof api.ApiError)) throw e;
      // 409: the invitation had already ended (the call moved on); nothing left to decline.
      if (e.status === 409) invitations.delete(call.id);
      else problems.set(call.id, e.message);
    }
    render();
  }

  const offs = [
    ctx.live.on('queue.snapshot', (m) => {
      invitations.clear();
      for (const c of [...m.waiting, ...m.in_progress]) take(c);
      render();
    }),
    ctx.live.on('call.changed', (m) => {
      take(m.call);
      render();
    }),
    ctx.live.on('call.ended', (m) => {
      invitations.delete(m.call.id);
      render();
    }),
  ];
  const onHash = () => render();
  window.addEventListener('hashchange', onHash);
  // The snapshot sent on connecting may have come before we listened.
  if (ctx.live.status === 'open') ctx.live.resync();
  render();

  return () => {
    for (const off of offs) off();
    window.removeEventListener('hashchange', onHash);
    region.hidden = true;
    region.replaceChildren();
  };
}
