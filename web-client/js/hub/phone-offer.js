// @ts-check
/**
 * @file "Phone the home": when the video with the care home has been down for a while, the
 * nurse's call screen offers the home's number, and one click records on the call that it went
 * on by phone (`POST /api/calls/{id}/phone`), so the record explains why the rest of the
 * consultation left no video behind.
 *
 * The video counts as down while the home's tablet is not in the video, or is there with its
 * media not connected, or our own video is reconnecting, or the relay has paused video between
 * us and the home for a weak line. The delay before the offer is the server's
 * (`media.phone_offer_after_seconds`, from `GET /api/calls/{id}/phone`).
 */

import * as api from '../api.js';
import { h, replace, notice, announce, formatClock } from '../ui.js';

/** @typedef {import('../types.js').PhoneView} PhoneView */
/** @typedef {import('../call.js').VideoCall} VideoCall */

/** Used until the server has said (the configured default). */
const DEFAULT_OFFER_AFTER_SECONDS = 20;
/** A failed read of the offer's details is tried again after this long. */
const RETRY_MS = 10_000;

/**
 * Whether the video with the care home is down, as this screen sees it.
 * @param {VideoCall | null} video
 * @param {number} me
 */
export function homeVideoDown(video, me) {
  if (!video || video.state !== 'connected') return true;
  const home = new Set(video.participants.filter((p) => p.role === 'care_staff').map((p) => p.user_id));
  if (!video.participants.some((p) => home.has(p.user_id) && p.connected)) return true;
  // Paused video comes from the relay's weak-link handling; older clients have no such set.
  const paused = /** @type {{pausedVideo?: Set<string>}} */ (video).pausedVideo;
  for (const key of paused ?? []) {
    const [receiver, sender] = key.split(':').map(Number);
    if ((receiver === me && home.has(sender)) || (sender === me && home.has(receiver))) return true;
  }
  return false;
}

/**
 * @param {object} options
 * @param {number} options.callId
 * @param {number} options.me
 * @returns {{element: HTMLElement, tick: (video: VideoCall | null, inVideo: boolean) => void, refresh: () => void, destroy: () => void}}
 */
export function phoneOffer(options) {
  /** @type {PhoneView | null} */
  let info = null;
  let downSince = 0;
  let busy = false;
  let destroyed = false;
  let loading = false;
  let lastTry = 0;
  let shown = '';
  const element = h('div', { class: 'phone-offer', 'aria-live': 'polite' });

  async function refresh() {
    if (loading || destroyed) return;
    loading = true;
    lastTry = Date.now();
    try {
      info = await api.get(`/api/calls/${options.callId}/phone`);
      shown = '';
    } catch {
      // Tried again on a later tick; until then the offer waits.
    } finally {
      loading = false;
    }
  }

  async function record() {
    if (busy) return;
    busy = true;
    draw(Date.now());
    try {
      info = await api.post(`/api/calls/${options.callId}/phone`);
      announce('Recorded: the call went on by phone.');
    } catch (error) {
      if (!(error instanceof api.ApiError)) {
        busy = false;
        throw error;
      }
      // Someone (this nurse in another tab) may have recorded it first: show what is so.
      await refresh();
      if (!info?.continued_by_phone) {
        replace(element, notice('warning', 'The phone call was not recorded', h('p', null, error.message)));
        shown = 'error';
        busy = false;
        return;
      }
    }
    busy = false;
    shown = '';
    draw(Date.now());
  }

  /** @param {number} now */
  function draw(now) {
    if (destroyed || shown === 'error') return;
    const recorded = info?.continued_by_phone;
    const after = (info?.offer_after_seconds ?? DEFAULT_OFFER_AFTER_SECONDS) * 1000;
    const offer = Boolean(info && !recorded && downSince && now - downSince >= after);
    const state = recorded ? 'recorded' : offer ? `offer${busy ? '-busy' : ''}` : 'none';
    if (state === shown) return;
    shown = state;
    if (recorded && info) {
      replace(element, notice('success', 'The call went on by phone',
        h('p', null, `Recorded at ${formatClock(recorded.at)} by ${recorded.by.name}. The home’s number: `,
          h('a', { href: `tel:${(recorded.phone ?? info.phone).replace(/\s/g, '')}` }, recorded.phone ?? info.phone), '.')));
    } else if (offer && info) {
      replace(element, h('div', { class: 'notice notice-warning phone-offer-box' },
        h('p', { class: 'notice-title' }, 'The video with the care home is down'),
        h('p', null, `It has been down for more than ${info.offer_after_seconds} seconds. Phone ${info.care_home.name} on `,
          h('strong', { class: 'phone-number' }, info.phone), ' and carry on by phone, then record it here.'),
        h('button', { type: 'button', class: 'btn btn-primary phone-offer-button', disabled: busy, onclick: () => record() },
          `Phone the home: ${info.phone}`)));
    } else {
      element.replaceChildren();
    }
  }

  refresh();
  return {
    element,
    tick(video, inVideo) {
      const now = Date.now();
      const down = inVideo && homeVideoDown(video, options.me);
      if (!down) downSince = 0;
      else if (!downSince) downSince = now;
      if (!info && !loading && now - lastTry > RETRY_MS) refresh();
      draw(now);
    },
    refresh() {
      refresh().then(() => draw(Date.now()));
    },
    destroy() {
      destroyed = true;
    },
  };
}
